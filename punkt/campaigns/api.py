"""API of campaigns, print orders and leaflet distribution: /api/v1/campaigns/…,
/api/v1/print-orders/…, /api/v1/leaflet-distribution/… — the same services as the
pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.campaigns import permissions as perms
from punkt.campaigns import selectors, services
from punkt.campaigns.models import Campaign, Distribution, PrintOrder
from punkt.campaigns.services import distribution
from punkt.campaigns.services import leaflets as leaflet_svc
from punkt.core.api import Amount, Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms

router = Router(tags=["campaigns"])
MAX_ID = 2**62


class CampaignIn(Strict):
    name: str = Field(min_length=1, max_length=services.NAME_MAX)
    goal: str = Field("", max_length=services.GOAL_MAX)
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Amount = Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    code: str = Field("", max_length=12, description="Empty: generated")
    branch_id: int | None = Field(None, ge=1, le=MAX_ID, description="The planning branch "
                                  "(HQ for HQ roles); default: the only one the caller has")
    all_branches: bool = False
    branch_ids: list[int] = Field([], max_length=500,
                                  description="HQ campaigns: the branches it runs at")
    product_ids: list[int] = Field([], max_length=services.MAX_PRODUCTS)


class CampaignPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=services.NAME_MAX)
    goal: str | None = Field(None, max_length=services.GOAL_MAX)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    budget: Amount | None = Field(None, ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    code: str | None = Field(None, min_length=1, max_length=12)
    all_branches: bool | None = None
    branch_ids: list[int] | None = Field(None, max_length=500)
    product_ids: list[int] | None = Field(None, max_length=services.MAX_PRODUCTS)


class CampaignMoveIn(Strict):
    action: Literal["start", "end", "cancel"]
    reason: str = Field("", max_length=services.REASON_MAX,
                        description="cancel: required")


class CampaignOut(Schema):
    id: int
    name: str
    goal: str
    code: str
    status: str
    branch_id: int
    all_branches: bool
    branch_ids: list[int]
    product_ids: list[int]
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Decimal
    spent: Decimal
    left: Decimal
    new_customers: int
    cost_per_customer: Decimal | None
    actions: list[str]
    url: str


class CampaignListOut(Schema):
    items: list[CampaignOut]
    page: Page


class CampaignQuery(Schema):
    status: Literal["open", "planned", "running", "ended", "cancelled", "all"] = "open"
    q: str = Field("", max_length=100)
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _campaign_out(c: Campaign, user: Any) -> dict[str, Any]:
    budget = services.budget_of(c)
    return {"id": c.pk, "name": c.name, "goal": c.goal, "code": c.code, "status": c.status,
            "branch_id": c.branch_id, "all_branches": c.all_branches,
            "branch_ids": sorted(c.branches.values_list("pk", flat=True)),
            "product_ids": sorted(c.products.values_list("pk", flat=True)),
            "starts_on": c.starts_on, "ends_on": c.ends_on, "budget": c.budget,
            "spent": budget.spent, "left": budget.left, "new_customers": budget.customers,
            "cost_per_customer": budget.cost_per_customer,
            "actions": [a for a in services.allowed_actions(c, user)],
            "url": services.campaign_url(c)}


@router.get("/campaigns", response={200: CampaignListOut, **errors()},
            operation_id="campaign_list")
@scoped("list")
def campaign_list(request: HttpRequest, q: Query[CampaignQuery]) -> dict[str, Any]:
    """Campaigns the caller sees: their branches' own and HQ's campaigns for them."""
    qs = selectors.campaign_list(user=request.user, status=q.status, q=q.q,
                                 branch_id=q.branch_id)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_campaign_out(c, request.user) for c in items], "page": page}


@router.post("/campaigns", response={201: CampaignOut, **errors()},
             operation_id="campaign_create")
@scoped("self")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[Any]:
    """Plan a campaign (state ``planned``); the code is generated when empty."""
    data = payload.dict()
    data["branch"] = data.pop("branch_id")
    campaign = services.campaign_create(actor=request.user, data=data)
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **errors(404)},
            operation_id="campaign_get")
@scoped("branch")
def campaign_get(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return _campaign_out(selectors.campaign_get(user=request.user, campaign_id=campaign_id),
                         request.user)


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, **errors(404, 409)},
              operation_id="campaign_update")
@scoped("branch")
def campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignPatch
                    ) -> dict[str, Any]:
    selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    campaign = services.campaign_update(actor=request.user, campaign_id=campaign_id,
                                        data=payload.dict(exclude_none=True))
    return _campaign_out(campaign, request.user)


@router.post("/campaigns/{campaign_id}/moves", response={200: CampaignOut, **errors(404, 409)},
             operation_id="campaign_move")
@scoped("branch")
def campaign_move(request: HttpRequest, campaign_id: int, payload: CampaignMoveIn
                  ) -> dict[str, Any]:
    selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    campaign = services.campaign_move(actor=request.user, campaign_id=campaign_id,
                                      action=payload.action, reason=payload.reason)
    return _campaign_out(campaign, request.user)


class LeafletIn(Strict):
    branch_id: int = Field(ge=1, le=MAX_ID)
    template_id: int = Field(ge=1, le=MAX_ID, description="An HQ leaflet template version "
                             "in force at the branch")
    title: str = Field("", max_length=120)
    text: str = Field("", max_length=600)


class LeafletOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    source: str = Field(description="template (from an HQ template) or local (uploaded)")
    status: str = Field(description="submitted (to approve), approved or returned")
    template_id: int | None
    title: str
    text: str
    code: str = Field(description="The campaign code the leaflet prints")
    product_id: int
    round: int
    file_name: str
    file_size: int
    return_reason: str
    in_stock: int
    min_norm: int
    below_norm: bool
    actions: list[str]
    pdf_url: str


def _leaflet_out(leaflet: Any, user: Any = None, stock: Any = None) -> dict[str, Any]:
    from django.urls import reverse

    stock = stock or leaflet_svc.stock_of([leaflet])[leaflet.pk]
    return {"id": leaflet.pk, "campaign_id": leaflet.campaign_id,
            "branch_id": leaflet.branch_id, "source": leaflet.source,
            "status": leaflet.status, "template_id": leaflet.template_id,
            "title": leaflet.title, "text": leaflet.text, "code": leaflet.code,
            "product_id": leaflet.product_id, "round": leaflet.round,
            "file_name": leaflet.file_name, "file_size": leaflet.file_size,
            "return_reason": leaflet.return_reason, "in_stock": stock.quantity,
            "min_norm": stock.min_norm, "below_norm": stock.below_norm,
            "actions": leaflet_svc.allowed_actions(leaflet, user) if user else [],
            "pdf_url": reverse("campaigns:leaflet_pdf", args=[leaflet.pk])}


@router.get("/campaigns/{campaign_id}/leaflets", response={200: list[LeafletOut],
                                                            **errors(404)},
            operation_id="campaign_leaflet_list")
@scoped("branch")
def campaign_leaflet_list(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    leaflets = list(selectors.leaflets_of(user=request.user, campaign=campaign)[:200])
    stock = leaflet_svc.stock_of(leaflets)  # one query for all
    return [_leaflet_out(lf, request.user, stock[lf.pk]) for lf in leaflets]


@router.post("/campaigns/{campaign_id}/leaflets", response={201: LeafletOut,
                                                             **errors(404, 409)},
             operation_id="campaign_leaflet_create")
@scoped("branch")
def campaign_leaflet_create(request: HttpRequest, campaign_id: int, payload: LeafletIn
                            ) -> Status[Any]:
    """A leaflet for one of the campaign's branches from an HQ leaflet template."""
    selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    leaflet = services.leaflet_create(actor=request.user, campaign_id=campaign_id,
                                      branch_id=payload.branch_id,
                                      template_id=payload.template_id, title=payload.title,
                                      text=payload.text)
    return Status(201, _leaflet_out(leaflet, request.user))


