"""On PostgreSQL the append-only tables also refuse TRUNCATE (a statement-level trigger;
the row triggers do not fire on it). See punkt/core/dbguards.py and docs/deployment.md."""

from django.db import migrations

from punkt.core.dbguards import no_truncate


class Migration(migrations.Migration):
    dependencies = [("contracts", "0005_contract_active_value")]
    operations = [no_truncate("contracts_contractevent")]
