"""Merge and split tickets.

**Merge**: a duplicate is merged into another ticket of the same customer (or one of them
without a customer), both visible to and handled by the agent. The conversation is
append-only on PostgreSQL (migration 0002), so no message moves: the duplicate keeps its
rows and points at the target (``Ticket.merged_into``); the target's conversation shows
the messages of the tickets merged into it (``selectors.conversation``). The duplicate is
closed as merged (its SLA clocks stop; the target's stay as they are), the customer's
later messages on it go to the target (``services.customer_message``), it is never
reopened. One level
only: a merged ticket is not a target, and a ticket others were merged into is not merged
itself (no chains).

**Split**: a message of a ticket that is a matter of its own becomes a new ticket (same
customer, team, type and priority; a subject given) carrying a copy of the message's
text, linked both ways (``split_from`` / ``split_message``; a note on the original).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Employee
from punkt.servicedesk import events as ticket_events
from punkt.servicedesk import selectors, services, sla, weighty
from punkt.servicedesk.models import TeamMember, Ticket, TicketMessage, TicketStatus
from punkt.servicedesk.workflows import TICKET_FLOW


def _target_id(actor: Actor, value: Any) -> int:
    """The target as an id or a number (``ZG/2026/000123``) of a ticket ``actor`` sees."""
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationFailed("required", _("Choose the ticket to merge into."),
                               field="target")
    if "/" in text:
        found = selectors.tickets(actor).filter(number=text.upper()).values_list(
            "pk", flat=True).first()
    else:
        pk = services._id(text, "target", _("Choose the ticket to merge into."))
        found = selectors.tickets(actor).filter(pk=pk).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed("not_found", _("No such ticket among those you see."),
                               field="target")
    return int(found)


def merge_candidates(ticket: Ticket, user: Any) -> list[Ticket]:
    """The tickets offered as the target: the same customer's other tickets not closed
    and not merged (up to 50, the newest first)."""
    if not ticket.customer_id:
        return []
    return list(selectors.tickets(user).filter(customer_id=ticket.customer_id,
                                               merged_into__isnull=True)
                .exclude(pk=ticket.pk).exclude(status=TicketStatus.CLOSED)
                .order_by("-id")[:50])


@transaction.atomic
def merge(*, actor: Actor, ticket_id: Any, target: Any) -> Ticket:
    """Merge the duplicate ``ticket_id`` into ``target`` (an id or a number); returns the
    target. Refusals name ``target`` (itself, not seen, closed, merged, another
    customer's) or ``status``."""
    source = services._visible_ticket(actor, ticket_id)
    target_pk = _target_id(actor, target)
    if target_pk == source.pk:
        raise ValidationFailed("self", _("A ticket cannot be merged into itself."),
                               field="target")
    # both rows locked in the order of their ids: two merges of the same pair wait, not
    # deadlock
    rows = {t.pk: t for t in Ticket.objects.select_for_update().select_related("team")
            .filter(pk__in=sorted((source.pk, target_pk))).order_by("pk")}
    ticket, into = rows[source.pk], rows[target_pk]
    services._ensure_handle(ticket, actor)
    services._ensure_handle(into, actor)
    if ticket.merged_into_id:
        raise Conflict("merged", _("This ticket is already merged into another one."))
    if into.merged_into_id:
        raise ValidationFailed("chain", _("%(number)s was itself merged into another ticket: "
                                          "merge into that one.") % {"number": into.number},
                               field="target")
    if Ticket.objects.filter(merged_into=ticket).exists():
        raise ValidationFailed("chain", _("Other tickets were merged into this one: merge "
                                          "%(number)s into it instead.")
                               % {"number": into.number}, field="target")
    if into.status == TicketStatus.CLOSED:
        raise ValidationFailed("closed", _("%(number)s is closed: choose an open ticket.")
                               % {"number": into.number}, field="target")
    if ticket.customer_id and into.customer_id and ticket.customer_id != into.customer_id:
        raise ValidationFailed("customer", _("%(number)s is another customer's ticket.")
                               % {"number": into.number}, field="target")
    if services.is_member(ticket, actor):
        TICKET_FLOW.ensure_state(ticket, "merge")
    else:
        TICKET_FLOW.ensure_can(ticket, "merge", actor=actor)
    now = timezone.now()
    status = ticket.status
    changes: dict[str, Any] = {"status": TicketStatus.CLOSED, "closed_at": now,
                               "merged_into": into}
    if status not in services.PAUSED_STATES:
        changes["paused_since"] = now
    services._apply(ticket, status, changes)
    me = employee_of(actor)
    TicketMessage.objects.create(
        ticket=into, author=me, internal=True, created_at=now,
        body=_("Ticket %(number)s (%(subject)s) merged into this one; its conversation is "
               "shown here.") % {"number": ticket.number, "subject": ticket.subject})
    audit_record(action="servicedesk.ticket.merge", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id,
                 changes={"status": [status, ticket.status], "merged_into": into.pk})
    audit_record(action="servicedesk.ticket.merged_in", obj=into, actor=actor,
                 branch_id=into.branch_id, changes={"merged": ticket.pk})
    services._timeline(ticket, actor, _("ticket merged into %(number)s")
                       % {"number": into.number})
    return into


@transaction.atomic
def split(*, actor: Actor, ticket_id: Any, message_id: Any, subject: Any) -> Ticket:
    """A new ticket from a message of ``ticket_id`` (or of a ticket merged into it): the
    same customer, team, type and priority, the subject given, the message's text
    copied; kept by the agent when a member of the team, else routed."""
    ticket = services._locked(actor, ticket_id)
    services._ensure_handle(ticket, actor)
    subject = services._text(subject, "subject", services.SUBJECT_MAX, required=True)
    pk = services._id(message_id, "message", _("Choose a message of this ticket."))
    shown = [ticket.pk, *Ticket.objects.filter(merged_into=ticket).values_list("pk", flat=True)]
    message = TicketMessage.objects.filter(pk=pk, ticket_id__in=shown).first()
    if message is None:
        raise ValidationFailed("invalid", _("Choose a message of this ticket."),
                               field="message")
    if not message.body.strip():
        raise ValidationFailed("invalid", _("This message has no text (erased)."),
                               field="message")
    now = timezone.now()
    team = ticket.team
    schedule = services.team_schedule(team)
    first, resolve = services.targets(ticket.type, ticket.priority)
    me = employee_of(actor)
    assignee: Employee | None
    if me is not None and TeamMember.objects.filter(team=team, employee=me).exists():
        assignee = me
    else:
        assignee = services.route(team, today=timezone.localdate(now))
    new = Ticket.objects.create(
        number=services._next_number(timezone.localdate(now).year), branch_id=team.branch_id,
        team=team, assignee=assignee, customer_id=ticket.customer_id, subject=subject,
        channel=ticket.channel, type_id=ticket.type_id, priority=ticket.priority,
        status=TicketStatus.NEW, created_by=me, created_at=now,
        first_response_due=schedule.add(now, first), resolve_due=schedule.add(now, resolve),
        split_from=ticket, split_message=message)
    weighty.store(new)
    sla.refresh(new, now=now, schedule=schedule)
    copy = TicketMessage.objects.create(ticket=new, author_id=message.author_id,
                                        author_label=message.author_label, body=message.body,
                                        internal=message.internal, created_at=now)
    TicketMessage.objects.create(
        ticket=ticket, author=me, internal=True, created_at=now,
        body=_("A message of %(date)s split into ticket %(number)s: %(subject)s")
        % {"date": timezone.localtime(message.created_at).strftime("%d.%m.%Y %H:%M"),
           "number": new.number, "subject": subject})
    audit_record(action="servicedesk.ticket.split", obj=new, actor=actor,
                 branch_id=new.branch_id,
                 changes={"number": new.number, "split_from": ticket.pk,
                          "message": message.pk, "assignee": new.assignee_id})
    audit_record(action="servicedesk.ticket.split_off", obj=ticket, actor=actor,
                 branch_id=ticket.branch_id, changes={"into": new.pk, "message": message.pk})
    services._timeline(new, actor, _("ticket opened — %(subject)s (split from %(number)s)")
                       % {"subject": subject, "number": ticket.number}, message.body)
    services._tell_assignee(new, actor, why="assigned")
    ticket_events.emit("ticket.created", new, message=copy, split_from=ticket.number)
    return new
