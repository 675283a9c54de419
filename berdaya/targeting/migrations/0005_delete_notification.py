"""Notifications live in the inbox app now (inbox 0001 copied them there)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('targeting', '0004_letterhead_decree_considerations_and_legal_basis'),
        ('inbox', '0001_initial'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Notification',
        ),
    ]