@router.post("/campaigns/{campaign_id}/local-leaflets", response={201: LeafletOut,
             **errors(404, 409)}, operation_id="campaign_leaflet_upload")
@scoped("branch")
def campaign_leaflet_upload(request: HttpRequest, campaign_id: int) -> Status[Any]:
    """A leaflet made locally, waiting for the manager's approval: a multipart form with
    ``pdf`` (a print-ready PDF, at most 15 MB, told by its bytes), ``branch_id``,
    ``title``, ``code`` (the campaign's code, as the leaflet prints it) and ``text``."""
    selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    leaflet = leaflet_svc.leaflet_upload(
        actor=request.user, campaign_id=campaign_id,
        branch_id=request.POST.get("branch_id"), title=request.POST.get("title", ""),
        code=request.POST.get("code", ""), text=request.POST.get("text", ""),
        pdf=request.FILES.get("pdf"))
    return Status(201, _leaflet_out(leaflet, request.user))


class LeafletMoveIn(Strict):
    action: Literal["approve", "return"]
    reason: str = Field("", max_length=services.REASON_MAX, description="return: required")


class LeafletNormIn(Strict):
    min_norm: int = Field(ge=0, le=100_000)


@router.get("/leaflets/{leaflet_id}", response={200: LeafletOut, **errors(404)},
            operation_id="leaflet_get")
@scoped("branch")
def leaflet_get(request: HttpRequest, leaflet_id: int) -> dict[str, Any]:
    return _leaflet_out(selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id),
                        request.user)


