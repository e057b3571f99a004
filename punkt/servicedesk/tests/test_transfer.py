"""Transfer to another team or department with a reason (R9.3): routed within the new
team, the deadlines kept, the new team (and branch) sees it and the old one does not,
the reason as an internal note, audit, timeline, the bell; refusals name the field; the
page and the API."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.organization.models import Absence
from punkt.servicedesk import selectors, services
from punkt.servicedesk.models import SlaCheck, TeamMember, Ticket, TicketMessage
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=WARSAW)


def test_a_transfer_routes_within_the_new_team_and_keeps_the_deadlines(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    with time_machine.travel(MONDAY, tick=False):
        t = ticket(world, d, actor=world.retention_a, customer_id=customer(world).pk)
    due = (t.first_response_due, t.resolve_due)
    assert selectors.tickets(world.service_a).filter(pk=t.pk).exists()
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=30), tick=False):
        moved = services.transfer(actor=world.service_a, ticket_id=t.pk,
                                  team_id=d.team_b.pk, reason="  Sprawa oddziału B  ")
    assert (moved.team_id, moved.branch_id, moved.assignee_id) == (
        d.team_b.pk, world.b.pk, world.service_b.pk)
    assert (moved.first_response_due, moved.resolve_due) == due
    assert SlaCheck.objects.filter(ticket_id=moved.pk).exists()
    note = TicketMessage.objects.get(ticket=t, internal=True)
    assert note.author_id == world.service_a.pk and note.body.endswith("Sprawa oddziału B")
    event = AuditEvent.objects.get(action="servicedesk.ticket.transfer")
    assert event.changes["team"] == [d.team_a.pk, d.team_b.pk]
    assert event.changes["reason"] == "Sprawa oddziału B"
    assert TimelineEntry.objects.filter(customer_id=t.customer_id, kind="ticket",
                                        body="Sprawa oddziału B").count() == 1
    assert Notification.objects.filter(recipient=world.service_b,
                                       kind="ticket.transferred").count() == 1
    # the new team and its branch see it; the old team's member no longer does
    assert selectors.tickets(world.service_b).filter(pk=t.pk).exists()
    assert selectors.tickets(world.manager_b).filter(pk=t.pk).exists()
    assert not selectors.tickets(world.service_a).filter(pk=t.pk).exists()
    assert selectors.tickets(world.retention_a).filter(pk=t.pk).exists()  # opened it


def test_nobody_in_at_the_new_team_leaves_it_in_the_queue_and_tells_the_leads(
        world: Any) -> None:
    d = desk(world)
    TeamMember.objects.create(team=d.team_b, employee=world.manager_b, is_lead=True)
    today = datetime.date(2026, 11, 16)
    for who in (world.service_b, world.manager_b):
        Absence.objects.create(employee=who, branch=world.b, kind="sick", starts_on=today,
                               ends_on=today)
    with time_machine.travel(MONDAY, tick=False):
        t = ticket(world, d)
        moved = services.transfer(actor=world.service_a, ticket_id=t.pk,
                                  team_id=d.team_b.pk, reason="Rozliczenia")
    assert moved.assignee_id is None
    assert Notification.objects.filter(kind="ticket.transferred").values_list(
        "recipient_id", flat=True).get() == world.manager_b.pk


@pytest.mark.parametrize(("fields", "field"), [
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 1001}, "reason"),
    ({"team_id": ""}, "team"),
    ({"team_id": "abc"}, "team"),
    ({"team_id": 999999}, "team"),
    ({"team_id": "same"}, "team"),
])
def test_refusals_name_the_field(world: Any, fields: dict[str, Any], field: str) -> None:
    d = desk(world)
    t = ticket(world, d)
    data: dict[str, Any] = {"team_id": d.team_b.pk, "reason": "Powód"}
    data.update(fields)
    if data["team_id"] == "same":
        data["team_id"] = d.team_a.pk
    with pytest.raises(ValidationFailed) as err:
        services.transfer(actor=world.service_a, ticket_id=t.pk, **data)
    assert err.value.field == field
    assert Ticket.objects.get(pk=t.pk).team_id == d.team_a.pk
    assert not AuditEvent.objects.filter(action="servicedesk.ticket.transfer").exists()


def test_a_resolved_ticket_and_a_stranger_are_refused(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    with pytest.raises(NotFound):
        services.transfer(actor=world.service_b, ticket_id=t.pk, team_id=d.team_b.pk,
                          reason="Nie moje")
    services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")
    with pytest.raises(ValidationFailed) as err:
        services.transfer(actor=world.service_a, ticket_id=t.pk, team_id=d.team_b.pk,
                          reason="Za późno")
    assert err.value.field == "status"


def test_the_page_keeps_the_input_and_the_api_transfers(world: Any, client_as: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    c = client_as(world.service_a)
    detail = c.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert 'data-testid="ticket-transfer"' in detail
    url = reverse("servicedesk:ticket_transfer", args=[t.pk])
    page = c.get(url).content.decode()
    assert d.team_b.name in page and 'data-testid="transfer-form"' in page
    bad = c.post(url, {"team_id": d.team_b.pk, "reason": " "})
    body = bad.content.decode()
    assert bad.status_code == 200 and 'name="reason" rows="4"' in body
    assert 'required aria-invalid="true"' in body
    assert f'value="{d.team_b.pk}" selected' in body
    ok = c.post(url, {"team_id": d.team_b.pk, "reason": "Do oddziału B"})
    # service_a opened it: they still see it
    assert ok.status_code == 302 and ok["Location"] == f"/servicedesk/tickets/{t.pk}/"
    theirs = ticket(world, d, actor=world.retention_a)  # out of sight once moved
    gone = c.post(reverse("servicedesk:ticket_transfer", args=[theirs.pk]),
                  {"team_id": d.team_b.pk, "reason": "Do oddziału B"})
    assert gone.status_code == 302 and gone["Location"] == reverse("servicedesk:queue")
    other = ticket(world, d)
    api = c.post(f"/api/v1/servicedesk/tickets/{other.pk}/transfer",
                 json.dumps({"team_id": d.team_b.pk, "reason": ""}),
                 content_type="application/json")
    assert api.status_code == 422 and "reason" in api.content.decode()
    api = c.post(f"/api/v1/servicedesk/tickets/{other.pk}/transfer",
                 json.dumps({"team_id": d.team_b.pk, "reason": "Do B"}),
                 content_type="application/json")
    assert api.status_code == 200, api.content
    assert api.json()["team_id"] == d.team_b.pk
    assert api.json()["assignee_id"] == world.service_b.pk
