""""My work": the user's open tickets, the nearest deadline first; the dashboard: open
tickets of the branch past an SLA deadline, for those who give tickets out (managers, HQ)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import Panel, panel
from punkt.servicedesk import permissions as perms
from punkt.work.selectors import Section, register_section


def _my_tickets(user: Any, today: Any) -> dict[str, Any] | None:
    from punkt.organization import permissions as org_perms
    from punkt.servicedesk import selectors, services

    if not org_perms.can(user, perms.TICKET_HANDLE.code):
        return None
    rows = list(selectors.queue(user=user, which="mine").order_by("resolve_due", "id")[:10])
    return {"rows": services.with_sla(rows)}


register_section(Section("servicedesk.tickets", _("My tickets"),
                         "servicedesk/sections/my_tickets.html", _my_tickets, order=10))


def _past_deadline(request: Any) -> dict[str, Any] | None:
    from punkt.servicedesk import selectors

    rows = list(selectors.past_deadline(user=request.user, permission=perms.TICKET_ASSIGN)
                .order_by("resolve_due", "id")[:6])
    if not rows:
        return None
    return {"rows": rows[:5], "more": len(rows) > 5}


panel(Panel(_("Tickets past the SLA deadline"), "servicedesk/panels/past_deadline.html",
            perms.TICKET_ASSIGN.code, _past_deadline, order=6))


def _to_decide(user: Any, today: Any) -> dict[str, Any] | None:
    from punkt.servicedesk import weighty

    if not weighty.may_see_control_list(user):
        return None
    qs = weighty.to_decide(user)
    rows = list(qs[:10])
    return {"rows": rows, "more": len(rows) == 10}


register_section(Section("servicedesk.to_decide", _("To decide"),
                         "servicedesk/sections/to_decide.html", _to_decide, order=9))


def _to_decide_count(request: Any) -> dict[str, Any] | None:
    from punkt.servicedesk import weighty

    count = weighty.to_decide(request.user).count()
    if not count:
        return None
    return {"count": count}


panel(Panel(_("Weighty matters to decide"), "servicedesk/panels/to_decide.html",
            perms.TICKET_DECIDE.code, _to_decide_count, order=5))
