"""The loyalty index and where customers come from (seed 003, R12.7), for a period of whole
Warsaw months and the branches the reader sees (HQ: all or one). ``docs/analytics.md``,
"Loyalty index and sources", states every rule; in short:

* a **purchase** is a counter sale to a known customer (``sales.Sale``, a receipt, not a
  return) or a contract signed (``Contract.signed_at``) — the KPIs' reading; **revenue** is
  the counter sales' gross total less returns (a contract's money arrives as HQ's
  invoices, as in the ABC turnover, and is not counted here);
* **buyers** — customers with a purchase in the period at the branches; **buying again**
  — buyers with at least two purchases (at any branch) by the period's end; the index is
  buying again / buyers;
* revenue from **existing** customers (first purchase before the period), **new** ones
  (first purchase within it) and sales without a customer;
* **from recommendations** — buyers who came recommended by another customer, their
  purchases and revenue;
* **products per customer** — distinct products bought at the counter per customer who
  bought at the counter;
* the months' sales, revenue, buyers and contracts signed;
* **sources** of the customers registered in the period: a campaign code at registration,
  a recommendation, both, none — with how many bought and their revenue.

Seven grouped statements whatever the number of branches, customers or sales (tested);
nothing is stored (no table of its own)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from punkt.analytics import permissions as perms
from punkt.analytics.kpis import Period
from punkt.contracts.models import Contract
from punkt.customers.models import Customer, Recommendation
from punkt.organization.actors import Actor
from punkt.pipeline.plans import WARSAW
from punkt.sales.models import Sale, SaleKind, SaleLine

ZERO = Decimal("0.00")
SOURCES = (("code", _("campaign code")), ("recommendation", _("recommendation")),
           ("both", _("campaign code and recommendation")), ("none", _("none given")))


def period(first: Any = None, last: Any = None) -> Period:
    """``from``–``to`` months; by default this month and the two before it (the page shows
    the running month, as the campaign effectiveness does); at most twelve."""
    from punkt.analytics import kpis
    from punkt.pipeline import plans

    this = plans.current_month()
    return kpis.period(first or plans.previous_month(plans.previous_month(this)),
                       last or this)


def _percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class Month:
    month: datetime.date
    sales: int = 0
    revenue: Decimal = ZERO
    buyers: int = 0
    contracts: int = 0


@dataclass
class Source:
    key: str
    label: Any
    customers: int = 0
    buyers: int = 0
    revenue: Decimal = ZERO


@dataclass
class Loyalty:
    period: Period
    buyers: int = 0
    repeat: int = 0
    counter_buyers: int = 0
    products: int = 0
    revenue_existing: Decimal = ZERO
    revenue_new: Decimal = ZERO
    revenue_anonymous: Decimal = ZERO
    recommended_buyers: int = 0
    recommended_purchases: int = 0
    recommended_revenue: Decimal = ZERO
    months: list[Month] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    @property
    def index(self) -> Decimal | None:
        """Share of buyers buying again, %."""
        return _percent(self.repeat, self.buyers)

    @property
    def revenue(self) -> Decimal:
        return self.revenue_existing + self.revenue_new + self.revenue_anonymous

    @property
    def existing_share(self) -> Decimal | None:
        return _percent(self.revenue_existing, self.revenue)

    @property
    def new_share(self) -> Decimal | None:
        return _percent(self.revenue_new, self.revenue)

    @property
    def anonymous_share(self) -> Decimal | None:
        return _percent(self.revenue_anonymous, self.revenue)

    @property
    def recommended_share(self) -> Decimal | None:
        return _percent(self.recommended_revenue, self.revenue)

    @property
    def products_per_customer(self) -> Decimal | None:
        if not self.counter_buyers:
            return None
        return (Decimal(self.products) / self.counter_buyers).quantize(Decimal("0.01"))

    @property
    def new_customers(self) -> int:
        return sum(s.customers for s in self.sources)


def _money() -> DecimalField[Any, Any]:
    return DecimalField(max_digits=14, decimal_places=2)


def _signed(prefix: str = "") -> Case:
    """A sale's gross total, a return's negative."""
    return Case(When(**{f"{prefix}kind": SaleKind.RETURN}, then=-F(f"{prefix}total_gross")),
                default=F(f"{prefix}total_gross"), output_field=_money())


def _count(qs: Any) -> Any:
    """A correlated count of ``qs`` (filtered by ``customer=OuterRef``), 0 when none."""
    return Coalesce(Subquery(qs.values("customer").annotate(c=Count("pk")).values("c")[:1],
                             output_field=IntegerField()), Value(0))


def report(user: Actor, span: Period, *, branch_id: int | None = None) -> Loyalty:
    """The figures for ``span`` at the branches ``user`` sees (``branch_id``: one)."""
    start, end = span.bounds
    view = perms.GOALS_VIEW
    out = Loyalty(period=span, months=[Month(m) for m in span.months],
                  sources=[Source(k, label) for k, label in SOURCES])
    sales = Sale.objects.visible_to(user, view, branch_id=branch_id)
    contracts = Contract.objects.visible_to(user, view, branch_id=branch_id)
    sold_in = sales.filter(customer=OuterRef("pk"), kind=SaleKind.SALE,
                           created_at__gte=start, created_at__lt=end)
    signed_in = contracts.filter(customer=OuterRef("pk"), signed_at__gte=start,
                                 signed_at__lt=end)
    recommended = Exists(Recommendation.objects.filter(customer=OuterRef("pk")))

    # 1. buyers, buying again, counter buyers, recommended buyers and their purchases
    upto = (_count(Sale.objects.filter(customer=OuterRef("pk"), kind=SaleKind.SALE,
                                       created_at__lt=end))
            + _count(Contract.objects.filter(customer=OuterRef("pk"), signed_at__lt=end)))
    got = (Customer.objects.filter(Exists(sold_in) | Exists(signed_in))
           .annotate(upto=upto, was_recommended=recommended, at_counter=Exists(sold_in),
                     bought=_count(sold_in) + _count(signed_in))
           .aggregate(buyers=Count("pk"), repeat=Count("pk", filter=Q(upto__gte=2)),
                      counter=Count("pk", filter=Q(at_counter=True)),
                      rec=Count("pk", filter=Q(was_recommended=True)),
                      rec_bought=Sum("bought", filter=Q(was_recommended=True))))
    out.buyers, out.repeat, out.counter_buyers = got["buyers"], got["repeat"], got["counter"]
    out.recommended_buyers = got["rec"]
    out.recommended_purchases = got["rec_bought"] or 0

    # 2. revenue: existing / new / no customer, and the recommended customers'
    before = (Exists(Sale.objects.filter(customer=OuterRef("customer_id"), kind=SaleKind.SALE,
                                         created_at__lt=start))
              | Exists(Contract.objects.filter(customer=OuterRef("customer_id"),
                                               signed_at__lt=start)))
    split = (sales.filter(created_at__gte=start, created_at__lt=end)
             .annotate(known=ExpressionWrapper(Q(customer__isnull=False),
                                               output_field=BooleanField()),
                       existing=ExpressionWrapper(before, output_field=BooleanField()),
                       rec=Exists(Recommendation.objects.filter(
                           customer=OuterRef("customer_id"))))
             .values("known", "existing", "rec").annotate(total=Sum(_signed())).order_by())
    row: Any
    for row in split:
        total = row["total"] or ZERO
        if not row["known"]:
            out.revenue_anonymous += total
        elif row["existing"]:
            out.revenue_existing += total
        else:
            out.revenue_new += total
        if row["known"] and row["rec"]:
            out.recommended_revenue += total

    # 3. products per customer: distinct (customer, product) pairs at the counter
    out.products = (SaleLine.objects.visible_to(user, view, branch_id=branch_id)
                    .filter(sale__kind=SaleKind.SALE, sale__customer__isnull=False,
                            sale__created_at__gte=start, sale__created_at__lt=end)
                    .values("sale__customer_id", "product_id").distinct().count())

    # 4–5. month by month
    by_month = {m.month: m for m in out.months}
    monthly = (sales.filter(created_at__gte=start, created_at__lt=end)
               .annotate(m=TruncMonth("created_at", tzinfo=WARSAW)).values("m")
               .annotate(n=Count("pk", filter=Q(kind=SaleKind.SALE)), total=Sum(_signed()),
                         buyers=Count("customer", distinct=True,
                                      filter=Q(kind=SaleKind.SALE)))
               .order_by())
    for row in monthly:
        month = by_month.get(_month(row["m"]))
        if month is not None:
            month.sales, month.revenue, month.buyers = (row["n"], row["total"] or ZERO,
                                                        row["buyers"])
    signed = (contracts.filter(signed_at__gte=start, signed_at__lt=end)
              .annotate(m=TruncMonth("signed_at", tzinfo=WARSAW)).values("m")
              .annotate(n=Count("pk")).order_by())
    for row in signed:
        month = by_month.get(_month(row["m"]))
        if month is not None:
            month.contracts = row["n"]

    # 6–7. sources of the customers registered in the period
    from punkt.campaigns.models import CampaignCustomer

    def source(coded: bool, rec: bool) -> Source:
        key = "both" if coded and rec else "code" if coded else (
            "recommendation" if rec else "none")
        return next(s for s in out.sources if s.key == key)

    registered = (Customer.objects.visible_to(user, view, branch_id=branch_id)
                  .filter(created_at__gte=start, created_at__lt=end,
                          merged_into__isnull=True)
                  .annotate(coded=Exists(CampaignCustomer.objects.filter(
                      customer=OuterRef("pk"))), rec=recommended,
                      bought=ExpressionWrapper(Q(Exists(sold_in)) | Q(Exists(signed_in)),
                                               output_field=BooleanField()))
                  .values("coded", "rec")
                  .annotate(n=Count("pk"), buyers=Count("pk", filter=Q(bought=True)))
                  .order_by())
    for row in registered:
        s = source(row["coded"], row["rec"])
        s.customers, s.buyers = row["n"], row["buyers"]
    earned = (sales.filter(created_at__gte=start, created_at__lt=end,
                           customer__created_at__gte=start, customer__created_at__lt=end,
                           customer__merged_into__isnull=True)
              .filter(customer__in=Customer.objects.visible_to(user, view,
                                                               branch_id=branch_id))
              .annotate(coded=Exists(CampaignCustomer.objects.filter(
                  customer=OuterRef("customer_id"))),
                  rec=Exists(Recommendation.objects.filter(customer=OuterRef("customer_id"))))
              .values("coded", "rec").annotate(total=Sum(_signed())).order_by())
    for row in earned:
        source(row["coded"], row["rec"]).revenue += row["total"] or ZERO
    return out


def _month(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = value.astimezone(WARSAW)
        return value.date().replace(day=1)
    return value.replace(day=1)  # type: ignore[no-any-return]
