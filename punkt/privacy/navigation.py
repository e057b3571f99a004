"""Menu entries of the data-protection pages (under "Organisation")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.privacy import permissions as perms

nav(NavItem(_("Data breaches"), "privacy:breach_list", perms.BREACH_MANAGE.code,
            group="organisation", order=97, active_pattern=r"^/privacy/breaches/"))
nav(NavItem(_("Processing register"), "privacy:register", perms.REGISTER_VIEW.code,
            group="organisation", order=98, active_pattern=r"^/privacy/register"))
