"""Reading sales: a branch's documents, one document, and the sales report."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from punkt.core.money import cents
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.sales import permissions as perms
from punkt.sales.filters import SaleFilter, day_bounds
from punkt.sales.models import Sale, SaleKind, SaleLine


def sale_list(*, user: Actor, filters: Mapping[str, Any] | None = None) -> QuerySet[Sale]:
    """The documents of the user's branches, narrowed by :class:`SaleFilter`'s parameters,
    newest first."""
    org_perms.ensure(user, perms.SALE_VIEW.code)
    qs = Sale.objects.visible_to(user, perms.SALE_VIEW.code).select_related(
        "branch", "seller", "customer")
    return SaleFilter(filters or {}, queryset=qs).qs.order_by("-created_at", "-pk")


def sale_get(*, user: Actor, sale_id: int) -> Sale:
    return Sale.objects.visible_to(user, perms.SALE_VIEW.code).select_related(
        "branch", "seller", "customer").get_or_not_found(sale_id, missing=_("Sale not found."))


@dataclass
class ReportRow:
    key: Any
    label: str
    documents: int
    units: int
    gross: Decimal
    returned: Decimal

    @property
    def net_sales(self) -> Decimal:
        return self.gross - self.returned


def sales_report(*, user: Actor, day_from: datetime.date, day_to: datetime.date,
                 by: str = "branch", branch_id: int | None = None) -> list[ReportRow]:
    """Sales of products and accessories in a period per branch, employee, product or day
    (returns subtracted in their own column)."""
    org_perms.ensure(user, perms.SALE_REPORT.code)
    start, end = day_bounds(day_from, day_to)
    qs = SaleLine.objects.visible_to(user, perms.SALE_REPORT.code, branch_id=branch_id).filter(
        sale__created_at__gte=start, sale__created_at__lt=end)
    group = {"branch": ("sale__branch_id", "sale__branch__name"),
             "employee": ("sale__seller_id", "sale__seller__last_name"),
             "product": ("product_id", "name"),
             "day": ("sale__created_at__date", "sale__created_at__date")}[by]
    is_sale, is_return = Q(sale__kind=SaleKind.SALE), Q(sale__kind=SaleKind.RETURN)
    rows = (qs.values(*group).annotate(
        documents=Count("sale", distinct=True, filter=is_sale),
        units=Sum("quantity", filter=is_sale), gross=Sum("total_gross", filter=is_sale),
        returned=Sum("total_gross", filter=is_return)).order_by(group[1], group[0]))
    rows = list(rows)
    names = _employee_names([r[group[0]] for r in rows]) if by == "employee" else {}
    out = []
    for r in rows:
        label = names.get(r[group[0]], "—") if by == "employee" else r[group[1]]
        # SQLite sums decimals as floats: back to the grosz.
        out.append(ReportRow(r[group[0]], str(label or "—"), r["documents"] or 0,
                             r["units"] or 0, cents(Decimal(r["gross"] or 0)),
                             cents(Decimal(r["returned"] or 0))))
    return sorted(out, key=lambda x: -x.net_sales) if by != "day" else out


def _employee_names(ids: list[int | None]) -> dict[int, str]:
    from punkt.organization.models import Employee

    return {e.pk: e.get_full_name() for e in Employee.objects.filter(
        pk__in=[i for i in ids if i])}
