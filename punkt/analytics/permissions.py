"""Customer analytics (R2.5, R12.3, R12.4): branch staff see their branch's customers'
categories and ABC/XYZ classes, HQ every branch's; managers and HQ export them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

ANALYTICS_VIEW = registry.register(
    "analytics.classes.view",
    gettext_lazy("See customers' categories and ABC/XYZ classes: the 9-cell table, the "
                 "customer lists behind it and the class on the profile"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
ANALYTICS_EXPORT = registry.register(
    "analytics.classes.export",
    gettext_lazy("Export customer analytics (CSV): categories and ABC/XYZ classes, the goals, "
                 "the KPIs"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN], kinds=["export"])
GOALS_VIEW = registry.register(
    "analytics.goals.view",
    gettext_lazy("See the three goals (new customers, materials within the hour, customers "
                 "lost) and the KPIs of the branch's employees"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
SEGMENTS_VIEW = registry.register(
    "analytics.segments.view",
    gettext_lazy("See the segment × product matrix of the branch's customers, their maturity "
                 "and what else to sell them"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
SEGMENTS_MANAGE = registry.register(
    "analytics.segments.manage",
    gettext_lazy("Define the customer segments and each segment's ideal set of products"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
REFRESH_RUN = registry.register(
    "analytics.refresh.run",
    gettext_lazy("Start the analytics refresh now (categories, ABC/XYZ, segments) instead of "
                 "waiting for the night's"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
