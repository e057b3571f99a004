"""The orphan check (R9.3): open tickets nobody owns are routed again.

A ticket is an orphan when it is open and has no assignee, an inactive one (they left),
or one who is no longer a member of the ticket's team (they moved on). Every 15 minutes
(``tasks.py``, and ``punkt servicedesk_orphans [--dry-run]``) each orphan is locked,
checked again under the lock, and given to the member whose turn it is
(``services.route``: the team's routing, people absent today skipped, substitutes taking
over). When nobody is in, an owner who left is taken off (the ticket waits in the team's
queue, unassigned); an unassigned ticket with nobody in stays as it is and is not
reported. Each fix is a conditional update on the assignee read under the lock (C10),
audited, and the new assignee is told; the team's leads get **one** notification per run
listing their team's fixed tickets. ``dry_run`` does the same work in a transaction that
is rolled back (the round-robin pointer included) and returns what it would have done.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punkt.core.audit import audit_record
from punkt.servicedesk.models import OPEN_STATES, TeamMember, Ticket
from punkt.work.services import notify

#: tickets looked at per query, and at most per run
BATCH = 500
MAX_PER_RUN = 10_000
#: how many numbers a lead's notification lists before "and N more"
LISTED = 10


@dataclass(frozen=True)
class Fix:
    """One orphan handled (or, in a dry run, that would be)."""

    ticket_id: int
    number: str
    team_id: int
    team: str
    why: str  # unassigned / inactive / not_member
    before: int | None
    after: int | None
    after_name: str


def orphans() -> QuerySet[Ticket]:
    """Open tickets without an owner: none, an inactive one, or one not in the team."""
    member = TeamMember.objects.filter(team_id=OuterRef("team_id"),
                                       employee_id=OuterRef("assignee_id"))
    return Ticket.objects.filter(status__in=OPEN_STATES).filter(
        Q(assignee__isnull=True) | Q(assignee__is_active=False) | ~Exists(member))


def why_orphan(ticket: Ticket) -> str | None:
    if ticket.assignee_id is None or ticket.assignee is None:
        return "unassigned"
    if not ticket.assignee.is_active:
        return "inactive"
    if not TeamMember.objects.filter(team_id=ticket.team_id,
                                     employee_id=ticket.assignee_id).exists():
        return "not_member"
    return None


def _fix_one(pk: int, today: datetime.date) -> Fix | None:
    from punkt.servicedesk.services import route, ticket_url

    ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("team", "assignee")
              .filter(pk=pk, status__in=OPEN_STATES).first())
    if ticket is None:
        return None
    why = why_orphan(ticket)
    if why is None:
        return None
    to = route(ticket.team, today=today)
    if to is None and ticket.assignee_id is None:
        return None
    before = ticket.assignee_id
    after = getattr(to, "pk", None)
    if not Ticket.objects.filter(pk=pk, status=ticket.status,
                                 assignee_id=before).update(assignee_id=after):
        return None  # pragma: no cover - the row lock keeps it as read
    ticket.assignee_id = after
    audit_record(action="servicedesk.ticket.orphan", obj=ticket, branch_id=ticket.branch_id,
                 actor_label="job:orphans", changes={"assignee": [before, after], "why": why})
    if to is not None:
        number, subject = ticket.number, ticket.subject
        notify(recipient=to, kind="ticket.assigned",
               title=lambda: _("Ticket %(number)s is yours: %(subject)s")
               % {"number": number, "subject": subject},
               url=ticket_url(ticket),
               key=f"ticket.assigned:{ticket.pk}:{after}:{timezone.now():%Y%m%d%H%M%S%f}")
    return Fix(ticket.pk, ticket.number, ticket.team_id, ticket.team.name, why, before, after,
               to.full_name if to is not None else "")


def _tell_leads(fixes: list[Fix], stamp: str) -> None:
    by_team: dict[int, list[Fix]] = {}
    for fix in fixes:
        by_team.setdefault(fix.team_id, []).append(fix)
    for team_id, rows in by_team.items():
        leads = TeamMember.objects.filter(team_id=team_id, is_lead=True,
                                          employee__is_active=True).values_list(
            "employee_id", flat=True)
        numbers = ", ".join(f.number for f in rows[:LISTED])
        more, count, team = len(rows) - LISTED, len(rows), rows[0].team
        for lead in leads:
            def title(count: int = count, team: str = team, numbers: str = numbers,
                      more: int = more) -> str:
                text = _("Orphan check, %(team)s: tickets without an owner handed over "
                         "(%(n)d): %(numbers)s") % {"n": count, "team": team,
                                                    "numbers": numbers}
                if more > 0:
                    text += " " + ngettext("and %(n)s more", "and %(n)s more", more) % {
                        "n": more}
                return text

            notify(recipient=lead, kind="ticket.orphans", title=title,
                   key=f"ticket.orphans:{team_id}:{lead}:{stamp}")


def _run(today: datetime.date, limit: int) -> list[Fix]:
    fixes: list[Fix] = []
    after = looked = 0
    while looked < limit:
        ids = list(orphans().filter(pk__gt=after).order_by("pk")
                   .values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        after = ids[-1]
        looked += len(ids)
        for pk in ids:
            with transaction.atomic():  # one transaction per ticket
                fix = _fix_one(pk, today)
            if fix is not None:
                fixes.append(fix)
    return fixes


def check(*, dry_run: bool = False, today: datetime.date | None = None,
          limit: int = MAX_PER_RUN) -> list[Fix]:
    """Route every orphan again (see the module); returns the fixes, in ticket order."""
    today = today or timezone.localdate()
    if dry_run:
        with transaction.atomic():
            fixes = _run(today, limit)
            transaction.set_rollback(True)
        return fixes
    fixes = _run(today, limit)
    _tell_leads(fixes, f"{timezone.now():%Y%m%d%H%M%S%f}")
    return fixes
