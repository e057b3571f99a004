"""API of complaints: /api/v1/complaints/… — the same services as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.complaints import clock, selectors, services
from punkt.complaints import permissions as perms
from punkt.complaints.models import Complaint
from punkt.core.api import Amount, Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms

router = Router(tags=["complaints"])

Action = Literal["acknowledge", "decide_in_branch", "send_to_hq", "investigate", "decide",
                 "remedy", "order_refund", "inform", "close", "appeal"]


class ComplaintIn(Strict):
    customer_id: int = Field(ge=1, le=2**62)
    kind: Literal["consumer_goods", "telecom", "business"]
    demand: Literal["repair", "replacement", "price_reduction", "withdrawal", "correction",
                    "compensation"]
    customer_account: str = Field(min_length=1, max_length=services.TEXT_MAX)
    employee_opinion: str = Field("", max_length=services.TEXT_MAX)
    terms_version: str = Field(min_length=1, max_length=100)
    terms_shown: bool
    sale_line_id: int | None = Field(None, ge=1, le=2**62)
    contract_id: int | None = Field(None, ge=1, le=2**62)
    product_text: str = Field("", max_length=200)
    amount: Amount | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    contract_days: int | None = Field(None, ge=1, le=clock.CONTRACT_DAYS_MAX,
                                      description="Days to answer agreed in a business "
                                                  "customer's contract")
    channel: Literal["counter", "phone", "email", "post"] = "counter"
    ticket_id: int | None = Field(None, ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)


class MoveIn(Strict):
    action: Action
    note: str = Field("", max_length=services.TEXT_MAX)
    outcome: Literal["upheld", "partly_upheld", "rejected"] | None = None
    decision_reason: str | None = Field(None, max_length=services.TEXT_MAX)
    legal_basis: str | None = Field(None, max_length=services.SHORT_MAX)
    cause: Literal["product_defect", "service_error", "employee_error", "process_defect",
                   "customer_misuse", "other"] | None = None
    cause_note: str | None = Field(None, max_length=services.TEXT_MAX)
    remedy_note: str | None = Field(None, max_length=services.TEXT_MAX)
    remedy_kind: Literal["replacement", "repair", "other"] | None = Field(
        None, description="remedy: a replacement takes one unit out of the branch's stock")
    product_id: int | None = Field(None, ge=1, le=2**62,
                                   description="remedy: the replacement's product (default: "
                                               "the one bought)")
    refund_amount: Amount | None = Field(None, gt=0, le=Decimal("9999999999.99"),
                                          decimal_places=2,
                                          description="order_refund: paid out at the till")
    informed_how: Literal["email", "post", "in_person", "phone"] | None = None


class ComplaintOut(Schema):
    id: int
    number: str
    branch_id: int
    customer_id: int
    kind: str
    channel: str
    status: str
    sale_line_id: int | None
    contract_id: int | None
    product_text: str
    ticket_id: int | None
    customer_account: str
    employee_opinion: str
    demand: str
    amount: Decimal | None
    terms_version: str
    contract_days: int | None
    received_at: datetime.datetime
    clock_started_at: datetime.datetime
    days: int
    deadline: datetime.datetime
    rule: str
    deemed_accepted: bool
    deemed_at: datetime.datetime | None
    round: int
    cause: str
    cause_note: str
    outcome: str
    decision_reason: str
    legal_basis: str
    decided_at: datetime.datetime | None
    decided_at_hq: bool
    remedy_note: str
    remedy_kind: str
    stock_movement_id: int | None
    refund_amount: Decimal | None
    refund_entry_id: int | None
    informed_how: str
    informed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    actions: list[str]
    url: str


class ComplaintListOut(Schema):
    items: list[ComplaintOut]
    page: Page


class ComplaintQuery(Schema):
    status: Literal["open", "undecided", "registered", "acknowledged", "at_hq",
                    "investigation", "decided", "refund_due", "remedied", "informed",
                    "closed",
                    "all"] = "open"
    overdue: bool = False
    branch_id: int | None = Field(None, ge=1, le=2**62)
    #: a complaint number (or its start) or the customer (name, number, PESEL, phone …)
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _out(c: Complaint, user: Any) -> dict[str, Any]:
    data = {f: getattr(c, f) for f in ComplaintOut.model_fields
            if f not in ("rule", "actions", "url")}
    data["rule"] = clock.rule(c.kind, c.days)
    data["actions"] = services.allowed_actions(c, user)
    data["url"] = services.complaint_url(c)
    return data


@router.get("/complaints", response={200: ComplaintListOut, **errors()},
            operation_id="complaint_list")
@scoped("list")
def complaint_list(request: HttpRequest, q: Query[ComplaintQuery]) -> dict[str, Any]:
    """Complaints the caller sees, the nearest deadline first."""
    org_perms.ensure(request.user, perms.COMPLAINT_VIEW.code)
    qs = selectors.listing(user=request.user, status=q.status, overdue=q.overdue,
                           branch_id=q.branch_id, q=q.q).order_by("deadline", "id")
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_out(c, request.user) for c in items], "page": page}


@router.post("/complaints", response={201: ComplaintOut, **errors()},
             operation_id="complaint_create")
@scoped("self")
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    """Register a complaint; its deadline is computed from its kind and the receipt is
    queued to the customer's e-mail."""
    return Status(201, _out(services.complaint_create(actor=request.user, **payload.dict()),
                            request.user))


