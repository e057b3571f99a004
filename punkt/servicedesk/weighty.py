"""Weighty matters (R9.4): above a weight the office manager decides; staff resolve the
small ones alone (with ready answers), and the manager gets a weekly control list of
everything staff resolved alone.

* **The weight** of a ticket (``weigh``): its type's weight (``TicketType.weight`` at
  ``PUNKT_WEIGHTY_TYPE_WEIGHT`` — 3 — or more: every ticket of the type), the amount at
  stake (``Ticket.amount`` at the type's ``amount_threshold`` or, without one, the
  company-wide ``PUNKT_WEIGHTY_AMOUNT`` — 1000 zł — or more) and the customer's value (a
  company of a size in ``PUNKT_WEIGHTY_CUSTOMER_SIZES`` — large — is a key customer).
  Stored on the ticket (``weighty`` + ``weighty_reason``) when it is opened and when the
  amount changes.
* **The decision**: staff do not resolve a weighty ticket; they propose a resolution
  (``propose``, the ticket waits for the decision) and the branch manager — for a team at
  HQ the team's lead — accepts it (the answer goes to the customer, the ticket is
  resolved) or returns it with a comment (``decide``). Decided once: the ticket's state
  and the proposal's ``pending`` are both conditions of the updates (C10).
* **The control list** (``control_list``): per week, the tickets of the manager's branch
  (the lead's teams) resolved without a manager's decision; the Monday job
  (``notify_control_lists``) tells each manager it is ready, once per week.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import BranchKind, Membership
from punkt.servicedesk import permissions as perms
from punkt.servicedesk import services
from punkt.servicedesk.models import (
    DecisionOutcome,
    TeamMember,
    Ticket,
    TicketDecision,
    TicketMessage,
    TicketStatus,
    TicketType,
)
from punkt.servicedesk.workflows import TICKET_FLOW
from punkt.work.services import notify


def type_weight() -> int:
    return int(getattr(settings, "PUNKT_WEIGHTY_TYPE_WEIGHT", 3))


def company_amount() -> Decimal:
    return Decimal(str(getattr(settings, "PUNKT_WEIGHTY_AMOUNT", "1000.00")))


def key_customer_sizes() -> tuple[str, ...]:
    return tuple(getattr(settings, "PUNKT_WEIGHTY_CUSTOMER_SIZES", ("large",)))


def amount_threshold(ticket_type: TicketType) -> Decimal:
    """From which amount at stake a ticket of ``ticket_type`` is weighty."""
    if ticket_type.amount_threshold is not None:
        return ticket_type.amount_threshold
    return company_amount()


def money(value: Decimal) -> str:
    return f"{number_format(value, 2, force_grouping=True)} zł"


@dataclass(frozen=True)
class Weight:
    """Whether a ticket is weighty, and why (each reason a sentence)."""

    weighty: bool
    reasons: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)[:300]


def weigh(*, ticket_type: TicketType, amount: Decimal | None, customer: Any) -> Weight:
    """The weight of a ticket of ``ticket_type`` with ``amount`` at stake for
    ``customer`` (or none): weighty when any of the three reaches its threshold."""
    reasons: list[str] = []
    if ticket_type.weight >= type_weight():
        reasons.append(_("the type “%(type)s” is always decided by the manager")
                       % {"type": ticket_type.name})
    limit = amount_threshold(ticket_type)
    if amount is not None and amount >= limit:
        reasons.append(_("amount at stake %(amount)s (from %(limit)s)")
                       % {"amount": money(amount), "limit": money(limit)})
    size = getattr(customer, "company_size", "") if customer is not None else ""
    if size and size in key_customer_sizes():
        reasons.append(_("key customer (%(size)s)")
                       % {"size": customer.get_company_size_display()})
    return Weight(bool(reasons), tuple(reasons))


def parse_amount(value: Any, field: str = "amount") -> Decimal | None:
    """The amount at stake as typed ("1 234,56", "1234.56"); empty: none. Refusals name
    ``field``. Read by the company's one amount parser (``core.money``)."""
    from punkt.core.money import parse_amount as parse

    if not str(value if value is not None else "").strip():
        return None
    try:
        return parse(value)
    except ValueError:  # too large included (``AmountTooLarge``)
        raise ValidationFailed("invalid", _("Give the amount in złoty, e.g. 1250,00."),
                               field=field) from None


