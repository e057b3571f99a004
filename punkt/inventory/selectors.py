"""Reading stock: a branch's levels, its ledger, orders (the branch's own; HQ sees all),
and the stock report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.catalog.selectors import prices_at
from punkt.core.errors import NotFound
from punkt.inventory import permissions as perms
from punkt.inventory.models import OrderStatus, StockLevel, StockMovement, StockOrder
from punkt.organization import permissions as org_perms


def levels(*, user: Any, branch_id: int, q: str = "",
           below_only: bool = False) -> QuerySet[StockLevel]:
    org_perms.ensure(user, perms.STOCK_VIEW.code, branch_id)
    qs = StockLevel.objects.filter(branch_id=branch_id).select_related("product")
    q = " ".join((q or "").split())[:100]
    if q:
        qs = qs.filter(Q(product__name__icontains=q) | Q(product__code__istartswith=q)
                       | Q(product__ean=q))
    if below_only:
        qs = qs.filter(min_norm__gt=F("quantity") + F("in_transit"))
    return qs.order_by("product__name", "product_id")


def below_norm_count(branch_id: int) -> int:
    return StockLevel.objects.filter(branch_id=branch_id,
                                     min_norm__gt=F("quantity") + F("in_transit")).count()


def movements(*, user: Any, branch_id: int, product_id: int | None = None
              ) -> QuerySet[StockMovement]:
    org_perms.ensure(user, perms.STOCK_VIEW.code, branch_id)
    qs = StockMovement.objects.filter(branch_id=branch_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return qs.select_related("product", "actor").order_by("-occurred_at", "-pk")


def orders(*, user: Any, status: str = "", branch_id: int | None = None
           ) -> QuerySet[StockOrder]:
    """Orders of the user's branches (HQ: of every branch)."""
    org_perms.ensure(user, perms.STOCK_VIEW.code)
    allowed = org_perms.access_of(user).branches_for(perms.STOCK_VIEW.code)
    qs = StockOrder.objects.select_related("branch", "created_by")
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def order_get(*, user: Any, order_id: int) -> StockOrder:
    allowed = org_perms.access_of(user).branches_for(perms.STOCK_VIEW.code)
    qs = StockOrder.objects.select_related("branch", "created_by", "shipped_by",
                                           "received_by")
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    order = qs.filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Order not found."))
    return order


@dataclass
class StockValue:
    items: int
    units: int
    value_gross: Decimal
    unpriced: int


def stock_value(*, user: Any, branch_id: int) -> StockValue:
    """What the branch holds, valued at the gross prices in force there (products without
    a price are counted apart)."""
    org_perms.ensure(user, perms.STOCK_VIEW.code, branch_id)
    rows = list(StockLevel.objects.filter(branch_id=branch_id, quantity__gt=0)
                .values_list("product__code", "quantity"))
    prices = prices_at(branch_id=branch_id, codes=[code for code, _q in rows])
    value = sum((prices[c].price_gross * q for c, q in rows if c in prices), Decimal(0))
    return StockValue(len(rows), sum(q for _c, q in rows), value,
                      sum(1 for c, _q in rows if c not in prices))
