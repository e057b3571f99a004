"""PostgreSQL guards that migrations install: tables that only ever grow (ledgers, event
logs). SQLite has no such triggers; there the services are the only writers."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _sql(table: str) -> tuple[str, str]:
    function = f"punkt_{table}_append_only"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward = (f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                f"DROP FUNCTION IF EXISTS {function}();")
    return forward, backward


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation: UPDATE and DELETE on these tables raise an error."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[0])

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[1])

    return migrations.RunPython(forward, backward)
