"""Weighty matters (R9.4): the weight from the type, the amount and the customer; staff
propose, the manager decides once (accept: the answer goes out, resolved; return: back
to the agent with the comment); notifications, audit, timeline; "To decide"; the weekly
control list (page, CSV audited, the Monday job once per week); the pages and the API."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import Customer, TimelineEntry
from punkt.servicedesk import services, weighty
from punkt.servicedesk.models import (
    Team,
    TeamKind,
    TeamMember,
    Ticket,
    TicketDecision,
    TicketMessage,
    TicketStatus,
    TicketType,
)
from punkt.servicedesk.tests.factories import OFFICE, desk, ticket
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=WARSAW)


# -- the weight --------------------------------------------------------------------------

def _type(weight: int = 1, threshold: str | None = None) -> Any:
    return SimpleNamespace(name="Reklamacja", weight=weight,
                           amount_threshold=None if threshold is None else Decimal(threshold))


def _customer(size: str) -> Any:
    return SimpleNamespace(company_size=size,
                           get_company_size_display=lambda: "Duża (250 i więcej)")


@pytest.mark.parametrize(("weight", "threshold", "amount", "size", "expected", "reasons"), [
    (1, None, None, "", False, 0),
    (3, None, None, "", True, 1),                       # the type
    (1, None, "999.99", "", False, 0),                  # below the company-wide 1000
    (1, None, "1000.00", "", True, 1),                  # from 1000
    (1, "200.00", "250.00", "", True, 1),               # the type's own threshold
    (1, "5000.00", "1500.00", "", False, 0),
    (1, None, None, "large", True, 1),                  # a key customer
    (1, None, None, "small", False, 0),
    (5, "100.00", "100.00", "large", True, 3),          # every reason said
])
def test_weigh(weight: int, threshold: str | None, amount: str | None, size: str,
               expected: bool, reasons: int) -> None:
    found = weighty.weigh(ticket_type=_type(weight, threshold),
                          amount=None if amount is None else Decimal(amount),
                          customer=_customer(size) if size else None)
    assert found.weighty is expected
    assert len(found.reasons) == reasons
    assert bool(found.reason) is expected


def test_weigh_follows_the_settings(settings: Any) -> None:
    settings.PUNKT_WEIGHTY_AMOUNT = "50.00"
    settings.PUNKT_WEIGHTY_TYPE_WEIGHT = 2
    settings.PUNKT_WEIGHTY_CUSTOMER_SIZES = ("medium",)
    assert weighty.weigh(ticket_type=_type(), amount=Decimal("50"), customer=None).weighty
    assert weighty.weigh(ticket_type=_type(2), amount=None, customer=None).weighty
    assert not weighty.weigh(ticket_type=_type(), amount=None,
                             customer=_customer("large")).weighty


@pytest.mark.parametrize(("text", "amount"), [
    ("", None), ("  ", None), ("1250", Decimal("1250.00")), ("1 250,50", Decimal("1250.50")),
    ("1250.5 zł", Decimal("1250.50")), ("0", Decimal("0.00"))])
def test_parse_amount(text: str, amount: Decimal | None) -> None:
    assert weighty.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["abc", "-5", "1,234,5", "1.001", "NaN", "Infinity",
                                  "99999999999", "1_000", "1e3", "+5", "١٢"])
def test_parse_amount_refuses_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        weighty.parse_amount(text)
    assert refused.value.field == "amount"


def test_the_weight_is_stored_when_opened_and_when_the_amount_changes(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    assert (t.weighty, t.weighty_reason) == (False, "")
    t = ticket(world, d, amount="1 500,00")
    assert t.weighty and "1500" in t.weighty_reason.replace("\xa0", "").replace(" ", "")
    created = AuditEvent.objects.get(action="servicedesk.ticket.create", object_id=str(t.pk))
    assert created.changes["weighty"] is True
    small = ticket(world, d)
    changed = weighty.amount_set(actor=world.service_a, ticket_id=small.pk, amount="2000")
    assert changed.weighty and Ticket.objects.get(pk=small.pk).weighty
    event = AuditEvent.objects.get(action="servicedesk.ticket.amount")
    assert event.changes["weighty"] == [False, True]
    back = weighty.amount_set(actor=world.service_a, ticket_id=small.pk, amount="")
    assert not back.weighty and back.amount is None
    with pytest.raises(ValidationFailed) as refused:
        ticket(world, d, amount="dużo")
    assert refused.value.field == "amount"


def test_a_key_customer_and_a_weighty_type_make_a_weighty_ticket(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    big = customer(world)
    Customer.objects.filter(pk=big.pk).update(company_size="large")
    assert ticket(world, d, customer_id=big.pk).weighty
    claim = TicketType.objects.create(name="Reklamacja", weight=3)
    t = ticket(world, d, type_id=claim.pk)
    assert t.weighty and "Reklamacja" in t.weighty_reason


# -- propose and decide ----------------------------------------------------------------------

def _weighty(world: Any, d: Any, **fields: Any) -> Ticket:
    from punkt.contracts.tests.factories import customer

    fields.setdefault("customer_id", customer(world).pk)
    return ticket(world, d, amount="3000", **fields)


def test_staff_cannot_resolve_a_weighty_ticket_they_propose(world: Any) -> None:
    d = desk(world)
    t = _weighty(world, d)
    with pytest.raises(Conflict) as refused:
        services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")
    assert refused.value.code == "weighty"
    assert "resolve" not in weighty.offered_actions(t, world.service_a)
    assert "resolve" in weighty.offered_actions(t, world.manager_a)
    for action in ("propose", "accept", "send_back", "merge"):
        with pytest.raises(ValidationFailed):
            services.ticket_move(actor=world.service_a, ticket_id=t.pk, action=action)
    with pytest.raises(ValidationFailed) as empty:
        weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="  ")
    assert empty.value.field == "proposal"
    decision = weighty.propose(actor=world.service_a, ticket_id=t.pk,
                               proposal="Uznajemy roszczenie i zwracamy 3000 zł.")
    t.refresh_from_db()
    assert t.status == TicketStatus.AWAITING_DECISION and t.is_open
    assert decision.outcome == "pending" and decision.proposed_by_id == world.service_a.pk
    assert AuditEvent.objects.filter(action="servicedesk.ticket.propose").count() == 1
    assert TimelineEntry.objects.filter(customer_id=t.customer_id or 0,
                                        body__startswith="Uznajemy").count() == 1
    told = Notification.objects.filter(kind="ticket.decide")
    assert list(told.values_list("recipient_id", flat=True)) == [world.manager_a.pk]
    assert list(weighty.to_decide(world.manager_a)) == [t]
    assert not weighty.to_decide(world.manager_b).exists()
    assert not weighty.to_decide(world.service_a).exists()
    # waiting: no second proposal, no resolving meanwhile
    with pytest.raises(Conflict):
        weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="Inaczej")
    with pytest.raises(Conflict):
        services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")


def test_a_small_ticket_is_not_proposed(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    with pytest.raises(ValidationFailed) as refused:
        weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="Tak")
    assert refused.value.code == "not_weighty"
    resolved = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")
    assert (resolved.resolved_by_id, resolved.decided_by_id) == (world.service_a.pk, None)


def test_the_manager_accepts_the_answer_goes_to_the_customer(world: Any) -> None:
    d = desk(world)
    sent: list[Any] = []
    services.REPLY_SENDERS.append(lambda t, m: sent.append(m.body))
    try:
        with time_machine.travel(MONDAY, tick=False):
            t = _weighty(world, d)
            weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="Zwrot 3000 zł.")
        with pytest.raises(NotFound):  # another branch's: not even seen
            weighty.decide(actor=world.service_b, ticket_id=t.pk, accept=True)
        with pytest.raises(ActionDenied):  # sees it, does not decide
            weighty.decide(actor=world.retention_a, ticket_id=t.pk, accept=True)
        with pytest.raises(ActionDenied):
            weighty.decide(actor=world.service_a, ticket_id=t.pk, accept=True)
        with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
            decision = weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=True)
    finally:
        services.REPLY_SENDERS.pop()
    t.refresh_from_db()
    assert t.status == TicketStatus.RESOLVED and t.resolved_at is not None
    assert t.paused_since is not None and t.first_responded_at is not None
    assert (t.resolved_by_id, t.decided_by_id) == (world.service_a.pk, world.manager_a.pk)
    assert decision.outcome == "accepted" and decision.decided_by_id == world.manager_a.pk
    answer = TicketMessage.objects.filter(ticket=t, internal=False).last()
    assert answer is not None and answer.body == "Zwrot 3000 zł."
    assert answer.author_id == world.service_a.pk
    assert sent == ["Zwrot 3000 zł."]
    assert AuditEvent.objects.filter(action="servicedesk.ticket.accept").count() == 1
    note = Notification.objects.get(kind="ticket.decided")
    assert note.recipient_id == world.service_a.pk
    # decided once: a second decision is refused
    with pytest.raises(Conflict):
        weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=False, comment="Nie")


def test_the_manager_returns_with_a_comment(world: Any) -> None:
    d = desk(world)
    t = _weighty(world, d)
    weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="Zwrot 3000 zł.")
    with pytest.raises(ValidationFailed) as refused:
        weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=False, comment=" ")
    assert refused.value.field == "comment"
    decision = weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=False,
                              comment="Najpierw protokół z serwisu.")
    t.refresh_from_db()
    assert t.status == TicketStatus.OPEN and decision.outcome == "returned"
    assert TicketMessage.objects.filter(ticket=t, internal=True,
                                        body__endswith="protokół z serwisu.").exists()
    assert "protokół" in Notification.objects.get(kind="ticket.decided").title
    assert TicketDecision.objects.filter(ticket=t).count() == 1
    # proposed again, and this time accepted
    weighty.propose(actor=world.service_a, ticket_id=t.pk, proposal="Zwrot po protokole.")
    weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=True)
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.RESOLVED


def test_the_proposer_does_not_decide_their_own(world: Any) -> None:
    d = desk(world)
    t = _weighty(world, d, team=d.team_a)
    weighty.propose(actor=world.manager_a, ticket_id=t.pk, proposal="Zwrot")
    with pytest.raises(ActionDenied):
        weighty.decide(actor=world.manager_a, ticket_id=t.pk, accept=True)


def test_an_hq_teams_lead_decides_its_tickets(world: Any) -> None:
    from punkt.core.roles import Role
    from tests.world import make_user

    d = desk(world)
    lead = make_user("lider.hq@test.pl", Role.SERVICE, world.hq)
    agent = make_user("agent.hq@test.pl", Role.SERVICE, world.hq)
    call = Team.objects.create(name="Call center", kind=TeamKind.HQ_OFFICE, branch=world.hq,
                               hours=OFFICE)
    TeamMember.objects.create(team=call, employee=lead, is_lead=True)
    TeamMember.objects.create(team=call, employee=agent)
    t = ticket(world, d, actor=agent, team=call, amount="5000")
    assert weighty.deciders(t) == [lead.pk]
    weighty.propose(actor=agent, ticket_id=t.pk, proposal="Zwrot")
    assert list(weighty.to_decide(lead)) == [t]
    assert not weighty.may_decide(t, agent)
    weighty.decide(actor=lead, ticket_id=t.pk, accept=True)
    assert Ticket.objects.get(pk=t.pk).decided_by_id == lead.pk


# -- the control list ------------------------------------------------------------------------

def test_the_control_list_holds_what_staff_resolved_alone(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(MONDAY, tick=False):
        alone = ticket(world, d)
        services.reply(actor=world.service_a, ticket_id=alone.pk, body="Faktura wysłana.")
        services.ticket_move(actor=world.service_a, ticket_id=alone.pk, action="resolve")
        decided = _weighty(world, d)
        weighty.propose(actor=world.service_a, ticket_id=decided.pk, proposal="Zwrot")
        weighty.decide(actor=world.manager_a, ticket_id=decided.pk, accept=True)
        by_manager = _weighty(world, d)
        services.ticket_move(actor=world.manager_a, ticket_id=by_manager.pk, action="resolve")
        other_branch = ticket(world, d, actor=world.service_b, team=d.team_b)
        services.ticket_move(actor=world.service_b, ticket_id=other_branch.pk,
                             action="resolve")
        still_open = ticket(world, d)
    monday = MONDAY.date()
    rows = list(weighty.control_list(world.manager_a, monday))
    assert [r.pk for r in rows] == [alone.pk]
    assert getattr(rows[0], "answer") == "Faktura wysłana."
    assert rows[0].resolved_by == world.service_a
    assert [r.pk for r in weighty.control_list(world.manager_b, monday)] == [other_branch.pk]
    assert not weighty.control_list(world.manager_a, monday + datetime.timedelta(days=7))
    assert still_open.pk not in [r.pk for r in rows]
    # the page: the week picked, the CSV audited
    assert weighty.week_param("2026-W47", monday) == monday
    assert weighty.week_param("bzdura", datetime.date(2026, 11, 25)) == monday
    assert weighty.hours(datetime.timedelta(hours=26)) in ("1 d 2 h", "1 dn. 2 godz.")


def test_the_control_list_page_and_csv(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    who = customer(world)
    with time_machine.travel(MONDAY, tick=False):
        alone = ticket(world, d, customer_id=who.pk)
        services.reply(actor=world.service_a, ticket_id=alone.pk, body="Faktura wysłana.")
        services.ticket_move(actor=world.service_a, ticket_id=alone.pk, action="resolve")
    url = reverse("servicedesk:control_list")
    page = client_as(world.manager_a).get(url, {"week": "2026-W47"})
    assert page.status_code == 200 and alone.number in page.content.decode()
    assert "Faktura wysłana." in page.content.decode()
    assert f'href="{reverse("customers:customer_detail", args=[who.pk])}"' in (
        page.content.decode())  # the customer it names is a link
    csv = client_as(world.manager_a).get(url, {"week": "2026-W47", "format": "csv"})
    body = b"".join(csv.streaming_content).decode()
    assert csv.status_code == 200 and alone.number in body and "Faktura wysłana." in body
    assert AuditEvent.objects.filter(action="servicedesk.control_list.export").count() == 1
    assert client_as(world.service_a).get(url).status_code == 403
    assert client_as(world.manager_b).get(url, {"week": "2026-W47"}).content.decode().count(
        alone.number) == 0


def test_the_monday_job_tells_each_manager_once_a_week(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(MONDAY, tick=False):
        alone = ticket(world, d)
        services.ticket_move(actor=world.service_a, ticket_id=alone.pk, action="resolve")
    next_monday = MONDAY + datetime.timedelta(days=7)
    assert weighty.notify_control_lists(now=next_monday - datetime.timedelta(days=1)) == 0
    assert weighty.notify_control_lists(now=next_monday.replace(hour=6)) == 0
    assert weighty.notify_control_lists(now=next_monday) == 1
    weighty.notify_control_lists(now=next_monday + datetime.timedelta(hours=1))
    told = Notification.objects.filter(kind="ticket.control_list")
    assert list(told.values_list("recipient_id", flat=True)) == [world.manager_a.pk]
    assert "2026-W47" in told.get().url


# -- the pages and the API -----------------------------------------------------------------

def test_the_pages_propose_and_decide(world: Any, client_as: Any) -> None:
    d = desk(world)
    t = _weighty(world, d)
    agent, manager = client_as(world.service_a), client_as(world.manager_a)
    page = agent.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert 'data-testid="propose-form"' in page and 'data-testid="ticket-resolve"' not in page
    agent.post(reverse("servicedesk:ticket_propose", args=[t.pk]), {"proposal": "Zwrot"})
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.AWAITING_DECISION
    page = manager.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert 'data-testid="decide-form"' in page
    work = manager.get(reverse("work:my_work")).content.decode()
    assert t.number in work and 'data-testid="to-decide"' in work
    queue = manager.get(reverse("servicedesk:queue"),
                        {"queue": "all", "status": "awaiting_decision"}).content.decode()
    assert t.number in queue
    refused = manager.post(reverse("servicedesk:ticket_decide", args=[t.pk]),
                           {"decision": "send_back", "comment": ""}, follow=True)
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.AWAITING_DECISION
    assert refused.status_code == 200
    manager.post(reverse("servicedesk:ticket_decide", args=[t.pk]), {"decision": "accept"})
    assert Ticket.objects.get(pk=t.pk).status == TicketStatus.RESOLVED
    # amount from the page
    small = ticket(world, d)
    agent.post(reverse("servicedesk:ticket_amount", args=[small.pk]), {"amount": "9999,99"})
    assert Ticket.objects.get(pk=small.pk).weighty


def test_the_api_proposes_and_decides(world: Any, client_as: Any) -> None:
    d = desk(world)
    t = _weighty(world, d)
    agent, manager = client_as(world.service_a), client_as(world.manager_a)
    base = f"/api/v1/servicedesk/tickets/{t.pk}"
    got = agent.get(base).json()
    assert got["weighty"] is True and got["amount"] == "3000.00"
    assert agent.post(f"{base}/resolve").status_code == 409
    made = agent.post(f"{base}/propose", json.dumps({"proposal": "Zwrot"}),
                      content_type="application/json")
    assert made.status_code == 201 and made.json()["outcome"] == "pending"
    assert agent.post(f"{base}/decide", json.dumps({"decision": "accept"}),
                      content_type="application/json").status_code == 403
    assert client_as(world.manager_b).post(
        f"{base}/decide", json.dumps({"decision": "accept"}),
        content_type="application/json").status_code == 404
    done = manager.post(f"{base}/decide", json.dumps({"decision": "accept"}),
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["outcome"] == "accepted"
    again = manager.post(f"{base}/decide", json.dumps({"decision": "accept"}),
                         content_type="application/json")
    assert again.status_code == 409
    small = ticket(world, d)
    changed = agent.post(f"/api/v1/servicedesk/tickets/{small.pk}/amount",
                         json.dumps({"amount": "1200.00"}), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["weighty"] is True
    bad = agent.post(f"/api/v1/servicedesk/tickets/{small.pk}/amount",
                     json.dumps({"amount": "-1"}), content_type="application/json")
    assert bad.status_code == 422
