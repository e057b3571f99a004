"""PostgreSQL guards that migrations install: tables that only ever grow (ledgers, event
logs) refuse UPDATE and DELETE row by row and TRUNCATE by statement. SQLite has no such
triggers; there the services are the only writers.

The triggers are the second line: the first is the role the application connects as,
which owns no table and holds no TRUNCATE privilege (``docs/deployment.md``; the deploy
check in ``punkt/core/checks.py`` warns otherwise). A table's owner could disable a
trigger, so the triggers alone do not protect against the owner."""

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
{_truncate_sql(table)[0]}"""
    backward = (f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
                f"DROP FUNCTION IF EXISTS {function}(); {_truncate_sql(table)[1]}")
    return forward, backward


def _truncate_sql(table: str) -> tuple[str, str]:
    """A statement-level trigger: row triggers do not fire on TRUNCATE."""
    function = f"punkt_{table}_no_truncate"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{table} is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    backward = (f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}; "
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


def no_truncate(*tables: str) -> migrations.RunPython:
    """A migration operation: TRUNCATE on these tables raises an error (``append_only``
    installs this too; for tables guarded before it did)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_truncate_sql(table)[0])

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_truncate_sql(table)[1])

    return migrations.RunPython(forward, backward)


def truncate_for_maintenance(tables: list[str], *, using: str = "default") -> None:
    """Empty tables on purpose (benchmark resets, the test runner's flush): as a
    superuser, with every trigger off for this one transaction
    (``session_replication_role``, which the application's role may not set)."""
    from django.db import connections, transaction

    if not tables:
        return
    connection = connections[using]
    names = [connection.ops.quote_name(t) for t in tables]  # table names, not user input
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
        else:
            for name in names:
                cursor.execute(f"DELETE FROM {name}")  # noqa: S608
