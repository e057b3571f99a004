"""Menu entries, the manager's panel "Contracts to check" and HQ's "Contracts to finalise"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
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


#: How many of the longest-waiting contracts HQ's panel names.
PANEL_ROWS = 5


def _to_finalise(request: Any) -> dict[str, Any] | None:
    """HQ's queue: contracts the managers approved, the longest waiting first."""
    from punkt.contracts import selectors

    queue = selectors.finalise_queue(user=request.user)
    oldest = list(queue[:PANEL_ROWS])
    if not oldest:
        return None
    count = len(oldest) if len(oldest) < PANEL_ROWS else queue.count()
    return {"count": count, "oldest": oldest, "more": count - len(oldest),
            "list_url": reverse("contracts:contract_list") + "?status=approved&sort=id"}


panel(Panel(_("Contracts to finalise"), "contracts/panels/to_finalise.html",
            perms.CONTRACT_FINALISE.code, _to_finalise, order=13))
panel(Panel(_("Contracts to check"), "contracts/panels/to_check.html",
            perms.CONTRACT_APPROVE.code, _to_check, order=14))
