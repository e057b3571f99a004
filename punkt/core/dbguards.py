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


def _sql(table: str, movable: str = "", erasable: tuple[str, ...] = (),
         expires: tuple[str, str] | None = None) -> tuple[str, str]:
    function = f"punkt_{table}_append_only"
    checks = []
    if movable or erasable:
        # An UPDATE may move a row to the surviving customer (``movable``) and empty the
        # ``erasable`` columns (GDPR erasure); every other column stays as it was.
        free = ", ".join(f"'{c}'" for c in (movable, *erasable) if c)
        emptied = "".join(
            f"\n     AND (to_jsonb(NEW)->'{c}' = to_jsonb(OLD)->'{c}' OR to_jsonb(NEW)->'{c}'"
            f" IN ('\"\"'::jsonb, '{{}}'::jsonb, '[]'::jsonb, 'null'::jsonb))"
            for c in erasable)
        checks.append(f"""IF TG_OP = 'UPDATE' AND
     to_jsonb(NEW) - ARRAY[{free}] = to_jsonb(OLD) - ARRAY[{free}]{emptied} THEN
    RETURN NEW;
  END IF;""")
    if expires:
        # The retention purge may delete rows older than a hard floor, never newer ones.
        column, interval = expires
        checks.append(f"""IF TG_OP = 'DELETE' AND OLD.{column} < now() - interval '{interval}' THEN
    RETURN OLD;
  END IF;""")
    body = "\n  ".join([*checks, f"RAISE EXCEPTION '{table} is append-only';"])
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


def append_only(*tables: str, movable: str = "", erasable: tuple[str, ...] = (),
                expires: tuple[str, str] | None = None) -> migrations.RunPython:
    """A migration operation: UPDATE and DELETE on these tables raise an error — except,
    with ``movable`` (a column, e.g. ``customer_id``), an UPDATE that changes only it;
    with ``erasable`` (columns holding personal data), an UPDATE that only empties them
    (``''``, ``{}``, ``[]`` or NULL: GDPR erasure); with ``expires`` (a date column and a
    PostgreSQL interval, e.g. ``("at", "1 year")``), a DELETE of rows older than that
    (the retention purge; the interval is a floor the configured period cannot go below).
    The columns a table declares ``erasable`` are also the ones the erasure test
    (``punkt/privacy/tests/test_erasure_walk.py``) expects emptied."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table, movable, erasable, expires)[0])

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
