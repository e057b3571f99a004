"""Menu entries and the sign-in panel "Contracts ending soon" (R5.1)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role
from punkt.retention import permissions as perms

nav(NavItem(_("Retention"), "retention:worklist", perms.RETENTION_WORK.code, order=25,
            active_pattern=r"^/retention/(?!churn/)"))
nav(NavItem(_("Churn"), "retention:churn", perms.RETENTION_REPORT.code, group="reports", order=80,
            active_pattern=r"^/retention/churn/"))


def _ending(request: Any) -> dict[str, Any] | None:
    from punkt.retention import selectors

    rows = list(selectors.worklist(user=request.user)[:11])
    if not rows:
        return None
    return {"rows": rows[:10], "more": len(rows) > 10,
            "horizon": selectors.default_horizon()}


panel(Panel(_("Contracts ending soon"), "retention/panels/ending.html",
            perms.RETENTION_WORK.code, _ending, order=5,
            roles=frozenset({Role.RETENTION, Role.MANAGER})))
