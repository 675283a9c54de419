"""The default monev checklist (berdaya/monitoring/defaults.py)."""

from django.db import migrations

from berdaya.monitoring.defaults import install_questions


def add(apps, schema_editor):
    install_questions(apps.get_model("monitoring", "MonevQuestion"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_monev_levels_warnings")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
