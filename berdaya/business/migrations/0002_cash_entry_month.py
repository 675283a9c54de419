from django.db import migrations, models


def fill_month(apps, schema_editor):
    CashEntry = apps.get_model("business", "CashEntry")
    for entry in CashEntry.objects.filter(month__isnull=True).only("pk", "entry_date").iterator():
        CashEntry.objects.filter(pk=entry.pk).update(month=entry.entry_date.replace(day=1))
    HistoricalCashEntry = apps.get_model("business", "HistoricalCashEntry")
    for entry in HistoricalCashEntry.objects.filter(month__isnull=True).only("pk", "entry_date").iterator():
        HistoricalCashEntry.objects.filter(pk=entry.pk).update(month=entry.entry_date.replace(day=1))


class Migration(migrations.Migration):
    dependencies = [("business", "0001_ledger")]

    operations = [
        migrations.AddField(
            model_name="cashentry", name="month", field=models.DateField(editable=False, null=True, verbose_name="month")
        ),
        migrations.AddField(
            model_name="historicalcashentry",
            name="month",
            field=models.DateField(editable=False, null=True, verbose_name="month"),
        ),
        migrations.RunPython(fill_month, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cashentry", name="month", field=models.DateField(editable=False, verbose_name="month")
        ),
        migrations.AlterField(
            model_name="historicalcashentry", name="month", field=models.DateField(editable=False, verbose_name="month")
        ),
        migrations.AddIndex(
            model_name="cashentry",
            index=models.Index(fields=["kube", "month"], name="business_cash_kube_month"),
        ),
        migrations.AddConstraint(
            model_name="cashentry",
            constraint=models.CheckConstraint(condition=models.Q(month__day=1), name="business_cashentry_month_first_day"),
        ),
    ]
