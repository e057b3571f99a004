"""Display tasks and guidance in the "Sales and stock" drop-down (the branch's manager and
service staff, HQ)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.displays import permissions as perms

nav(NavItem(_("Shop windows"), "displays:task_list", perms.DISPLAY_VIEW.code,
            group="store", order=46, active_pattern=r"^/displays/(tasks/|$)"))
nav(NavItem(_("Display guidance"), "displays:guidance_list", perms.DISPLAY_VIEW.code,
            group="store", order=47, active_pattern=r"^/displays/guidance/"))
