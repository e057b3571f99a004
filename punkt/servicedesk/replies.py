"""Ready answers (canned replies) per team: kept by who keeps the team, offered on the
ticket page, filled in with the ticket's data before the agent adjusts and sends them.

Placeholders: ``{klient}`` (the customer's name), ``{numer}`` (the ticket number),
``{temat}``, ``{pracownik}`` (the agent), ``{zespół}`` (the team) — and their English
names ``{customer}``, ``{number}``, ``{subject}``, ``{agent}``, ``{team}``. An unknown
placeholder stays as typed, so a mistake shows in the text instead of an error.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record
from punkt.core.errors import ValidationFailed
from punkt.core.scoping import BranchScopedQuerySet, branch_ids_visible
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import CannedReply, Team, Ticket

TITLE_MAX = 100
BODY_MAX = 10_000
PLACEHOLDER = re.compile(r"\{(\w+)\}")
NAMES = {"klient": "customer", "numer": "number", "temat": "subject", "pracownik": "agent",
         "zespół": "team"}


def fill(text: str, ticket: Ticket, agent: Any) -> str:
    """``text`` with the ticket's data in place of its placeholders."""
    values = {
        "customer": ticket.customer.display_name if ticket.customer else _("Customer"),
        "number": ticket.number, "subject": ticket.subject,
        "agent": getattr(agent, "full_name", "") or str(agent), "team": ticket.team.name}

    def one(match: re.Match[str]) -> str:
        key = NAMES.get(match.group(1).lower(), match.group(1).lower())
        return values.get(key, match.group(0))

    return PLACEHOLDER.sub(one, text)


def for_ticket(ticket: Ticket) -> QuerySet[CannedReply]:
    """The ready answers offered on ``ticket``: its team's and the company-wide ones."""
    return (CannedReply.objects.filter(Q(team_id=ticket.team_id) | Q(team__isnull=True),
                                       is_active=True).order_by("title"))


def kept_by(user: Actor) -> BranchScopedQuerySet[CannedReply]:
    """The ready answers ``user`` keeps: those of the teams they manage, and the
    company-wide ones for HQ."""
    mine = CannedReply.objects.visible_to(user, perms.TEAM_MANAGE)
    if branch_ids_visible(user, perms.TEAM_MANAGE) is None:
        mine = mine | CannedReply.objects.filter(team__isnull=True)
    return mine.select_related("team").order_by("team__name", "title")


def _text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed("required", _("Fill this in."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


@transaction.atomic
def reply_save(*, actor: Actor, reply_id: Any = None, team_id: Any, title: Any, body: Any,
               is_active: bool = True) -> CannedReply:
    """Create or change a ready answer of a team the actor keeps (no team: company-wide,
    HQ only)."""
    org_perms.ensure(actor, perms.TEAM_MANAGE.code)
    team = None
    if team_id not in (None, ""):
        team = (Team.objects.visible_to(actor, perms.TEAM_MANAGE).filter(pk=int(team_id))
                .first() if str(team_id).isdecimal() and len(str(team_id)) < 19 else None)
        if team is None:
            raise ValidationFailed("invalid", _("Choose one of your teams."), field="team")
        org_perms.ensure(actor, perms.TEAM_MANAGE.code, team.branch_id)
    elif branch_ids_visible(actor, perms.TEAM_MANAGE) is not None:
        raise ValidationFailed("invalid", _("Choose the team: answers for every team are "
                                            "kept by HQ."), field="team")
    title_text = _text(title, "title", TITLE_MAX)
    body_text = _text(body, "body", BODY_MAX)
    if reply_id:
        reply = kept_by(actor).select_for_update(of=("self",)).get_or_not_found(
            reply_id, missing=_("Ready answer not found."))
    else:
        reply = CannedReply()
    before = {"title": reply.title, "body": reply.body, "team": reply.team_id,
              "is_active": reply.is_active} if reply.pk else {}
    reply.team, reply.title, reply.body, reply.is_active = (team, title_text, body_text,
                                                            bool(is_active))
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise ValidationFailed("duplicate", _("The team has a ready answer with this title "
                                              "already."), field="title") from None
    after = {"title": reply.title, "body": reply.body, "team": reply.team_id,
             "is_active": reply.is_active}
    audit_record(action="servicedesk.canned_reply.save", obj=reply, actor=actor,
                 branch_id=team.branch_id if team else None,
                 changes={k: [before.get(k), v] for k, v in after.items()
                          if before.get(k) != v})
    return reply

