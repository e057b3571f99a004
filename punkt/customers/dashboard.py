"""Menu entries and dashboard panels for customers."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.customers import permissions as perms
from punkt.customers.models import DataSubjectRequest, RequestStatus, TimelineEntry
from punkt.organization.actors import employee_of

nav(NavItem(_("Customers"), "customers:customer_list", perms.CUSTOMER_VIEW.code, order=10,
            key="k", active_pattern=r"^/customers/(?!data-requests/)"))
nav(NavItem(_("GDPR requests"), "customers:data_requests", perms.GDPR_MANAGE.code,
            group="hq", order=92))


def _my_recent(request: Any) -> dict[str, Any] | None:
    """The employee's latest contacts with customers — visits, calls, e-mails, letters and
    the kinds areas register with ``contact=True`` — not system events (a contract step,
    a payment, a consent change)."""
    from punkt.customers.timeline import contact_kinds

    mine = (TimelineEntry.objects.visible_to(request.user, perms.TIMELINE_ADD)
            .filter(actor=employee_of(request.user), kind__in=contact_kinds()))
    entries = list(mine.select_related("customer").order_by("-occurred_at", "-id")[:8])
    if not entries:
        return None
    week = mine.filter(occurred_at__gte=timezone.now() - datetime.timedelta(days=7)).count()
    return {"entries": entries, "week": week}


def _requests_due(request: Any) -> dict[str, Any] | None:
    today = timezone.localdate()
    open_qs = DataSubjectRequest.objects.visible_to(request.user, perms.GDPR_MANAGE).filter(
        status__in=[RequestStatus.OPEN, RequestStatus.EXTENDED])
    soon = list(open_qs.filter(due_on__lte=today + datetime.timedelta(days=7))
                .select_related("customer").order_by("due_on")[:10])
    return {"soon": soon, "open": open_qs.count(), "today": today}


panel(Panel(_("My recent customer contacts"), "customers/panels/recent.html",
            perms.TIMELINE_ADD.code, _my_recent, order=15))
panel(Panel(_("GDPR requests due"), "customers/panels/requests_due.html",
            perms.GDPR_MANAGE.code, _requests_due, order=35))
