"""Every change of the service desk: teams, tickets, their conversation and their moves.

Each service checks the right, locks the row, asks the workflow, validates (refusals name
the field), updates conditionally on the source state (C10), writes the audit row, the
customer's timeline entry and the assignee's notification — in one transaction.

SLA clocks (R9.2, C16) run in the owning team's working hours (``team_schedule``): the
first-response and resolution deadlines are ``schedule.add(opened, target)``; while the
ticket waits on the customer (or is resolved) the clocks stop — on leaving that state the
paused working time is added to ``paused_total`` and both deadlines move by it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.core.numbering import next_in_year
from punkt.core.worktime import WEEKDAY_KEYS, EmptySchedule, WorkSchedule, parse_hours
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.customers.timeline import timeline_add
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Absence, Branch, BranchDayOff, Employee, Membership
from punkt.servicedesk import events as ticket_events
from punkt.servicedesk import permissions as perms
from punkt.servicedesk import selectors, sla
from punkt.servicedesk.models import (
    OPEN_STATES,
    ZERO,
    Channel,
    Priority,
    Routing,
    SlaState,
    SlaTarget,
    Team,
    TeamKind,
    TeamMember,
    Ticket,
    TicketCounter,
    TicketMessage,
    TicketStatus,
    TicketType,
)
from punkt.servicedesk.workflows import TICKET_FLOW
from punkt.work.services import notify

SUBJECT_MAX = 200
BODY_MAX = 10_000
NAME_MAX = 100
#: channels a member of staff opens a ticket from (e-mail, form and chat make their own)
STAFF_CHANNELS = (Channel.COUNTER, Channel.PHONE)
#: targets (first response, resolution) in working minutes when the type has none
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 8 * 60), Priority.HIGH: (4 * 60, 16 * 60),
    Priority.NORMAL: (8 * 60, 5 * 8 * 60), Priority.LOW: (16 * 60, 10 * 8 * 60)}
#: the states in which the SLA clocks stand still
PAUSED_STATES = frozenset({TicketStatus.WAITING_CUSTOMER, TicketStatus.RESOLVED,
                           TicketStatus.CLOSED})
#: a team without hours works these
OFFICE_HOURS = {k: "8:00-16:00" for k in WEEKDAY_KEYS[:5]}


#: called inside ``reply``'s transaction with (ticket, message) of every public reply; a
#: channel's sender (e-mail: ``punkt/mailbox``) queues the reply to the customer there
REPLY_SENDERS: list[Callable[[Ticket, TicketMessage], object]] = []


def reopen_days() -> int:
    return int(getattr(settings, "PUNKT_TICKET_REOPEN_DAYS", 14))


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise ValidationFailed("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def _id(value: Any, field: str, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", message, field=field) from None
    if isinstance(value, bool) or not 0 < number < 2**62:
        raise ValidationFailed("invalid", message, field=field)
    return number


# -- working time ------------------------------------------------------------------------

def team_schedule(team: Team) -> WorkSchedule:
    """The team's week, Polish holidays and the company's and its branch's days off."""
    days_off = frozenset(BranchDayOff.objects.filter(
        Q(branch__isnull=True) | Q(branch_id=team.branch_id)).values_list("date", flat=True))
    try:
        schedule = WorkSchedule.from_mapping(team.hours or OFFICE_HOURS, days_off=days_off)
    except ValueError:  # hours saved before a rule tightened: fall back to the office
        schedule = WorkSchedule.from_mapping(OFFICE_HOURS, days_off=days_off)
    if not any(schedule.week):
        schedule = WorkSchedule.from_mapping(OFFICE_HOURS, days_off=days_off)
    return schedule