def store(ticket: Ticket) -> Weight:
    """Weigh ``ticket`` (its type, amount and customer) and keep the result on it; the
    caller holds the ticket (just created, or locked)."""
    found = weigh(ticket_type=ticket.type, amount=ticket.amount, customer=ticket.customer)
    if (ticket.weighty, ticket.weighty_reason) != (found.weighty, found.reason):
        Ticket.objects.filter(pk=ticket.pk).update(weighty=found.weighty,
                                                   weighty_reason=found.reason)
        ticket.weighty, ticket.weighty_reason = found.weighty, found.reason
    return found


@transaction.atomic
def amount_set(*, actor: Actor, ticket_id: Any, amount: Any) -> Ticket:
    """Change the amount at stake of a ticket not yet resolved; it is weighed again."""
    ticket = services._locked(actor, ticket_id)
    services._ensure_handle(ticket, actor)
    if not ticket.is_open:
        raise ValidationFailed("closed", _("Reopen the ticket to change the amount."),
                               field="amount")
    stake = parse_amount(amount)
    before = (ticket.amount, ticket.weighty)
    Ticket.objects.filter(pk=ticket.pk).update(amount=stake)
    ticket.amount = stake
    found = store(ticket)
    audit_record(action="servicedesk.ticket.amount", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"amount": [None if before[0] is None else str(before[0]),
                                     None if stake is None else str(stake)],
                          "weighty": [before[1], found.weighty], "reason": found.reason})
    return ticket


# -- who decides --------------------------------------------------------------------------

def _hq_team(ticket: Ticket) -> bool:
    return bool(ticket.team.branch.kind == BranchKind.HQ)


def deciders(ticket: Ticket) -> list[int]:
    """Who decides ``ticket``'s weighty matter: the active managers of its branch; for a
    team at HQ its leads (without leads: HQ's managers)."""
    leads = list(TeamMember.objects.filter(team_id=ticket.team_id, is_lead=True,
                                           employee__is_active=True)
                 .values_list("employee_id", flat=True)) if _hq_team(ticket) else []
    if leads:
        return sorted(set(leads))
    return sorted(set(Membership.objects.filter(
        branch_id=ticket.branch_id, is_active=True, employee__is_active=True,
        role__in=[r for r in perms.TICKET_DECIDE.roles if r == "manager"])
        .values_list("employee_id", flat=True)))


def may_decide(ticket: Ticket, user: Any) -> bool:
    """The branch's manager (``servicedesk.ticket.decide`` there) or, for a team at HQ,
    its lead."""
    if org_perms.can(user, perms.TICKET_DECIDE.code, ticket.branch_id):
        return True
    return _hq_team(ticket) and services.leads_team(ticket, user)


def pending(ticket: Ticket) -> TicketDecision | None:
    return (TicketDecision.objects.filter(ticket=ticket, outcome=DecisionOutcome.PENDING)
            .select_related("proposed_by").first())


def resolution_by(ticket: Ticket, actor: Actor) -> dict[str, Any]:
    """Who resolves ``ticket`` and who decided (the fields ``ticket_move`` sets on
    resolving): a weighty one only by who decides it."""
    me = employee_of(actor)
    if not ticket.weighty:
        return {"resolved_by": me, "decided_by": None}
    if not may_decide(ticket, actor):
        raise Conflict("weighty", _("This is a weighty matter (%(why)s): propose a resolution "
                                    "for the manager to decide.")
                       % {"why": ticket.weighty_reason})
    return {"resolved_by": me, "decided_by": me}


def offered_actions(ticket: Ticket, user: Any) -> list[str]:
    """The workflow's buttons on the ticket page: the steps with their own form aside,
    "resolve" on a weighty ticket only for who decides it, no "reopen" of a merged one."""
    actions = [a for a in services.allowed_actions(ticket, user)
               if a not in services.FORM_ACTIONS]
    if ticket.weighty and not may_decide(ticket, user):
        actions = [a for a in actions if a != "resolve"]
    if ticket.merged_into_id:
        actions = [a for a in actions if a != "reopen"]
    return actions


# -- propose and decide ---------------------------------------------------------------------

def _ensure_step(ticket: Ticket, actor: Actor, action: str) -> None:
    if services.is_member(ticket, actor):
        TICKET_FLOW.ensure_state(ticket, action)
    else:
        TICKET_FLOW.ensure_can(ticket, action, actor=actor)


