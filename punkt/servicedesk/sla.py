"""SLA states stored on the ticket, recomputed by a job every minute; warnings and
escalation (R9.2).

A ticket keeps ``sla_state`` (on time / warning / breached), when it entered the warning
(``sla_warning_at``) and the breach (``sla_breached_at``), whether it was escalated; beside
it, its ``SlaCheck`` row holds **the moment its state may next change**:

* a running clock below 80 % of its working time changes at its warning moment
  (``schedule.add(now, left - total / 5)``), one in warning at its deadline;
* a paused ticket (waiting on the customer), a resolved or closed one and a breached one
  cannot change by the passing of time: no row.

Design for 2M tickets: the job selects only the tickets whose moment has come
(``SlaCheck.due <= now``), keyset-paged in batches of :data:`BATCH` by (moment, ticket), so
a run touches the few tickets that warn or breach in that minute, not the many that do
not; a team's schedule is built once per run. Every change of a ticket that moves its
clocks (create, the workflow's moves, the first reply, a transfer) recomputes it under the
row lock (``refresh``); a channel opening many tickets at once gives each a moment of
"now" and the next run computes it. Recomputing every open ticket (a day off added) is
:func:`mark_open_due` and a run: 60,000 open tickets in about 4 s (bench/run_sla.py). The
moments live in their own narrow table because that run moves all of them: a ticket row
carries twenty indexes, and updating it rewrote each (half of the run's time).

Measured on PostgreSQL (2026-12-06, this host, 500k open tickets of which 2,000 due): the
selection is an index scan of the partial index (1 ms per batch); the run changed the
state of all 2,000 (audit row and notification each) in 5.5 s (≈ 2.7 ms a ticket); a run
with nothing due took 1 ms. At 2M open tickets living about a week, each crossing the
warning and at most the breach once, a minute brings a few hundred moments, not 2M.

Exactly once (C10): the stored state changes only under the ticket's row lock and by
``UPDATE … WHERE id = … AND sla_state = <read> AND status = <read>``; the audit row and the
notifications go in the same transaction, and only when that update took. Two workers
recomputing the same ticket: one warns (or escalates), the other's update matches nothing.
A moment alone moves only where the row still holds the moment, status and state read.
A breach stays: a ticket once breached is never on time again (the escalation happened).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, Protocol

from django.db import connection, transaction
from django.db.models import DateTimeField, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import batch
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound
from punkt.core.roles import Role
from punkt.core.worktime import WorkSchedule
from punkt.organization.models import Membership
from punkt.organization.services import on_days_off_changed
from punkt.servicedesk import events as ticket_events
from punkt.servicedesk.models import (
    OPEN_STATES,
    SlaCheck,
    SlaState,
    Team,
    TeamMember,
    Ticket,
    TicketStatus,
)
from punkt.work.services import notify

#: tickets recomputed per query
BATCH = 500
#: the share of a clock's working time after which the ticket is at risk (80 %)
WARN_DIVISOR = 5  # the warning comes when a fifth of the time is left

DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Clocks(Protocol):
    """What ``evaluate`` and the guarded update read of a ticket."""

    @property
    def pk(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def sla_state(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def paused_since(self) -> datetime.datetime | None: ...
    @property
    def paused_total(self) -> datetime.timedelta: ...
    @property
    def first_response_due(self) -> datetime.datetime: ...
    @property
    def first_responded_at(self) -> datetime.datetime | None: ...
    @property
    def resolve_due(self) -> datetime.datetime: ...
    @property
    def resolved_at(self) -> datetime.datetime | None: ...


class _Row(NamedTuple):
    """A ticket as the job's pages read it: the clocks' columns only (no model built)."""

    pk: int
    team_id: int
    status: str
    sla_state: str
    sla_next_check: datetime.datetime | None
    created_at: datetime.datetime
    paused_since: datetime.datetime | None
    paused_total: datetime.timedelta
    first_response_due: datetime.datetime
    first_responded_at: datetime.datetime | None
    resolve_due: datetime.datetime
    resolved_at: datetime.datetime | None


_ROW_COLUMNS = ("ticket_id", *(f"ticket__{name}" for name in _Row._fields[1:4]), "due",
                *(f"ticket__{name}" for name in _Row._fields[5:]))


def evaluate(ticket: Clocks, *, now: datetime.datetime,
             schedule: WorkSchedule) -> tuple[str, datetime.datetime | None]:
    """(state, the moment it may next change) of ``ticket`` at ``now``: breached when a
    clock ran out (or stopped late), warning when a running clock has used 80 % of its
    working time, else on time. Pure: reads the ticket, writes nothing."""
    if ticket.sla_state == SlaState.BREACHED:
        return SlaState.BREACHED, None
    done = ticket.status in DONE
    resolved = ticket.resolved_at if done else None
    at = ticket.paused_since or now
    state: str = SlaState.OK
    nxt: datetime.datetime | None = None
    for due, stopped in ((ticket.first_response_due, ticket.first_responded_at or resolved),
                         (ticket.resolve_due, resolved)):
        if stopped is not None:
            if stopped > due:
                return SlaState.BREACHED, None
            continue
        if done:
            continue
        if at >= due:
            return SlaState.BREACHED, None
        total = schedule.between(ticket.created_at, due) - ticket.paused_total
        left = schedule.between(at, due)
        if left * WARN_DIVISOR <= total:
            state, change = SlaState.WARNING, due
        else:
            change = schedule.add(at, left - total // WARN_DIVISOR)
        if ticket.paused_since is None:
            nxt = change if nxt is None else min(nxt, change)
    return state, nxt


def refresh(ticket: Ticket, *, now: datetime.datetime | None = None,
            schedule: WorkSchedule | None = None) -> str | None:
    """Recompute and store ``ticket``'s SLA state and next moment; on entering the warning
    tell the assignee, on a breach tell them and escalate. Returns the new state when this
    call changed it (None: unchanged, or someone else changed the ticket first)."""
    from punkt.servicedesk.services import team_schedule

    now = now or timezone.now()
    schedule = schedule or team_schedule(ticket.team)
    state, nxt = evaluate(ticket, now=now, schedule=schedule)
    old = ticket.sla_state
    # inside the job's page transaction: no savepoint (two more round trips a ticket)
    with transaction.atomic(savepoint=False):
        if state != old:
            changes: dict[str, Any] = {"sla_state": state}
            if state == SlaState.WARNING:
                changes["sla_warning_at"] = now
            elif state == SlaState.OK:
                changes["sla_warning_at"] = None
            else:
                changes.update(sla_breached_at=now, sla_escalated=True)
            took = Ticket.objects.filter(pk=ticket.pk, sla_state=old,
                                         status=ticket.status).update(**changes)
            if not took:
                return None
            for key, value in changes.items():
                setattr(ticket, key, value)
        set_next_check(ticket.pk, nxt)
        if state == old:
            return None
        audit_record(action=f"servicedesk.ticket.sla_{state}", obj=ticket,
                     branch_id=ticket.branch_id, actor_label="job:sla",
                     changes={"sla": [old, state]})
        if state == SlaState.WARNING:
            _warn(ticket)
        elif state == SlaState.BREACHED:
            _escalate(ticket)
            ticket_events.emit("ticket.sla_breached", ticket, breached_at=now.isoformat())
    return state


def set_next_check(ticket_id: int, moment: datetime.datetime | None) -> None:
    """Store the moment the ticket's state may next change (None: it cannot)."""
    if moment is None:
        SlaCheck.objects.filter(ticket_id=ticket_id).delete()
    else:
        SlaCheck.objects.bulk_create([SlaCheck(ticket_id=ticket_id, due=moment)],
                                     update_conflicts=True, unique_fields=["ticket"],
                                     update_fields=["due"])


