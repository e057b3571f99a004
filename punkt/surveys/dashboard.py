""""My work": the open follow-ups of low survey scores (R14.2)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.work.selectors import Section, register_section


def _followups(user: Any, today: datetime.date) -> dict[str, Any] | None:
    from punkt.organization import permissions as org_perms
    from punkt.surveys import permissions as perms
    from punkt.surveys import selectors

    if not org_perms.can(user, perms.FOLLOWUP_HANDLE.code):
        return None
    rows = list(selectors.followups(user=user, mine=True)[:11])
    return {"rows": rows[:10], "more": len(rows) > 10}


register_section(Section("surveys.followups", _("Low survey scores to call back"),
                         "surveys/sections/followups.html", _followups, order=22))
