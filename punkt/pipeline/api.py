"""API of the sales pipeline: /api/v1/opportunities/… and /api/v1/pipeline/stages — the
same services as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import Amount, Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.pipeline import permissions as perms
from punkt.pipeline import selectors, services
from punkt.pipeline.models import ControlDate, LossReason, Opportunity

router = Router(tags=["sales pipeline"])

Id = Field(ge=1, le=2**62)
Kind = Literal["retry", "minutes", "offer_valid", "change", "invoice_due", "event", "survey",
               "next_contact"]


class OpportunityIn(Strict):
    customer_id: int = Id
    title: str = Field(min_length=1, max_length=services.TITLE_MAX)
    amount: Amount | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    expected_close: datetime.date | None = Field(
        None, description="Any day of the expected closing month")
    product_id: int | None = Field(None, ge=1, le=2**62)
    stage_id: int | None = Field(None, ge=1, le=2**62)
    owner_id: int | None = Field(None, ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    notes: str = Field("", max_length=services.TEXT_MAX)
    campaign_code: str = Field("", max_length=12, description="A leaflet's campaign code the "
                               "customer gave: a campaign running at the branch")


class StepIn(Strict):
    action: Literal["move", "refuse", "win", "lose", "reopen", "reassign"]
    stage_id: int | None = Field(None, ge=1, le=2**62, description="move: the target stage")
    reason_id: int | None = Field(None, ge=1, le=2**62, description="refuse, lose")
    retry_on: datetime.date | None = Field(None, description="refuse: when to try again")
    owner_id: int | None = Field(None, ge=1, le=2**62, description="reassign")
    note: str = Field("", max_length=services.TEXT_MAX)


class ControlIn(Strict):
    kind: Kind
    on: datetime.date | None = Field(None, description="empty: clear the control date")
    done: bool = Field(False, description="true: the control point is done (its task "
                                          "completed); ``on`` is then not changed")


class ControlOut(Schema):
    kind: str
    on: datetime.date
    task_id: int | None
    done: bool
    overdue: bool


class OpportunityOut(Schema):
    id: int
    number: str
    branch_id: int
    customer_id: int
    owner_id: int
    title: str
    product_id: int | None
    amount: Decimal | None
    expected_close: datetime.date | None
    stage_id: int
    stage: str
    status: str
    loss_reason_id: int | None
    loss_note: str
    notes: str
    campaign_code: str
    created_at: datetime.datetime
    stage_since: datetime.datetime
    closed_at: datetime.datetime | None
    missing: list[str]
    control_dates: list[ControlOut]
    actions: list[str]
    url: str


class OpportunityListOut(Schema):
    items: list[OpportunityOut]
    page: Page


class OpportunityQuery(Schema):
    status: Literal["open", "won", "lost", "all"] = "open"
    customer_id: int | None = Field(None, ge=1, le=2**62)
    stage_id: int | None = Field(None, ge=1, le=2**62)
    owner_id: int | None = Field(None, ge=1, le=2**62)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class ReasonOut(Schema):
    id: int
    label: str


class StageOut(Schema):
    id: int
    code: str
    name: str
    position: int
    probability: int
    requires: list[str]
    reasons: list[ReasonOut]


def _out(o: Opportunity, user: Any) -> dict[str, Any]:
    data = {f: getattr(o, f) for f in OpportunityOut.model_fields
            if f not in ("stage", "missing", "control_dates", "actions", "url")}
    today = timezone.localdate()
    controls = list(o.control_dates.all())  # prefetched by the list
    data.update(
        stage=o.stage.name, missing=services.missing(o, o.stage, {c.kind for c in controls}),
        control_dates=[{"kind": c.kind, "on": c.on, "task_id": c.task_id, "done": c.is_done,
                        "overdue": selectors.overdue_controls(c, today)}
                       for c in controls],
        actions=services.allowed_actions(o, user), url=services.opportunity_url(o))
    return data


@router.get("/pipeline/stages", response={200: list[StageOut], **errors()},
            operation_id="pipeline_stages")
@scoped("self")
def pipeline_stages(request: HttpRequest) -> list[dict[str, Any]]:
    """The company's sales stages in order, with what each requires before it is left and
    its reasons of refusal (those of any stage listed under each)."""
    org_perms.ensure(request.user, perms.OPPORTUNITY_VIEW.code)
    reasons = list(LossReason.objects.filter(active=True).order_by("position", "id"))
    return [{"id": s.pk, "code": s.code, "name": s.name, "position": s.position,
             "probability": s.probability, "requires": list(s.requires or []),
             "reasons": [{"id": r.pk, "label": r.label} for r in reasons
                         if r.stage_id in (None, s.pk)]}
            for s in services.stages()]


@router.get("/opportunities", response={200: OpportunityListOut, **errors()},
            operation_id="opportunity_list")
@scoped("list")
def opportunity_list(request: HttpRequest, q: Query[OpportunityQuery]) -> dict[str, Any]:
    """Opportunities the caller sees, newest first."""
    org_perms.ensure(request.user, perms.OPPORTUNITY_VIEW.code)
    qs = selectors.listing(user=request.user, status=q.status, stage_id=q.stage_id,
                           owner_id=q.owner_id, branch_id=q.branch_id).order_by("-id")
    if q.customer_id:
        qs = qs.filter(customer_id=q.customer_id)
    qs = qs.prefetch_related(Prefetch("control_dates",
                                      queryset=ControlDate.objects.select_related("task")))
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_out(o, request.user) for o in items], "page": page}


@router.post("/opportunities", response={201: OpportunityOut, **errors()},
             operation_id="opportunity_create")
@scoped("self")
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[Any]:
    """Open a sale with a customer (at the first stage unless another is given)."""
    return Status(201, _out(services.opportunity_create(actor=request.user, **payload.dict()),
                            request.user))


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **errors(404)},
            operation_id="opportunity_get")
@scoped("branch")
def opportunity_get(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    return _out(selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id),
                request.user)


@router.post("/opportunities/{opportunity_id}/steps",
             response={200: OpportunityOut, **errors(404, 409)}, operation_id="opportunity_step")
@scoped("branch")
def opportunity_step(request: HttpRequest, opportunity_id: int, payload: StepIn
                     ) -> dict[str, Any]:
    """One step: ``move`` (``stage_id``), ``refuse`` (``reason_id``, ``retry_on``), ``win``,
    ``lose`` (``reason_id``), ``reopen``, ``reassign`` (``owner_id``)."""
    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    data = payload.dict()
    action, note = data.pop("action"), data.pop("note")
    common = {"actor": request.user, "opportunity_id": opportunity_id, "note": note}
    if action == "move":
        result = services.opportunity_move(stage_id=data["stage_id"], **common)
    elif action == "refuse":
        result = services.opportunity_refuse(reason_id=data["reason_id"],
                                             retry_on=data["retry_on"], **common)
    elif action == "win":
        result = services.opportunity_win(**common)
    elif action == "lose":
        result = services.opportunity_lose(reason_id=data["reason_id"], **common)
    elif action == "reopen":
        result = services.opportunity_reopen(**common)
    else:
        result = services.opportunity_reassign(owner_id=data["owner_id"], **common)
    return _out(result, request.user)


@router.put("/opportunities/{opportunity_id}/control-dates",
            response={200: OpportunityOut, **errors(404, 409)},
            operation_id="opportunity_control_date")
@scoped("branch")
def opportunity_control_date(request: HttpRequest, opportunity_id: int, payload: ControlIn
                             ) -> dict[str, Any]:
    """Set, move or clear one control date (the owner's task follows it), or mark it done
    (``done``)."""
    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    if payload.done:
        services.control_done(actor=request.user, opportunity_id=opportunity_id,
                              kind=payload.kind)
    else:
        services.control_set(actor=request.user, opportunity_id=opportunity_id,
                             kind=payload.kind, on=payload.on)
    return _out(selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id),
                request.user)



# --- the sale's documents (R11.4, R15.3; C11) ---------------------------------------------

class OfferLineIn(Strict):
    price_item_id: int = Id
    quantity: int = Field(1, ge=1, le=999)
    discount: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2,
                              description="per cent off the price list's gross price")


class OfferVersionIn(Strict):
    lines: list[OfferLineIn] = Field(min_length=1, max_length=50)
    valid_until: datetime.date = Field(description="also the opportunity's control date")
    text: str = Field("", max_length=2000, description="a note for the customer")


class DocumentIn(Strict):
    kind: Literal["minutes", "acceptance", "survey"]
    text: str = Field("", max_length=5000, description="minutes: what was agreed (required)")
    invoice_ref: str = Field("", max_length=60, description="acceptance: the invoice number")


class DocumentOut(Schema):
    id: int
    kind: str
    version: int
    number: str
    offer_id: int | None
    offer_status: str | None
    total_gross: Decimal | None
    max_discount: Decimal | None
    valid_until: datetime.date | None
    invoice_ref: str
    created_at: datetime.datetime
    sent_at: datetime.datetime | None
    sent_to: str
    send_count: int
    opened_at: datetime.datetime | None
    open_count: int
    may_send: bool
    why_not: str


def _document_out(d: Any) -> dict[str, Any]:
    from punkt.pipeline import sales_documents as docs

    allowed, why = docs.may_send(d)
    offer = d.offer
    return {"id": d.pk, "kind": d.kind, "version": d.version, "number": d.number,
            "offer_id": d.offer_id, "offer_status": offer.status if offer else None,
            "total_gross": offer.total_gross if offer else None,
            "max_discount": offer.max_discount if offer else None,
            "valid_until": d.valid_until, "invoice_ref": d.invoice_ref,
            "created_at": d.created_at, "sent_at": d.sent_at, "sent_to": d.sent_to,
            "send_count": d.send_count, "opened_at": d.opened_at,
            "open_count": d.open_count, "may_send": allowed, "why_not": why}


@router.get("/opportunities/{opportunity_id}/documents",
            response={200: list[DocumentOut], **errors(404)},
            operation_id="opportunity_documents")
@scoped("branch")
def opportunity_documents(request: HttpRequest, opportunity_id: int) -> list[dict[str, Any]]:
    """The sale's documents, newest version first: sent and opened when."""
    from punkt.pipeline import sales_documents as docs

    o = selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    return [_document_out(d) for d in docs.documents_of(o)]


@router.post("/opportunities/{opportunity_id}/offers",
             response={201: DocumentOut, **errors(404, 409)},
             operation_id="opportunity_offer_create")
@scoped("branch")
def opportunity_offer_create(request: HttpRequest, opportunity_id: int,
                             payload: OfferVersionIn) -> Status[Any]:
    """A new version of the offer: price-list positions in force at the branch, a discount
    per line; above the company's limit it awaits another person's approval (C11)."""
    from punkt.pipeline import sales_documents as docs

    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    d = docs.offer_version_create(
        actor=request.user, opportunity_id=opportunity_id,
        lines=[{**line.dict(), "discount": str(line.discount)} for line in payload.lines],
        valid_until=payload.valid_until.isoformat(), text=payload.text)
    return Status(201, _document_out(d))


@router.post("/opportunities/{opportunity_id}/documents",
             response={201: DocumentOut, **errors(404, 409)},
             operation_id="opportunity_document_create")
@scoped("branch")
def opportunity_document_create(request: HttpRequest, opportunity_id: int,
                                payload: DocumentIn) -> Status[Any]:
    """The meeting minutes, the acceptance act or the satisfaction questionnaire."""
    from punkt.pipeline import sales_documents as docs

    selectors.opportunity_get(user=request.user, opportunity_id=opportunity_id)
    return Status(201, _document_out(docs.document_create(
        actor=request.user, opportunity_id=opportunity_id, **payload.dict())))


@router.post("/sales-documents/{document_id}/approval",
             response={200: DocumentOut, **errors(404, 409)},
             operation_id="sales_document_approve")
@scoped("branch")
def sales_document_approve(request: HttpRequest, document_id: int) -> dict[str, Any]:
    """Approve the offer's discount above the limit: the branch's manager or HQ, never the
    offer's author (C11)."""
    from punkt.pipeline import sales_documents as docs

    return _document_out(docs.document_approve(actor=request.user, document_id=document_id))


@router.post("/sales-documents/{document_id}/sending",
             response={200: DocumentOut, **errors(404, 409)},
             operation_id="sales_document_send")
@scoped("branch")
def sales_document_send(request: HttpRequest, document_id: int) -> dict[str, Any]:
    """E-mail the document's PDF to the customer (sent after the commit, retried)."""
    from punkt.pipeline import sales_documents as docs

    docs.document_get(user=request.user, document_id=document_id)
    return _document_out(docs.document_send(actor=request.user, document_id=document_id))


# --- sales plans and monthly packs (R11.6, seed 000 step 1) ------------------------------

Money = Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)
Count_ = Field(ge=0, le=1_000_000)
MonthText = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class PlanIn(Strict):
    branch_id: int = Id
    month: str = MonthText
    employee_id: int | None = Field(None, ge=1, le=2**62,
                                    description="empty: the branch's plan (HQ)")
    sales_net: Decimal = Money
    collected: Decimal = Money
    contracts: int = Count_
    new_customers: int = Count_
    won: int = Count_