def targets(ticket_type: TicketType, priority: str) -> tuple[datetime.timedelta,
                                                             datetime.timedelta]:
    row = SlaTarget.objects.filter(type=ticket_type, priority=priority).first()
    first, resolve = ((row.first_response_minutes, row.resolution_minutes) if row
                      else DEFAULT_TARGETS[priority])
    return datetime.timedelta(minutes=first), datetime.timedelta(minutes=resolve)


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket at a moment: ``state`` ok / warning (80 % used) /
    breached, met (stopped in time) or paused; ``due`` and the share used."""

    name: str
    due: datetime.datetime
    state: str
    used: float
    stopped_at: datetime.datetime | None = None


def _clock(name: str, schedule: WorkSchedule, ticket: Ticket, due: datetime.datetime,
           stopped: datetime.datetime | None, now: datetime.datetime) -> Clock:
    if stopped is not None:
        return Clock(name, due, "met" if stopped <= due else "breached", 1.0, stopped)
    at = ticket.paused_since or now
    if at >= due:
        return Clock(name, due, "breached", 1.0)
    total = schedule.between(ticket.created_at, due) - ticket.paused_total
    left = schedule.between(at, due)
    used = 1.0 - (left / total) if total > ZERO else 1.0
    state = "paused" if ticket.paused_since else ("warning" if used >= 0.8 else "ok")
    return Clock(name, due, state, max(0.0, min(used, 1.0)))


def clocks(ticket: Ticket, *, now: datetime.datetime | None = None,
           schedule: WorkSchedule | None = None) -> list[Clock]:
    """The first-response and resolution clocks of ``ticket``."""
    now = now or timezone.now()
    schedule = schedule or team_schedule(ticket.team)
    done = ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    resolved = ticket.resolved_at if done else None
    # resolved without a reply (solved on the spot): the resolution answered the customer
    return [_clock("first_response", schedule, ticket, ticket.first_response_due,
                   ticket.first_responded_at or resolved, now),
            _clock("resolution", schedule, ticket, ticket.resolve_due, resolved, now)]


def sla_state(ticket: Ticket, *, now: datetime.datetime | None = None,
              schedule: WorkSchedule | None = None) -> str:
    """The badge of the queue: the clock that matters now — the first response until it
    is given, then the resolution."""
    first, resolution = clocks(ticket, now=now, schedule=schedule)
    if first.state == "breached" or first.stopped_at is None:
        return first.state
    return resolution.state


def stored_badge(ticket: Ticket) -> str:
    """The badge from the stored state (``sla.refresh``): breached stays; a resolved or
    closed ticket in time is met; a paused one says so; else on time or warning."""
    if ticket.sla_state == SlaState.BREACHED:
        return "breached"
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return "met"
    if ticket.paused_since is not None:
        return "paused"
    return str(ticket.sla_state)


def with_sla(rows: list[Any]) -> list[Any]:
    """Set ``row.sla`` (ok / warning / breached / paused / met) on each ticket from its
    stored SLA state: a list costs no schedule and no clock arithmetic."""
    for row in rows:
        row.sla = stored_badge(row)
    return rows


# -- teams -------------------------------------------------------------------------------

def parse_week(hours: Mapping[str, Any]) -> dict[str, str]:
    """``{"mon": "8:00-16:00", …}`` checked day by day (field ``hours_<day>``)."""
    out: dict[str, str] = {}
    for key in WEEKDAY_KEYS:
        text = str(hours.get(key) or "").strip()
        if len(text) > 100:
            raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": 100},
                                   field=f"hours_{key}")
        try:
            parse_hours(text)
        except ValueError:
            raise ValidationFailed("invalid", _(
                "Write the hours as 8:00-16:00, or 8:00-12:00, 13:00-17:00; leave the day "
                "empty when the team does not work."), field=f"hours_{key}") from None
        if text:
            out[key] = text
    if not out:
        raise ValidationFailed("required", _("Give the team working hours on at least one "
                                             "day."), field="hours_mon")
    try:
        WorkSchedule.from_mapping(out).next_open(timezone.now())
    except EmptySchedule:  # pragma: no cover - a day with hours is always open
        raise ValidationFailed("invalid", _("The team never works."), field="hours_mon") \
            from None
    return out


@transaction.atomic
def team_save(*, actor: Actor, name: Any, kind: Any, branch_id: Any, hours: Mapping[str, Any],
              team_id: Any = None, is_active: bool = True, routing: Any = None) -> Team:
    """Create a team or change its name, kind, branch, hours, routing (least open work or
    round robin; None keeps it) and whether it is active."""
    name = _text(name, "name", NAME_MAX, required=True)
    if routing not in (None, "") and routing not in Routing.values:
        raise ValidationFailed("invalid", _("Choose how tickets are routed."), field="routing")
    if kind not in TeamKind.values:
        raise ValidationFailed("invalid", _("Choose the kind of team."), field="kind")
    branch_pk = _id(branch_id, "branch", _("Choose a branch."))
    branch = Branch.objects.filter(pk=branch_pk, is_active=True).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch")
    if kind == TeamKind.BRANCH_OFFICE and branch.is_hq:
        raise ValidationFailed("invalid", _("A branch office belongs to a branch, not to HQ."),
                               field="branch")
    if kind != TeamKind.BRANCH_OFFICE and not branch.is_hq:
        raise ValidationFailed("invalid", _("HQ offices and departments belong to HQ."),
                               field="branch")
    org_perms.ensure(actor, perms.TEAM_MANAGE.code, branch.pk)
    week = parse_week(hours)
    if Team.objects.filter(name__iexact=name).exclude(pk=team_id or 0).exists():
        raise ValidationFailed("taken", _("A team of this name exists."), field="name")
    if team_id in (None, ""):
        team = Team.objects.create(name=name, kind=kind, branch=branch, hours=week,
                                   is_active=bool(is_active),
                                   routing=routing or Routing.LEAST_OPEN)
        audit_record(action="servicedesk.team.create", obj=team, actor=actor,
                     branch_id=branch.pk,
                     changes={"name": name, "hours": week, "routing": team.routing})
        return team
    team = Team.objects.locked(team_id, missing=_("Team not found."))
    org_perms.ensure(actor, perms.TEAM_MANAGE.code, team.branch_id)
    routing = routing or team.routing
    changes = {"name": name, "kind": kind, "branch": branch.pk, "hours": week,
               "is_active": bool(is_active), "routing": routing}
    before = {"name": team.name, "kind": team.kind, "branch": team.branch_id,
              "hours": team.hours, "is_active": team.is_active, "routing": team.routing}
    Team.objects.filter(pk=team.pk).update(name=name, kind=kind, branch=branch, hours=week,
                                           is_active=bool(is_active), routing=routing)
    team.refresh_from_db()
    audit_record(action="servicedesk.team.update", obj=team, actor=actor, branch_id=branch.pk,
                 changes={k: v for k, v in changes.items() if before[k] != v})
    if before["hours"] != week:  # the team's open tickets' SLA moments move: next run
        sla.mark_open_due(team_id=team.pk)
    return team


def team_candidates(team: Team) -> list[Employee]:
    """Who may join the team: the active staff of its branch (HQ teams: of every branch)
    who handle tickets there (a cashier does not)."""
    staff = Membership.objects.filter(is_active=True, employee__is_active=True)
    if not team.branch.is_hq:
        staff = staff.filter(branch_id=team.branch_id)
    people = (Employee.objects.filter(pk__in=staff.values("employee_id"))
              .order_by("last_name", "first_name")[:500])
    where = None if team.branch.is_hq else team.branch_id
    return [e for e in people if org_perms.can(e, perms.TICKET_HANDLE.code, where)]


@transaction.atomic
def team_members_set(*, actor: Actor, team_id: Any, members: Iterable[Any],
                     leads: Iterable[Any] = ()) -> Team:
    """Make the team's members exactly ``members`` (employee ids), ``leads`` among them."""
    team = Team.objects.select_related("branch").locked(team_id, missing=_("Team not found."))
    org_perms.ensure(actor, perms.TEAM_MANAGE.code, team.branch_id)
    wanted = {_id(m, "members", _("Choose the team's members.")) for m in members}
    lead_ids = {_id(m, "leads", _("Choose the team's members.")) for m in leads}
    if lead_ids - wanted:
        raise ValidationFailed("invalid", _("A team lead must be a member of the team."),
                               field="leads")
    allowed = {e.pk for e in team_candidates(team)}
    if wanted - allowed:
        raise ValidationFailed("invalid", _("Choose the team's members among the branch's "
                                            "staff."), field="members")
    TeamMember.objects.filter(team=team).exclude(employee_id__in=wanted).delete()
    for pk in sorted(wanted):
        TeamMember.objects.update_or_create(team=team, employee_id=pk,
                                            defaults={"is_lead": pk in lead_ids})
    audit_record(action="servicedesk.team.members", obj=team, actor=actor,
                 branch_id=team.branch_id,
                 changes={"members": sorted(wanted), "leads": sorted(lead_ids)})
    return team