@transaction.atomic
def propose(*, actor: Actor, ticket_id: Any, proposal: Any) -> TicketDecision:
    """A staff member proposes how to resolve a weighty ticket: it waits for the
    decision of the branch manager (the HQ team's lead), who is told."""
    ticket = services._locked(actor, ticket_id)
    services._ensure_handle(ticket, actor)
    _ensure_step(ticket, actor, "propose")
    if not ticket.weighty:
        raise ValidationFailed("not_weighty", _("Only a weighty matter goes to the manager: "
                                                "resolve this ticket yourself."),
                               field="proposal")
    text = services._text(proposal, "proposal", services.BODY_MAX, required=True)
    me = employee_of(actor)
    now = timezone.now()
    source = ticket.status
    changes: dict[str, Any] = {"status": TicketStatus.AWAITING_DECISION}
    if source in services.PAUSED_STATES:
        changes.update(services._end_pause(ticket, now))
    services._apply(ticket, source, changes)
    decision = TicketDecision.objects.create(ticket=ticket, proposal=text, proposed_by=me,
                                             proposed_at=now)
    audit_record(action="servicedesk.ticket.propose", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"status": [source, ticket.status], "decision": decision.pk})
    services._timeline(ticket, actor, _("resolution proposed for the manager's decision"),
                       text)
    number, subject = ticket.number, ticket.subject
    for pk in deciders(ticket):
        if pk == getattr(me, "pk", None):
            continue
        notify(recipient=pk, kind="ticket.decide",
               title=lambda: _("Ticket %(number)s awaits your decision: %(subject)s")
               % {"number": number, "subject": subject},
               url=services.ticket_url(ticket), key=f"ticket.decide:{decision.pk}:{pk}")
    return decision


DECISIONS = {"accept": True, "send_back": False}


@transaction.atomic
def decide(*, actor: Actor, ticket_id: Any, accept: bool, comment: Any = "") -> TicketDecision:
    """The manager's decision on the proposed resolution: accepted — the proposal goes to
    the customer as the answer and the ticket is resolved; returned — the comment
    (required) goes to the agent as an internal note and the ticket is open again. Taken
    once: a second manager deciding at the same moment is refused."""
    ticket = services._locked(actor, ticket_id)
    action = "accept" if accept else "send_back"
    TICKET_FLOW.ensure_state(ticket, action)
    if not may_decide(ticket, actor):
        raise ActionDenied(_("Only the branch manager (for HQ teams the team lead) decides "
                             "weighty matters."))
    decision = pending(ticket)
    if decision is None:
        raise Conflict("decided", _("The proposal has been decided meanwhile: reload the "
                                    "page."))
    me = employee_of(actor)
    if me is not None and decision.proposed_by_id == me.pk:
        raise ActionDenied(_("You proposed this resolution: another manager decides it."))
    comment = services._text(comment, "comment", services.REASON_MAX, required=not accept)
    now = timezone.now()
    outcome = DecisionOutcome.ACCEPTED if accept else DecisionOutcome.RETURNED
    if not TicketDecision.objects.filter(pk=decision.pk, outcome=DecisionOutcome.PENDING).update(
            outcome=outcome, decided_by=me, decided_at=now, comment=comment):
        raise Conflict("decided", _("The proposal has been decided meanwhile: reload the "
                                    "page."))
    source = ticket.status
    message = None
    if accept:
        message = TicketMessage.objects.create(ticket=ticket, author_id=decision.proposed_by_id,
                                               body=decision.proposal, created_at=now)
        changes: dict[str, Any] = {"status": TicketStatus.RESOLVED, "resolved_at": now,
                                   "paused_since": now, "resolved_by_id":
                                   decision.proposed_by_id, "decided_by": me}
        if ticket.first_responded_at is None:
            changes["first_responded_at"] = now
    else:
        TicketMessage.objects.create(
            ticket=ticket, author=me, internal=True, created_at=now,
            body=_("Proposed resolution returned by the manager: %(comment)s")
            % {"comment": comment})
        changes = {"status": TicketStatus.OPEN}
    services._apply(ticket, source, changes)
    audit_record(action=f"servicedesk.ticket.{action}", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"status": [source, ticket.status], "decision": decision.pk,
                          "comment": comment})
    if message is not None:
        from punkt.servicedesk import events as ticket_events

        ticket_events.emit("ticket.message_added", ticket, message=message)
        services._timeline(ticket, actor, _("ticket resolved on the manager's decision"),
                           message.body)
        for send in services.REPLY_SENDERS:
            send(ticket, message)
    else:
        services._timeline(ticket, actor, _("proposed resolution returned to the agent"),
                           comment)
    number = ticket.number
    if decision.proposed_by_id and decision.proposed_by_id != getattr(me, "pk", None):
        notify(recipient=decision.proposed_by_id, kind="ticket.decided",
               title=lambda: (_("Ticket %(number)s: the manager accepted your resolution")
                              if accept else
                              _("Ticket %(number)s: the manager returned your resolution "
                                "— %(comment)s")) % {"number": number, "comment": comment},
               url=services.ticket_url(ticket), key=f"ticket.decided:{decision.pk}")
    decision.refresh_from_db()
    return decision


