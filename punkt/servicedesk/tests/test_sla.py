"""The stored SLA state (R9.2): the moment of the next change computed across a weekend and
a pause (C16 fixed dates), the job touching only the tickets whose moment has come, the
warning to the assignee, the breach escalated to the team lead and the branch manager
exactly once, the queue's filters and badges reading the stored state."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from punkt.core.models import AuditEvent
from punkt.core.roles import Role
from punkt.organization.models import Membership
from punkt.servicedesk import permissions as perms
from punkt.servicedesk import selectors, services, sla
from punkt.servicedesk.models import SlaCheck, SlaState, Ticket
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=WARSAW)


def run(now: datetime.datetime) -> dict[str, int]:
    with time_machine.travel(now, tick=False):
        return sla.recompute_due(now=now)


def nxt(t: Ticket) -> datetime.datetime | None:
    """The moment the ticket's SLA state may next change, as stored (None: no row)."""
    return SlaCheck.objects.filter(ticket_id=t.pk).values_list("due", flat=True).first()


def kinds(employee: Any) -> list[str]:
    return sorted(Notification.objects.filter(recipient=employee, kind__startswith="ticket.sla")
                  .values_list("kind", flat=True))


def test_warning_then_breach_across_a_weekend_escalates_once(world: Any) -> None:
    """Opened Friday 15:00 (Mon–Fri 8–16, first response in 2 h): due Monday 9:00, the
    warning at 80 % on Monday 8:36 — nothing happens over the weekend."""
    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        t = ticket(world, d)
    assert t.assignee_id == world.service_a.pk
    assert t.first_response_due == at(12, 7, 9)
    assert (t.sla_state, nxt(t)) == (SlaState.OK, at(12, 7, 8, 36))
    assert run(at(12, 5, 12))["checked"] == 0  # Saturday: not even looked at
    assert run(at(12, 7, 8, 35))["checked"] == 0
    assert run(at(12, 7, 8, 36)) == {"checked": 1, "warning": 1, "breached": 0, "ok": 0}
    t.refresh_from_db()
    assert (t.sla_state, t.sla_warning_at, nxt(t)) == (
        SlaState.WARNING, at(12, 7, 8, 36), at(12, 7, 9))
    assert kinds(world.service_a) == ["ticket.sla_warning"]
    assert kinds(world.manager_a) == []
    assert run(at(12, 7, 8, 59))["checked"] == 0
    assert run(at(12, 7, 9))["breached"] == 1
    assert run(at(12, 7, 9, 1))["checked"] == 0  # breached: nothing left to recompute
    t.refresh_from_db()
    assert (t.sla_state, t.sla_breached_at, t.sla_escalated, nxt(t)) == (
        SlaState.BREACHED, at(12, 7, 9), True, None)
    assert kinds(world.service_a) == ["ticket.sla_breach", "ticket.sla_warning"]
    # manager_a is the team lead and the branch manager: told once
    assert kinds(world.manager_a) == ["ticket.sla_escalation"]
    assert list(AuditEvent.objects.filter(object_id=str(t.pk), action__contains="sla")
                .order_by("pk").values_list("action", flat=True)) == [
        "servicedesk.ticket.sla_warning", "servicedesk.ticket.sla_breached"]
    with time_machine.travel(at(12, 7, 10), tick=False):
        services.reply(actor=world.service_a, ticket_id=t.pk, body="Przepraszamy.")
    t.refresh_from_db()
    assert t.sla_state == SlaState.BREACHED  # a breach stays


