"""Campaigns in the "Sales and stock" drop-down (the branch's manager and service staff,
HQ); print shops among HQ's settings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.campaigns import permissions as perms
from punkt.core.navigation import NavItem, nav

nav(NavItem(_("Campaigns"), "campaigns:campaign_list", perms.CAMPAIGN_VIEW.code,
            group="store", order=44,
            active_pattern=r"^/campaigns/(?!print-shops/|mailings/)"))
nav(NavItem(_("Mailings"), "campaigns:mailing_list", perms.MAILING_VIEW.code,
            group="store", order=45, active_pattern=r"^/campaigns/mailings/"))
nav(NavItem(_("Print shops"), "campaigns:shop_list", perms.PRINTSHOP_MANAGE.code,
            group="organisation", order=79, active_pattern=r"^/campaigns/print-shops/"))
