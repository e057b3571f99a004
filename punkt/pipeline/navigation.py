"""The pipeline in the "Sales and stock" drop-down, for the branch's sellers, managers and
HQ."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.pipeline import permissions as perms

nav(NavItem(_("Sales pipeline"), "pipeline:board", perms.OPPORTUNITY_VIEW.code,
            group="store", order=37,
            active_pattern=r"^/pipeline/(?!stages/|plans/|packs/|funnel/)"))
nav(NavItem(_("Sales stages"), "pipeline:stage_settings", perms.STAGE_MANAGE.code,
            group="organisation", order=78, active_pattern=r"^/pipeline/stages/"))
nav(NavItem(_("Monthly packs"), "pipeline:packs", perms.PACK_VIEW.code,
            group="reports", order=64, active_pattern=r"^/pipeline/packs/"))
nav(NavItem(_("Sales plans"), "pipeline:plans", perms.PACK_VIEW.code,
            group="reports", order=65, active_pattern=r"^/pipeline/plans/"))
nav(NavItem(_("Sales funnel"), "pipeline:funnel", perms.FUNNEL_VIEW.code,
            group="reports", order=66, active_pattern=r"^/pipeline/funnel/"))
nav(NavItem(_("My sales funnel"), "pipeline:funnel", perms.FUNNEL_OWN.code,
            group="reports", order=66, active_pattern=r"^/pipeline/funnel/"))