# -- routing -----------------------------------------------------------------------------

def absent_today(employee_ids: Iterable[int], today: datetime.date) -> dict[int, int | None]:
    """The absent among ``employee_ids`` today → their substitute (None without one)."""
    rows = (Absence.objects.filter(employee_id__in=list(employee_ids), starts_on__lte=today,
                                   ends_on__gte=today)
            .order_by("starts_on", "pk").values_list("employee_id", "substitute_id"))
    out: dict[int, int | None] = {}
    for employee, substitute in rows:
        out.setdefault(employee, substitute)
    return out


@dataclass(frozen=True)
class Roster:
    """Who takes a team's tickets today: the active members (by id) and, for each, who
    takes their tickets — the member, the substitute of an absent member when the
    substitute is in and active, or nobody."""

    members: tuple[int, ...]
    takers: Mapping[int, int | None]


def roster(team: Team, today: datetime.date) -> Roster:
    members = sorted(TeamMember.objects.filter(team=team, employee__is_active=True)
                     .values_list("employee_id", flat=True))
    if not members:
        return Roster((), {})
    absent = absent_today(members, today)
    subs = {s for s in absent.values() if s is not None}
    away = absent_today(subs, today) if subs else {}
    active = (set(Employee.objects.filter(pk__in=subs, is_active=True)
                  .values_list("pk", flat=True)) if subs else set())
    takers: dict[int, int | None] = {}
    for pk in members:
        if pk not in absent:
            takers[pk] = pk
        else:
            substitute = absent[pk]
            takers[pk] = (substitute if substitute in active and substitute not in away
                          else None)
    return Roster(tuple(members), takers)


def open_load(member_ids: Iterable[int]) -> dict[int, int]:
    """Open tickets per member (the least-open-work routing's measure)."""
    return dict(Ticket.objects.filter(assignee_id__in=list(member_ids),
                                      status__in=OPEN_STATES)
                .values("assignee_id").annotate(n=Count("pk")).values_list("assignee_id", "n"))


def pick(team: Team, crew: Roster, load: Mapping[int, int] | None = None) -> int | None:
    """The id of who takes the next ticket of ``team`` (``route``); ``load``: the open
    work per member when the caller keeps it (``Intake``), else read now."""
    if not crew.members:
        return None
    if team.routing == Routing.ROUND_ROBIN:
        with transaction.atomic():
            last = (Team.objects.select_for_update().filter(pk=team.pk)
                    .values_list("rr_last", flat=True).first())
            order = list(crew.members)
            start = next((i for i, pk in enumerate(order) if last is not None and pk > last),
                         0)
            for pk in order[start:] + order[:start]:
                if crew.takers[pk] is not None:
                    Team.objects.filter(pk=team.pk).update(rr_last=pk)
                    team.rr_last = pk
                    return crew.takers[pk]
        return None
    takers = {m: t for m, t in crew.takers.items() if t is not None}
    if not takers:
        return None
    if load is None:
        load = open_load(set(takers.values()))
    # by the open work of whoever takes the member's tickets today: a substitute covering
    # an absent member is measured by their own load, not the absent member's
    return takers[min(takers, key=lambda m: (load.get(takers[m], 0), m))]


