"""API for the retention worklist, its contacts and today's letters."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import MAX_ID, Page, Strict, errors, known_branch, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.retention import letters, selectors, services
from punkt.retention import permissions as perms
from punkt.retention.filters import WorklistFilter
from punkt.retention.workflows import CALL_OUTCOMES

router = Router(tags=["retention"])


class WorklistQuery(Schema):
    horizon_days: int | None = Field(None, ge=1, le=365)
    sort: Literal["date", "value"] = "date"
    branch_id: int | None = Field(None, ge=1, le=2**63 - 1)
    due_only: bool = False
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class WorkItemOut(Schema):
    contract_id: int
    number: str
    customer_id: int
    customer_name: str
    branch_id: int
    ends_on: datetime.date
    total_gross: Decimal
    case_status: str | None
    last_outcome: str | None
    callback_on: datetime.date | None


class WorklistOut(Schema):
    items: list[WorkItemOut]
    page: Page


if TYPE_CHECKING:
    CallOutcome = str
else:  # the outcomes RETENTION_FLOW lets a call end with, as the schema's choices
    CallOutcome = Literal[CALL_OUTCOMES]


class CallIn(Strict):
    outcome: CallOutcome
    reason: str = Field("", max_length=500)
    callback_on: datetime.date | None = None
    note: str = Field("", max_length=2000)


class SendIn(Strict):
    template: str = Field(max_length=40)


class AttemptOut(Schema):
    id: int
    channel: str
    outcome: str
    reason: str
    callback_on: datetime.date | None
    note: str
    message_id: int | None
    at: datetime.datetime
    case_status: str
    renewal_offer_id: int | None


def _item(c: Any) -> dict[str, Any]:
    case = getattr(c, "retention_case", None)
    return {"contract_id": c.pk, "number": c.number, "customer_id": c.customer_id,
            "customer_name": c.customer.display_name, "branch_id": c.branch_id,
            "ends_on": c.ends_on, "total_gross": c.total_gross,
            "case_status": case.status if case else None,
            "last_outcome": (case.last_outcome or None) if case else None,
            "callback_on": case.callback_on if case else None}


def _attempt(a: Any) -> dict[str, Any]:
    case = a.case
    case.refresh_from_db(fields=["status", "renewal_offer"])
    return {"id": a.pk, "channel": a.channel, "outcome": a.outcome, "reason": a.reason,
            "callback_on": a.callback_on, "note": a.note, "message_id": a.message_id,
            "at": a.at, "case_status": case.status, "renewal_offer_id": case.renewal_offer_id}


@router.get("/retention/worklist", response={200: WorklistOut, **errors()},
            operation_id="retention_worklist")
@scoped("list")
def worklist(request: HttpRequest, q: Query[WorklistQuery]) -> dict[str, Any]:
    """Active contracts of your branches ending within the horizon, retention not closed."""
    qs = selectors.worklist(user=request.user, **WorklistFilter(q.dict()).params())
    items, page = page_slice(qs, q.page, q.per_page, cap=2000)
    return {"items": [_item(c) for c in items], "page": page}


@router.post("/contracts/{contract_id}/retention/calls",
             response={201: AttemptOut, **errors(404, 409)}, operation_id="retention_call")
@scoped("branch")
def call(request: HttpRequest, contract_id: int, payload: CallIn) -> Status[Any]:
    """A call and its outcome; "renewed" sends the renewal proposal (art. 20)."""
    selectors.case_contract(user=request.user, contract_id=contract_id)
    attempt = services.log_call(actor=request.user, contract_id=contract_id, **payload.dict())
    return Status(201, _attempt(attempt))


@router.post("/contracts/{contract_id}/retention/messages",
             response={201: AttemptOut, **errors(404, 409)}, operation_id="retention_send")
@scoped("branch")
def send(request: HttpRequest, contract_id: int, payload: SendIn) -> Status[Any]:
    """An e-mail or SMS from a template (marketing ones need the customer's consent)."""
    selectors.case_contract(user=request.user, contract_id=contract_id)
    attempt = services.send_template(actor=request.user, contract_id=contract_id,
                                     template_code=payload.template)
    return Status(201, _attempt(attempt))


class LettersQuery(Schema):
    branch_id: int = Field(ge=1, le=MAX_ID)


class LetterOut(Schema):
    id: int
    customer_id: int | None
    customer_name: str
    address: list[str]
    subject: str
    kind: str
    created_at: datetime.datetime


class LetterBatchIn(Strict):
    branch_id: int = Field(ge=1, le=MAX_ID)


class LetterBatchOut(Schema):
    id: int
    number: str
    branch_id: int
    count: int
    letter_ids: list[int]
    created_at: datetime.datetime
    pdf_url: str


@router.get("/retention/letters", response={200: list[LetterOut], **errors(404)},
            operation_id="retention_letters")
@scoped("branch")
def letters_waiting(request: HttpRequest, q: Query[LettersQuery]) -> list[dict[str, Any]]:
    """The branch's letters waiting to be printed (customers with neither e-mail nor
    phone), oldest first."""
    org_perms.ensure(request.user, perms.RETENTION_WORK.code)  # the role first (403)
    branch_id = known_branch(request.user, q.branch_id, perms.RETENTION_WORK.code)
    rows = letters.waiting(user=request.user, branch_id=branch_id)[:letters.MAX_BATCH]
    return [{"id": m.pk, "customer_id": m.customer_id,
             "customer_name": m.customer.display_name if m.customer else "",
             "address": m.to.split("\n"), "subject": m.subject, "kind": m.kind,
             "created_at": m.created_at} for m in rows]


@router.post("/retention/letters/batches", response={201: LetterBatchOut, **errors(404, 409)},
             operation_id="retention_letters_print")
@scoped("branch")
def letters_print(request: HttpRequest, payload: LetterBatchIn) -> Status[Any]:
    """Print the branch's waiting letters as one PDF and mark them sent. Send an
    ``Idempotency-Key`` header: the same key again returns the same batch. 409 when no
    letter is waiting."""
    from django.urls import reverse

    batch = letters.print_batch(actor=request.user, branch_id=payload.branch_id,
                                key=request.headers.get("Idempotency-Key", ""))
    return Status(201, {
        "id": batch.pk, "number": batch.number, "branch_id": batch.branch_id,
        "count": batch.count, "created_at": batch.created_at,
        "letter_ids": list(batch.letters.order_by("pk").values_list("pk", flat=True)),
        "pdf_url": reverse("retention:letter_batch_pdf", args=[batch.pk])})
