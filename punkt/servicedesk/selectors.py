"""Reads of the service desk: the tickets a user sees — of the branches where they hold
``servicedesk.ticket.view``, plus those routed to their teams, given to them or logged
by them (C1/C2: a branch sees its tickets, a team what is routed to it, HQ all)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.scoping import BranchScopedQuerySet, branch_ids_visible
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import (
    OPEN_STATES,
    SlaState,
    Team,
    TeamMember,
    Ticket,
    TicketMessage,
    TicketStatus,
)

QUEUES = ("mine", "team", "unassigned", "all")
#: the SLA filter of the queue: at risk (warning) or breached, from the stored state
SLA_FILTERS = {"at_risk": SlaState.WARNING, "breached": SlaState.BREACHED}


def _mine(user: Actor) -> Q:
    me = employee_of(user)
    if me is None:
        return Q(pk__in=[])
    teams = TeamMember.objects.filter(employee=me).values("team_id")
    return Q(assignee=me) | Q(created_by_id=me.pk) | Q(team_id__in=teams)


def tickets(user: Actor) -> BranchScopedQuerySet[Ticket]:
    """Every ticket ``user`` may open."""
    return Ticket.objects.visible_to(user, perms.TICKET_VIEW) | Ticket.objects.filter(
        _mine(user))


def ticket_get(*, user: Actor, ticket_id: Any) -> Ticket:
    """The ticket ``user`` may open (as ``tickets(user)`` says), else ``NotFound``. Read
    by its id alone and the rule checked on the row: the OR of ``tickets`` in the
    statement cost more to plan and build than the page's other queries together."""
    missing = _("Ticket not found.")
    if not str(ticket_id).isdigit():
        raise NotFound(missing)
    # every joined table costs PostgreSQL ≈0.3 ms of planning: the ticket's branch is its
    # team's (unless a transfer moved one of them), taken from the team's join
    ticket = (Ticket.objects.select_related("team__branch", "assignee", "customer", "type",
                                            "created_by").filter(pk=int(ticket_id)).first())
    if ticket is None or not may_see(user, ticket):
        raise NotFound(missing)
    if ticket.branch_id == ticket.team.branch_id:
        ticket.branch = ticket.team.branch
    return ticket


def may_see(user: Actor, ticket: Ticket) -> bool:
    """``tickets(user)``'s rule for one ticket: its branch is one where ``user`` sees
    tickets, or they are its assignee, its author or in its team."""
    allowed = branch_ids_visible(user, perms.TICKET_VIEW)
    if allowed is None or ticket.branch_id in allowed:
        return True
    me = employee_of(user)
    if me is None:
        return False
    return me.pk in (ticket.assignee_id, ticket.created_by_id) or membership(
        ticket, me) is not None


def membership(ticket: Ticket, me: Employee) -> bool | None:
    """None: ``me`` is not in the ticket's team; else whether they lead it. One page asks
    several times (visibility, actions, forms, transfer, the weighty matter's decider);
    the answer is kept on the instance for the team it was asked about, so a transfer
    asks again."""
    memo: dict[tuple[int, int], bool | None] = ticket.__dict__.setdefault("_member_memo", {})
    key = (me.pk, ticket.team_id)
    if key not in memo:
        memo[key] = (TeamMember.objects.filter(team_id=ticket.team_id, employee=me)
                     .values_list("is_lead", flat=True).first())
    return memo[key]


def my_team_ids(user: Actor) -> list[int]:
    me = employee_of(user)
    if me is None:
        return []
    return list(TeamMember.objects.filter(employee=me).values_list("team_id", flat=True))


def queue(*, user: Actor, which: str = "mine", branch_id: int | None = None,
          status: str = "open", sla: str = "") -> QuerySet[Ticket]:
    """The agent's queue: ``mine`` (given to me), ``team`` (my teams'), ``unassigned``
    (my teams' and my branches' without an owner) or ``all`` I see; open ones by default,
    ``sla`` "at_risk" or "breached" narrows them to the stored SLA state;
    the oldest deadline first is the caller's order."""
    me = employee_of(user)
    qs = tickets(user)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status in TicketStatus.values:
        qs = qs.filter(status=status)
    if sla in SLA_FILTERS:
        qs = qs.filter(sla_state=SLA_FILTERS[sla])
    if which == "mine":
        qs = qs.filter(assignee=me) if me is not None else qs.none()
    elif which == "team":
        qs = qs.filter(team_id__in=my_team_ids(user))
    elif which == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    return qs.select_related("team", "assignee", "customer", "type", "branch")


