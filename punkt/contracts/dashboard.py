"""Menu entries and the manager's panel "Contracts to check"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.contracts import permissions as perms
from punkt.core.navigation import NavItem, Panel, nav, panel

nav(NavItem(_("Contracts"), "contracts:contract_list", perms.CONTRACT_VIEW.code, order=20,
            active_pattern=r"^/contracts/(?!review/|reports/)"))
nav(NavItem(_("Contract reports"), "contracts:report", perms.CONTRACT_REPORT.code,
            group="reports", order=79,
            active_pattern=r"^/contracts/reports/"))
nav(NavItem(_("To check"), "contracts:review", perms.CONTRACT_APPROVE.code, order=21,
            active_pattern=r"^/contracts/review/"))


def _to_check(request: Any) -> dict[str, Any] | None:
    from punkt.contracts import selectors

    waiting, signed = selectors.approval_counts(user=request.user)
    if not waiting and not signed:
        return None
    return {"in_review": waiting, "signed": signed}


panel(Panel(_("Contracts to check"), "contracts/panels/to_check.html",
            perms.CONTRACT_APPROVE.code, _to_check, order=14))
