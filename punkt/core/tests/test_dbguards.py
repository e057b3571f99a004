"""PostgreSQL guards of the append-only tables against TRUNCATE, and the deploy check that
the application's role owns no table and cannot truncate (C26, docs/deployment.md)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from punkt.core.checks import OWNS, TRUNCATES, application_role_owns_no_tables
from punkt.core.dbguards import truncate_for_maintenance

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="PostgreSQL triggers and roles")

APPEND_ONLY = ["core_auditevent", "customers_consentevent", "contracts_contractevent",
               "cashdesk_payment", "cashdesk_tillentry", "cashdesk_credituse",
               "inventory_stockmovement"]


def _checked() -> None:
    """Run the test transaction's deferred foreign-key checks now (TRUNCATE refuses a
    table with pending trigger events, which would hide the guard's own refusal)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _refused(sql: str) -> str:
    _checked()
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)
    return str(exc.value)


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_truncate_of_an_append_only_table_is_refused(table: str, db: Any) -> None:
    assert "append-only (TRUNCATE refused)" in _refused(f"TRUNCATE {table} CASCADE")


def test_truncate_cascading_into_a_ledger_is_refused(world: Any) -> None:
    """Emptying customers would empty their consent history and payments with them."""
    assert "append-only" in _refused("TRUNCATE customers_customer CASCADE")
    assert "append-only" in _refused("TRUNCATE organization_branch CASCADE")


def test_maintenance_truncate_needs_the_guards_off_on_purpose(world: Any) -> None:
    from punkt.core.models import AuditEvent
    from punkt.organization import services

    services.branch_update(actor=world.admin, branch_id=world.a.pk, name="Oddział A1")
    assert AuditEvent.objects.exists()
    _checked()
    truncate_for_maintenance(["core_auditevent"])
    assert not AuditEvent.objects.exists()


def test_deploy_check_warns_when_the_application_owns_its_tables(db: Any) -> None:
    """The tests connect as the owner (a superuser): exactly what production must not do;
    a role set up as docs/deployment.md says passes, and may not truncate."""
    ids = {w.id for w in application_role_owns_no_tables(databases=["default"])}
    assert OWNS in ids
    assert application_role_owns_no_tables(databases=None) == []  # plain `check --deploy`

    app = f"punkt_app_{secrets.token_hex(4)}"  # roles are per cluster; rolled back anyway
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                       f"TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
        cursor.execute(f"SET ROLE {app}")
        try:
            assert application_role_owns_no_tables(databases=["default"]) == []
            assert "permission denied" in _refused("TRUNCATE organization_branch CASCADE")
            assert "owner" in _refused(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_truncate")
        finally:
            cursor.execute("RESET ROLE")
        cursor.execute(f"GRANT TRUNCATE ON organization_branch TO {app}")
        cursor.execute(f"SET ROLE {app}")
        try:
            ids = {w.id for w in application_role_owns_no_tables(databases=["default"])}
        finally:
            cursor.execute("RESET ROLE")
    assert ids == {TRUNCATES}
