"""C15: complaint deadlines computed at intake (14 days consumer goods, 30 days telecom
services, contractual for business customers), the end of the day in Warsaw, moved past
Saturdays, Sundays and holidays; reminders before; overdue complaints deemed accepted —
with a frozen clock at day 0 / 10 / 14 / 15."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from punkt.complaints import clock, services
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.work.models import Notification

W = clock.WARSAW


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=W)


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=W)


D = datetime.date


@pytest.mark.parametrize(("kind", "received", "days", "due"), [
    # consumer goods: 14 days
    ("consumer_goods", D(2026, 11, 2), None, D(2026, 11, 16)),   # Monday → Monday
    ("consumer_goods", D(2026, 10, 31), None, D(2026, 11, 16)),  # → Saturday 14.11 → Monday
    ("consumer_goods", D(2026, 11, 1), None, D(2026, 11, 16)),   # → Sunday 15.11 → Monday
    ("consumer_goods", D(2026, 10, 28), None, D(2026, 11, 12)),  # → 11.11 (holiday) → Thu
    ("consumer_goods", D(2026, 12, 11), None, D(2026, 12, 28)),  # → Christmas → Monday
    ("consumer_goods", D(2026, 3, 15), None, D(2026, 3, 30)),    # across the DST change
    # telecom: 30 days
    ("telecom", D(2026, 10, 12), None, D(2026, 11, 12)),         # → 11.11 → Thursday
    ("telecom", D(2026, 11, 2), None, D(2026, 12, 2)),
    ("telecom", D(2026, 12, 2), None, D(2027, 1, 4)),            # → New Year, weekend
    # business: the contract's days
    ("business", D(2026, 11, 2), 21, D(2026, 11, 23)),
    ("business", D(2026, 11, 2), 5, D(2026, 11, 9)),             # → Saturday 7.11 → Monday
])
def test_the_deadline_of_each_kind(kind: str, received: D, days: int | None, due: D) -> None:
    """C15"""
    period = clock.period(kind, days)
    assert clock.deadline(at(received), period) == end_of(due)
    assert clock.deadline(at(received, 23), period) == end_of(due)
    assert clock.deadline(at(received, 0), period) == end_of(due)


def test_periods_are_configurable_and_the_rule_is_named(settings: Any) -> None:
    assert clock.period("consumer_goods") == 14 and clock.period("telecom") == 30
    assert "art. 7a" in clock.rule("consumer_goods", 14) or "7a" in clock.rule(
        "consumer_goods", 14)
    settings.PUNKT_COMPLAINT_DAYS = {"consumer_goods": 10}
    assert clock.period("consumer_goods") == 10 and clock.period("telecom") == 30
    with pytest.raises(ValueError):
        clock.period("business")


def _state(c: Complaint) -> Complaint:
    c.refresh_from_db()
    return c


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "days", "remind_day", "last_day"), [
    ("consumer_goods", None, 10, 14),
    ("telecom", None, 26, 30),
    ("business", 14, 10, 14),
])
def test_day_0_10_14_15(world: Any, kind: str, days: int | None, remind_day: int,
                        last_day: int) -> None:
    """C15: received on Monday 2 Nov 2026 (14 days: Monday 16 Nov; 30 days: Wednesday
    2 Dec). Day 0 nothing; the reminder on its day, once; the last day still in time;
    the next day deemed accepted, once, with the branch manager told."""
    day0 = D(2026, 11, 2)
    with time_machine.travel(at(day0), tick=False):
        fields: dict[str, Any] = {"kind": kind,
                                  "demand": "repair" if kind != "telecom" else "correction"}
        if days:
            fields["contract_days"] = days
        c = complaint(world, **fields)
        assert c.deadline == end_of(day0 + datetime.timedelta(days=last_day))
        assert services.mark_overdue() == 0 and services.send_reminders() == 0

    def on(n: int, hour: int = 1) -> datetime.datetime:
        return at(day0 + datetime.timedelta(days=n), hour)

    with time_machine.travel(on(remind_day - 1, 12), tick=False):
        assert services.send_reminders() == 0
    with time_machine.travel(on(remind_day), tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0  # once per complaint
    reminders = Notification.objects.filter(kind="complaint.reminder")
    assert [n.recipient_id for n in reminders] == [world.service_a.pk]
    assert c.number in reminders.get().title
    with time_machine.travel(on(last_day, 22), tick=False):
        assert services.mark_overdue() == 0
        assert not _state(c).deemed_accepted
    with time_machine.travel(on(last_day + 1), tick=False):
        assert services.mark_overdue() == 1
        assert services.mark_overdue() == 0  # once
    c = _state(c)
    assert c.deemed_accepted and c.deemed_at is not None
    told = Notification.objects.filter(kind="complaint.deemed_accepted")
    assert [n.recipient_id for n in told] == [world.manager_a.pk]
    assert AuditEvent.objects.filter(action="complaints.complaint.deemed_accepted").count() == 1
    assert TimelineEntry.objects.filter(customer_id=c.customer_id, kind="complaint",
                                        subject__contains=c.number).count() == 2
    assert c.events.filter(action="deemed_accepted").count() == 1


@pytest.mark.django_db
def test_a_decided_complaint_is_never_deemed_accepted(world: Any) -> None:
    """C15"""
    day0 = D(2026, 11, 2)
    with time_machine.travel(at(day0), tick=False):
        c = complaint(world)
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    with time_machine.travel(at(D(2026, 11, 13)), tick=False):
        services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                action="decide_in_branch", outcome="upheld")
    with time_machine.travel(at(D(2026, 11, 20)), tick=False):
        assert services.mark_overdue() == 0 and services.send_reminders() == 0
    assert not _state(c).deemed_accepted


@pytest.mark.django_db
def test_a_deemed_accepted_complaint_can_only_be_upheld(world: Any) -> None:
    from punkt.core.errors import ValidationFailed

    day0 = D(2026, 11, 2)
    with time_machine.travel(at(day0), tick=False):
        c = complaint(world)
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    with time_machine.travel(at(D(2026, 11, 17)), tick=False):
        services.mark_overdue()
        with pytest.raises(ValidationFailed) as refused:
            services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                    action="decide_in_branch", outcome="rejected",
                                    decision_reason="Uszkodzenie mechaniczne",
                                    legal_basis="art. 43b ust. 3")
        assert refused.value.field == "outcome"


@pytest.mark.django_db
def test_an_appeal_has_its_own_clock(world: Any) -> None:
    """C15: the appeal restarts the clock from its own day (Friday 11 Dec → Christmas →
    Monday 28 Dec), reminded and deemed accepted in its own round."""
    with time_machine.travel(at(D(2026, 11, 2)), tick=False):
        c = complaint(world)
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
        services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                action="decide_in_branch", outcome="rejected",
                                decision_reason="Ślady zalania",
                                legal_basis="art. 43b ust. 3 ustawy o prawach konsumenta")
    with time_machine.travel(at(D(2026, 12, 11)), tick=False):
        c = services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="appeal",
                                    note="Klient nie zgadza się z oceną.")
    assert c.round == 2 and c.status == "acknowledged" and c.outcome == ""
    assert c.deadline == end_of(D(2026, 12, 28))
    with time_machine.travel(at(D(2026, 12, 29)), tick=False):
        assert services.mark_overdue() == 1
    assert _state(c).deemed_accepted
