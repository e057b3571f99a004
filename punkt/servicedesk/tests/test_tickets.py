"""Tickets: opening from the counter, routing (least open work, absences → substitute),
every transition from every state (C10), SLA deadlines in the team's working hours
across a weekend, a holiday and a company day off, pauses (C16), refusals naming the
field, the timeline, the audit and the assignee's bell."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.organization.models import Absence, BranchDayOff
from punkt.servicedesk import selectors, services
from punkt.servicedesk.models import Ticket, TicketMessage, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.servicedesk.workflows import TICKET_FLOW
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def test_a_counter_ticket_is_numbered_routed_and_on_the_timeline(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    cust = customer(world)
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):
        t = ticket(world, d, customer_id=cust.pk, actor=world.manager_a)
        second = ticket(world, d)
    assert t.number == "ZG/2026/000001" and second.number == "ZG/2026/000002"
    assert t.branch_id == world.a.pk and t.status == TicketStatus.NEW
    # a member of the team at the counter keeps the ticket
    assert (t.assignee, second.assignee) == (world.manager_a, world.service_a)
    # someone outside the team: the member with the least open work (then the longest
    # in the team) gets it and hears of it
    with time_machine.travel(at(2026, 11, 16, 10, 5), tick=False):
        routed = ticket(world, d, actor=world.retention_a)
    assert routed.assignee == world.manager_a  # one open ticket each: the lower id
    assert Notification.objects.filter(recipient=world.manager_a, kind="ticket.assigned",
                                       url=f"/servicedesk/tickets/{routed.pk}/").exists()
    assert not Notification.objects.filter(recipient=world.service_a).exists()
    first = TicketMessage.objects.get(ticket=t)
    assert first.author is None and first.author_label == cust.display_name
    assert not first.internal
    entry = TimelineEntry.objects.get(customer=cust, kind="ticket")
    assert entry.source_type == "servicedesk.ticket" and entry.source_id == str(t.pk)
    assert AuditEvent.objects.filter(action="servicedesk.ticket.create",
                                     object_id=str(t.pk)).exists()


def test_routing_skips_the_absent_and_hands_over_to_the_substitute(world: Any) -> None:
    d = desk(world)
    today = datetime.date(2026, 11, 16)
    Absence.objects.create(employee=world.service_a, branch=world.a, kind="leave",
                           starts_on=today, ends_on=today, substitute=world.retention_a)
    Absence.objects.create(employee=world.manager_a, branch=world.a, kind="sick",
                           starts_on=today, ends_on=today)
    assert services.route(d.team_a, today=today) == world.retention_a
    # the substitute away too: nobody is in, the ticket waits in the team's queue
    Absence.objects.create(employee=world.retention_a, branch=world.a, kind="leave",
                           starts_on=today, ends_on=today)
    assert services.route(d.team_a, today=today) is None
    assert services.route(d.team_a, today=today + datetime.timedelta(days=1)) in (
        world.service_a, world.manager_a)


def test_routing_prefers_the_least_open_work(world: Any) -> None:
    d = desk(world)
    for _ in range(2):
        t = ticket(world, d)
        services.assign(actor=world.manager_a, ticket_id=t.pk, assignee_id=world.service_a.pk)
    assert services.route(d.team_a) == world.manager_a


@pytest.mark.parametrize(("fields", "field"), [
    ({"subject": "  "}, "subject"),
    ({"subject": "x" * 201}, "subject"),
    ({"channel": "email"}, "channel"),
    ({"priority": "asap"}, "priority"),
    ({"type_id": "abc"}, "type"),
    ({"type_id": 999999}, "type"),
    ({"customer_id": "1 OR 1"}, "customer"),
    ({"team_id": 999999}, "team"),
    ({"body": "x" * 10_001}, "body"),
])
def test_bad_input_names_the_field(world: Any, fields: dict[str, Any], field: str) -> None:
    d = desk(world)
    with pytest.raises(ValidationFailed) as refused:
        ticket(world, d, **fields)
    assert refused.value.field == field
    assert not Ticket.objects.exists()


def test_another_branchs_customer_cannot_be_named(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    theirs = customer(world, branch=world.b, actor=world.service_b)
    with pytest.raises(ValidationFailed) as refused:
        ticket(world, d, customer_id=theirs.pk)
    assert refused.value.field == "customer"


def test_a_cashier_opens_no_tickets(world: Any) -> None:
    d = desk(world)
    with pytest.raises(ActionDenied):
        ticket(world, d, actor=world.cashier_a)


def test_without_a_team_the_type_default_then_the_branch_office(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d, team_id=None)
    assert t.team == d.team_a  # service_a's branch office
    d.question.default_team = d.team_b
    d.question.save()
    assert ticket(world, d, team_id=None).team == d.team_b


STATES = list(TicketStatus.values)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", [a for a in TICKET_FLOW.transitions
                                    if a not in services.FORM_ACTIONS])
def test_every_transition_from_every_state(world: Any, state: str, action: str) -> None:
    """C10: a step is taken only from its source states, on the state read under lock."""
    d = desk(world)
    t = ticket(world, d)
    paused = state in services.PAUSED_STATES
    Ticket.objects.filter(pk=t.pk).update(
        status=state, paused_since=t.created_at if paused else None,
        closed_at=t.created_at if state == TicketStatus.CLOSED else None)
    rule = TICKET_FLOW.transitions[action]
    if state not in rule.sources:
        with pytest.raises(Conflict):
            services.ticket_move(actor=world.service_a, ticket_id=t.pk, action=action)
        assert Ticket.objects.get(pk=t.pk).status == state
        return
    moved = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action=action)
    assert moved.status == rule.target
    assert (moved.paused_since is not None) == (rule.target in services.PAUSED_STATES)
    if rule.target == TicketStatus.RESOLVED:
        assert moved.resolved_at is not None
    if rule.target == TicketStatus.CLOSED:
        assert moved.closed_at is not None
    if action == "reopen":
        assert moved.resolved_at is None and moved.closed_at is None
    assert AuditEvent.objects.filter(action=f"servicedesk.ticket.{action}",
                                     object_id=str(t.pk)).exists()


def test_a_closed_ticket_reopens_only_within_the_days(world: Any, settings: Any) -> None:
    settings.PUNKT_TICKET_REOPEN_DAYS = 14
    d = desk(world)
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        t = ticket(world, d)
        services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")
        services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="close")
    with time_machine.travel(at(2026, 11, 17, 9, 0), tick=False):
        assert "reopen" not in services.allowed_actions(Ticket.objects.get(pk=t.pk),
                                                        world.service_a)
        with pytest.raises(Conflict):
            services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="reopen")
    with time_machine.travel(at(2026, 11, 15, 9, 0), tick=False):
        assert services.ticket_move(actor=world.service_a, ticket_id=t.pk,
                                    action="reopen").status == TicketStatus.OPEN


@pytest.mark.parametrize(("opened", "first", "resolve", "day_off"), [
    # Friday 15:00, 2 h and 8 h of 8:00–16:00: across the weekend
    (at(2026, 11, 13, 15, 0), at(2026, 11, 16, 9, 0), at(2026, 11, 16, 15, 0), None),
    # Tuesday 15:00 before 11 November (Independence Day, a Wednesday)
    (at(2026, 11, 10, 15, 0), at(2026, 11, 12, 9, 0), at(2026, 11, 12, 15, 0), None),
    # … and Thursday 12 November a company day off
    (at(2026, 11, 10, 15, 0), at(2026, 11, 13, 9, 0), at(2026, 11, 13, 15, 0),
     datetime.date(2026, 11, 12)),
    # opened on a Sunday night: the clocks start on Monday at 8:00
    (at(2026, 11, 15, 22, 0), at(2026, 11, 16, 10, 0), at(2026, 11, 16, 16, 0), None),
    # the week the clocks go back (25 October 2026): Friday 23rd 15:00 → Monday 26th
    (at(2026, 10, 23, 15, 0), at(2026, 10, 26, 9, 0), at(2026, 10, 26, 15, 0), None),
])
def test_sla_deadlines_in_the_teams_working_hours(
        world: Any, opened: datetime.datetime, first: datetime.datetime,
        resolve: datetime.datetime, day_off: datetime.date | None) -> None:
    """C16: deadlines counted in working hours past weekends, holidays and days off."""
    d = desk(world)
    if day_off:
        BranchDayOff.objects.create(branch=None, date=day_off, name="Dzień wolny firmy")
    with time_machine.travel(opened, tick=False):
        t = ticket(world, d)
    assert t.first_response_due == first and t.resolve_due == resolve


def test_waiting_on_the_customer_stops_the_clocks(world: Any) -> None:
    """C16: the paused working time moves both deadlines; a reply stops the first one."""
    d = desk(world)
    with time_machine.travel(at(2026, 11, 16, 10, 0), tick=False):
        t = ticket(world, d)
    assert t.first_response_due == at(2026, 11, 16, 12, 0)
    assert t.resolve_due == at(2026, 11, 17, 10, 0)
    with time_machine.travel(at(2026, 11, 16, 11, 0), tick=False):
        t = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="wait_customer")
    assert t.paused_since == at(2026, 11, 16, 11, 0)
    with time_machine.travel(at(2026, 11, 17, 9, 0), tick=False):
        assert services.sla_state(t) == "paused"
        t = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resume")
    # paused 11:00–16:00 on Monday and 8:00–9:00 on Tuesday: six working hours
    assert t.paused_total == datetime.timedelta(hours=6) and t.paused_since is None
    assert t.first_response_due == at(2026, 11, 17, 10, 0)
    assert t.resolve_due == at(2026, 11, 17, 16, 0)
    with time_machine.travel(at(2026, 11, 17, 9, 40), tick=False):
        assert services.sla_state(t) == "warning"  # 1 h 40 min of the 2 h used
        services.reply(actor=world.service_a, ticket_id=t.pk, body="Sprawdzamy.")
        t.refresh_from_db()
        assert t.first_responded_at == at(2026, 11, 17, 9, 40)
        assert services.sla_state(t) == "ok"  # now the resolution clock: 1 h 40 of 8 h
        # waiting again after the first reply moves only the resolution deadline
        services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="wait_customer")
    with time_machine.travel(at(2026, 11, 17, 10, 30), tick=False):
        t = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resume")
    assert t.first_response_due == at(2026, 11, 17, 10, 0)
    assert t.resolve_due == at(2026, 11, 18, 8, 50)  # 50 more minutes: past Tuesday's end
    assert t.paused_total == datetime.timedelta(hours=6, minutes=50)
    with time_machine.travel(at(2026, 11, 18, 9, 1), tick=False):
        assert services.sla_state(t) == "breached"
        resolved = services.ticket_move(actor=world.service_a, ticket_id=t.pk,
                                        action="resolve")
        assert [c.state for c in services.clocks(resolved)] == ["met", "breached"]


def test_a_reply_opens_a_new_ticket_and_a_note_stays_internal(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    cust = customer(world)
    t = ticket(world, d, customer_id=cust.pk)
    services.note(actor=world.manager_a, ticket_id=t.pk, body="Sprawdzić w billingu.")
    t.refresh_from_db()
    assert t.status == TicketStatus.NEW and t.first_responded_at is None
    services.reply(actor=world.service_a, ticket_id=t.pk, body="Faktura wysłana ponownie.")
    t.refresh_from_db()
    assert t.status == TicketStatus.OPEN and t.first_responded_at is not None
    texts = [(m.internal, m.body) for m in selectors.conversation(t)]
    assert texts[1:] == [(True, "Sprawdzić w billingu."), (False, "Faktura wysłana ponownie.")]
    bodies = list(TimelineEntry.objects.filter(customer=cust).values_list("body", flat=True))
    assert "Faktura wysłana ponownie." in bodies and "Sprawdzić w billingu." not in bodies
    with pytest.raises(ValidationFailed) as refused:
        services.reply(actor=world.service_a, ticket_id=t.pk, body="  ")
    assert refused.value.field == "body"


def test_a_closed_ticket_takes_no_messages(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resolve")
    services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="close")
    with pytest.raises(ValidationFailed) as refused:
        services.note(actor=world.service_a, ticket_id=t.pk, body="Jeszcze coś")
    assert refused.value.field == "status"


def test_assigning_to_a_team_member_only_by_the_manager_or_lead(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    Notification.objects.all().delete()
    with pytest.raises(ActionDenied):  # a member takes tickets for themselves only
        services.assign(actor=world.service_a, ticket_id=t.pk, assignee_id=world.manager_a.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.assign(actor=world.manager_a, ticket_id=t.pk, assignee_id=world.retention_a.pk)
    assert refused.value.field == "assignee"
    moved = services.assign(actor=world.manager_a, ticket_id=t.pk,
                            assignee_id=world.service_a.pk)
    assert moved.assignee == world.service_a and moved.status == TicketStatus.OPEN
    assert Notification.objects.get(recipient=world.service_a).kind == "ticket.assigned"
    taken = services.assign(actor=world.manager_a, ticket_id=t.pk,
                            assignee_id=world.manager_a.pk)
    assert taken.assignee == world.manager_a


def test_another_branchs_ticket_is_not_found(world: Any) -> None:
    d = desk(world)
    theirs = ticket(world, d, actor=world.service_b, team=d.team_b)
    for call in (lambda: services.reply(actor=world.service_a, ticket_id=theirs.pk, body="x"),
                 lambda: services.ticket_move(actor=world.manager_a, ticket_id=theirs.pk,
                                              action="resolve"),
                 lambda: selectors.ticket_get(user=world.service_a, ticket_id=theirs.pk)):
        with pytest.raises(NotFound):
            call()
    # HQ sees every branch's tickets
    assert selectors.ticket_get(user=world.expert, ticket_id=theirs.pk) == theirs


def test_a_team_member_from_another_branch_works_on_the_teams_tickets(world: Any) -> None:
    """C2: a team sees what is routed to it, wherever its members work."""
    from punkt.servicedesk.models import TeamMember

    d = desk(world)
    TeamMember.objects.create(team=d.team_b, employee=world.service_a)
    theirs = ticket(world, d, actor=world.service_b, team=d.team_b)
    assert selectors.ticket_get(user=world.service_a, ticket_id=theirs.pk) == theirs
    services.reply(actor=world.service_a, ticket_id=theirs.pk, body="Pomagamy z A.")
    assert theirs.pk in selectors.queue(user=world.service_a, which="team").values_list(
        "pk", flat=True)


def test_retention_sees_but_does_not_handle(world: Any) -> None:
    d = desk(world)
    t = ticket(world, d)
    assert selectors.ticket_get(user=world.retention_a, ticket_id=t.pk) == t
    assert services.allowed_actions(t, world.retention_a) == []
    with pytest.raises(ActionDenied):
        services.reply(actor=world.retention_a, ticket_id=t.pk, body="x")


@pytest.mark.parametrize(("hours", "field"), [
    ({"mon": "8-16", "tue": "rano"}, "hours_tue"),
    ({"mon": "16:00-8:00"}, "hours_mon"),
    ({}, "hours_mon"),
])
def test_team_hours_are_checked_day_by_day(world: Any, hours: dict[str, str],
                                           field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.team_save(actor=world.manager_a, name="Biuro", kind="branch",
                           branch_id=world.a.pk, hours=hours)
    assert refused.value.field == field


def test_teams_are_kept_by_the_branch_manager(world: Any) -> None:
    team = services.team_save(actor=world.manager_a, name="Biuro A", kind="branch",
                              branch_id=world.a.pk, hours={"mon": "8-12, 13-17"})
    assert team.hours == {"mon": "8-12, 13-17"}
    with pytest.raises(ActionDenied):
        services.team_save(actor=world.manager_a, name="Biuro B", kind="branch",
                           branch_id=world.b.pk, hours={"mon": "8-16"})
    with pytest.raises(ValidationFailed) as refused:
        services.team_save(actor=world.admin, name="Call center", kind="hq",
                           branch_id=world.a.pk, hours={"mon": "8-16"})
    assert refused.value.field == "branch"
    for outsider in (world.service_b, world.cashier_a):  # another branch; no tickets
        with pytest.raises(ValidationFailed) as refused:
            services.team_members_set(actor=world.manager_a, team_id=team.pk,
                                      members=[outsider.pk])
        assert refused.value.field == "members"
    services.team_members_set(actor=world.manager_a, team_id=team.pk,
                              members=[world.service_a.pk, world.manager_a.pk],
                              leads=[world.manager_a.pk])
    assert set(team.memberships.values_list("employee_id", "is_lead")) == {
        (world.service_a.pk, False), (world.manager_a.pk, True)}
    with pytest.raises(ActionDenied):
        services.team_save(actor=world.service_a, name="Biuro A2", kind="branch",
                           branch_id=world.a.pk, hours={"mon": "8-16"})


def test_the_gdpr_export_carries_the_tickets_and_erasure_empties_their_texts(
        world: Any) -> None:
    """C28: a ticket's clock (a duration) exports as ISO 8601; erasure keeps the ticket
    and its messages without their texts."""
    import json

    from punkt.contracts.tests.factories import customer
    from punkt.core.access import SystemActor
    from punkt.customers import gdpr

    d = desk(world)
    cust = customer(world)
    t = ticket(world, d, customer_id=cust.pk)
    data = gdpr.customer_export_data(actor=world.expert, customer_id=cust.pk)
    text = json.dumps(data, ensure_ascii=False)
    assert t.number in text and '"paused_total": "P0DT00H00M00S"' in text
    gdpr.customer_anonymise(actor=SystemActor("test"), customer_id=cust.pk, reason="art. 17")
    t.refresh_from_db()
    assert t.subject == "—"
    assert list(TicketMessage.objects.filter(ticket=t).values_list("body", "author_label")) \
        == [("", "")]


def test_a_ticket_number_typed_in_the_search_box_opens_the_ticket(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers.profile import find_number

    d = desk(world)
    cust = customer(world)
    t = ticket(world, d, customer_id=cust.pk)
    found = find_number(world.service_a, t.number.lower())
    assert found is not None and found.url == f"/servicedesk/tickets/{t.pk}/"
    # a cashier (no tickets) who sees the customer lands on the profile
    found = find_number(world.cashier_a, t.number)
    assert found is not None and found.url == f"/customers/{cust.pk}/"
    assert find_number(world.service_b, t.number) is None  # another branch: nothing


def test_the_ticket_page_sees_what_the_queue_rule_sees(world: Any) -> None:
    """``ticket_get`` checks the rule on the row (``may_see``): for every person and
    ticket it agrees with ``tickets(user)`` — the branch, the assignee, the author, the
    team across branches — and refuses an id that is no number."""
    d = desk(world)
    made = [ticket(world, d), ticket(world, d, actor=world.service_b, team=d.team_b),
            ticket(world, d, actor=world.manager_a, team=d.team_b)]
    people = [world.admin, world.expert, world.manager_a, world.service_a,
              world.retention_a, world.cashier_a, world.manager_b, world.service_b]
    for person in people:
        for t in made:
            sees = selectors.tickets(person).filter(pk=t.pk).exists()
            try:
                got = selectors.ticket_get(user=person, ticket_id=t.pk)
            except NotFound:
                got = None
            assert (got is not None) == sees, (person.email, t.number)
    with pytest.raises(NotFound):
        selectors.ticket_get(user=world.admin, ticket_id="1 OR 1=1")
