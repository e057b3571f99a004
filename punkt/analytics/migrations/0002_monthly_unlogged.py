"""The refresh's working table is not logged on PostgreSQL: its rows live for one
refresh, are never needed after a crash (the refresh is then failed and run again) and
are not needed on a replica; writing them to the WAL cost more than computing them."""

from typing import Any

from django.db import migrations


def unlogged(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE analytics_monthly SET UNLOGGED")


def logged(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE analytics_monthly SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(unlogged, logged)]