def linked_ids(ticket: Ticket) -> tuple[list[int], list[int]]:
    """The ids of the tickets merged into ``ticket`` (at most 100) and split from it (at
    most 50), oldest first: one query, kept on the instance for the page's other asks."""
    kept = ticket.__dict__.get("_linked_ids")
    if kept is None:
        merged: list[int] = []
        split: list[int] = []
        # each arm on its own index (an OR of the two foreign keys: a BitmapOr)
        for pk, into in (Ticket.objects.filter(Q(merged_into=ticket) | Q(split_from=ticket))
                         .values_list("pk", "merged_into_id").order_by()[:150]):
            (merged if into == ticket.pk else split).append(pk)
        kept = ticket.__dict__["_linked_ids"] = (sorted(merged)[:100], sorted(split)[:50])
    return kept


def conversation(ticket: Ticket) -> QuerySet[TicketMessage]:
    """The ticket's messages with those of the tickets merged into it (they stay on their
    own ticket: the conversation is append-only), oldest first."""
    merged, _split = linked_ids(ticket)
    return (TicketMessage.objects.filter(ticket_id__in=[ticket.pk, *merged])
            .select_related("author").order_by("created_at", "id"))


def customer_tickets(user: Actor, customer: Any) -> QuerySet[Ticket]:
    return tickets(user).filter(customer=customer).select_related("team", "assignee")


def teams(user: Actor) -> QuerySet[Team]:
    return Team.objects.visible_to(user, perms.TEAM_MANAGE).select_related("branch")


def team_get(*, user: Actor, team_id: Any) -> Team:
    return Team.objects.visible_to(user, perms.TEAM_MANAGE).get_or_not_found(
        team_id, missing=_("Team not found."))


def past_deadline(*, user: Actor, permission: Any) -> BranchScopedQuerySet[Ticket]:
    """Open tickets of the branches where ``user`` holds ``permission`` that breached
    their SLA, as the job recomputing the SLA states last stored it (``sla.refresh``, every
    minute): the same tickets the queue's "breached" filter and badge show."""
    return (Ticket.objects.visible_to(user, permission)
            .filter(status__in=OPEN_STATES, sla_state=SlaState.BREACHED)
            .select_related("team", "assignee", "customer"))


@dataclass
class Caller:
    """Who is calling from ``number`` (E.164): the customers the user may see with it as
    their phone or a further contact, each with their open tickets (nearest deadline
    first)."""

    number: str
    customers: list[tuple[Any, list[Ticket]]]


CALLER_CUSTOMERS = 10
CALLER_TICKETS = 5


def caller(*, user: Actor, number: Any) -> Caller:
    """The caller's card for a telephony system's lookup or the agent's call screen.

    A number that is not a phone number is refused naming the field ``number``; a number
    nobody has gives an empty card (the agent then logs the call with the number)."""
    from punkt.customers import permissions as customer_perms
    from punkt.customers.identifiers import phone_query
    from punkt.customers.models import Customer, CustomerContact

    text = str(number or "").strip()[:40]
    e164 = phone_query(text) if text else None
    if e164 is None:
        raise ValidationFailed("invalid", _("Give a phone number, e.g. +48 601 234 567."),
                               field="number")
    # Two lookups, each on its own index (a column OR a subquery makes PostgreSQL scan).
    pks = set(Customer.objects.filter(phone=e164).values_list("pk", flat=True)[:100])
    pks.update(CustomerContact.objects.filter(kind="phone", value=e164)
               .values_list("customer_id", flat=True)[:100])
    found = list(Customer.objects.visible_to(user, customer_perms.CUSTOMER_VIEW)
                 .filter(pk__in=pks).select_related("branch")
                 .order_by("-updated_at", "pk")[:CALLER_CUSTOMERS])
    open_tickets: dict[int, list[Ticket]] = {c.pk: [] for c in found}
    for t in (tickets(user).filter(customer_id__in=list(open_tickets),
                                   status__in=OPEN_STATES)
              .select_related("team", "assignee").order_by("resolve_due", "pk")[:200]):
        if len(open_tickets[t.customer_id]) < CALLER_TICKETS:  # type: ignore[index]
            open_tickets[t.customer_id].append(t)  # type: ignore[index]
    return Caller(number=e164, customers=[(c, open_tickets[c.pk]) for c in found])


def report_teams(user: Actor) -> list[Team]:
    """The teams a report may be narrowed to: those of the branches ``user`` reports on."""
    return list(Team.objects.visible_to(user, perms.REPORT_VIEW).filter(is_active=True)
                .order_by("name"))
