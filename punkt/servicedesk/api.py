"""API of the service desk: /api/v1/servicedesk/…"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.servicedesk import merging, selectors, services, weighty
from punkt.servicedesk import permissions as perms
from punkt.servicedesk.models import Ticket, TicketMessage

router = Router(tags=["service desk"])

TicketAction = Literal["open", "wait_customer", "wait_team", "resume", "resolve", "close",
                       "reopen"]


class TicketIn(Strict):
    subject: str = Field(min_length=1, max_length=services.SUBJECT_MAX)
    channel: Literal["counter", "phone"]
    type_id: int = Field(ge=1, le=2**62)
    body: str = Field("", max_length=services.BODY_MAX)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    team_id: int | None = Field(None, ge=1, le=2**62)
    caller: str = Field("", max_length=200)
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2,
                                   description="The amount at stake (PLN), e.g. a disputed "
                                               "invoice: weighs the ticket (R9.4)")


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=services.BODY_MAX)
    internal: bool = False


class AssignIn(Strict):
    assignee_id: int = Field(ge=1, le=2**62)


class TransferIn(Strict):
    team_id: int = Field(ge=1, le=2**62)
    reason: str = Field(max_length=services.REASON_MAX)


class ClockOut(Schema):
    name: str
    due: datetime.datetime
    state: str
    used: float


class TicketOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    channel: str
    priority: str
    type_id: int
    branch_id: int
    team_id: int
    assignee_id: int | None
    customer_id: int | None
    created_at: datetime.datetime
    first_response_due: datetime.datetime
    resolve_due: datetime.datetime
    first_responded_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    sla: str
    sla_warning_at: datetime.datetime | None
    sla_breached_at: datetime.datetime | None
    sla_escalated: bool
    amount: Decimal | None
    weighty: bool
    weighty_reason: str
    merged_into_id: int | None
    split_from_id: int | None
    clocks: list[ClockOut]
    url: str


class TicketListOut(Schema):
    items: list[TicketOut]
    page: Page


class MessageOut(Schema):
    id: int
    ticket_id: int
    author_id: int | None
    author_label: str
    body: str
    internal: bool
    created_at: datetime.datetime


class TicketQuery(Schema):
    queue: Literal["mine", "team", "unassigned", "all"] = "all"
    status: Literal["open", "new", "waiting_customer", "waiting_team", "awaiting_decision",
                    "resolved", "closed"] = "open"
    branch_id: int | None = Field(None, ge=1, le=2**62)
    sla: Literal["", "at_risk", "breached"] = ""
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _ticket(t: Ticket) -> dict[str, Any]:
    data = {f: getattr(t, f) for f in TicketOut.model_fields
            if f not in ("sla", "clocks", "url")}
    schedule = services.team_schedule(t.team)
    data["sla"] = services.stored_badge(t)
    data["clocks"] = [{"name": c.name, "due": c.due, "state": c.state, "used": c.used}
                      for c in services.clocks(t, schedule=schedule)]
    data["url"] = services.ticket_url(t)
    return data


def _message(m: TicketMessage) -> dict[str, Any]:
    return {f: getattr(m, f) for f in MessageOut.model_fields}


@router.get("/servicedesk/tickets", response={200: TicketListOut, **errors()},
            operation_id="servicedesk_ticket_list")
@scoped("list")
def ticket_list(request: HttpRequest, q: Query[TicketQuery]) -> dict[str, Any]:
    """Tickets the caller sees (``queue``: given to them, their teams', unassigned or all),
    the earliest resolution deadline first."""
    org_perms.ensure(request.user, perms.TICKET_VIEW.code)
    qs = selectors.queue(user=request.user, which=q.queue, branch_id=q.branch_id,
                         status=q.status, sla=q.sla).order_by("resolve_due", "id")
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_ticket(t) for t in items], "page": page}


@router.post("/servicedesk/tickets", response={201: TicketOut, **errors()},
             operation_id="servicedesk_ticket_create")
@scoped("self")
def ticket_create(request: HttpRequest, payload: TicketIn) -> Status[Any]:
    """A ticket from the counter or a phone call, routed to a team and a member."""
    return Status(201, _ticket(services.ticket_create(actor=request.user, **payload.dict())))


@router.get("/servicedesk/tickets/{ticket_id}", response={200: TicketOut, **errors(404)},
            operation_id="servicedesk_ticket_get")
@scoped("branch")
def ticket_get(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    return _ticket(selectors.ticket_get(user=request.user, ticket_id=ticket_id))


@router.get("/servicedesk/tickets/{ticket_id}/messages",
            response={200: list[MessageOut], **errors(404)},
            operation_id="servicedesk_message_list")
@scoped("branch")
def message_list(request: HttpRequest, ticket_id: int) -> list[dict[str, Any]]:
    """The conversation, oldest first, internal notes included."""
    ticket = selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return [_message(m) for m in selectors.conversation(ticket)[:1000]]


@router.post("/servicedesk/tickets/{ticket_id}/messages",
             response={201: MessageOut, **errors(404, 409)},
             operation_id="servicedesk_message_post")
@scoped("branch")
def message_post(request: HttpRequest, ticket_id: int, payload: MessageIn) -> Status[Any]:
    """A public reply (the first stops the first-response clock) or an internal note."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    write = services.note if payload.internal else services.reply
    return Status(201, _message(write(actor=request.user, ticket_id=ticket_id,
                                      body=payload.body)))


@router.post("/servicedesk/tickets/{ticket_id}/assign",
             response={200: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_assign")
@scoped("branch")
def ticket_assign(request: HttpRequest, ticket_id: int, payload: AssignIn) -> dict[str, Any]:
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _ticket(services.assign(actor=request.user, ticket_id=ticket_id,
                                   assignee_id=payload.assignee_id))


@router.post("/servicedesk/tickets/{ticket_id}/transfer",
             response={200: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_transfer")
@scoped("branch")
def ticket_transfer(request: HttpRequest, ticket_id: int, payload: TransferIn
                    ) -> dict[str, Any]:
    """Transfer to another team or department with a reason (required); routed within the
    new team; the SLA deadlines stay."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _ticket(services.transfer(actor=request.user, ticket_id=ticket_id,
                                     team_id=payload.team_id, reason=payload.reason))


class AmountIn(Strict):
    amount: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)


class ProposeIn(Strict):
    proposal: str = Field(min_length=1, max_length=services.BODY_MAX)


class DecideIn(Strict):
    decision: Literal["accept", "send_back"]
    comment: str = Field("", max_length=services.REASON_MAX)


class DecisionOut(Schema):
    id: int
    ticket_id: int
    proposal: str
    proposed_by_id: int | None
    proposed_at: datetime.datetime
    outcome: str
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    comment: str


class MergeIn(Strict):
    target: str = Field(min_length=1, max_length=40,
                        description="The ticket to merge into: its id or its number")


class SplitIn(Strict):
    message_id: int = Field(ge=1, le=2**62)
    subject: str = Field(min_length=1, max_length=services.SUBJECT_MAX)


def _decision(d: Any) -> dict[str, Any]:
    return {f: getattr(d, f) for f in DecisionOut.model_fields}


@router.post("/servicedesk/tickets/{ticket_id}/amount",
             response={200: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_amount")
@scoped("branch")
def ticket_amount(request: HttpRequest, ticket_id: int, payload: AmountIn) -> dict[str, Any]:
    """Set the amount at stake (null: none); the ticket is weighed again."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _ticket(weighty.amount_set(actor=request.user, ticket_id=ticket_id,
                                      amount=payload.amount))


@router.post("/servicedesk/tickets/{ticket_id}/propose",
             response={201: DecisionOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_propose")
@scoped("branch")
def ticket_propose(request: HttpRequest, ticket_id: int, payload: ProposeIn) -> Status[Any]:
    """Propose the resolution of a weighty ticket: it waits for the manager's decision."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return Status(201, _decision(weighty.propose(actor=request.user, ticket_id=ticket_id,
                                                 proposal=payload.proposal)))


@router.post("/servicedesk/tickets/{ticket_id}/decide",
             response={200: DecisionOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_decide")
@scoped("branch")
def ticket_decide(request: HttpRequest, ticket_id: int, payload: DecideIn) -> dict[str, Any]:
    """The manager's decision: ``accept`` (the proposal is sent, the ticket resolved) or
    ``send_back`` with a comment (required). A second decision is refused (409)."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _decision(weighty.decide(actor=request.user, ticket_id=ticket_id,
                                    accept=payload.decision == "accept",
                                    comment=payload.comment))


@router.post("/servicedesk/tickets/{ticket_id}/merge",
             response={200: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_merge")
@scoped("branch")
def ticket_merge(request: HttpRequest, ticket_id: int, payload: MergeIn) -> dict[str, Any]:
    """Merge this duplicate into ``target``; answers the target. Refusals (422) name
    ``target``: itself, not seen, closed, merged, another customer's."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _ticket(merging.merge(actor=request.user, ticket_id=ticket_id,
                                 target=payload.target))


@router.post("/servicedesk/tickets/{ticket_id}/split",
             response={201: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_split")
@scoped("branch")
def ticket_split(request: HttpRequest, ticket_id: int, payload: SplitIn) -> Status[Any]:
    """A new ticket from one of this ticket's messages (copied, linked both ways)."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return Status(201, _ticket(merging.split(actor=request.user, ticket_id=ticket_id,
                                             message_id=payload.message_id,
                                             subject=payload.subject)))


@router.post("/servicedesk/tickets/{ticket_id}/{action}",
             response={200: TicketOut, **errors(404, 409)},
             operation_id="servicedesk_ticket_move")
@scoped("branch")
def ticket_move(request: HttpRequest, ticket_id: int, action: TicketAction) -> dict[str, Any]:
    """One step of the workflow (docs/workflows/ticket.md)."""
    selectors.ticket_get(user=request.user, ticket_id=ticket_id)
    return _ticket(services.ticket_move(actor=request.user, ticket_id=ticket_id,
                                        action=action))


class CallerTicketOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    assignee_id: int | None
    resolve_due: datetime.datetime
    url: str
    api_url: str


class CallerCustomerOut(Schema):
    id: int
    number: str
    name: str
    branch_id: int
    url: str
    api_url: str
    open_tickets: list[CallerTicketOut]


class CallerOut(Schema):
    number: str = Field(description="The number as E.164")
    call_url: str = Field(description="The agent's call screen for this number")
    customers: list[CallerCustomerOut]


class CallerQuery(Schema):
    number: str = Field(min_length=1, max_length=40)


@router.get("/callerid", response={200: CallerOut, **errors()}, operation_id="callerid")
@scoped("list")
def callerid(request: HttpRequest, q: Query[CallerQuery]) -> dict[str, Any]:
    """Who is calling: for a telephony system (PBX hook) signed in with an agent's token —
    the customers with this number (as their phone or a further contact) the caller may
    see, up to 10, each with up to 5 open tickets, and the address of the call screen to
    open on the agent's desk."""
    org_perms.ensure(request.user, perms.TICKET_VIEW.code)
    found = selectors.caller(user=request.user, number=q.number)
    return {
        "number": found.number,
        "call_url": f"{reverse('servicedesk:call')}?{urlencode({'number': found.number})}",
        "customers": [{
            "id": c.pk, "number": c.number, "name": c.display_name, "branch_id": c.branch_id,
            "url": reverse("customers:customer_detail", args=[c.pk]),
            "api_url": reverse("api:customer_get", args=[c.pk]),
            "open_tickets": [{
                "id": t.pk, "number": t.number, "subject": t.subject, "status": t.status,
                "assignee_id": t.assignee_id, "resolve_due": t.resolve_due,
                "url": services.ticket_url(t),
                "api_url": reverse("api:ticket_get", args=[t.pk])}
                for t in tickets]}
            for c, tickets in found.customers]}
