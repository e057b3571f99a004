"""HQ undoes a credit settlement made by mistake with a reversing row (negative, pointing
at the one it cancels): the table stays append-only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cashdesk', '0006_ledgers_no_truncate'),
        ('customers', '0007_consent_history_no_truncate'),
        ('organization', '0004_company_day_off_once'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='credituse',
            name='credit_use_positive',
        ),
        migrations.AddField(
            model_name='credituse',
            name='reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='credituse',
            name='reverses',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='cashdesk.credituse'),
        ),
        migrations.AddConstraint(
            model_name='credituse',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reverses__isnull', True), ('amount__gt', 0)), models.Q(('reverses__isnull', False), ('amount__lt', 0)), _connector='OR'), name='credit_use_sign'),
        ),
    ]
