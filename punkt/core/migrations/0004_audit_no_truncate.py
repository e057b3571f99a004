"""On PostgreSQL the append-only tables also refuse TRUNCATE (a statement-level trigger;
the row triggers do not fire on it). See punkt/core/dbguards.py and docs/deployment.md."""

from django.db import migrations

from punkt.core.dbguards import no_truncate


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]
    operations = [no_truncate("core_auditevent")]
