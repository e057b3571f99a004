"""The dashboard: the campaigns running today at my branches, with the code a customer
gives at registration ("where did you hear of us?"), the days left, and each campaign's
leaflets at my branches — in stock, below the norm, with the link to record hand-outs;
for the manager, the leaflets made locally waiting for approval and the leaflet
distribution waiting for his confirmation."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.campaigns import permissions as perms
from punkt.core.navigation import Panel, panel
from punkt.organization import permissions as org_perms


def _running(request: Any) -> dict[str, Any] | None:
    from punkt.campaigns.models import Campaign, CampaignStatus

    today = timezone.localdate()
    rows = list(Campaign.objects.visible_to(request.user, perms.CAMPAIGN_VIEW)
                .filter(status=CampaignStatus.RUNNING, starts_on__lte=today,
                        ends_on__gte=today)
                .only("pk", "name", "code", "ends_on").order_by("ends_on", "pk")[:6])
    from punkt.campaigns.models import Leaflet, LeafletStatus
    from punkt.campaigns.services.leaflets import stock_of

    leaflets = list(Leaflet.objects.visible_to(request.user, perms.CAMPAIGN_VIEW)
                    .filter(campaign_id__in=[r.pk for r in rows[:5]])
                    .select_related("branch").order_by("branch__name", "pk")[:30])
    stock = stock_of(leaflets)
    for row in rows:
        row.days_left = (row.ends_on - today).days  # type: ignore[attr-defined]
        row.leaflet_rows = [  # type: ignore[attr-defined]
            {"leaflet": lf, "stock": stock[lf.pk],
             "hand_out": lf.usable and org_perms.can(
                 request.user, perms.DISTRIBUTION_RECORD.code, lf.branch_id)}
            for lf in leaflets if lf.campaign_id == row.pk]
    to_approve, first_to_approve = 0, None
    if org_perms.can(request.user, perms.LEAFLET_APPROVE.code):
        me = getattr(request.user, "pk", None)
        waiting = list(Leaflet.objects.visible_to(request.user, perms.LEAFLET_APPROVE)
                       .filter(status=LeafletStatus.SUBMITTED).exclude(uploaded_by_id=me)
                       .order_by("uploaded_at", "pk").values_list("pk", flat=True)[:100])
        to_approve = len(waiting)
        first_to_approve = waiting[0] if to_approve == 1 else None
    to_confirm = 0
    if org_perms.can(request.user, perms.DISTRIBUTION_CONFIRM.code):
        from punkt.campaigns.models import Distribution, DistributionStatus

        to_confirm = (Distribution.objects.visible_to(request.user,
                                                      perms.DISTRIBUTION_CONFIRM)
                      .filter(status=DistributionStatus.RECORDED).count())
    if not rows and not to_confirm and not to_approve:
        return None
    return {"rows": rows[:5], "more": len(rows) > 5, "to_confirm": to_confirm,
            "to_approve": to_approve, "first_to_approve": first_to_approve}


panel(Panel(_("Campaigns running now"), "campaigns/panels/running.html",
            perms.CAMPAIGN_VIEW.code, _running, order=9))