def test_the_branch_manager_who_is_not_a_member_is_told_of_the_breach(world: Any) -> None:
    d = desk(world)
    # manager_b also manages branch A (not a member of the team)
    Membership.objects.create(employee=world.manager_b, branch=world.a, role=Role.MANAGER)
    with time_machine.travel(at(12, 4, 15), tick=False):
        t = ticket(world, d)
    run(at(12, 7, 9, 30))  # the job was down at the warning: straight to the breach
    t.refresh_from_db()
    assert t.sla_state == SlaState.BREACHED and t.sla_warning_at is None
    assert kinds(world.service_a) == ["ticket.sla_breach"]
    assert kinds(world.manager_b) == ["ticket.sla_escalation"]
    assert sla.escalation_recipients(t) == sorted([world.manager_a.pk, world.manager_b.pk])


def test_the_ticket_page_says_when_it_breached_and_that_it_was_escalated(
        world: Any, client_as: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        t = ticket(world, d)
    run(at(12, 7, 9, 30))
    page = client_as(world.service_a).get(
        reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert 'data-testid="sla-breached"' in page and "07.12.2026 09:30" in page


def test_a_paused_ticket_is_not_checked_and_resuming_sets_the_next_moment(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        t = ticket(world, d)
    assert nxt(t) == at(11, 16, 11, 36)
    with time_machine.travel(at(11, 16, 11), tick=False):
        t = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="wait_customer")
    assert nxt(t) is None
    assert run(at(11, 16, 12, 30))["checked"] == 0
    with time_machine.travel(at(11, 17, 9), tick=False):
        t = services.ticket_move(actor=world.service_a, ticket_id=t.pk, action="resume")
    # due Tuesday 10:00 (six paused working hours); 24 min before it is the 80 % moment
    assert t.first_response_due == at(11, 17, 10)
    assert (t.sla_state, nxt(t)) == (SlaState.OK, at(11, 17, 9, 36))


def test_the_first_reply_in_warning_goes_back_to_the_resolution_clock(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        t = ticket(world, d)
    run(at(11, 16, 11, 40))
    with time_machine.travel(at(11, 16, 11, 45), tick=False):
        services.reply(actor=world.service_a, ticket_id=t.pk, body="Sprawdzamy.")
    t.refresh_from_db()
    # resolution: 8 h from Monday 10:00 = Tuesday 10:00; 96 min before it = 8:24
    assert (t.sla_state, t.sla_warning_at, nxt(t)) == (
        SlaState.OK, None, at(11, 17, 8, 24))
    run(at(11, 17, 8, 24))
    t.refresh_from_db()
    assert t.sla_state == SlaState.WARNING
    assert kinds(world.service_a) == ["ticket.sla_warning", "ticket.sla_warning"]


def test_resolving_late_breaches_and_resolved_in_time_is_left_alone(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        late = ticket(world, d)
        on_time = ticket(world, d)
    with time_machine.travel(at(11, 16, 11), tick=False):
        services.ticket_move(actor=world.service_a, ticket_id=on_time.pk, action="resolve")
    with time_machine.travel(at(11, 16, 12, 5), tick=False):
        services.ticket_move(actor=world.service_a, ticket_id=late.pk, action="resolve")
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.sla_state, late.sla_escalated) == (SlaState.BREACHED, True)
    assert (on_time.sla_state, nxt(on_time)) == (SlaState.OK, None)
    assert kinds(world.manager_a) == ["ticket.sla_escalation"]


def test_a_ticket_written_without_a_refresh_is_picked_up_by_the_next_run(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        t = ticket(world, d)
    sla.check_soon(t.pk, at(11, 16, 10))  # a stored moment stays (a channel's is "now")
    assert nxt(t) == at(11, 16, 11, 36)
    sla.set_next_check(t.pk, None)
    sla.check_soon(t.pk, at(11, 16, 10))  # a new channel
    assert run(at(11, 16, 10, 1)) == {"checked": 1, "warning": 0, "breached": 0, "ok": 0}
    t.refresh_from_db()
    assert nxt(t) == at(11, 16, 11, 36)


def test_the_job_pages_through_more_tickets_than_a_batch(world: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        made = [ticket(world, d) for _ in range(5)]
    with time_machine.travel(at(11, 16, 11, 40), tick=False):
        counts = sla.recompute_due(now=at(11, 16, 11, 40), batch=2)
    assert counts["warning"] == 5
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in made])
               .values_list("sla_state", flat=True)) == {SlaState.WARNING}


def test_the_queue_filters_at_risk_and_breached_and_shows_the_stored_badge(
        world: Any, client_as: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(11, 16, 10), tick=False):
        fine, risky, late = ticket(world, d), ticket(world, d), ticket(world, d)
    Ticket.objects.filter(pk=risky.pk).update(sla_state=SlaState.WARNING)
    Ticket.objects.filter(pk=late.pk).update(sla_state=SlaState.BREACHED)

    def numbers(flt: str) -> set[str]:
        return set(selectors.queue(user=world.service_a, which="all", sla=flt)
                   .values_list("number", flat=True))
    assert numbers("at_risk") == {risky.number}
    assert numbers("breached") == {late.number}
    assert numbers("") == {fine.number, risky.number, late.number}
    c = client_as(world.service_a)
    page = c.get(reverse("servicedesk:queue") + "?queue=all&sla=breached").content.decode()
    assert late.number in page and fine.number not in page
    assert 'class="badge err" data-testid="sla"' in page
    rows = services.with_sla(list(Ticket.objects.filter(pk__in=[fine.pk, risky.pk])
                                  .order_by("pk")))
    assert [r.sla for r in rows] == ["ok", "warning"]
    api = c.get("/api/v1/servicedesk/tickets?sla=at_risk").json()
    assert [i["number"] for i in api["items"]] == [risky.number]


def test_the_job_is_registered_every_minute_and_runs(world: Any) -> None:
    from punkt.core.jobs import PERIODIC
    from punkt.servicedesk import tasks

    assert PERIODIC["servicedesk.recompute_sla"].every == datetime.timedelta(minutes=1)
    assert PERIODIC["servicedesk.check_orphans"].every == datetime.timedelta(minutes=15)
    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        t = ticket(world, d)
    with time_machine.travel(at(12, 7, 8, 40), tick=False):
        assert tasks.recompute_sla.call(slot="2026-12-07T07:40:00+00:00")["warning"] == 1
        assert tasks.check_orphans.call(slot="2026-12-07T07:40:00+00:00") == 0
    t.refresh_from_db()
    assert t.sla_state == SlaState.WARNING


def test_the_dashboard_lists_the_branch_s_breached_tickets_from_the_stored_state(
        world: Any, client_as: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        late, fine = ticket(world, d, subject="Spóźnione"), ticket(world, d, subject="W terminie")
        other = ticket(world, d, actor=world.service_b, team=d.team_b, subject="Oddział B")
    Ticket.objects.filter(pk__in=[late.pk, other.pk]).update(sla_state=SlaState.BREACHED)
    # past its due time but not yet recomputed: the panel waits for the job, like the queue
    Ticket.objects.filter(pk=fine.pk).update(first_response_due=at(12, 1, 9))
    shown = set(selectors.past_deadline(user=world.manager_a, permission=perms.TICKET_ASSIGN)
                .values_list("number", flat=True))
    assert shown == {late.number}
    page = client_as(world.manager_a).get("/").content.decode()
    panel = page.split('data-testid="panel-tickets-late"')[1].split("</ul>")[0]
    assert late.number in panel and fine.number not in panel and other.number not in panel
    assert 'data-testid="panel-tickets-late"' not in client_as(world.service_a).get(
        "/").content.decode()  # tickets are not the service employee's to give out
    page_b = client_as(world.manager_b).get("/").content.decode()
    assert other.number in page_b and late.number not in page_b
    services.ticket_move(actor=world.service_a, ticket_id=late.pk, action="resolve")
    assert not selectors.past_deadline(user=world.manager_a, permission=perms.TICKET_ASSIGN)


def test_a_full_recompute_moves_next_moments_in_one_statement_and_spares_changed_tickets(
        world: Any, django_assert_max_num_queries: Any) -> None:
    d = desk(world)
    with time_machine.travel(at(12, 4, 10), tick=False):
        kept, changed = ticket(world, d), ticket(world, d)
    stale = sla._page(at(12, 31, 0), None, 10)
    assert [row.pk for row in stale] == [kept.pk, changed.pk]
    # meanwhile someone answers the second ticket: its row moves on
    Ticket.objects.filter(pk=changed.pk).update(status="open")
    sla.set_next_check(changed.pk, at(12, 9, 9))
    with django_assert_max_num_queries(1):
        sla._move_next_checks([(row, at(12, 8, 12)) for row in stale])
    assert (nxt(kept), nxt(changed)) == (at(12, 8, 12), at(12, 9, 9))
    # nothing left to check on either: one statement ends both moments (PostgreSQL must
    # read the NULLs as moments)
    fresh = sla._page(at(12, 31, 0), None, 10)
    with django_assert_max_num_queries(1):
        sla._move_next_checks([(row, None) for row in fresh])
    assert (nxt(kept), nxt(changed)) == (None, None)
    # a moment read before a change is not ended either
    sla.set_next_check(kept.pk, at(12, 8, 12))
    stale = sla._page(at(12, 31, 0), None, 10)
    sla.set_next_check(kept.pk, at(12, 8, 13))
    sla._move_next_checks([(row, None) for row in stale])
    assert nxt(kept) == at(12, 8, 13)


def test_marking_every_open_ticket_due_recomputes_them_all_to_their_true_moment(
        world: Any) -> None:
    """What a changed calendar needs: every open ticket due now; each gets back the moment
    the ticket's own clocks give (here the 80 % of the first response: Monday 8:36)."""
    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        rows = [ticket(world, d) for _ in range(3)]
    assert sla.mark_open_due(now=at(12, 5, 10)) == 3
    sla.set_next_check(rows[0].pk, None)  # lost: marking brings it back
    assert sla.mark_open_due(now=at(12, 5, 10)) == 3
    assert run(at(12, 5, 10)) == {"checked": 3, "warning": 0, "breached": 0, "ok": 0}
    assert {nxt(t) for t in Ticket.objects.filter(pk__in=[r.pk for r in rows])} == {
        at(12, 7, 8, 36)}


def test_a_day_off_or_new_hours_mark_the_open_tickets_due(world: Any) -> None:
    """Working time changed: the next run recomputes the affected open tickets."""
    from punkt.organization import services as org_services

    d = desk(world)
    with time_machine.travel(at(12, 4, 15), tick=False):
        mine, theirs = ticket(world, d), ticket(world, d, team=d.team_b)
    assert (nxt(mine), nxt(theirs)) == (at(12, 7, 8, 36), at(12, 7, 8, 36))
    with time_machine.travel(at(12, 4, 15, 30), tick=False):
        org_services.day_off_add(actor=world.admin, date="2026-12-07", name="Inwentaryzacja",
                                 branch_id=world.a.pk)
        assert (nxt(mine), nxt(theirs)) == (at(12, 4, 15, 30), at(12, 7, 8, 36))
        run(at(12, 4, 15, 30))
    # the deadline stays Monday 9:00 (fixed when opened) but Monday is now off: of the one
    # working hour left before it (Friday 15:00-16:00) 80 % is used at 15:48
    assert nxt(mine) == at(12, 4, 15, 48)
    with time_machine.travel(at(12, 4, 15, 40), tick=False):
        services.team_save(actor=world.admin, team_id=d.team_b.pk, name=d.team_b.name,
                           kind=d.team_b.kind, branch_id=world.b.pk,
                           hours={"mon": "8:00-12:00", "tue": "8:00-12:00"})
    assert nxt(theirs) == at(12, 4, 15, 40)