def route(team: Team, *, today: datetime.date | None = None) -> Employee | None:
    """The member whose turn it is, by the team's routing: the least open work (then the
    lowest id), or round robin (the member after the last one given, by id, the pointer
    on the team advanced under its row lock, so tickets routed at once go to different
    people). A member absent today hands over to their substitute, when the substitute
    is in; round robin then moves past the absent member. None: nobody is in."""
    taker = pick(team, roster(team, today or timezone.localdate()))
    return Employee.objects.get(pk=taker) if taker is not None else None


class Intake:
    """What a channel opening many tickets for one team and type in a row (a mailbox
    poll) reads once instead of for every ticket: the team's working time, the SLA
    targets, who is in today and their open work (counted up as tickets are given, read
    again every ``FRESH`` or on a new day). Round robin still advances the team's pointer
    under its lock for every ticket, so other channels routing at once stay in turn."""

    FRESH = datetime.timedelta(seconds=30)

    def __init__(self, team: Team, ticket_type: TicketType) -> None:
        self.team, self.ticket_type = team, ticket_type
        self.read_at: datetime.datetime | None = None

    def _read(self, now: datetime.datetime) -> None:
        self.read_at, self.day = now, timezone.localdate(now)
        self.schedule = team_schedule(self.team)
        self.first, self.resolve = targets(self.ticket_type, Priority.NORMAL)
        self.crew = roster(self.team, self.day)
        takers = {t for t in self.crew.takers.values() if t is not None}
        self.load = (open_load(takers)
                     if takers and self.team.routing != Routing.ROUND_ROBIN else {})
        self.people = {e.pk: e for e in Employee.objects.filter(pk__in=takers)
                       .only("pk", "language")} if takers else {}

    def ready(self, now: datetime.datetime) -> Intake:
        if (self.read_at is None or now - self.read_at > self.FRESH
                or timezone.localdate(now) != self.day):
            self._read(now)
        return self

    def assignee(self) -> Employee | None:
        taker = pick(self.team, self.crew, self.load)
        if taker is None:
            return None
        self.load[taker] = self.load.get(taker, 0) + 1  # as a fresh count would say
        return self.people.get(taker) or Employee.objects.get(pk=taker)


# -- tickets -----------------------------------------------------------------------------

def ticket_url(ticket: Ticket) -> str:
    return reverse("servicedesk:ticket_detail", args=[ticket.pk])


def _next_number(year: int) -> str:
    return next_in_year(TicketCounter, year, "ZG")


def is_member(ticket: Ticket, user: Any) -> bool:
    """The assignee or a member of the ticket's team: they work on it from any branch."""
    me = employee_of(user)
    if me is None:
        return False
    if ticket.assignee_id == me.pk:
        return True
    return selectors.membership(ticket, me) is not None


def leads_team(ticket: Ticket, user: Any) -> bool:
    """Whether ``user`` leads the ticket's team."""
    me = employee_of(user)
    return me is not None and bool(selectors.membership(ticket, me))


def _ensure_handle(ticket: Ticket, actor: Actor) -> None:
    if not is_member(ticket, actor):
        org_perms.ensure(actor, perms.TICKET_HANDLE.code, ticket.branch_id)
    elif not org_perms.can(actor, perms.TICKET_HANDLE.code):
        raise ActionDenied(_("Your role does not handle tickets."))


def may_handle(ticket: Ticket, user: Any) -> bool:
    """Whether ``user`` works on the ticket (a member or ``servicedesk.ticket.handle``)."""
    try:
        _ensure_handle(ticket, user)
    except ActionDenied:
        return False
    return True


def allowed_actions(ticket: Ticket, user: Any) -> list[str]:
    if is_member(ticket, user) and org_perms.can(user, perms.TICKET_HANDLE.code):
        return [t.action for t in TICKET_FLOW.transitions.values()
                if ticket.status in t.sources and _may_reopen(ticket, t.action)]
    return [a for a in TICKET_FLOW.allowed_actions(ticket, user) if _may_reopen(ticket, a)]


def _may_reopen(ticket: Ticket, action: str) -> bool:
    if action != "reopen" or ticket.status != TicketStatus.CLOSED or ticket.closed_at is None:
        return True
    return timezone.now() - ticket.closed_at <= datetime.timedelta(days=reopen_days())


def _visible_ticket(actor: Actor, ticket_id: Any) -> Ticket:
    from punkt.servicedesk import selectors

    return selectors.ticket_get(user=actor, ticket_id=ticket_id)


def _locked(actor: Actor, ticket_id: Any) -> Ticket:
    _visible_ticket(actor, ticket_id)  # another branch's ticket: 404, not 403
    return Ticket.objects.select_related("team").locked(ticket_id,
                                                        missing=_("Ticket not found."))


def _customer(actor: Actor, customer_id: Any) -> Customer | None:
    if customer_id in (None, ""):
        return None
    try:
        return (Customer.objects.visible_to(actor, customer_perms.CUSTOMER_VIEW)
                .get_or_not_found(_id(customer_id, "customer", _("Customer not found."))))
    except NotFound:
        raise ValidationFailed("invalid", _("Customer not found."), field="customer") from None