def check_soon(ticket_id: int, moment: datetime.datetime) -> None:
    """Let the next run compute a ticket a channel opened without computing it: a moment
    kept with the others of the block (``core.batch``), unless one is stored already."""
    batch.add(SlaCheck(ticket_id=ticket_id, due=moment), ignore_conflicts=True)


def mark_open_due(*, now: datetime.datetime | None = None, team_id: int | None = None,
                  branch_id: int | None = None) -> int:
    """Every open, running, not yet breached ticket (of ``team_id`` / the teams of
    ``branch_id``, or all) due now — what a changed calendar needs (the next run
    recomputes them); returns how many. A team's changed hours call it for the team
    (``services.team_save``), a day off added or removed for its branch (or all)."""
    now = now or timezone.now()
    open_ = Ticket.objects.filter(status__in=OPEN_STATES, paused_since__isnull=True)
    if team_id is not None:
        open_ = open_.filter(team_id=team_id)
    if branch_id is not None:
        open_ = open_.filter(team__branch_id=branch_id)
    due = (open_.exclude(sla_state=SlaState.BREACHED)
           .annotate(due=Value(now, output_field=DateTimeField())).values_list("pk", "due"))
    sql, params = due.query.sql_with_params()
    check = connection.ops.quote_name(SlaCheck._meta.db_table)
    # the names are the model's, the values parameters
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {check} (ticket_id, due) {sql} "  # noqa: S608
                       "ON CONFLICT (ticket_id) DO UPDATE SET due = excluded.due", params)
        return cursor.rowcount


