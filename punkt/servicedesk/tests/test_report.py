"""The service desk's report: counts per team/channel/type/person, response and resolution
times (median, p90) and the share in SLA, breaches, the backlog by age and the workload —
for the branches the user reports on; the page, its CSV (audited) and who may see it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.servicedesk import reports
from punkt.servicedesk.models import Ticket, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db

TZ = timezone.get_fixed_timezone(60)
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
H = datetime.timedelta(hours=1)


def _at(t: Any, *, opened: datetime.datetime, first: datetime.timedelta | None = None,
        resolved: datetime.timedelta | None = None, first_due: datetime.timedelta = 2 * H,
        resolve_due: datetime.timedelta = 8 * H, paused: datetime.timedelta = 0 * H,
        **more: Any) -> None:
    Ticket.objects.filter(pk=t.pk).update(
        created_at=opened, first_response_due=opened + first_due,
        resolve_due=opened + resolve_due,
        first_responded_at=opened + first if first is not None else None,
        resolved_at=opened + resolved if resolved is not None else None,
        status=TicketStatus.RESOLVED if resolved is not None else TicketStatus.OPEN,
        paused_total=paused, **more)


def _five(world: Any) -> tuple[Any, list[Any]]:
    d = desk(world)
    made = [ticket(world, d, subject=f"Sprawa {i}") for i in range(5)]
    day = NOW - datetime.timedelta(days=10)
    # answered in 1, 1, 3 h (the last one late); resolved in 4 h, 10 h (late, though 3 h of
    # it waiting on the customer does not count in its time), one open past both deadlines
    _at(made[0], opened=day, first=1 * H, resolved=4 * H)
    _at(made[1], opened=day, first=1 * H, resolved=10 * H, paused=3 * H)
    _at(made[2], opened=day, first=3 * H)
    _at(made[3], opened=day, channel="phone")
    _at(made[4], opened=NOW - datetime.timedelta(days=40), assignee=None)  # before the period
    Ticket.objects.filter(pk__in=[made[2].pk, made[3].pk]).update(assignee=world.service_a)
    return d, made


def test_counts_times_and_breaches_per_team_and_channel(world: Any) -> None:
    _five(world)
    start, end = (NOW - datetime.timedelta(days=30)).date(), NOW.date()
    by_team = reports.desk_report(user=world.manager_a, start=start, end=end, now=NOW)
    assert [r.label for r in by_team.rows] == ["Biuro obsługi A"]
    row = by_team.rows[0]
    assert (row.opened, row.resolved) == (4, 2)
    # the times are read in no set order
    assert sorted(row.first_hours) == [1.0, 1.0, 3.0] and row.first_median == 1.0
    assert row.first_p90 == pytest.approx(2.6)
    assert sorted(row.resolve_hours) == [4.0, 7.0] and row.resolve_median == 5.5
    # first response: 2 met of 4 judged (one late answer, one never answered)
    assert (row.first_met, row.first_due, row.first_met_pct) == (2, 4, 50)
    # resolution: 1 met of 4 judged (one resolved late, two open past the deadline)
    assert (row.resolve_met, row.resolve_due, row.resolve_met_pct) == (1, 4, 25)
    assert row.breached == 3
    assert by_team.total.opened == 4
    by_channel = reports.desk_report(user=world.manager_a, start=start, end=end,
                                     by="channel", now=NOW)
    assert {(r.label, r.opened) for r in by_channel.rows} == {("okienko", 3), ("telefon", 1)}
    by_person = reports.desk_report(user=world.manager_a, start=start, end=end,
                                    by="assignee", now=NOW)
    assert {r.label for r in by_person.rows} >= {world.service_a.full_name}


def test_backlog_by_age_and_workload(world: Any) -> None:
    _five(world)
    found = reports.desk_report(user=world.manager_a, start=NOW.date(), end=NOW.date(),
                                now=NOW)
    assert found.rows == []  # nothing opened that day
    assert dict(found.backlog) == {"poniżej doby": 0, "1–3 dni": 0, "3–7 dni": 0, "7–30 dni": 2,
                                   "ponad 30 dni": 1}
    assert (world.service_a.full_name, 2, 0) in found.workload
    assert found.unassigned == 1


def test_a_branch_reports_only_on_its_own_tickets(world: Any) -> None:
    d = desk(world)
    ticket(world, d, actor=world.service_b, team=d.team_b, subject="W oddziale B")
    today = timezone.localdate()
    mine = reports.desk_report(user=world.manager_a, start=today, end=today)
    assert mine.total.opened == 0 and "Biuro obsługi B" not in [r.label for r in mine.rows]
    hq = reports.desk_report(user=world.admin, start=today, end=today)
    assert [r.label for r in hq.rows] == ["Biuro obsługi B"]


def test_the_page_and_its_csv(world: Any, client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    _five(world)
    c = client_as(world.manager_a)
    page = c.get(reverse("servicedesk:report"), {"from": "2026-10-01", "to": "2026-12-31"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="desk-report"' in text and "Biuro obsługi A" in text
    assert 'data-testid="backlog"' in text and 'data-testid="workload"' in text
    csv = c.get(reverse("servicedesk:report"), {"from": "2026-10-01", "to": "2026-12-31",
                                                "format": "csv"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert csv.status_code == 200 and "Biuro obsługi A" in body
    assert AuditEvent.objects.filter(action="servicedesk.report.export").exists()
    # Bad dates fall back to this month, never an error page.
    assert c.get(reverse("servicedesk:report"), {"from": "x", "to": "2026-13-45"}
                 ).status_code == 200
    assert client_as(world.service_a).get(reverse("servicedesk:report")).status_code == 403
