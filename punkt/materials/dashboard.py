"""Menu entry and the dashboard panel "New from HQ"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, Panel, nav, panel
from punkt.materials import permissions as perms

nav(NavItem(_("From HQ"), "materials:inbox", perms.MATERIAL_VIEW.code, order=40,
            active_pattern=r"^/materials/(?!manage/)"))
nav(NavItem(_("Publish materials"), "materials:manage", perms.MATERIAL_MANAGE.code,
            group="hq", order=85,
            active_pattern=r"^/materials/manage/"))


def _new_from_hq(request: Any) -> dict[str, Any] | None:
    from punkt.materials import selectors

    box = selectors.inbox(user=request.user)
    new = [item for item in box.current if item.is_new]
    if not new:
        return None
    return {"items": new[:8], "more": max(0, len(new) - 8)}


panel(Panel(_("New from HQ"), "materials/panels/new.html", perms.MATERIAL_VIEW.code,
            _new_from_hq, order=12))
