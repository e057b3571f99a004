"""Loyalty cards in the "Sales and stock" drop-down; programmes among HQ's settings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.loyalty import permissions as perms

nav(NavItem(_("Loyalty cards"), "loyalty:card_list", perms.CARD_VIEW.code,
            group="store", order=45, active_pattern=r"^/loyalty/(?!programmes/|draws/)"))
nav(NavItem(_("Prize draws"), "loyalty:draw_list", perms.CARD_VIEW.code,
            group="store", order=46, active_pattern=r"^/loyalty/draws/"))
nav(NavItem(_("Loyalty programmes"), "loyalty:programme_list", perms.PROGRAMME_MANAGE.code,
            group="organisation", order=80, active_pattern=r"^/loyalty/programmes/"))