@router.post("/leaflets/{leaflet_id}/moves", response={200: LeafletOut, **errors(404, 409)},
             operation_id="leaflet_move")
@scoped("branch")
def leaflet_move(request: HttpRequest, leaflet_id: int, payload: LeafletMoveIn
                 ) -> dict[str, Any]:
    """Approve a leaflet made locally, or return it with the reason — never one's own
    upload (403)."""
    selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    leaflet = leaflet_svc.leaflet_move(actor=request.user, leaflet_id=leaflet_id,
                                       action=payload.action, reason=payload.reason)
    return _leaflet_out(leaflet, request.user)


@router.post("/leaflets/{leaflet_id}/replacement", response={200: LeafletOut,
             **errors(404, 409)}, operation_id="leaflet_replace")
@scoped("branch")
def leaflet_replace(request: HttpRequest, leaflet_id: int) -> dict[str, Any]:
    """A returned leaflet's corrected PDF: a multipart form with ``pdf`` (and ``title``,
    ``text`` when they change); it waits for the manager again."""
    selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    leaflet = leaflet_svc.leaflet_replace(
        actor=request.user, leaflet_id=leaflet_id, pdf=request.FILES.get("pdf"),
        title=request.POST.get("title"), text=request.POST.get("text"))
    return _leaflet_out(leaflet, request.user)


@router.put("/leaflets/{leaflet_id}/norm", response={200: LeafletOut, **errors(404)},
            operation_id="leaflet_norm_set")
@scoped("branch")
def leaflet_norm_set(request: HttpRequest, leaflet_id: int, payload: LeafletNormIn
                     ) -> dict[str, Any]:
    """The branch's minimum norm of the leaflet (its stock item's norm)."""
    leaflet = selectors.leaflet_get(user=request.user, leaflet_id=leaflet_id)
    leaflet_svc.leaflet_norm_set(actor=request.user, leaflet_id=leaflet.pk,
                                 min_norm=payload.min_norm)
    return _leaflet_out(leaflet, request.user)


class PrintOrderIn(Strict):
    leaflet_id: int = Field(ge=1, le=MAX_ID)
    shop_id: int = Field(ge=1, le=MAX_ID)
    quantity: int = Field(ge=1, le=services.MAX_RUN,
                          description="One of the shop's run sizes")
    note: str = Field("", max_length=500)


class PrintOrderMoveIn(Strict):
    action: Literal["confirm", "deliver", "cancel"]
    reason: str = Field("", max_length=services.REASON_MAX, description="cancel: required")


class PrintOrderOut(Schema):
    id: int
    number: str
    branch_id: int
    campaign_id: int
    leaflet_id: int
    shop_id: int
    quantity: int
    price: Decimal
    status: str
    note: str
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    stock_movement_id: int | None
    cancelled_at: datetime.datetime | None
    cancelled_reason: str
    mail_status: str
    actions: list[str]
    url: str


class PrintOrderListOut(Schema):
    items: list[PrintOrderOut]
    page: Page


class PrintOrderQuery(Schema):
    status: Literal["open", "ordered", "confirmed", "delivered", "cancelled", "all"] = "open"
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _order_out(o: PrintOrder, user: Any) -> dict[str, Any]:
    data = {f: getattr(o, f) for f in PrintOrderOut.model_fields
            if f not in ("mail_status", "actions", "url")}
    mail = getattr(o, "mail", None)
    data["mail_status"] = mail.status if mail else ""
    data["actions"] = services.allowed_actions(o, user)
    data["url"] = services.order_url(o)
    return data


@router.get("/print-orders", response={200: PrintOrderListOut, **errors()},
            operation_id="print_order_list")
@scoped("list")
def print_order_list(request: HttpRequest, q: Query[PrintOrderQuery]) -> dict[str, Any]:
    qs = selectors.order_list(user=request.user, status=q.status, branch_id=q.branch_id,
                              campaign_id=q.campaign_id).select_related("mail")
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_order_out(o, request.user) for o in items], "page": page}


@router.post("/print-orders", response={201: PrintOrderOut, **errors(404, 409)},
             operation_id="print_order_create")
@scoped("self")
def print_order_create(request: HttpRequest, payload: PrintOrderIn) -> Status[Any]:
    """Order a run of a leaflet; the e-mail with the PDF goes to the shop after the commit.
    An order over the campaign's remaining budget is refused on ``quantity``."""
    org_perms.ensure(request.user, perms.PRINTORDER_MANAGE.code)
    order = services.print_order_create(actor=request.user, **payload.dict())
    return Status(201, _order_out(order, request.user))


@router.get("/print-orders/{order_id}", response={200: PrintOrderOut, **errors(404)},
            operation_id="print_order_get")
