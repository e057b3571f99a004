"""Credit settled against invoices; payments and credit uses stay append-only on
PostgreSQL, but a customer merge may move them to the survivor."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from punkt.core.dbguards import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('cashdesk', '0004_invoice_import'),
        ('customers', '0006_timeline_by_actor'),
        ('organization', '0004_company_day_off_once'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='amount')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('branch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organization.branch')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_uses', to='customers.customer')),
                ('invoice', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_uses', to='cashdesk.invoice')),
            ],
            options={
                'ordering': ['created_at', 'pk'],
                'indexes': [models.Index(fields=['customer'], name='credit_use_customer')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='credit_use_positive')],
            },
        ),
        append_only("cashdesk_payment", "cashdesk_credituse", movable="customer_id"),
    ]