def _url(ticket: Ticket) -> str:
    from punkt.servicedesk.services import ticket_url

    return ticket_url(ticket)


def _warn(ticket: Ticket) -> None:
    number, subject = ticket.number, ticket.subject
    since = int(ticket.sla_warning_at.timestamp()) if ticket.sla_warning_at else 0
    notify(recipient=ticket.assignee_id, kind="ticket.sla_warning",
           title=lambda: _("Ticket %(number)s is at risk of missing its SLA: %(subject)s")
           % {"number": number, "subject": subject},
           url=_url(ticket), key=f"ticket.sla_warning:{ticket.pk}:{since}")


def escalation_recipients(ticket: Ticket) -> list[int]:
    """The team's leads and the managers of the ticket's branch (active), by id."""
    leads = TeamMember.objects.filter(team_id=ticket.team_id, is_lead=True,
                                      employee__is_active=True).values_list("employee_id",
                                                                            flat=True)
    managers = Membership.objects.filter(
        Q(branch_id=ticket.branch_id, role=Role.MANAGER, is_active=True),
        employee__is_active=True).values_list("employee_id", flat=True)
    return sorted(set(leads) | set(managers))


def _escalate(ticket: Ticket) -> None:
    number, subject, team = ticket.number, ticket.subject, ticket.team.name
    url = _url(ticket)
    notify(recipient=ticket.assignee_id, kind="ticket.sla_breach",
           title=lambda: _("Ticket %(number)s missed its SLA deadline: %(subject)s")
           % {"number": number, "subject": subject},
           url=url, key=f"ticket.sla_breach:{ticket.pk}")
    for pk in escalation_recipients(ticket):
        if pk == ticket.assignee_id:
            continue
        notify(recipient=pk, kind="ticket.sla_escalation",
               title=lambda: _("Escalation: ticket %(number)s (%(team)s) missed its SLA "
                               "deadline: %(subject)s")
               % {"number": number, "team": team, "subject": subject},
               url=url, key=f"ticket.sla_escalation:{ticket.pk}:{pk}")


def _move_next_checks(moved: list[tuple[_Row, datetime.datetime | None]]) -> None:
    """The tickets whose state stays and whose next moment moves (a recompute of every
    open ticket, e.g. after a day off was added): one UPDATE for the moments that move,
    one DELETE for those that end, each row still guarded by what was read — a ticket
    changed meanwhile keeps what its change wrote. The ORM's CASE of 500 branches, built
    and compiled four times a page, took two thirds of the job; on PostgreSQL the values
    go as five arrays (a short statement the driver does not re-parse each page),
    elsewhere as a list of rows."""
    check = connection.ops.quote_name(SlaCheck._meta.db_table)
    ticket = connection.ops.quote_name(Ticket._meta.db_table)
    guard = (f"JOIN {ticket} t ON t.id = v.id WHERE {check}.ticket_id = v.id "
             f"AND {check}.due = v.was AND t.status = v.status AND t.sla_state = v.state")
    later = [(row, nxt) for row, nxt in moved if nxt is not None]
    ended = [(row, nxt) for row, nxt in moved if nxt is None]
    # the names are the model's, the values parameters
    with connection.cursor() as cursor:
        if later:
            head, params = _values(later)
            cursor.execute(f"{head} UPDATE {check} SET due = v.nxt FROM v {guard}",  # noqa: S608
                           params)
        if ended:
            head, params = _values(ended)
            cursor.execute(f"{head} DELETE FROM {check} WHERE EXISTS "  # noqa: S608
                           f"(SELECT 1 FROM v {guard})", params)


