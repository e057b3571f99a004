"""API for offers and contracts (the workflow actions come with ``allowed_actions``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.contracts import documents, selectors, services
from punkt.contracts.models import Contract, Offer
from punkt.contracts.workflows import CONTRACT_FLOW, OFFER_FLOW
from punkt.core import files
from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.audit import audit_record
from punkt.core.errors import NotFound
from punkt.core.routes import scoped
from punkt.customers import selectors as customers
from punkt.organization.actors import Actor

router = Router(tags=["offers and contracts"])


class OfferLineIn(Strict):
    price_item_id: int = Field(ge=1, le=2**63 - 1)
    quantity: int = Field(1, ge=1, le=999)
    #: per cent off the price list; above the company's limit the offer awaits approval
    discount: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)


class OfferIn(Strict):
    lines: list[OfferLineIn] = Field(max_length=50)
    promo_version_id: int | None = Field(None, ge=1, le=2**63 - 1)
    note: str = Field("", max_length=2000)


class DecisionIn(Strict):
    accepted: bool
    reason: str = Field("", max_length=500)


class OfferLineOut(Schema):
    code: str
    name: str
    unit: str
    price_gross: Decimal
    vat_rate: str
    quantity: int
    discount_percent: Decimal
    total_gross: Decimal


class OfferOut(Schema):
    id: int
    number: str
    customer_id: int
    branch_id: int
    status: str
    promo_version_id: int | None
    note: str
    total_gross: Decimal
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    decline_reason: str
    max_discount: Decimal
    approved_at: datetime.datetime | None
    lines: list[OfferLineOut]
    allowed_actions: list[str]


def _out(offer: Offer, user: Actor) -> dict[str, Any]:
    return {**{f: getattr(offer, f) for f in (
        "id", "number", "customer_id", "branch_id", "status", "note", "total_gross",
        "created_at", "decided_at", "decline_reason", "max_discount", "approved_at")},
        "promo_version_id": offer.promo_id, "lines": list(offer.lines.all()),
        "allowed_actions": OFFER_FLOW.allowed_actions(offer, user)}


@router.post("/customers/{customer_id}/offers", response={201: OfferOut, **errors(404, 409)},
             operation_id="offer_create")
@scoped("branch")
def offer_create(request: HttpRequest, customer_id: int, payload: OfferIn) -> Status[Any]:
    customers.customer_get(user=request.user, customer_id=customer_id)
    offer = services.offer_create(actor=request.user, customer_id=customer_id,
                                  lines=[line.dict() for line in payload.lines],
                                  promo_version_id=payload.promo_version_id, note=payload.note)
    return Status(201, _out(offer, request.user))


@router.get("/offers/{offer_id}", response={200: OfferOut, **errors(404)},
            operation_id="offer_get")
@scoped("branch")
def offer_get(request: HttpRequest, offer_id: int) -> Any:
    return _out(selectors.offer_get(user=request.user, offer_id=offer_id), request.user)


@router.post("/offers/{offer_id}/decision", response={200: OfferOut, **errors(404, 409)},
             operation_id="offer_decide")
@scoped("branch")
def offer_decide(request: HttpRequest, offer_id: int, payload: DecisionIn) -> Any:
    selectors.offer_get(user=request.user, offer_id=offer_id)
    offer = services.offer_decide(actor=request.user, offer_id=offer_id,
                                  accepted=payload.accepted, reason=payload.reason)
    return _out(offer, request.user)


@router.post("/offers/{offer_id}/approval", response={200: OfferOut, **errors(403, 404, 409)},
             operation_id="offer_approve")
@scoped("branch")
def offer_approve(request: HttpRequest, offer_id: int) -> Any:
    """Approve a discount above the company's limit (C11: not the offer's author)."""
    selectors.offer_get(user=request.user, offer_id=offer_id)
    return _out(services.offer_approve(actor=request.user, offer_id=offer_id), request.user)


# --- Contracts -------------------------------------------------------------------------

class ContractIn(Strict):
    template_version_id: int = Field(ge=1, le=2**63 - 1)
    term_months: int = Field(ge=1, le=120)
    starts_on: datetime.date | None = None
    campaign_code: str = Field("", max_length=12, description="A leaflet's campaign code the "
                               "customer gave: a campaign running at the branch")


if TYPE_CHECKING:
    ContractAction = str
else:  # CONTRACT_FLOW's steps taken one contract at a time, as the schema's choices
    ContractAction = Literal[services.CONTRACT_ACTIONS]


class ActionIn(Strict):
    action: ContractAction
    #: approve: the template's signature places checked on paper
    signatures: list[str] = Field([], max_length=20)
    #: return: what has to be corrected (plus ``note``)
    problems: list[str] = Field([], max_length=20)
    note: str = Field("", max_length=1000)
    #: reject, cancel, terminate
    reason: str = Field("", max_length=1000)
    #: fix: a new term or start date
    term_months: int | None = Field(None, ge=1, le=120)
    starts_on: datetime.date | None = None
    #: terminate: the last day in force (with ``reason``)
    terminated_on: datetime.date | None = None


class ContractEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_label: str
    at: datetime.datetime
    note: str


class ContractOut(Schema):
    id: int
    number: str
    customer_id: int
    branch_id: int
    offer_id: int | None
    renews_id: int | None
    template_version_id: int
    status: str
    revision: int
    term_months: int
    starts_on: datetime.date
    ends_on: datetime.date
    total_gross: Decimal
    prepared_by_id: int | None
    signed_at: datetime.datetime | None
    batch_id: int | None
    approved_at: datetime.datetime | None
    finalised_at: datetime.datetime | None
    terminated_on: datetime.date | None
    left_on: datetime.date | None
    reasons: str
    campaign_code: str
    pdf_ready: bool
    has_scan: bool
    created_at: datetime.datetime
    allowed_actions: list[str]


class ContractDetailOut(ContractOut):
    values: dict[str, Any]
    events: list[ContractEventOut]


class ContractListOut(Schema):
    items: list[ContractOut]
    page: Page


class ContractQuery(Schema):
    status: str = Field("", max_length=10)
    branch_id: int | None = Field(None, ge=1, le=2**63 - 1)
    customer_id: int | None = Field(None, ge=1, le=2**63 - 1)
    q: str = Field("", max_length=40)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(25, ge=1, le=200)


class BatchOut(Schema):
    id: int
    branch_id: int
    size: int
    contract_ids: list[int]


_FIELDS = ("id", "number", "customer_id", "branch_id", "offer_id", "renews_id", "status",
           "revision", "term_months", "starts_on", "ends_on", "total_gross", "prepared_by_id",
           "signed_at", "batch_id", "approved_at", "finalised_at", "terminated_on", "left_on",
           "reasons", "pdf_ready", "created_at", "campaign_code")


def _contract(c: Contract, user: Actor, *, detail: bool = False) -> dict[str, Any]:
    out = {f: getattr(c, f) for f in _FIELDS}
    out |= {"template_version_id": c.template_id, "has_scan": bool(c.scan_stored),
            "allowed_actions": CONTRACT_FLOW.allowed_actions(c, user)}
    if detail:
        values = dict(c.values)
        if values.get("identyfikator") and c.customer.is_person:
            values["identyfikator"] = c.customer.pesel_masked
        out |= {"values": values, "events": selectors.contract_events(c)}
    return out


@router.post("/offers/{offer_id}/contract", response={201: ContractDetailOut, **errors(404, 409)},
             operation_id="contract_prepare")
@scoped("branch")
def contract_prepare(request: HttpRequest, offer_id: int, payload: ContractIn) -> Status[Any]:
    """A contract from an accepted offer; its PDF is rendered in the background
    (``pdf_ready``)."""
    selectors.offer_get(user=request.user, offer_id=offer_id)
    c = services.contract_prepare(actor=request.user, offer_id=offer_id,
                                  template_version_id=payload.template_version_id,
                                  term_months=payload.term_months, starts_on=payload.starts_on,
                                  campaign_code=payload.campaign_code)
    c = selectors.contract_get(user=request.user, contract_id=c.pk)
    return Status(201, _contract(c, request.user, detail=True))


@router.get("/contracts", response={200: ContractListOut, **errors()},
            operation_id="contract_list")
@scoped("list")
def contract_list(request: HttpRequest, filters: Query[ContractQuery]) -> dict[str, Any]:
    qs = selectors.contract_list(user=request.user, params=filters.dict(), exact=True)
    items, page = page_slice(qs, filters.page, filters.per_page, cap=1000)
    return {"items": [_contract(c, request.user) for c in items], "page": page}


@router.get("/contracts/{contract_id}", response={200: ContractDetailOut, **errors(404)},
            operation_id="contract_get")
@scoped("branch")
def contract_get(request: HttpRequest, contract_id: int) -> Any:
    c = selectors.contract_get(user=request.user, contract_id=contract_id)
    return _contract(c, request.user, detail=True)


@router.post("/contracts/{contract_id}/actions",
             response={200: ContractDetailOut, **errors(404, 409)},
             operation_id="contract_action")
@scoped("branch")
def contract_action(request: HttpRequest, contract_id: int, payload: ActionIn) -> Any:
    """One step of the workflow; ``allowed_actions`` says which are possible now."""
    selectors.contract_get(user=request.user, contract_id=contract_id)
    services.contract_step(actor=request.user, contract_id=contract_id, action=payload.action,
                           data=services.StepInput(
                               signatures=payload.signatures, problems=payload.problems,
                               note=payload.note, reason=payload.reason,
                               term_months=payload.term_months, starts_on=payload.starts_on,
                               terminated_on=payload.terminated_on))
    c = selectors.contract_get(user=request.user, contract_id=contract_id)
    return _contract(c, request.user, detail=True)


@router.post("/contracts/{contract_id}/scan",
             response={200: ContractDetailOut, **errors(404, 409)},
             operation_id="contract_scan_attach")
@scoped("branch")
def contract_scan_attach(request: HttpRequest, contract_id: int) -> Any:
    """The signed scan (PDF, JPG, PNG; multipart form, field ``file``)."""
    selectors.contract_get(user=request.user, contract_id=contract_id)
    services.contract_attach_scan(actor=request.user, contract_id=contract_id,
                                  scan=request.FILES.get("file"))
    c = selectors.contract_get(user=request.user, contract_id=contract_id)
    return _contract(c, request.user, detail=True)


@router.get("/contracts/{contract_id}/pdf", response={200: None, **errors(404)},
            operation_id="contract_pdf")
@scoped("branch")
def contract_pdf(request: HttpRequest, contract_id: int) -> FileResponse:
    c = selectors.contract_get(user=request.user, contract_id=contract_id)
    if not c.pdf_ready:  # never the previous revision's document
        raise NotFound(_("The contract document is still being prepared."))
    audit_record(action="contracts.contract.pdf_view", obj=c, actor=request.user,
                 branch_id=c.branch_id)
    return files.response_for(c.pdf_stored, documents.file_name(c), "application/pdf",
                              area=documents.AREA)


@router.get("/contracts/{contract_id}/scan", response={200: None, **errors(404)},
            operation_id="contract_scan")
@scoped("branch")
def contract_scan(request: HttpRequest, contract_id: int) -> FileResponse:
    c = selectors.contract_get(user=request.user, contract_id=contract_id)
    if not c.scan_stored:
        raise NotFound(_("No scan has been attached."))
    audit_record(action="contracts.contract.scan_view", obj=c, actor=request.user,
                 branch_id=c.branch_id)
    return files.response_for(c.scan_stored, c.scan_name, c.scan_type, area=documents.AREA)


@router.post("/branches/{branch_id}/contract-batches",
             response={201: BatchOut, 204: None, **errors(404)},
             operation_id="contract_batch_collect")
@scoped("branch")
def contract_batch_collect(request: HttpRequest, branch_id: int) -> Any:
    """The manager takes the branch's signed contracts now (204: none waiting)."""
    batch = services.batch_collect(actor=request.user, branch_id=branch_id)
    if batch is None:
        return HttpResponse(status=204)
    return Status(201, {"id": batch.pk, "branch_id": batch.branch_id, "size": batch.size,
                        "contract_ids": list(batch.contracts.values_list("pk", flat=True))})