class PlanOut(Schema):
    id: int
    branch_id: int
    branch: str
    employee_id: int | None
    month: str
    sales_net: Decimal
    collected: Decimal
    contracts: int
    new_customers: int
    won: int
    locked: bool
    updated_at: datetime.datetime


class PlanListOut(Schema):
    items: list[PlanOut]
    page: Page


class PlanQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$")
    branch_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class PackSummaryOut(Schema):
    branch_id: int
    branch: str
    month: str
    prepared_at: datetime.datetime
    prepared_by_id: int | None
    sales_percent: int | None
    new_customers: int
    goal_met: bool
    url: str


class PackListOut(Schema):
    items: list[PackSummaryOut]
    page: Page


class PackQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$",
                              description="default: the previous month")
    branch_id: int | None = Field(None, ge=1, le=2**62)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


class PackOut(Schema):
    branch_id: int
    month: str
    stored: bool
    prepared_at: datetime.datetime | None
    figures: dict[str, Any]
    url: str


def _plan_out(p: Any) -> dict[str, Any]:
    from punkt.pipeline import plans

    return {"id": p.pk, "branch_id": p.branch_id, "branch": p.branch.name,
            "employee_id": p.employee_id,
            "month": f"{p.month:%Y-%m}", **{c: getattr(p, c) for c in plans.CODES},
            "locked": plans.is_locked(p.month), "updated_at": p.updated_at}


