"""Campaign effectiveness (R10.3): which campaign brought which customers and what they
bought — per campaign and per branch, for the campaigns that ran in a period.

- **Cost**: the branch's print runs (not cancelled) and its distributors' pay (not
  cancelled) — what ``campaigns.services.spent_on`` counts, split by branch.
- **New customers**: registered with the campaign's code (``CampaignCustomer``).
- **Revenue** of those customers since they registered, gross, by the analytics' rule
  (``refresh.money_sources``): counter sales less returns, and payments for HQ's invoices
  (the part allocated to invoices; reversed payments and their reversals left out).
- **Buying customers**: new customers with at least one sale or payment since.
- **With the code** (R10.3): what customers the campaign did not bring (existing ones, or
  nobody named) bought giving its code — counter sales with the code less their returns
  (``coded_sales``, ``coded_revenue``), contracts signed with the code (``coded_contracts``;
  a contract's "revenue" is its gross total as signed — the accepted offer's total — in
  ``coded_contract_value``), and opportunities opened with it (``coded_offers``, ``won``).
  A customer the campaign brought is left out here: their purchases are in the revenue
  since registration already.
- Cost per new customer and revenue per złoty spent (revenue: sales and payments of the
  new customers, coded sales and contract values of the others).

Nine grouped queries whatever the number of campaigns, branches or customers; a manager
sees his branches' share of HQ's campaigns, HQ every branch."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce

from punkt.analytics import permissions as perms
from punkt.organization.actors import Actor

ZERO = Decimal("0.00")
#: the branch rows a campaign shows on the page (a campaign of HQ runs at hundreds)
BRANCHES_SHOWN = 10
MAX_CAMPAIGNS = 500


@dataclass
class Figures:
    spent: Decimal = ZERO
    customers: int = 0
    buying: int = 0
    sales: Decimal = ZERO
    payments: Decimal = ZERO
    coded_sales: int = 0
    coded_revenue: Decimal = ZERO
    coded_contracts: int = 0
    coded_contract_value: Decimal = ZERO
    coded_offers: int = 0
    coded_won: int = 0

    @property
    def revenue(self) -> Decimal:
        return self.sales + self.payments + self.coded_revenue + self.coded_contract_value

    @property
    def per_customer(self) -> Decimal | None:
        return (self.spent / self.customers).quantize(Decimal("0.01")) if self.customers \
            else None

    @property
    def per_zloty(self) -> Decimal | None:
        return (self.revenue / self.spent).quantize(Decimal("0.01")) if self.spent else None

    def add(self, other: Figures) -> None:
        self.spent += other.spent
        self.customers += other.customers
        self.buying += other.buying
        self.sales += other.sales
        self.payments += other.payments
        self.coded_sales += other.coded_sales
        self.coded_revenue += other.coded_revenue
        self.coded_contracts += other.coded_contracts
        self.coded_contract_value += other.coded_contract_value
        self.coded_offers += other.coded_offers
        self.coded_won += other.coded_won


@dataclass
class BranchFigures(Figures):
    branch_id: int = 0
    branch_name: str = ""


@dataclass
class CampaignFigures(Figures):
    campaign: Any = None
    branches: list[BranchFigures] = field(default_factory=list)

    @cached_property
    def top_branches(self) -> list[BranchFigures]:
        """The page's branch rows: the largest revenue first (every branch in the CSV)."""
        return sorted(self.branches, key=lambda f: (-f.revenue, f.branch_name))[
            :BRANCHES_SHOWN]

    @property
    def more_branches(self) -> int:
        return max(0, len(self.branches) - BRANCHES_SHOWN)


@dataclass
class Report:
    rows: list[CampaignFigures]
    total: Figures
    truncated: bool


def _money() -> DecimalField[Any, Any]:
    return DecimalField(max_digits=14, decimal_places=2)


