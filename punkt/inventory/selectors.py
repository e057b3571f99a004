"""Reading stock: a branch's levels, its ledger, orders (the branch's own; HQ sees all),
and the stock report. Every read starts from ``visible_to`` (the user's branches)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.catalog.models import ProductKind
from punkt.catalog.selectors import prices_at
from punkt.inventory import permissions as perms
from punkt.inventory.filters import StockFilter
from punkt.inventory.models import OrderStatus, StockLevel, StockMovement, StockOrder
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

VIEW = perms.STOCK_VIEW.code


def levels(*, user: Actor, branch_id: int,
           filters: Mapping[str, Any] | None = None) -> QuerySet[StockLevel]:
    """The branch's stock by product name, narrowed by :class:`StockFilter`'s parameters."""
    org_perms.ensure(user, VIEW, branch_id)
    qs = StockLevel.objects.visible_to(user, VIEW, branch_id=branch_id).select_related("product")
    return StockFilter(filters or {}, queryset=qs).qs.order_by("product__name", "product_id")


def stock_of_products(user: Actor, branch_id: int,
                      product_ids: Sequence[int]) -> dict[int, StockLevel]:
    """The branch's stock rows of these products (a product never stocked has none)."""
    if not product_ids:
        return {}
    return {s.product_id: s for s in StockLevel.objects.visible_to(
        user, VIEW, branch_id=branch_id).filter(product_id__in=product_ids)}


def below_norm_count(*, user: Actor, branch_id: int) -> int:
    return StockLevel.objects.visible_to(user, VIEW, branch_id=branch_id).filter(
        min_norm__gt=F("quantity") + F("in_transit")).count()


def below_norm_split(*, user: Actor, branch_id: int) -> tuple[int, int]:
    """What is below norm: goods (ordered from HQ) and printed leaflets (printed for a
    campaign, never ordered from HQ) — one statement."""
    printed = Q(product__kind=ProductKind.LEAFLET)
    found = StockLevel.objects.visible_to(user, VIEW, branch_id=branch_id).filter(
        min_norm__gt=F("quantity") + F("in_transit")).aggregate(
        goods=Count("pk", filter=~printed), printed=Count("pk", filter=printed))
    return found["goods"], found["printed"]


def movements(*, user: Actor, branch_id: int, product_id: int | None = None
              ) -> QuerySet[StockMovement]:
    org_perms.ensure(user, VIEW, branch_id)
    qs = StockMovement.objects.visible_to(user, VIEW, branch_id=branch_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return qs.select_related("product", "actor").order_by("-occurred_at", "-pk")


def orders(*, user: Actor, status: str = "", branch_id: int | None = None
           ) -> QuerySet[StockOrder]:
    """Orders of the user's branches (HQ: of every branch)."""
    org_perms.ensure(user, VIEW)
    qs = StockOrder.objects.visible_to(user, VIEW, branch_id=branch_id).select_related(
        "branch", "created_by")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def order_get(*, user: Actor, order_id: int) -> StockOrder:
    return StockOrder.objects.visible_to(user, VIEW).select_related(
        "branch", "created_by", "shipped_by", "received_by").get_or_not_found(
        order_id, missing=_("Order not found."))


@dataclass
class StockValue:
    items: int
    units: int
    value_gross: Decimal
    unpriced: int


def stock_value(*, user: Actor, branch_id: int) -> StockValue:
    """What the branch holds, valued at the gross prices in force there (products without
    a price are counted apart)."""
    org_perms.ensure(user, VIEW, branch_id)
    rows = list(StockLevel.objects.visible_to(user, VIEW, branch_id=branch_id)
                .filter(quantity__gt=0).values_list("product__code", "quantity"))
    prices = prices_at(branch_id=branch_id, codes=[code for code, _q in rows])
    value = sum((prices[c].price_gross * q for c, q in rows if c in prices), Decimal(0))
    return StockValue(len(rows), sum(q for _c, q in rows), value,
                      sum(1 for c, _q in rows if c not in prices))