@router.get("/sales-plans", response={200: PlanListOut, **errors()},
            operation_id="sales_plan_list")
@scoped("list")
def sales_plan_list(request: HttpRequest, q: Query[PlanQuery]) -> dict[str, Any]:
    """Plans the caller may read: the branches' and their employees' (managers, HQ), one's
    own (employees)."""
    from punkt.pipeline import plans

    if not (org_perms.can(request.user, perms.PACK_VIEW.code)
            or org_perms.can(request.user, perms.PLAN_OWN.code)):
        org_perms.ensure(request.user, perms.PACK_VIEW.code)
    month = plans.parse_month(q.month) if q.month else None
    items, page = page_slice(plans.plans_of(request.user, month=month, branch_id=q.branch_id),
                             q.page, q.per_page)
    return {"items": [_plan_out(p) for p in items], "page": page}


@router.put("/sales-plans", response={200: PlanOut, **errors(409)},
            operation_id="sales_plan_set")
@scoped("self")
def sales_plan_set(request: HttpRequest, payload: PlanIn) -> dict[str, Any]:
    """Set a month's plan: the branch's (HQ, no ``employee_id``) or an employee's share
    (the branch's manager). A month that is over is locked (422 on ``month``)."""
    from punkt.pipeline import plans

    data = payload.dict()
    plan = plans.plan_set(actor=request.user, branch_id=data.pop("branch_id"),
                          month=data.pop("month"), employee_id=data.pop("employee_id"),
                          values=data)
    return _plan_out(plan)


