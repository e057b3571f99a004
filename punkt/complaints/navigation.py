"""Complaints in the "Customer service" drop-down beside tickets and retention, for the
branch's staff, managers and HQ."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.complaints import permissions as perms
from punkt.core.navigation import NavItem, nav

nav(NavItem(_("Complaints"), "complaints:complaint_list", perms.COMPLAINT_VIEW.code,
            group="service", order=23, active_pattern=r"^/complaints/(?!letters/|statistics/)"))
nav(NavItem(_("Complaint letters"), "complaints:letter_templates", perms.LETTER_MANAGE.code,
            group="organisation", order=79, active_pattern=r"^/complaints/letters/"))
nav(NavItem(_("Complaint statistics"), "complaints:complaint_statistics",
            perms.REPORT_VIEW.code, group="reports", order=56,
            active_pattern=r"^/complaints/statistics/"))
