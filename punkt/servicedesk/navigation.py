"""The tickets: on the bar for the service staff (their only entry of the group), in the
Reports drop-down for managers and HQ, whose bar is full at 1366 px (as the branch's
tasks); the teams in the organisation's drop-down for those who keep them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.servicedesk import permissions as perms

nav(NavItem(_("Tickets"), "servicedesk:queue", perms.TICKET_HANDLE.code, group="reports",
            order=22, active_pattern=r"^/servicedesk/(?!teams/)"))
nav(NavItem(_("Service teams"), "servicedesk:team_list", perms.TEAM_MANAGE.code,
            group="organisation", order=75, active_pattern=r"^/servicedesk/teams/"))
