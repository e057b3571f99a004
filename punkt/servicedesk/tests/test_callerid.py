"""Caller id: the PBX's lookup (``GET /api/v1/callerid``) and the agent's call screen —
the caller found by their phone or a further contact, only within what the agent sees,
their open tickets, and a call logged as a ticket or a note."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from punkt.servicedesk import selectors
from punkt.servicedesk.models import Ticket, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db


def _callers(world: Any) -> tuple[Any, Any, Any]:
    from punkt.contracts.tests.factories import customer
    from punkt.customers import services as customer_services

    zofia = customer(world, phone="601 234 567")
    jan = customer(world, first_name="Jan", last_name="Nowak", phone="")
    customer_services.contact_add(actor=world.service_a, customer_id=jan.pk, kind="phone",
                                  value="+48 601 234 567", label="żona")
    elsewhere = customer(world, branch=world.b, actor=world.service_b, phone="601234567")
    return zofia, jan, elsewhere


def test_the_caller_is_found_by_phone_and_contact_within_the_branch(world: Any) -> None:
    zofia, jan, elsewhere = _callers(world)
    d = desk(world)
    open_one = ticket(world, d, customer_id=zofia.pk, subject="Brak faktury")
    done = ticket(world, d, customer_id=zofia.pk, subject="Stara sprawa")
    Ticket.objects.filter(pk=done.pk).update(status=TicketStatus.CLOSED)
    found = selectors.caller(user=world.service_a, number="0048 601-234-567")
    assert found.number == "+48601234567"
    by_customer = dict(found.customers)
    assert set(by_customer) == {zofia, jan}  # branch B's customer is not shown to A
    assert [t.pk for t in by_customer[zofia]] == [open_one.pk] and by_customer[jan] == []
    assert {c for c, _t in selectors.caller(user=world.service_b,
                                            number="601234567").customers} == {elsewhere}
    assert selectors.caller(user=world.service_a, number="+48 500 000 000").customers == []


def test_a_number_that_is_no_phone_is_refused_naming_the_field(world: Any) -> None:
    from punkt.core.errors import ValidationFailed

    for bad in ("", "abc", "12", "1" * 30):
        with pytest.raises(ValidationFailed) as caught:
            selectors.caller(user=world.service_a, number=bad)
        assert caught.value.field == "number"


def test_the_pbx_lookup_answers_with_a_token(world: Any) -> None:
    from punkt.organization.services import api_token_create

    zofia, _jan, _elsewhere = _callers(world)
    t = ticket(world, desk(world), customer_id=zofia.pk)
    _token, secret = api_token_create(actor=world.service_a, name="centrala")
    auth = {"Authorization": f"Bearer {secret}"}
    c = Client()
    answer = c.get("/api/v1/callerid", {"number": "601 234 567"}, headers=auth)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["number"] == "+48601234567"
    assert data["call_url"] == "/servicedesk/call/?number=%2B48601234567"
    first = next(x for x in data["customers"] if x["id"] == zofia.pk)
    assert first["url"] == f"/customers/{zofia.pk}/" and first["api_url"].endswith(
        f"/customers/{zofia.pk}")
    assert [x["number"] for x in first["open_tickets"]] == [t.number]
    assert first["open_tickets"][0]["api_url"] == f"/api/v1/servicedesk/tickets/{t.pk}"
    bad = c.get("/api/v1/callerid", {"number": "abc"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["field"] == "number"
    assert c.get("/api/v1/callerid", {"number": "601234567"}).status_code == 401
    # A cashier holds no ticket rights: refused, not an empty answer.
    _t, cashier_secret = api_token_create(actor=world.cashier_a, name="kasa")
    assert c.get("/api/v1/callerid", {"number": "601234567"},
                 HTTP_AUTHORIZATION=f"Bearer {cashier_secret}").status_code == 403


def test_the_call_screen_logs_the_call_as_a_ticket_or_a_note(world: Any,
                                                               client_as: Any) -> None:
    zofia, _jan, _elsewhere = _callers(world)
    d = desk(world)
    t = ticket(world, d, customer_id=zofia.pk)
    c = client_as(world.service_a)
    page = c.get(reverse("servicedesk:call"), {"number": "601234567"}).content.decode()
    assert zofia.display_name in page and t.number in page
    assert "Rozmowa z +48 601 234 567" in page or "601 234 567" in page
    # A note from the call on the open ticket (one click after typing it).
    c.post(reverse("servicedesk:ticket_reply", args=[t.pk]),
           {"body": "Klientka dzwoniła, czeka na korektę.", "internal": "1"})
    assert t.messages.filter(internal=True, body__startswith="Klientka dzwoniła").exists()
    # A new ticket from the call: what the screen's form sends.
    made = c.post(reverse("servicedesk:ticket_new"), {
        "channel": "phone", "customer_id": zofia.pk, "caller": "", "subject": "Rozmowa",
        "type_id": d.question.pk, "body": "Pyta o ratę."})
    assert made.status_code == 302
    new = Ticket.objects.exclude(pk=t.pk).get()
    assert new.channel == "phone" and new.customer_id == zofia.pk
    # An unknown number: the form carries the number as the caller.
    unknown = c.get(reverse("servicedesk:call"), {"number": "500 000 000"}).content.decode()
    assert 'data-testid="caller-unknown"' in unknown and 'value="+48500000000"' in unknown
    bad = c.get(reverse("servicedesk:call"), {"number": "abc"}).content.decode()
    assert 'aria-invalid="true"' in bad and "Podaj numer telefonu" in bad


def test_a_cashier_may_not_open_the_call_screen(world: Any, client_as: Any) -> None:
    assert client_as(world.cashier_a).get(reverse("servicedesk:call")).status_code == 403
