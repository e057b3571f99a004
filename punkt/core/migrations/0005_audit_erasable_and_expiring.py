"""The audit log stays append-only, but GDPR erasure may empty the changed values and the
message of rows about a customer, and the retention purge may delete rows older than a
year (the floor under ``PUNKT_RETENTION["core.audit"]``) (C26)."""

from django.db import migrations

from punkt.core.dbguards import append_only


def drop_old_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS punkt_audit_append_only();")


class Migration(migrations.Migration):

    dependencies = [("core", "0004_audit_no_truncate")]

    operations = [append_only("core_auditevent", erasable=("changes", "message"),
                              expires=("at", "1 year")),
                  migrations.RunPython(drop_old_function, migrations.RunPython.noop)]
