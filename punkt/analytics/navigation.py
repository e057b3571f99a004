"""Customer analytics in the "Reports" drop-down, for the branch's staff and HQ."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.analytics import permissions as perms
from punkt.core.navigation import NavItem, nav

nav(NavItem(_("Customer analytics"), "analytics:matrix", perms.ANALYTICS_VIEW.code,
            group="reports", order=78,
            active_pattern=r"^/analytics/(?!goals/|kpis/|campaigns/|loyalty/|segments/)"))
nav(NavItem(_("Goals"), "analytics:goals", perms.GOALS_VIEW.code,
            group="reports", order=79, active_pattern=r"^/analytics/goals/"))
nav(NavItem(_("Sales KPIs"), "analytics:kpis", perms.GOALS_VIEW.code,
            group="reports", order=80, active_pattern=r"^/analytics/kpis/"))
nav(NavItem(_("Campaign effectiveness"), "analytics:campaigns", perms.GOALS_VIEW.code,
            group="reports", order=81, active_pattern=r"^/analytics/campaigns/"))
nav(NavItem(_("Loyalty and sources"), "analytics:loyalty", perms.GOALS_VIEW.code,
            group="reports", order=82, active_pattern=r"^/analytics/loyalty/"))
nav(NavItem(_("Segments and products"), "analytics:segments", perms.SEGMENTS_VIEW.code,
            group="reports", order=83, active_pattern=r"^/analytics/segments/"))
