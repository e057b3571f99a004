"""The dashboard: the campaigns running today at my branches, with the code a customer
gives at registration ("where did you hear of us?") and the days left; for the manager,
the leaflet distribution waiting for his confirmation."""

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
    for row in rows:
        row.days_left = (row.ends_on - today).days  # type: ignore[attr-defined]
    to_confirm = 0
    if org_perms.can(request.user, perms.DISTRIBUTION_CONFIRM.code):
        from punkt.campaigns.models import Distribution, DistributionStatus

        to_confirm = (Distribution.objects.visible_to(request.user,
                                                      perms.DISTRIBUTION_CONFIRM)
                      .filter(status=DistributionStatus.RECORDED).count())
    if not rows and not to_confirm:
        return None
    return {"rows": rows[:5], "more": len(rows) > 5, "to_confirm": to_confirm}


panel(Panel(_("Campaigns running now"), "campaigns/panels/running.html",
            perms.CAMPAIGN_VIEW.code, _running, order=9))