@router.get("/monthly-packs", response={200: PackListOut, **errors()},
            operation_id="monthly_pack_list")
@scoped("list")
def monthly_pack_list(request: HttpRequest, q: Query[PackQuery]) -> dict[str, Any]:
    """The stored packs of a month (default: the previous one) of the branches the caller
    sees, by branch name."""
    from punkt.pipeline import packs, plans
    from punkt.pipeline.models import MonthlyPack

    org_perms.ensure(request.user, perms.PACK_VIEW.code)
    month = plans.parse_month(q.month) if q.month else plans.previous_month(
        plans.current_month())
    qs = (MonthlyPack.objects.visible_to(request.user, perms.PACK_VIEW, branch_id=q.branch_id)
          .filter(month=month).select_related("branch").order_by("branch__name", "pk"))
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [{"branch_id": p.branch_id, "branch": p.branch.name,
                       "month": f"{p.month:%Y-%m}",
                       "prepared_at": p.prepared_at, "prepared_by_id": p.prepared_by_id,
                       "sales_percent": p.sales_percent, "new_customers": p.new_customers,
                       "goal_met": p.goal_met, "url": packs.pack_url(p.branch_id, p.month)}
                      for p in items], "page": page}


@router.get("/monthly-packs/{branch_id}/{month}", response={200: PackOut, **errors(404)},
            operation_id="monthly_pack_get")
