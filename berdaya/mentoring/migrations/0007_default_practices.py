"""The default environmental-practice checklist (berdaya/mentoring/defaults.py)."""

from django.db import migrations

from berdaya.mentoring.defaults import install_practices


def add(apps, schema_editor):
    install_practices(apps.get_model("mentoring", "EnvironmentPractice"))


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0006_bina_lingkungan")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
