"""Contract events stay append-only, but GDPR erasure may empty their notes (C26)."""

from django.db import migrations

from punkt.core.dbguards import append_only


def drop_old_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS punkt_contract_event_append_only();")


class Migration(migrations.Migration):

    dependencies = [("contracts", "0007_contract_end_and_monthly_figures")]

    operations = [append_only("contracts_contractevent", erasable=("note",)),
                  migrations.RunPython(drop_old_function, migrations.RunPython.noop)]