@scoped("branch")
def monthly_pack_get(request: HttpRequest, branch_id: int, month: str) -> dict[str, Any]:
    """A branch's pack of a month: as stored, else computed now (``stored`` false)."""
    from punkt.pipeline import packs, plans

    org_perms.ensure(request.user, perms.PACK_VIEW.code)
    branch = plans.branch_get(request.user, branch_id, perms.PACK_VIEW)
    first = plans.parse_month(month)
    kept = packs.stored(branch.pk, first)
    figures = kept.figures if kept else packs.compute(first, branch.pk)[branch.pk]
    return {"branch_id": branch.pk, "month": packs.month_key(first), "stored": kept is not None,
            "prepared_at": kept.prepared_at if kept else None, "figures": figures,
            "url": packs.pack_url(branch.pk, first)}


class FunnelQuery(Schema):
    date_from: str | None = Field(None, alias="from", pattern=r"^\d{4}-\d{2}(-\d{2})?$",
                                  description="YYYY-MM-DD or YYYY-MM (its first day); "
                                              "default: the month two months ago")
    date_to: str | None = Field(None, alias="to", pattern=r"^\d{4}-\d{2}(-\d{2})?$",
                                description="YYYY-MM-DD or YYYY-MM (its last day); "
                                            "default: today")
    branch_id: int | None = Field(None, ge=1, le=2**62)
    owner_id: int | None = Field(None, ge=1, le=2**62,
                                 description="the employee (owner); a seller: always himself")


class FunnelStageOut(Schema):
    stage_id: int
    name: str
    reached: int
    of_first: Decimal | None
    of_previous: Decimal | None
    refused: int
    lost: int
    stays: int
    average_days: Decimal | None
    median_days: Decimal | None


class FunnelReasonOut(Schema):
    stage_id: int | None
    stage: str
    reason_id: int | None
    reason: str
    count: int


class FunnelRateOut(Schema):
    branch_id: int
    employee_id: int | None
    name: str
    won: int
    lost: int
    win_rate: Decimal | None
    url: str


class FunnelPeriodOut(Schema):
    date_from: datetime.date = Field(alias="from")
    date_to: datetime.date = Field(alias="to")


class FunnelOut(Schema):
    period: FunnelPeriodOut
    branch_id: int | None
    owner_id: int | None
    own_only: bool
    opened: int
    won_of_opened: int
    won_percent: Decimal | None
    stages: list[FunnelStageOut]
    refusals: list[FunnelReasonOut]
    losses: list[FunnelReasonOut]
    employees: list[FunnelRateOut]
    branches: list[FunnelRateOut]
    total: FunnelRateOut
    stays_truncated: bool


@router.get("/pipeline/funnel", response={200: FunnelOut, **errors()},
            operation_id="pipeline_funnel", by_alias=True)
@scoped("list")
def pipeline_funnel(request: HttpRequest, q: Query[FunnelQuery]) -> dict[str, Any]:
    """The funnel and refusals report (R12.6) — the page's figures: conversion by stage,
    refusals and losses by stage and reason, time in stage (days), win rates per employee
    and branch. HQ: every branch; a manager: his branches; a seller: his own."""
    from punkt.pipeline import funnel

    span = funnel.period(q.date_from, q.date_to)
    return funnel.as_dict(funnel.report(request.user, span, branch_id=q.branch_id,
                                        owner_id=q.owner_id))
