from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from punkt.organization.models import Branch, Employee


def test_branch_add_and_clear_errors(db: Any) -> None:
    out = StringIO()
    call_command("branch_add", hq=True, code="HQ", name="Centrala", street="ul. Prosta 1",
                 postal_code="00-850", city="Warszawa", stdout=out)
    assert "HQ" in out.getvalue() and Branch.objects.get(code="HQ").is_hq
    with pytest.raises(CommandError, match=r"\(field: postal_code\)"):
        call_command("branch_add", code="KRK-01", name="Kraków", street="Rynek 1",
                     postal_code="31042", city="Kraków")
    assert Branch.objects.count() == 1


def test_user_add_reads_password_from_environment(world: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("PUNKT_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="PUNKT_PASSWORD"):
        call_command("user_add", email="a@test.pl", first_name="A", last_name="B",
                     role="service", branch="AAA-01")
    monkeypatch.setenv("PUNKT_PASSWORD", "short")
    with pytest.raises(CommandError, match=r"field: password"):
        call_command("user_add", email="a@test.pl", first_name="A", last_name="B",
                     role="service", branch="AAA-01")
    assert not Employee.objects.filter(email="a@test.pl").exists()
    with pytest.raises(CommandError, match=r"field: branch"):
        call_command("user_add", email="a@test.pl", first_name="A", last_name="B",
                     role="service", branch="NOPE")


def test_token_create_prints_a_working_token(world: Any, client: Any) -> None:
    out = StringIO()
    call_command("token_create", email=world.service_a.email, name="skrypt", stdout=out)
    secret = out.getvalue().strip()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json()["email"] == world.service_a.email


def test_demo_refuses_outside_demo_mode(db: Any, settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="PUNKT_DEMO"):
        call_command("demo")


def test_demo_is_idempotent(db: Any, settings: Any, tmp_path: Any) -> None:
    from punkt.contracts.models import Contract

    settings.DEMO_MODE = True
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())
    assert Branch.objects.count() == 4 and Employee.objects.count() == 9
    states = sorted(Contract.objects.values_list("status", flat=True))
    assert states.count("active") == 5 and {"approved", "in_review", "returned", "signed",
                                            "prepared"} <= set(states)
    # Two past their term (ended by the daily job), one terminated early by the manager.
    assert (states.count("ended"), states.count("terminated")) == (2, 1)
    assert all(c.pdf_ready for c in Contract.objects.all())
    from punkt.servicedesk.models import Ticket

    assert sorted(Ticket.objects.exclude(channel="web").values_list("status", flat=True)) == [
        "awaiting_decision", "new", "new", "new", "resolved", "resolved", "waiting_customer"]
    # the contact form's message, answered by the call centre
    assert list(Ticket.objects.filter(channel="web").values_list("status", flat=True)) == [
        "open"]
    from punkt.complaints.models import Complaint

    # registered, under investigation at HQ, remedied, one deemed accepted (late) and one
    # whose refund waits for the cashier
    assert sorted(Complaint.objects.values_list("status", flat=True)) == [
        "acknowledged", "investigation", "refund_due", "registered", "remedied"]
    assert Complaint.objects.filter(deemed_accepted=True).count() == 1
    from punkt.pipeline.models import Opportunity

    # the pipeline's five open along the stages, one won, one lost on price; the segments'
    # eight for the ideal sets' products (two lost); the recommendations' one with a code
    statuses = sorted(Opportunity.objects.values_list("status", flat=True))
    assert (statuses.count("open"), statuses.count("won"), statuses.count("lost")) == (
        12, 1, 3)
    # the remedied one: a replacement that left the Kraków stock
    remedied = Complaint.objects.get(status="remedied")
    if remedied.sale_line_id:
        assert remedied.stock_movement is not None
        assert remedied.stock_movement.kind == "complaint"
    assert sorted(remedied.actions.values_list("kind", flat=True)) == ["corrective",
                                                                     "preventive"]