def _team_for(actor: Actor, team_id: Any, ticket_type: TicketType) -> Team:
    if team_id not in (None, ""):
        team = Team.objects.filter(pk=_id(team_id, "team", _("Choose a team.")),
                                   is_active=True).select_related("branch").first()
        if team is None:
            raise ValidationFailed("invalid", _("Choose a team."), field="team")
        return team
    if ticket_type.default_team_id and ticket_type.default_team and \
            ticket_type.default_team.is_active:
        return ticket_type.default_team
    me = employee_of(actor)
    team = (Team.objects.filter(kind=TeamKind.BRANCH_OFFICE, is_active=True,
                                branch__memberships__employee=me,
                                branch__memberships__is_active=True)
            .order_by("pk").first() if me is not None else None)
    if team is None:
        raise ValidationFailed("invalid", _("The type has no team and your branch has no "
                                            "office: choose a team."), field="team")
    return team


def _timeline(ticket: Ticket, actor: Actor, text: str, body: str = "") -> None:
    if ticket.customer_id:
        timeline_add(customer_id=ticket.customer_id, kind="ticket", actor=actor,
                     branch_id=ticket.branch_id, subject=f"{ticket.number}: {text}",
                     body=body, source=ticket)


def _tell_assignee(ticket: Ticket, actor: Actor, *, why: str) -> None:
    me = employee_of(actor)
    if ticket.assignee_id is None or ticket.assignee_id == getattr(me, "pk", None):
        return
    number, subject = ticket.number, ticket.subject
    # the assignee as loaded (with the language) saves reading them again
    recipient = ticket.assignee if Ticket.assignee.is_cached(ticket) else ticket.assignee_id
    notify(recipient=recipient, kind=f"ticket.{why}",
           title=lambda: (_("Ticket %(number)s is yours: %(subject)s") if why == "assigned"
                          else _("Ticket %(number)s reopened: %(subject)s"))
           % {"number": number, "subject": subject},
           url=ticket_url(ticket), key=f"ticket.{why}:{ticket.pk}:{ticket.assignee_id}:"
                                      f"{timezone.now():%Y%m%d%H%M%S%f}")


@transaction.atomic
def ticket_create(*, actor: Actor, subject: Any, channel: Any, type_id: Any, body: Any = "",
                  customer_id: Any = None, priority: Any = Priority.NORMAL, team_id: Any = None,
                  caller: Any = "", amount: Any = None) -> Ticket:
    """A ticket from the counter or a logged phone call: routed to the team (given, the
    type's default, or the actor's branch office) and kept by the actor when they are its
    member, else given to the member with the least open work who is in today; the
    first-response and resolution deadlines in the team's working hours; with the amount
    at stake, weighed (``weighty.weigh``)."""
    from punkt.servicedesk import weighty

    org_perms.ensure(actor, perms.TICKET_CREATE.code)
    stake = weighty.parse_amount(amount)
    subject = _text(subject, "subject", SUBJECT_MAX, required=True)
    body = _text(body, "body", BODY_MAX)
    caller = _text(caller, "caller", 200)
    if channel not in STAFF_CHANNELS:
        raise ValidationFailed("invalid", _("Choose the counter or a phone call."),
                               field="channel")
    if priority in (None, ""):
        priority = Priority.NORMAL
    if priority not in Priority.values:
        raise ValidationFailed("invalid", _("Choose a priority."), field="priority")
    ticket_type = TicketType.objects.filter(
        pk=_id(type_id, "type", _("Choose the ticket's type.")), is_active=True).first()
    if ticket_type is None:
        raise ValidationFailed("invalid", _("Choose the ticket's type."), field="type")
    customer = _customer(actor, customer_id)
    team = _team_for(actor, team_id, ticket_type)
    now = timezone.now()
    schedule = team_schedule(team)
    first, resolve = targets(ticket_type, priority)
    me = employee_of(actor)
    if me is not None and TeamMember.objects.filter(team=team, employee=me).exists():
        assignee: Employee | None = me  # the member at the counter (on the phone) keeps it
    else:
        assignee = route(team, today=timezone.localdate(now))
    ticket = Ticket.objects.create(
        number=_next_number(timezone.localdate(now).year), branch_id=team.branch_id, team=team,
        assignee=assignee, customer=customer, subject=subject, channel=channel,
        type=ticket_type, priority=priority, status=TicketStatus.NEW,
        created_by=employee_of(actor), created_at=now,
        first_response_due=schedule.add(now, first), resolve_due=schedule.add(now, resolve),
        amount=stake)
    weighty.store(ticket)
    sla.refresh(ticket, now=now, schedule=schedule)
    if body:
        label = caller or (customer.display_name if customer else "") or _("Customer")
        TicketMessage.objects.create(ticket=ticket, author_label=label[:200], body=body,
                                     created_at=now)
    audit_record(action="servicedesk.ticket.create", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"number": ticket.number, "team": team.pk, "channel": channel,
                          "type": ticket_type.pk, "priority": priority,
                          "assignee": getattr(assignee, "pk", None),
                          "amount": None if stake is None else str(stake),
                          "weighty": ticket.weighty})
    _timeline(ticket, actor, _("ticket opened — %(subject)s") % {"subject": subject}, body)
    _tell_assignee(ticket, actor, why="assigned")
    ticket_events.emit("ticket.created", ticket, message=ticket.messages.first())
    return ticket


