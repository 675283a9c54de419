"""The inbox moves here from targeting: the table is created, then every notification of targeting is copied."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


FIELDS = ["recipient_user_id", "recipient_region_id", "subject", "body", "message", "url", "created_at", "read_at"]


def copy_from_targeting(apps, schema_editor):
    old = apps.get_model("targeting", "Notification")
    new = apps.get_model("inbox", "Notification")
    # New primary keys (in the old order): the table's sequence on PostgreSQL stays right.
    rows = [new(**{name: getattr(row, name) for name in FIELDS}) for row in old.objects.order_by("pk")]
    new.objects.bulk_create(rows, batch_size=500)


def copy_back(apps, schema_editor):
    old = apps.get_model("targeting", "Notification")
    new = apps.get_model("inbox", "Notification")
    rows = [old(**{name: getattr(row, name) for name in FIELDS}) for row in new.objects.order_by("pk")]
    old.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('regions', '0001_initial'),
        ('targeting', '0004_letterhead_decree_considerations_and_legal_basis'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient_roles', models.CharField(blank=True, editable=False, max_length=100)),
                ('kind', models.CharField(blank=True, max_length=50)),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('body', models.TextField(blank=True, verbose_name='message')),
                ('message', models.JSONField(blank=True, default=dict, editable=False)),
                ('url', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('recipient_region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.region')),
                ('recipient_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                ('sender', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sent_notifications', to=settings.AUTH_USER_MODEL, verbose_name='sender')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['sender', '-created_at'], name='inbox_sent_idx')],
            },
        ),
        migrations.RunPython(copy_from_targeting, copy_back),
    ]
