"""C26: the audit log is written by services and cannot be rewritten."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from punkt.core.models import AuditEvent
from punkt.organization import services


def test_change_rows_carry_actor_branch_ip_and_request_id(world: Any, client_as: Any) -> None:
    client = client_as(world.expert)
    response = client.post(f"/organisation/branches/{world.a.pk}/edit/", {
        "code": "AAA-01", "name": "Oddział A+", "street": "ul. Testowa 1",
        "postal_code": "00-001", "city": "Warszawa", "is_active": "on"},
        HTTP_X_REQUEST_ID="req-123", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    row = AuditEvent.objects.get(action="organization.branch.update")
    assert row.actor_id == world.expert.pk and row.branch_id == world.a.pk
    assert row.ip == "10.1.2.3" and row.request_id == "req-123" and row.channel == "web"
    assert row.changes == {"name": ["Oddział A", "Oddział A+"]}


def test_model_level_append_only(world: Any) -> None:
    row = AuditEvent.objects.create(action="x")
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=row.pk).update(action="y")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger on PostgreSQL")
def test_database_refuses_update_and_delete(world: Any) -> None:
    from django.db.utils import DatabaseError

    AuditEvent.objects.create(action="x")
    for sql in ("UPDATE core_auditevent SET action = 'y'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)


def test_secrets_never_logged(world: Any) -> None:
    services.employee_set_password(actor=world.admin, employee_id=world.service_a.pk,
                                   password="Zielona-Kawa-Na-Rynku-7")
    row = AuditEvent.objects.get(action="organization.employee.set_password")
    assert "Zielona" not in str(row.changes)


def test_audit_page_filters(world: Any, client_as: Any) -> None:
    services.branch_update(actor=world.admin, branch_id=world.a.pk, name="Nowa nazwa")
    client = client_as(world.admin)
    page = client.get("/audit/?action=organization.branch&outcome=ok").content.decode()
    assert "organization.branch.update" in page and "Nowa nazwa" in page
    page = client.get("/audit/?action=auth.").content.decode()
    assert "organization.branch.update" not in page


def test_cli_actions_are_audited_as_operator(world: Any, monkeypatch: Any) -> None:
    from django.core.management import call_command

    monkeypatch.setenv("PUNKT_PASSWORD", "Zielona-Kawa-Na-Rynku-7")
    call_command("user_add", email="nowa@test.pl", first_name="Nowa", last_name="Osoba",
                 role="service", branch="aaa-01")
    row = AuditEvent.objects.get(action="organization.employee.create")
    assert row.actor_id is None and row.actor_label.startswith("cli:") and row.channel == "cli"