@transaction.atomic(savepoint=False)  # a channel's own transaction rolls it back whole
def ticket_open_from_channel(*, actor: Actor, team: Team, ticket_type: TicketType,
                             channel: str, subject: str, body: str, author_label: str,
                             customer: Customer | None = None,
                             intake: Intake | None = None) -> tuple[Ticket, TicketMessage]:
    """A ticket the customer opened themselves (e-mail, web form, chat): routed to the
    member of ``team`` whose turn it is; the channel has checked its input. ``intake``:
    the team's working time and roster kept by a channel opening many at once."""
    now = timezone.now()
    if intake is not None and (intake.team, intake.ticket_type) == (team, ticket_type):
        ready = intake.ready(now)
        schedule, first, resolve = ready.schedule, ready.first, ready.resolve
        assignee = ready.assignee()
    else:
        schedule = team_schedule(team)
        first, resolve = targets(ticket_type, Priority.NORMAL)
        assignee = route(team, today=timezone.localdate(now))
    ticket = Ticket.objects.create(
        number=_next_number(timezone.localdate(now).year), branch_id=team.branch_id, team=team,
        assignee=assignee, customer=customer,
        subject=subject[:SUBJECT_MAX] or "-", channel=channel, type=ticket_type,
        priority=Priority.NORMAL, status=TicketStatus.NEW, created_at=now,
        first_response_due=schedule.add(now, first), resolve_due=schedule.add(now, resolve))
    from punkt.servicedesk import weighty

    weighty.store(ticket)
    sla.check_soon(ticket.pk, now)  # the job computes its state on its next run
    message = TicketMessage.objects.create(ticket=ticket, author_label=author_label[:200],
                                           body=body[:BODY_MAX], created_at=now)
    audit_record(action="servicedesk.ticket.create", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"number": ticket.number, "team": team.pk, "channel": channel,
                          "type": ticket_type.pk, "assignee": ticket.assignee_id})
    _timeline(ticket, actor, _("ticket opened — %(subject)s") % {"subject": ticket.subject},
              message.body)
    _tell_assignee(ticket, actor, why="assigned")
    ticket_events.emit("ticket.created", ticket, message=message)
    return ticket, message


def may_take_customer_message(ticket: Ticket, *, now: datetime.datetime | None = None) -> bool:
    """Whether the customer's new message joins ``ticket``: open, or resolved / closed
    less than ``reopen_days()`` ago (later: the channel opens a new ticket)."""
    if ticket.status in OPEN_STATES:
        return True
    ended = ticket.closed_at or ticket.resolved_at
    return ended is None or (now or timezone.now()) - ended <= datetime.timedelta(
        days=reopen_days())


@transaction.atomic
def customer_message(*, actor: Actor, ticket_id: int, body: str,
                     author_label: str) -> TicketMessage:
    """The customer writes again on their ticket (by the channel it came from): a ticket
    waiting on them is open again and a resolved or closed one reopens
    (``may_take_customer_message``, else ``Conflict``). A merged duplicate's message goes
    to the ticket it was merged into."""
    ticket = Ticket.objects.select_related("team").locked(ticket_id,
                                                          missing=_("Ticket not found."))
    if ticket.merged_into_id:  # merged: the message goes where the matter is handled
        ticket = Ticket.objects.select_related("team").locked(
            ticket.merged_into_id, missing=_("Ticket not found."))
    now = timezone.now()
    if not may_take_customer_message(ticket, now=now):
        raise Conflict("too_late", _("A ticket closed more than %(n)d days ago cannot be "
                                     "reopened: open a new one.") % {"n": reopen_days()})
    source = ticket.status
    reopened = source in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    if reopened or source == TicketStatus.WAITING_CUSTOMER:
        changes: dict[str, Any] = {"status": TicketStatus.OPEN, **_end_pause(ticket, now)}
        if reopened:
            changes.update(resolved_at=None, closed_at=None)
        _apply(ticket, source, changes)
    message = TicketMessage.objects.create(ticket=ticket, author_label=author_label[:200],
                                           body=body[:BODY_MAX], created_at=now)
    audit_record(action="servicedesk.ticket.customer_message", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"message": message.pk, "status": [source, ticket.status]})
    _timeline(ticket, actor, _("ticket reopened") if reopened else _("the customer wrote"),
              message.body)
    if reopened:
        _tell_assignee(ticket, actor, why="reopened")
    ticket_events.emit("ticket.message_added", ticket, message=message)
    return message


def _end_pause(ticket: Ticket, now: datetime.datetime) -> dict[str, Any]:
    """Leaving a paused state: the paused working time moves the running deadlines."""
    if ticket.paused_since is None:
        return {}
    schedule = team_schedule(ticket.team)
    paused = schedule.between(ticket.paused_since, now) if now > ticket.paused_since else ZERO
    changes: dict[str, Any] = {"paused_since": None,
                               "paused_total": ticket.paused_total + paused}
    if ticket.first_responded_at is None:
        changes["first_response_due"] = schedule.add(ticket.first_response_due, paused)
    changes["resolve_due"] = schedule.add(ticket.resolve_due, paused)
    return changes


def _apply(ticket: Ticket, source: str, changes: dict[str, Any]) -> None:
    """The conditional update on the state read under the lock (C10)."""
    moves = ticket_events.Moves(ticket)
    if not Ticket.objects.filter(pk=ticket.pk, status=source).update(**changes):
        raise Conflict("changed", _("The ticket changed meanwhile: reload the page."))
    ticket.refresh_from_db()
    sla.refresh(ticket)
    moves.publish(ticket)