def report(user: Actor, *, first: datetime.date, last: datetime.date,
           branch_id: int | None = None) -> Report:
    """The campaigns (not cancelled) whose period overlaps ``first``–``last`` that run at
    a branch the user sees, biggest revenue first."""
    from punkt.campaigns.models import (
        Campaign,
        CampaignCustomer,
        CampaignStatus,
        Distribution,
        DistributionStatus,
        PrintOrder,
        PrintOrderStatus,
    )
    from punkt.cashdesk.models import Payment
    from punkt.organization.models import Branch
    from punkt.sales.models import Sale, SaleKind

    view = perms.GOALS_VIEW
    campaigns = list(Campaign.objects.visible_to(user, view, branch_id=branch_id)
                     .filter(starts_on__lte=last, ends_on__gte=first)
                     .exclude(status=CampaignStatus.CANCELLED)
                     .select_related("branch").order_by("-starts_on", "-pk")
                     [:MAX_CAMPAIGNS + 1])
    truncated = len(campaigns) > MAX_CAMPAIGNS
    campaigns = campaigns[:MAX_CAMPAIGNS]
    ids = [c.pk for c in campaigns]
    cells: dict[tuple[int, int], BranchFigures] = {}

    def cell(campaign_id: int, branch: int) -> BranchFigures:
        return cells.setdefault((campaign_id, branch), BranchFigures(branch_id=branch))

    orders = (PrintOrder.objects.visible_to(user, view, branch_id=branch_id)
              .filter(campaign_id__in=ids).exclude(status=PrintOrderStatus.CANCELLED)
              .values("campaign_id", "branch_id").annotate(s=Sum("price")).order_by())
    for row in orders:
        cell(row["campaign_id"], row["branch_id"]).spent += row["s"] or ZERO
    paid = (Distribution.objects.visible_to(user, view, branch_id=branch_id)
            .filter(campaign_id__in=ids).exclude(status=DistributionStatus.CANCELLED)
            .values("campaign_id", "branch_id").annotate(s=Sum("pay")).order_by())
    for pay in paid:
        cell(pay["campaign_id"], pay["branch_id"]).spent += pay["s"] or ZERO

    linked = (CampaignCustomer.objects.visible_to(user, view, branch_id=branch_id)
              .filter(campaign_id__in=ids))
    bought_sale = Sale.objects.filter(customer_id=OuterRef("customer_id"), kind=SaleKind.SALE,
                                      created_at__gte=OuterRef("registered_at"))
    bought_paid = Payment.objects.filter(customer_id=OuterRef("customer_id"),
                                         reverses__isnull=True, reversed_by__isnull=True,
                                         created_at__gte=OuterRef("registered_at"))
    counted = (linked.annotate(by_sale=Exists(bought_sale), by_payment=Exists(bought_paid))
               .values("campaign_id", "branch_id")
               .annotate(n=Count("pk"), b=Count("pk", filter=Q(by_sale=True)
                                                | Q(by_payment=True))).order_by())
    for got in counted:
        figures = cell(got["campaign_id"], got["branch_id"])
        figures.customers, figures.buying = got["n"], got["b"]

    signed = Case(When(customer__sales__kind=SaleKind.RETURN,
                       then=-F("customer__sales__total_gross")),
                  default=F("customer__sales__total_gross"), output_field=_money())
    sold = (linked.filter(customer__sales__created_at__gte=F("registered_at"))
            .values("campaign_id", "branch_id").annotate(s=Sum(signed)).order_by())
    for sale in sold:
        cell(sale["campaign_id"], sale["branch_id"]).sales += sale["s"] or ZERO
    settled = (linked.filter(customer__payments__created_at__gte=F("registered_at"),
                             customer__payments__reverses__isnull=True,
                             customer__payments__reversed_by__isnull=True)
               .values("campaign_id", "branch_id")
               .annotate(s=Coalesce(Sum("customer__payments__allocated"), ZERO,
                                    output_field=_money())).order_by())
    for settlement in settled:
        cell(settlement["campaign_id"], settlement["branch_id"]).payments += (
            settlement["s"] or ZERO)

    # With the code, by customers the campaign did not bring (a return: its sale's code).
    from punkt.contracts.models import Contract, ContractStatus
    from punkt.pipeline.models import Opportunity, OpportunityStatus

    def not_brought(ref: str) -> Any:
        return ~Exists(CampaignCustomer.objects.filter(customer=OuterRef("customer_id"),
                                                       campaign_id=OuterRef(ref)))

    # a sale with the code, or a return of one (the return's own code first): two parts,
    # each through an index (the code's, then the returns of those sales) — a filter on
    # COALESCE(code, the original's code) read every sale
    sales = Sale.objects.visible_to(user, view, branch_id=branch_id)
    sums = {"n": Count("pk", filter=Q(kind=SaleKind.SALE)),
            "s": Sum(Case(When(kind=SaleKind.RETURN, then=-F("total_gross")),
                          default=F("total_gross"), output_field=_money()))}
    own = (sales.filter(campaign_ref__in=ids).annotate(camp=F("campaign_ref"))
           .filter(not_brought("camp")).values("camp", "branch_id").annotate(**sums)
           .order_by())
    of_original = (sales.filter(kind=SaleKind.RETURN, campaign_ref__isnull=True,
                                original__campaign_ref__in=ids)
                   .annotate(camp=F("original__campaign_ref")).filter(not_brought("camp"))
                   .values("camp", "branch_id").annotate(**sums).order_by())
    coded: Any = own.union(of_original, all=True).order_by()  # rows of both parts
    for line in coded:
        figures = cell(line["camp"], line["branch_id"])
        figures.coded_sales += line["n"]
        figures.coded_revenue += line["s"] or ZERO
    contracted = (Contract.objects.visible_to(user, view, branch_id=branch_id)
              .filter(campaign_ref__in=ids, signed_at__isnull=False)
              .exclude(status__in=[ContractStatus.CANCELLED, ContractStatus.REJECTED])
              .filter(not_brought("campaign_ref"))
              .values("campaign_ref", "branch_id")
              .annotate(n=Count("pk"), v=Sum("total_gross")).order_by())
    for deal in contracted:
        figures = cell(int(deal["campaign_ref"] or 0), deal["branch_id"])
        figures.coded_contracts += deal["n"]
        figures.coded_contract_value += deal["v"] or ZERO
    offered = (Opportunity.objects.visible_to(user, view, branch_id=branch_id)
               .filter(campaign_ref__in=ids).values("campaign_ref", "branch_id")
               .annotate(n=Count("pk"), won=Count("pk", filter=Q(
                   status=OpportunityStatus.WON))).order_by())
    for opp in offered:
        figures = cell(int(opp["campaign_ref"] or 0), opp["branch_id"])
        figures.coded_offers += opp["n"]
        figures.coded_won += opp["won"]

    names = dict(Branch.objects.filter(pk__in={b for _c, b in cells})
                 .values_list("pk", "name"))
    by_campaign: dict[int, list[BranchFigures]] = {}
    for (cid, bid), figures in cells.items():
        figures.branch_name = names.get(bid, "")
        by_campaign.setdefault(cid, []).append(figures)
    rows = []
    total = Figures()
    for campaign in campaigns:
        out = CampaignFigures(campaign=campaign)
        for figures in sorted(by_campaign.get(campaign.pk, []), key=lambda f: f.branch_name):
            out.branches.append(figures)
            out.add(figures)
        total.add(out)
        rows.append(out)
    rows.sort(key=lambda r: (-r.revenue, -r.customers, r.campaign.name))
    return Report(rows=rows, total=total, truncated=truncated)
