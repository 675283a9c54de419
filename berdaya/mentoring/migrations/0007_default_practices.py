"""The default environmental-practice checklist (DOMAIN.md §2, bina lingkungan); the Dinas edits it afterwards.

Written in the office's language, as the Dinas would type its own items."""

from django.db import migrations

PRACTICES = [
    ("waste", "Limbah usaha dikelola (dipilah, tidak dibuang ke sungai atau lahan warga)"),
    ("water", "Air digunakan hemat dan air limbah tidak mencemari sumber air warga"),
    ("chemicals", "Bahan kimia (pestisida, pewarna, pengawet) disimpan dan dipakai dengan aman"),
    ("local_materials", "Menggunakan bahan baku lokal dari desa sekitar"),
    ("nuisance", "Tidak menimbulkan bau, asap atau kebisingan yang mengganggu tetangga"),
]


def add(apps, schema_editor):
    Practice = apps.get_model("mentoring", "EnvironmentPractice")
    for order, (code, text) in enumerate(PRACTICES, start=1):
        Practice.objects.get_or_create(code=code, defaults={"text": text, "order": order})


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0006_bina_lingkungan")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
