"""Reading the catalogue: products, their price at a branch (the price list in force),
the manual's version in force there, and — from the stock area, which registers itself
here (:func:`provides_stock`) — what the branch holds of them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from punkt.catalog import permissions as perms
from punkt.catalog.models import Product
from punkt.materials.models import MaterialKind, MaterialVersion, PriceItem
from punkt.materials.selectors import current_for_branch, in_force_for_branch
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


def product_list(*, user: Actor, q: str = "", kind: str = "",
                 active_only: bool = True) -> QuerySet[Product]:
    org_perms.ensure(user, perms.PRODUCT_VIEW.code)
    qs = Product.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    q = " ".join((q or "").split())[:100]
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(ean=q) | Q(name__icontains=q)
                       | Q(code__istartswith=q))
    return qs.order_by("name", "code")


def product_get(*, user: Actor, product_id: int) -> Product:
    org_perms.ensure(user, perms.PRODUCT_VIEW.code)
    return Product.objects.select_related("manual").get_or_not_found(
        product_id, missing=_("Product not found."))


def prices_at(*, branch_id: int, codes: list[str],
              on: datetime.date | None = None) -> dict[str, PriceItem]:
    """The gross price and VAT of each code in the price lists in force at the branch (of
    each list its current version; when two lists have the code, the one that started
    last wins); codes without a price are absent."""
    if not codes:
        return {}
    versions = in_force_for_branch(branch_id=branch_id, kind=MaterialKind.PRICE_LIST, on=on)
    rank = {v.pk: (v.valid_from, v.number) for v in versions}
    found: dict[str, PriceItem] = {}
    for item in PriceItem.objects.filter(version_id__in=rank, code__in=set(codes)):
        best = found.get(item.code)
        if best is None or rank[item.version_id] > rank[best.version_id]:
            found[item.code] = item
    return found


def manual_at(product: Product, *, branch_id: int) -> MaterialVersion | None:
    if product.manual_id is None:
        return None
    return current_for_branch(branch_id=branch_id, material_id=product.manual_id)


class Stock(Protocol):
    """What a branch holds of one product (the stock area's row)."""

    quantity: int
    in_transit: int
    min_norm: int

    @property
    def below_norm(self) -> bool: ...


#: ``(user, branch_id, product_ids) → {product_id: stock}``; a product absent has none.
StockSource = Callable[[Actor, int, Sequence[int]], Mapping[int, Stock]]
_stock_source: StockSource | None = None


def provides_stock(source: StockSource) -> StockSource:
    """Register the function that tells the catalogue what a branch holds (the stock area
    does, at start-up); the catalogue itself keeps no stock."""
    global _stock_source
    _stock_source = source
    return source


def stock_at(*, user: Actor, branch_id: int, product_ids: Sequence[int]) -> Mapping[int, Stock]:
    """What the branch holds of these products, as far as ``user`` may see it."""
    if _stock_source is None or not product_ids:
        return {}
    return _stock_source(user, branch_id, product_ids)