@transaction.atomic
def ticket_move(*, actor: Actor, ticket_id: Any, action: str) -> Ticket:
    """One step of the workflow; the SLA clocks stop while the ticket waits on the customer
    or is resolved, and move on by the paused working time when it comes back. A weighty
    ticket is resolved only by who decides it (staff propose: ``weighty.propose``)."""
    from punkt.servicedesk import weighty

    if action in FORM_ACTIONS:
        raise ValidationFailed("invalid", _("This step has its own form on the ticket."),
                               field="action")
    ticket = _locked(actor, ticket_id)
    _ensure_handle(ticket, actor)
    if is_member(ticket, actor):
        t = TICKET_FLOW.ensure_state(ticket, action)
    else:
        t = TICKET_FLOW.ensure_can(ticket, action, actor=actor)
    if not _may_reopen(ticket, action):
        raise Conflict("too_late", _("A ticket closed more than %(n)d days ago cannot be "
                                     "reopened: open a new one.") % {"n": reopen_days()})
    if action == "reopen" and ticket.merged_into_id:
        raise Conflict("merged", _("A merged ticket is not reopened: open the ticket it was "
                                   "merged into."))
    now = timezone.now()
    source = ticket.status
    changes: dict[str, Any] = {"status": t.target}
    if action == "resolve":
        changes.update(weighty.resolution_by(ticket, actor))
    if t.target in PAUSED_STATES and source not in PAUSED_STATES:
        changes["paused_since"] = now
    elif t.target not in PAUSED_STATES and source in PAUSED_STATES:
        changes.update(_end_pause(ticket, now))
    if t.target == TicketStatus.RESOLVED:
        changes["resolved_at"] = now
    if t.target == TicketStatus.CLOSED:
        changes["closed_at"] = now
    if action == "reopen":
        changes.update(resolved_at=None, closed_at=None)
    if action == "open" and ticket.assignee_id is None:
        changes["assignee"] = employee_of(actor)
    _apply(ticket, source, changes)
    audit_record(action=f"servicedesk.ticket.{action}", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id, changes={"status": [source, ticket.status]})
    if action in ("resolve", "close", "reopen"):
        _timeline(ticket, actor, {"resolve": _("ticket resolved"), "close": _("ticket closed"),
                                  "reopen": _("ticket reopened")}[action])
    if action == "reopen":
        _tell_assignee(ticket, actor, why="reopened")
    return ticket


#: steps taken on their own forms (a proposal's text, the decision, the ticket merged into)
FORM_ACTIONS = frozenset({"propose", "accept", "send_back", "merge"})


def _message(ticket: Ticket, actor: Actor, body: Any, *, internal: bool) -> TicketMessage:
    text = _text(body, "body", BODY_MAX, required=True)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed("closed", _("The ticket is closed: reopen it to write."),
                               field="status")
    return TicketMessage.objects.create(ticket=ticket, author=employee_of(actor), body=text,
                                        internal=internal)


@transaction.atomic
def reply(*, actor: Actor, ticket_id: Any, body: Any) -> TicketMessage:
    """A public reply to the customer; the first one stops the first-response clock and a
    new ticket becomes open."""
    ticket = _locked(actor, ticket_id)
    _ensure_handle(ticket, actor)
    message = _message(ticket, actor, body, internal=False)
    changes: dict[str, Any] = {}
    if ticket.first_responded_at is None:
        changes["first_responded_at"] = message.created_at
    if ticket.status == TicketStatus.NEW:
        changes["status"] = TicketStatus.OPEN
        if ticket.assignee_id is None:
            changes["assignee"] = employee_of(actor)
    if changes:
        _apply(ticket, ticket.status, changes)
    audit_record(action="servicedesk.ticket.reply", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id, changes={"message": message.pk})
    _timeline(ticket, actor, _("reply to the customer"), message.body)
    for send in REPLY_SENDERS:
        send(ticket, message)
    ticket_events.emit("ticket.message_added", ticket, message=message)
    return message


def mention_candidates(ticket: Ticket) -> list[Employee]:
    """Who a note on ``ticket`` may mention: the team's members and the staff of its branch
    who see its tickets (those who can open it)."""
    team = TeamMember.objects.filter(team_id=ticket.team_id).values("employee_id")
    branch = Membership.objects.filter(branch_id=ticket.branch_id, is_active=True,
                                       role__in=perms.TICKET_VIEW.roles).values("employee_id")
    # one IN over a UNION: an OR of two INs made PostgreSQL read every employee
    return list(Employee.objects.filter(pk__in=team.union(branch), is_active=True)
                .only("pk", "email", "is_active", "language", "first_name", "last_name")
                .order_by("email"))


@transaction.atomic
def note(*, actor: Actor, ticket_id: Any, body: Any) -> TicketMessage:
    """An internal note: the team reads it, the customer never does; colleagues it
    mentions (``@handle``) are notified."""
    from punkt.work.mentions import notify_mentioned

    ticket = _locked(actor, ticket_id)
    _ensure_handle(ticket, actor)
    message = _message(ticket, actor, body, internal=True)
    audit_record(action="servicedesk.ticket.note", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id, changes={"message": message.pk})
    who = employee_of(actor)
    author = who.full_name if who is not None else str(actor)
    number = ticket.number
    notify_mentioned(
        text=message.body, candidates=mention_candidates(ticket), author=who,
        title=lambda: _("%(author)s mentioned you in ticket %(number)s") % {
            "author": author, "number": number},
        url=ticket_url(ticket), key=f"ticket-note:{message.pk}")
    return message


