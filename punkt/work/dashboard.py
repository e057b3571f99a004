"""The dashboard panel of the user's tasks due today or overdue (hidden when none)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import Panel, panel


def _my_tasks(request: Any) -> dict[str, Any] | None:
    from punkt.work import selectors

    rows = list(selectors.my_tasks(request.user)
                .filter(due_at__lt=selectors.end_of_day(timezone.localdate()))
                .order_by("due_at", "id")[:6])
    if not rows:
        return None
    return {"rows": rows[:5], "more": len(rows) > 5}


panel(Panel(_("My tasks for today"), "work/panels/my_tasks.html", None, _my_tasks, order=2))