@router.get("/complaints/{complaint_id}", response={200: ComplaintOut, **errors(404)},
            operation_id="complaint_get")
@scoped("branch")
def complaint_get(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    return _out(selectors.complaint_get(user=request.user, complaint_id=complaint_id),
                request.user)


@router.post("/complaints/{complaint_id}/moves", response={200: ComplaintOut,
                                                            **errors(404, 409)},
             operation_id="complaint_move")
@scoped("branch")
def complaint_move(request: HttpRequest, complaint_id: int, payload: MoveIn
                   ) -> dict[str, Any]:
    """One step of the workflow with its fields (a decision, the cause, the remedy, how
    the customer was informed; an appeal's reason in ``note``)."""
    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    data = payload.dict()
    action, note = data.pop("action"), data.pop("note")
    fields = {k: v for k, v in data.items() if v is not None}
    return _out(services.complaint_move(actor=request.user, complaint_id=complaint_id,
                                        action=action, note=note, **fields), request.user)


@router.post("/complaints/{complaint_id}/refund-payout",
             response={200: ComplaintOut, **errors(404, 409)},
             operation_id="complaint_refund_pay")
@scoped("branch")
def complaint_refund_pay(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    """The cashier pays the ordered refund out from her open till (a till entry naming the
    complaint); sent again, it pays nothing more and answers the same."""
    services.refund_get(user=request.user, complaint_id=complaint_id)
    complaint = services.refund_pay(actor=request.user, complaint_id=complaint_id)
    return _out(complaint, request.user)


class CapaIn(Strict):
    kind: Literal["corrective", "preventive"]
    description: str = Field(min_length=1, max_length=services.TEXT_MAX)
    owner_id: int = Field(ge=1, le=2**62)
    due_on: datetime.date
    material_id: int | None = Field(None, ge=1, le=2**62,
                                    description="preventive: the HQ material changed")
    procedure: str = Field("", max_length=200,
                           description="preventive: the procedure changed (no material)")


class CapaMoveIn(Strict):
    step: Literal["complete", "verify", "send_back"]
    note: str = Field(min_length=1, max_length=services.TEXT_MAX)


class CapaOut(Schema):
    id: int
    complaint_id: int
    kind: str
    description: str
    owner_id: int
    due_on: datetime.date
    overdue: bool
    material_id: int | None
    procedure: str
    status: str
    done_note: str
    done_at: datetime.datetime | None
    verified_by_id: int | None
    verified_at: datetime.datetime | None
    verification_note: str


def _capa_out(row: Any) -> dict[str, Any]:
    data = {f: getattr(row, f) for f in CapaOut.model_fields if f != "overdue"}
    data["overdue"] = row.is_overdue
    return data


@router.get("/complaints/{complaint_id}/capa", response={200: list[CapaOut], **errors(404)},
            operation_id="complaint_capa_list")
@scoped("branch")
def complaint_capa_list(request: HttpRequest, complaint_id: int) -> list[dict[str, Any]]:
    """The complaint's corrective and preventive actions, the soonest due first."""
    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    return [_capa_out(r) for r in complaint.actions.order_by("due_on", "id")[:200]]


@router.post("/complaints/{complaint_id}/capa", response={201: CapaOut, **errors(404, 409)},
             operation_id="complaint_capa_add")
@scoped("branch")
def complaint_capa_add(request: HttpRequest, complaint_id: int, payload: CapaIn
                       ) -> Status[Any]:
    """Set a corrective or preventive action (owner, due date; a preventive one names the
    HQ material or procedure changed); its owner is notified."""
    from punkt.complaints import capa

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    row = capa.action_add(actor=request.user, complaint_id=complaint_id, **payload.dict())
    return Status(201, _capa_out(row))


@router.post("/complaints/{complaint_id}/capa/{capa_id}/moves",
             response={200: CapaOut, **errors(404, 409)}, operation_id="complaint_capa_move")
@scoped("branch")
def complaint_capa_move(request: HttpRequest, complaint_id: int, capa_id: int,
                        payload: CapaMoveIn) -> dict[str, Any]:
    """The owner records what was done (``complete``); someone else verifies it or sends
    it back, with a note."""
    from punkt.complaints import capa

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    return _capa_out(capa.action_move(actor=request.user, complaint_id=complaint_id,
                                      action_id=capa_id, step=payload.step,
                                      note=payload.note))


class LetterIn(Strict):
    kind: Literal["answer", "completion"]
    channel: Literal["email", "post", "in_person"]
    subject: str = Field("", max_length=200,
                         description="answer: required; completion: HQ's text when empty")
    body: str = Field("", max_length=20000,
                      description="answer: required (GET …/letters/draft gives HQ's text "
                                  "filled); completion: HQ's text when empty")
    missing: str = Field("", max_length=services.TEXT_MAX,
                         description="completion: what the customer is asked to add")
    note: str = Field("", max_length=services.TEXT_MAX,
                      description="answer: a note for the history")
    key: str | None = Field(None, min_length=1, max_length=100,
                            description="once-only: sent again, answers the same letter")


class LetterStepIn(Strict):
    step: Literal["completed", "posted"]
    note: str = Field("", max_length=services.TEXT_MAX,
                      description="completed: what the customer added")
    posted_on: datetime.date | None = Field(None, description="posted: the day of posting")
    tracking_number: str = Field("", max_length=40,
                                 description="posted: the registered-mail number")


class LetterOut(Schema):
    id: int
    complaint_id: int
    round: int
    kind: str
    channel: str
    subject: str
    body: str
    created_at: datetime.datetime
    message_id: int | None
    message_status: str | None
    sent_at: datetime.datetime | None
    posted_on: datetime.date | None
    tracking_number: str
    complete_by: datetime.date | None
    completed_at: datetime.datetime | None
    completed_note: str
    pdf_url: str


class DraftOut(Schema):
    subject: str
    body: str


def _letter_out(row: Any) -> dict[str, Any]:
    from django.urls import reverse

    data = {f: getattr(row, f) for f in LetterOut.model_fields
            if f not in ("message_status", "sent_at", "pdf_url")}
    message = row.message
    data["message_status"] = message.status if message is not None else None
    data["sent_at"] = message.sent_at if message is not None else None
    data["pdf_url"] = reverse("complaints:letter_pdf", args=[row.complaint_id, row.pk])
    return data


@router.get("/complaints/{complaint_id}/letters", response={200: list[LetterOut], **errors(404)},
            operation_id="complaint_letter_list")
@scoped("branch")
def complaint_letter_list(request: HttpRequest, complaint_id: int) -> list[dict[str, Any]]:
    """The letters sent to the customer about the complaint, newest first, with the proof
    of dispatch."""
    from punkt.complaints import letters

    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    return [_letter_out(r) for r in letters.letters_of(complaint)]


@router.get("/complaints/{complaint_id}/letters/draft", response={200: DraftOut, **errors(404)},
            operation_id="complaint_letter_draft")
@scoped("branch")
def complaint_letter_draft(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    """HQ's answer for the complaint's decision, filled with its data, to edit and send."""
    from punkt.complaints import letters

    complaint = selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    subject, body = letters.draft(complaint, request.user, "answer")
    return {"subject": subject, "body": body}


@router.post("/complaints/{complaint_id}/letters", response={201: LetterOut, **errors(404, 409)},
             operation_id="complaint_letter_send")
@scoped("branch")
def complaint_letter_send(request: HttpRequest, complaint_id: int, payload: LetterIn
                          ) -> Status[Any]:
    """Send the answer (the customer is informed in the same step) or ask the customer to
    complete the complaint (their term counted; the handler gets a task)."""
    from punkt.complaints import letters

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    if payload.kind == "answer":
        row = letters.answer_send(actor=request.user, complaint_id=complaint_id,
                                  channel=payload.channel, subject=payload.subject,
                                  body=payload.body, key=payload.key, note=payload.note)
    else:
        row = letters.completion_request(actor=request.user, complaint_id=complaint_id,
                                         channel=payload.channel, missing=payload.missing,
                                         subject=payload.subject, body=payload.body,
                                         key=payload.key)
    return Status(201, _letter_out(row))


@router.post("/complaints/{complaint_id}/letters/{letter_id}/steps",
             response={200: LetterOut, **errors(404, 409)}, operation_id="complaint_letter_step")
@scoped("branch")
def complaint_letter_step(request: HttpRequest, complaint_id: int, letter_id: int,
                          payload: LetterStepIn) -> dict[str, Any]:
    """What the customer added to a request (``completed``), or a posted letter's proof of
    dispatch (``posted``)."""
    from punkt.complaints import letters

    selectors.complaint_get(user=request.user, complaint_id=complaint_id)
    if payload.step == "completed":
        row = letters.completion_record(actor=request.user, complaint_id=complaint_id,
                                        letter_id=letter_id, note=payload.note)
    else:
        row = letters.posting_record(
            actor=request.user, complaint_id=complaint_id, letter_id=letter_id,
            posted_on=payload.posted_on.isoformat() if payload.posted_on else "",
            tracking_number=payload.tracking_number)
    return _letter_out(row)