REASON_MAX = 1000


def transfer_targets(ticket: Ticket) -> list[Team]:
    """The active teams and departments a ticket may move to (all but its own)."""
    return list(Team.objects.filter(is_active=True).exclude(pk=ticket.team_id)
                .order_by("name")[:500])


@transaction.atomic
def transfer(*, actor: Actor, ticket_id: Any, team_id: Any, reason: Any) -> Ticket:
    """Hand an open ticket to another team or department, with a reason: routed within
    the new team by its routing (or left in its queue when nobody is in), the ticket's
    branch follows the team (the new team and branch see it; the old team no longer does,
    unless they opened it), the new assignee — else the new team's leads — told, the
    reason kept as an internal note, audited and on the customer's timeline.

    The SLA deadlines stay as they were: the customer's wait does not restart because
    the matter moved (from now on the clocks count in the new team's hours)."""
    ticket = _locked(actor, ticket_id)
    _ensure_handle(ticket, actor)
    if not ticket.is_open:
        raise ValidationFailed("closed", _("Reopen the ticket to transfer it."),
                               field="status")
    team = Team.objects.filter(pk=_id(team_id, "team", _("Choose a team.")),
                               is_active=True).first()
    if team is None:
        raise ValidationFailed("invalid", _("Choose a team."), field="team")
    if team.pk == ticket.team_id:
        raise ValidationFailed("same", _("The ticket is already with this team."),
                               field="team")
    reason = _text(reason, "reason", REASON_MAX, required=True)
    before_team, before_assignee = ticket.team, ticket.assignee_id
    assignee = route(team)
    _apply(ticket, ticket.status, {"team_id": team.pk, "branch_id": team.branch_id,
                                   "assignee_id": getattr(assignee, "pk", None)})
    TicketMessage.objects.create(
        ticket=ticket, author=employee_of(actor), internal=True,
        body=_("Transferred from %(old)s to %(new)s: %(reason)s") % {
            "old": before_team.name, "new": team.name, "reason": reason})
    audit_record(action="servicedesk.ticket.transfer", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"team": [before_team.pk, team.pk],
                          "branch": [before_team.branch_id, team.branch_id],
                          "assignee": [before_assignee, ticket.assignee_id],
                          "reason": reason})
    _timeline(ticket, actor, _("ticket transferred to %(team)s") % {"team": team.name},
              reason)
    ticket_events.emit("ticket.transferred", ticket, reason=reason,
                       from_team={"id": before_team.pk, "name": before_team.name},
                       to_team={"id": team.pk, "name": team.name})
    number, subject, name = ticket.number, ticket.subject, team.name
    me = getattr(employee_of(actor), "pk", None)
    told = ([ticket.assignee_id] if ticket.assignee_id else
            list(TeamMember.objects.filter(team=team, is_lead=True, employee__is_active=True)
                 .values_list("employee_id", flat=True)))
    for pk in told:
        if pk == me:
            continue
        notify(recipient=pk, kind="ticket.transferred",
               title=lambda: _("Ticket %(number)s transferred to %(team)s: %(subject)s")
               % {"number": number, "team": name, "subject": subject},
               url=ticket_url(ticket),
               key=f"ticket.transferred:{ticket.pk}:{pk}:{timezone.now():%Y%m%d%H%M%S%f}")
    return ticket


def may_assign(ticket: Ticket, user: Any) -> bool:
    """Managers (``servicedesk.ticket.assign``) and the team's leads give tickets to others."""
    if org_perms.can(user, perms.TICKET_ASSIGN.code, ticket.branch_id):
        return True
    return leads_team(ticket, user)


@transaction.atomic
def assign(*, actor: Actor, ticket_id: Any, assignee_id: Any) -> Ticket:
    """Give the ticket to a member of its team (oneself: "take it"); a new ticket opens."""
    ticket = _locked(actor, ticket_id)
    _ensure_handle(ticket, actor)
    me = employee_of(actor)
    who = _id(assignee_id, "assignee", _("Choose a member of the team."))
    if who != getattr(me, "pk", None) and not may_assign(ticket, actor):
        raise ActionDenied(_("Only the manager or the team lead gives tickets to others."))
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise ValidationFailed("closed", _("Reopen the ticket to give it to someone."),
                               field="status")
    if not TeamMember.objects.filter(team_id=ticket.team_id, employee_id=who,
                                     employee__is_active=True).exists():
        raise ValidationFailed("invalid", _("Choose a member of the team."), field="assignee")
    changes: dict[str, Any] = {"assignee_id": who}
    if ticket.status == TicketStatus.NEW:
        changes["status"] = TicketStatus.OPEN
    before = ticket.assignee_id
    _apply(ticket, ticket.status, changes)
    audit_record(action="servicedesk.ticket.assign", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id, changes={"assignee": [before, who]})
    _tell_assignee(ticket, actor, why="assigned")
    return ticket

