"""PostgreSQL guards that migrations install: tables that only ever grow (ledgers, event
logs). SQLite has no such triggers; there the services are the only writers."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _sql(table: str, movable: str = "") -> tuple[str, str]:
    function = f"punkt_{table}_append_only"
    body = f"RAISE EXCEPTION '{table} is append-only';"
    if movable:
        # Only a customer merge may touch a row, and only to move it to the survivor.
        body = f"""IF TG_OP = 'UPDATE' AND
     to_jsonb(NEW) - '{movable}' = to_jsonb(OLD) - '{movable}' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{table} is append-only (only a merge may move rows)';"""
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  {body}
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward = (f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                f"DROP FUNCTION IF EXISTS {function}();")
    return forward, backward


def append_only(*tables: str, movable: str = "") -> migrations.RunPython:
    """A migration operation: UPDATE and DELETE on these tables raise an error — except,
    with ``movable`` (a column, e.g. ``customer_id``), an UPDATE that changes only it."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table, movable)[0])

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table, movable)[1])

    return migrations.RunPython(forward, backward)
