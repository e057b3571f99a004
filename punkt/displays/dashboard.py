"""The dashboard of the branch's staff: the shop windows still to arrange (overdue ones
marked and counted), and for the manager how many completed displays wait for a check."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import Panel, panel
from punkt.displays import permissions as perms


def _to_do(request: Any) -> dict[str, Any] | None:
    from punkt.displays import selectors
    from punkt.displays.models import OPEN_STATES, DisplayTask

    rows = selectors.to_do(user=request.user, limit=6)
    to_check = selectors.to_check_count(user=request.user)
    if not rows and not to_check:
        return None
    overdue = (DisplayTask.objects.visible_to(request.user, perms.DISPLAY_COMPLETE)
               .filter(status__in=OPEN_STATES, due_on__lt=timezone.localdate()).count())
    return {"rows": rows[:5], "more": len(rows) > 5, "overdue": overdue,
            "to_check": to_check}


panel(Panel(_("Shop windows to do"), "displays/panels/to_do.html",
            perms.DISPLAY_COMPLETE.code, _to_do, order=10))
