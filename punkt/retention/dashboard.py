"""Menu entries and the sign-in panel "Contracts ending soon" (R5.1)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.core.roles import Role
from punkt.retention import permissions as perms
from punkt.work.selectors import Section, register_section

nav(NavItem(_("Retention"), "retention:worklist", perms.RETENTION_WORK.code, order=25,
            group="service", active_pattern=r"^/retention/(?!churn/)"))
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


def _callbacks(user: Any, today: Any) -> dict[str, Any] | None:
    """"My work": the customers whose call-back date has come (R5.2)."""
    from punkt.organization import permissions as org_perms
    from punkt.retention import selectors

    if not org_perms.can(user, perms.RETENTION_WORK.code):
        return None
    rows = list(selectors.worklist(user=user, due_only=True, today=today)[:10])
    return {"rows": rows}


register_section(Section("retention.callbacks", _("Call-backs due"),
                         "retention/sections/callbacks.html", _callbacks, order=20))