# -- lists ----------------------------------------------------------------------------------

def _led_hq_teams(user: Actor) -> QuerySet[Any, Any]:
    me = employee_of(user)
    return TeamMember.objects.filter(employee=me, is_lead=True,
                                     team__branch__kind=BranchKind.HQ).values("team_id") \
        if me is not None else TeamMember.objects.none().values("team_id")


def decided_by_me(user: Actor) -> QuerySet[Ticket]:
    """The tickets whose weighty matters ``user`` decides: their branches' (where they hold
    ``servicedesk.ticket.decide``) and their HQ teams' as the lead."""
    return (Ticket.objects.visible_to(user, perms.TICKET_DECIDE)
            | Ticket.objects.filter(team_id__in=_led_hq_teams(user)))


def to_decide(user: Actor) -> QuerySet[Ticket]:
    """"Do decyzji": the weighty tickets waiting for ``user``'s decision, oldest first."""
    return (decided_by_me(user).filter(status=TicketStatus.AWAITING_DECISION)
            .select_related("team", "assignee", "customer").order_by("updated_at", "id"))


def may_see_control_list(user: Actor) -> bool:
    return org_perms.can(user, perms.TICKET_DECIDE.code) or _led_hq_teams(user).exists()


def last_full_week(today: datetime.date) -> datetime.date:
    """The Monday of the last full week before ``today``."""
    return today - datetime.timedelta(days=today.weekday() + 7)


def week_param(value: Any, today: datetime.date) -> datetime.date:
    """``2026-W48`` (the week picker's value) → its Monday; else the last full week."""
    text = str(value or "").strip()
    try:
        year, week = text.split("-W")
        return datetime.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return last_full_week(today)


def _bounds(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=zone)
    return start, datetime.datetime.combine(monday + datetime.timedelta(days=7),
                                            datetime.time(), tzinfo=zone)


def control_list(user: Actor, monday: datetime.date) -> QuerySet[Ticket]:
    """The tickets of ``user``'s branches (HQ teams they lead) resolved in the week from
    ``monday`` by staff alone — no manager's decision — with who resolved them, the type,
    and the answer sent last (``answer``), in the order resolved."""
    start, end = _bounds(monday)
    answer = (TicketMessage.objects.filter(ticket_id=OuterRef("pk"), internal=False,
                                           author__isnull=False)
              .order_by("-created_at", "-id").values("body")[:1])
    return (decided_by_me(user)
            .filter(resolved_at__gte=start, resolved_at__lt=end, decided_by__isnull=True,
                    merged_into__isnull=True,
                    status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
            .annotate(answer=Subquery(answer))
            .select_related("type", "team", "customer", "resolved_by", "branch")
            .order_by("resolved_at", "id"))


def hours(delta: datetime.timedelta) -> str:
    """A time to resolve as "2 d 3 h" / "3 h 20 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": rest // 60}
    return _("%(h)d h %(m)d min") % {"h": rest // 60, "m": rest % 60}


def _control_recipients() -> list[Any]:
    from punkt.organization.models import Employee

    managers = Membership.objects.filter(is_active=True, role="manager").values("employee_id")
    leads = TeamMember.objects.filter(is_lead=True, team__is_active=True,
                                      team__branch__kind=BranchKind.HQ).values("employee_id")
    return list(Employee.objects.filter(Q(pk__in=managers) | Q(pk__in=leads), is_active=True)
                .order_by("pk"))


def _control_title(week: str, count: int) -> Any:
    return lambda: ngettext(
        "Control list of week %(week)s: %(n)d ticket resolved by staff alone",
        "Control list of week %(week)s: %(n)d tickets resolved by staff alone",
        count) % {"week": week, "n": count}


def notify_control_lists(*, now: datetime.datetime | None = None) -> int:
    """On Monday (from 7:00): tell each manager (HQ team lead) that last week's control
    list is ready, with how many tickets it has — once per manager and week (the
    notification's key), so running twice tells nobody twice. Returns how many were told."""
    from django.urls import reverse

    now = timezone.localtime(now or timezone.now())
    if now.weekday() != 0 or now.hour < 7:
        return 0
    monday = last_full_week(now.date())
    iso = monday.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    told = 0
    for employee in _control_recipients():
        count = control_list(employee, monday).count()
        if not count:
            continue
        notify(recipient=employee, kind="ticket.control_list",
               title=_control_title(week, count),
               url=f"{reverse('servicedesk:control_list')}?week={week}",
               key=f"ticket.control:{week}:{employee.pk}")
        told += 1
    return told
