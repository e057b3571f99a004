"""Menu entries of the cashier's desk and the manager's "tills to check" panel (the
customer's balance on their profile: ``profile.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.cashdesk import permissions as perms
from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role

nav(NavItem(_("Till"), "cashdesk:till", perms.PAYMENT_TAKE.code, order=36,
            active_pattern=r"^/cashdesk/(?!tills/|invoices/import/)"))
nav(NavItem(_("Tills"), "cashdesk:till_list", perms.CASH_REPORT.code, group="reports", order=37,
            active_pattern=r"^/cashdesk/tills/"))
nav(NavItem(_("Invoice files"), "cashdesk:invoice_imports", perms.INVOICE_MANAGE.code,
            group="hq", order=86, active_pattern=r"^/cashdesk/invoices/import/"))


def _to_check(request: Any) -> dict[str, Any] | None:
    from punkt.cashdesk.models import TillSession, TillStatus

    qs = TillSession.objects.visible_to(request.user, perms.TILL_ACKNOWLEDGE).filter(
        status=TillStatus.CLOSED)
    rows = list(qs.select_related("cashier").order_by("business_day")[:10])
    return {"rows": rows} if rows else None


panel(Panel(_("Tills to check"), "cashdesk/panels/to_check.html",
            perms.TILL_ACKNOWLEDGE.code, _to_check, order=8, roles=frozenset({Role.MANAGER})))

