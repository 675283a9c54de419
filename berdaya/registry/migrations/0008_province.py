# The province of each household, person and assistance record: the partition key of migration 0009 on PostgreSQL,
# and on every database what lets a region-scoped read name the province it needs.

from django.db import migrations, models

# Plain SQL that SQLite and PostgreSQL both run: one statement per table, whatever its size (a million persons take
# seconds), rather than a model instance per row.
FILL = [
    "UPDATE registry_household SET province = substr(village_id, 1, 2)",
    "UPDATE registry_person SET province = "
    "(SELECT h.province FROM registry_household h WHERE h.id = registry_person.household_id)",
    "UPDATE registry_assistancerecord SET province = "
    "(SELECT h.province FROM registry_household h WHERE h.id = registry_assistancerecord.household_id)",
]


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_disclosure_bnba_api'),
    ]

    operations = [
        migrations.AddField(
            model_name='assistancerecord',
            name='province',
            field=models.CharField(default='', editable=False, max_length=2, verbose_name='province'),
        ),
        migrations.AddField(
            model_name='household',
            name='province',
            field=models.CharField(default='', editable=False, max_length=2, verbose_name='province'),
        ),
        migrations.AddField(
            model_name='person',
            name='province',
            field=models.CharField(default='', editable=False, max_length=2, verbose_name='province'),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
    ]
