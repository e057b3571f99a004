"""Reads of campaigns and print orders, starting from ``visible_to``: a branch sees its
own campaigns and HQ's campaigns for it, HQ every one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import (
    Campaign,
    CampaignCustomer,
    CampaignStatus,
    Distribution,
    DistributionStatus,
    Leaflet,
    PrintOrder,
    PrintOrderStatus,
    PrintShop,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

STATUS_FILTERS = ("open", *CampaignStatus.values, "all")
ORDER_FILTERS = ("open", *PrintOrderStatus.values, "all")
DISTRIBUTION_FILTERS = (*DistributionStatus.values, "all")


def campaign_list(*, user: Actor, status: str = "open", q: str = "",
                  branch_id: int | None = None) -> QuerySet[Campaign]:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    qs = Campaign.objects.visible_to(user, perms.CAMPAIGN_VIEW, branch_id=branch_id)
    if status == "open":
        qs = qs.filter(status__in=(CampaignStatus.PLANNED, CampaignStatus.RUNNING))
    elif status in CampaignStatus.values:
        qs = qs.filter(status=status)
    text = " ".join((q or "").split())[:100]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__iexact=text.replace(" ", "")))
    return qs.select_related("branch").annotate(
        new_customers=Count("customers", distinct=True)).order_by("-starts_on", "-pk")


def campaign_get(*, user: Actor, campaign_id: Any) -> Campaign:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    return (Campaign.objects.visible_to(user, perms.CAMPAIGN_VIEW).select_related("branch")
            .get_or_not_found(campaign_id, missing=_("Campaign not found.")))


def leaflets_of(*, user: Actor, campaign: Campaign) -> QuerySet[Leaflet]:
    """The campaign's leaflets of the branches the user sees."""
    return (Leaflet.objects.visible_to(user, perms.CAMPAIGN_VIEW)
            .filter(campaign=campaign).select_related("branch", "template__material"))


def leaflet_get(*, user: Actor, leaflet_id: Any) -> Leaflet:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    return (Leaflet.objects.visible_to(user, perms.CAMPAIGN_VIEW)
            .select_related("campaign", "branch", "template__material")
            .get_or_not_found(leaflet_id, missing=_("Leaflet not found.")))


def customers_of(*, user: Actor, campaign: Campaign) -> QuerySet[CampaignCustomer]:
    return (CampaignCustomer.objects.visible_to(user, perms.CAMPAIGN_VIEW)
            .filter(campaign=campaign).select_related("customer", "branch")
            .order_by("-registered_at"))


def order_list(*, user: Actor, status: str = "open", branch_id: int | None = None,
               campaign_id: int | None = None) -> QuerySet[PrintOrder]:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    qs = PrintOrder.objects.visible_to(user, perms.CAMPAIGN_VIEW, branch_id=branch_id)
    if status == "open":
        qs = qs.filter(status__in=(PrintOrderStatus.ORDERED, PrintOrderStatus.CONFIRMED))
    elif status in PrintOrderStatus.values:
        qs = qs.filter(status=status)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.select_related("branch", "campaign", "leaflet", "shop").order_by(
        "-created_at", "-pk")


def order_get(*, user: Actor, order_id: Any) -> PrintOrder:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    return (PrintOrder.objects.visible_to(user, perms.CAMPAIGN_VIEW)
            .select_related("branch", "campaign", "leaflet", "shop", "stock_movement",
                            "created_by", "delivered_by")
            .get_or_not_found(order_id, missing=_("Print order not found.")))


def shops(*, active_only: bool = True) -> QuerySet[PrintShop]:
    qs = PrintShop.objects.prefetch_related("prices")
    return qs.filter(is_active=True) if active_only else qs


def shop_get(*, user: Actor, shop_id: Any) -> PrintShop:
    org_perms.ensure(user, perms.PRINTSHOP_MANAGE.code)
    return PrintShop.objects.prefetch_related("prices").get_or_not_found(
        shop_id, missing=_("Print shop not found."))


def distribution_list(*, user: Actor, status: str = "all", branch_id: int | None = None,
                      campaign_id: int | None = None) -> QuerySet[Distribution]:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    qs = Distribution.objects.visible_to(user, perms.CAMPAIGN_VIEW, branch_id=branch_id)
    if status in DistributionStatus.values:
        qs = qs.filter(status=status)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.select_related("branch", "campaign", "leaflet", "created_by",
                             "confirmed_by").order_by("-day", "-pk")


def distribution_get(*, user: Actor, distribution_id: Any) -> Distribution:
    org_perms.ensure(user, perms.CAMPAIGN_VIEW.code)
    return (Distribution.objects.visible_to(user, perms.CAMPAIGN_VIEW)
            .select_related("campaign").get_or_not_found(
                distribution_id, missing=_("Distribution record not found.")))