@scoped("branch")
def print_order_get(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return _order_out(selectors.order_get(user=request.user, order_id=order_id), request.user)


@router.post("/print-orders/{order_id}/moves", response={200: PrintOrderOut,
                                                          **errors(404, 409)},
             operation_id="print_order_move")
@scoped("branch")
def print_order_move(request: HttpRequest, order_id: int, payload: PrintOrderMoveIn
                     ) -> dict[str, Any]:
    """``deliver`` checks the run in to the branch's stock of leaflets, once: a second
    call is refused with 409 and adds nothing."""
    selectors.order_get(user=request.user, order_id=order_id)
    order = services.print_order_move(actor=request.user, order_id=order_id,
                                      action=payload.action, reason=payload.reason)
    return _order_out(order, request.user)


class DistributionIn(Strict):
    leaflet_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["counter", "mandate"]
    quantity: int = Field(ge=1, le=distribution.MAX_HANDOUT)
    day: datetime.date | None = Field(None, description="Default: today")
    distributor: str = Field("", max_length=distribution.DISTRIBUTOR_MAX,
                             description="mandate: the person on the contract of mandate")
    area: str = Field("", max_length=distribution.AREA_MAX,
                      description="mandate: the streets or the area")
    pay: Amount | None = Field(None, ge=0, le=distribution.MAX_PAY, decimal_places=2,
                               description="mandate: required (0 when unpaid)")


class DistributionMoveIn(Strict):
    action: Literal["confirm", "cancel"]
    reason: str = Field("", max_length=services.REASON_MAX, description="cancel: required")


class DistributionOut(Schema):
    id: int
    number: str
    branch_id: int
    campaign_id: int
    leaflet_id: int
    kind: str
    quantity: int
    day: datetime.date
    distributor: str
    area: str
    pay: Decimal
    status: str
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    stock_movement_id: int
    cancelled_at: datetime.datetime | None
    cancelled_reason: str
    actions: list[str]


class DistributionListOut(Schema):
    items: list[DistributionOut]
    page: Page


class DistributionQuery(Schema):
    status: Literal["recorded", "confirmed", "cancelled", "all"] = "all"
    branch_id: int | None = Field(None, ge=1, le=MAX_ID)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _distribution_out(d: Distribution, user: Any) -> dict[str, Any]:
    data = {f: getattr(d, f) for f in DistributionOut.model_fields if f != "actions"}
    data["actions"] = distribution.allowed_actions(d, user)
    return data


@router.get("/leaflet-distribution", response={200: DistributionListOut, **errors()},
            operation_id="distribution_list")
@scoped("list")
def distribution_list(request: HttpRequest, q: Query[DistributionQuery]) -> dict[str, Any]:
    qs = selectors.distribution_list(user=request.user, status=q.status,
                                     branch_id=q.branch_id, campaign_id=q.campaign_id)
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_distribution_out(d, request.user) for d in items], "page": page}


@router.post("/leaflet-distribution", response={201: DistributionOut, **errors(404, 409)},
             operation_id="distribution_create")
@scoped("self")
def distribution_create(request: HttpRequest, payload: DistributionIn) -> Status[Any]:
    """Leaflets handed out at the counter (final at once) or by a person on a contract of
    mandate (``recorded`` until the manager confirms; the pay counts against the budget).
    More than the branch has in stock is refused on ``quantity``."""
    org_perms.ensure(request.user, perms.DISTRIBUTION_RECORD.code)
    row = distribution.distribution_record(
        actor=request.user, leaflet_id=payload.leaflet_id, kind=payload.kind,
        quantity=payload.quantity, day=payload.day, distributor=payload.distributor,
        area=payload.area, pay="" if payload.pay is None else payload.pay)
    return Status(201, _distribution_out(row, request.user))


@router.get("/leaflet-distribution/{distribution_id}",
            response={200: DistributionOut, **errors(404)}, operation_id="distribution_get")
@scoped("branch")
def distribution_get(request: HttpRequest, distribution_id: int) -> dict[str, Any]:
    return _distribution_out(selectors.distribution_get(
        user=request.user, distribution_id=distribution_id), request.user)


@router.post("/leaflet-distribution/{distribution_id}/moves",
             response={200: DistributionOut, **errors(404, 409)},
             operation_id="distribution_move")
@scoped("branch")
def distribution_move(request: HttpRequest, distribution_id: int, payload: DistributionMoveIn
                      ) -> dict[str, Any]:
    """``cancel`` puts the leaflets back in stock, once."""
    selectors.distribution_get(user=request.user, distribution_id=distribution_id)
    row = distribution.distribution_move(actor=request.user, distribution_id=distribution_id,
                                         action=payload.action, reason=payload.reason)
    return _distribution_out(row, request.user)


# Mass mailings (``mailing_api.py``): /api/v1/mailings/… on this router.
from punkt.campaigns import mailing_api  # noqa: E402, F401
