"""The dashboard panel of breaches waiting for the decision to notify UODO, each with the
time left of its 72 hours (GDPR art. 33(1))."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import Panel, panel
from punkt.privacy import permissions as perms


def _open_breaches(request: Any) -> dict[str, Any] | None:
    from punkt.privacy import selectors

    rows = list(selectors.open_breaches()[:6])
    if not rows:
        return None
    now = timezone.now()
    return {"rows": [{"breach": b, "clock": b.clock(now)} for b in rows[:5]],
            "more": len(rows) > 5, "now": now}


panel(Panel(_("Data breaches: notify UODO"), "privacy/panels/breaches.html",
            perms.BREACH_MANAGE.code, _open_breaches, order=1))
