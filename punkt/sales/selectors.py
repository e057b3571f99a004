"""Reading sales: a branch's documents, one document, and the sales report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound
from punkt.core.money import cents
from punkt.organization import permissions as org_perms
from punkt.sales import permissions as perms
from punkt.sales.models import Sale, SaleKind, SaleLine


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime,
                                                                    datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


def sale_list(*, user: Any, branch_id: int | None = None, kind: str = "",
              seller_id: int | None = None, day_from: datetime.date | None = None,
              day_to: datetime.date | None = None) -> QuerySet[Sale]:
    org_perms.ensure(user, perms.SALE_VIEW.code)
    allowed = org_perms.access_of(user).branches_for(perms.SALE_VIEW.code)
    qs = Sale.objects.select_related("branch", "seller", "customer")
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if kind in SaleKind.values:
        qs = qs.filter(kind=kind)
    if seller_id:
        qs = qs.filter(seller_id=seller_id)
    if day_from or day_to:
        start, end = _day_bounds(day_from or datetime.date(2000, 1, 1),
                                 day_to or timezone.localdate())
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    return qs.order_by("-created_at", "-pk")


def sale_get(*, user: Any, sale_id: int) -> Sale:
    allowed = org_perms.access_of(user).branches_for(perms.SALE_VIEW.code)
    qs = Sale.objects.select_related("branch", "seller", "customer")
    if allowed is not None:
        qs = qs.filter(branch_id__in=allowed)
    sale = qs.filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("Sale not found."))
    return sale


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


def sales_report(*, user: Any, day_from: datetime.date, day_to: datetime.date,
                 by: str = "branch", branch_id: int | None = None) -> list[ReportRow]:
    """Sales of products and accessories in a period per branch, employee, product or day
    (returns subtracted in their own column)."""
    org_perms.ensure(user, perms.SALE_REPORT.code)
    allowed = org_perms.access_of(user).branches_for(perms.SALE_REPORT.code)
    start, end = _day_bounds(day_from, day_to)
    qs = SaleLine.objects.filter(sale__created_at__gte=start, sale__created_at__lt=end)
    if allowed is not None:
        qs = qs.filter(sale__branch_id__in=allowed)
    if branch_id:
        qs = qs.filter(sale__branch_id=branch_id)
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
