"""The tickets in the "Customer service" drop-down beside retention and the branch's
tasks — on the bar itself for whoever holds only this entry of the group (the service
staff); the teams in the organisation's drop-down for those who keep them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.servicedesk import permissions as perms

nav(NavItem(_("Tickets"), "servicedesk:queue", perms.TICKET_HANDLE.code, group="service",
            order=22, active_pattern=r"^/servicedesk/(?!teams/|report/|replies/|types/)"))
nav(NavItem(_("Service teams"), "servicedesk:team_list", perms.TEAM_MANAGE.code,
            group="organisation", order=75, active_pattern=r"^/servicedesk/(teams|replies)/"))
nav(NavItem(_("Ticket types and SLA"), "servicedesk:type_list", perms.TYPE_MANAGE.code,
            group="organisation", order=76, active_pattern=r"^/servicedesk/types/"))
nav(NavItem(_("Service desk report"), "servicedesk:report", perms.REPORT_VIEW.code,
            group="reports", order=81, active_pattern=r"^/servicedesk/report/"))