def _values(moved: Sequence[tuple[_Row, datetime.datetime | None]]) -> tuple[str, list[Any]]:
    """``WITH v (id, was, nxt, status, state) AS (…)`` over ``moved``, and its parameters."""
    columns = "WITH v (id, was, nxt, status, state) AS"
    if connection.vendor == "postgresql":
        # written as array literals here: the driver quotes 1,000 datetimes one by one
        return (f"{columns} (SELECT * FROM unnest("  # noqa: S608
                "%s::bigint[], %s::timestamptz[], "
                "%s::timestamptz[], %s::text[], %s::text[]))",
                [_array(r.pk for r, _n in moved), _array(r.sla_next_check for r, _n in moved),
                 _array(n for _r, n in moved), _array(r.status for r, _n in moved),
                 _array(r.sla_state for r, _n in moved)])
    field = SlaCheck._meta.get_field("due")
    params: list[Any] = []
    for row, nxt in moved:
        params += [row.pk, field.get_db_prep_value(row.sla_next_check, connection),
                   field.get_db_prep_value(nxt, connection), row.status, row.sla_state]
    return f"{columns} (VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(moved))})", params


def _array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of ids, words and moments (ISO 8601 with the offset)."""
    def one(value: object) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, datetime.datetime):
            return f'"{value.isoformat()}"'
        text = str(value)
        if not text.replace("_", "").isalnum():  # ids and state names only
            raise ValueError(f"not an id or a state: {text!r}")
        return text
    return "{" + ",".join(map(one, values)) + "}"


def _page(now: datetime.datetime, after: tuple[datetime.datetime, int] | None,
          batch: int) -> list[_Row]:
    """The next ``batch`` tickets whose moment has come, after ``after`` (moment, ticket)."""
    qs = SlaCheck.objects.filter(due__lte=now)
    if after is not None:
        qs = qs.filter(Q(due__gt=after[0]) | Q(due=after[0], ticket_id__gt=after[1]))
    return [_Row._make(r) for r in qs.order_by("due", "ticket_id")
            .values_list(*_ROW_COLUMNS)[:batch]]


def recompute_due(*, now: datetime.datetime | None = None, batch: int = BATCH
                  ) -> dict[str, int]:
    """The job: recompute every ticket whose next moment has come (``SlaCheck.due <=
    now``), keyset-paged; returns counts of the states entered and of tickets looked at."""
    from punkt.servicedesk.services import team_schedule

    now = now or timezone.now()
    schedules: dict[int, WorkSchedule] = {}
    counts = {"checked": 0, SlaState.WARNING.value: 0, SlaState.BREACHED.value: 0,
              SlaState.OK.value: 0}
    after: tuple[datetime.datetime, int] | None = None
    while True:
        rows = _page(now, after, batch)
        if not rows:
            return counts
        last = rows[-1]
        assert last.sla_next_check is not None
        after = (last.sla_next_check, last.pk)
        # one transaction a page: a commit per ticket (a WAL flush each) cost more than
        # the arithmetic; a page that fails is rolled back whole and redone next minute
        with transaction.atomic():
            moved: list[tuple[_Row, datetime.datetime | None]] = []
            missing = {t.team_id for t in rows} - schedules.keys()
            for team in Team.objects.filter(pk__in=missing):
                schedules[team.pk] = team_schedule(team)
            for ticket in rows:
                counts["checked"] += 1
                state, nxt = evaluate(ticket, now=now, schedule=schedules[ticket.team_id])
                if state == ticket.sla_state:  # only the next moment moves: written below
                    if nxt != ticket.sla_next_check:
                        moved.append((ticket, nxt))
                    continue
                # the few that change state are read whole (the notices name them) under
                # the row lock: a change under way is waited for, not overwritten
                try:
                    whole = Ticket.objects.select_related("team").locked(ticket.pk)
                except NotFound:  # erased meanwhile (its moment went with it)
                    continue
                entered = refresh(whole, now=now, schedule=schedules[ticket.team_id])
                if entered is not None:
                    counts[entered] += 1
            _move_next_checks(moved)


@on_days_off_changed
def _days_off_changed(branch_id: int | None) -> None:
    mark_open_due(branch_id=branch_id)
