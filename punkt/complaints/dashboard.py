""""My work": the complaints I registered still waiting for a decision, the nearest
deadline first; the dashboard: the branch's undecided complaints by their deadline, the
late ones (deemed accepted) marked."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.complaints import permissions as perms
from punkt.core.navigation import Panel, panel
from punkt.work.selectors import Section, register_section


def _with_days(rows: list[Any]) -> list[Any]:
    from punkt.complaints import clock

    now = timezone.now()
    for row in rows:
        row.days_left = clock.days_left(row.deadline, now)
    return rows


def _mine(user: Any, today: Any) -> dict[str, Any] | None:
    from punkt.complaints import selectors
    from punkt.organization import permissions as org_perms
    from punkt.organization.actors import employee_of

    me = employee_of(user)
    if me is None or not org_perms.can(user, perms.COMPLAINT_HANDLE.code):
        return None
    rows = list(selectors.listing(user=user, status="undecided").filter(handler=me)
                .order_by("deadline", "id")[:10])
    return {"rows": _with_days(rows)}


register_section(Section("complaints.mine", _("My complaints waiting for a decision"),
                         "complaints/sections/mine.html", _mine, order=12))


def _undecided(request: Any) -> dict[str, Any] | None:
    from punkt.complaints import selectors

    rows = list(selectors.listing(user=request.user, status="undecided")
                .order_by("deadline", "id")[:6])
    if not rows:
        return None
    return {"rows": _with_days(rows[:5]), "more": len(rows) > 5}


panel(Panel(_("Complaints waiting for a decision"), "complaints/panels/undecided.html",
            perms.COMPLAINT_VIEW.code, _undecided, order=7))


def _refunds(request: Any) -> dict[str, Any] | None:
    """The branch's complaint refunds waiting for the cashier, the oldest first."""
    from punkt.complaints import services

    rows = list(services.refunds_due(request.user)[:11])
    if not rows:
        return None
    return {"rows": rows[:10], "more": len(rows) > 10}


panel(Panel(_("Complaint refunds to pay out"), "complaints/panels/refunds.html",
            perms.COMPLAINT_REFUND_PAY.code, _refunds, order=6))


def _capa(user: Any, today: Any) -> dict[str, Any] | None:
    """My open corrective and preventive actions (overdue flagged) and those done by others
    waiting for my verification."""
    from punkt.complaints import capa

    mine, check = capa.my_open(user), capa.to_verify(user)
    if not mine and not check:
        return None
    return {"mine": mine, "check": check, "today": today}


register_section(Section("complaints.capa", _("Corrective and preventive actions"),
                         "complaints/sections/capa.html", _capa, order=13))
