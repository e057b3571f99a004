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


#: Items the panel lists before "and N more".
SHOWN = 8


def _new_from_hq(request: Any) -> dict[str, Any] | None:
    from punkt.materials import selectors

    box = selectors.inbox(user=request.user)
    new = selectors.news_order([item for item in box.current if item.is_new])
    if not new:
        return None
    return {"items": new[:SHOWN], "more": max(0, len(new) - SHOWN)}


panel(Panel(_("New from HQ"), "materials/panels/new.html", perms.MATERIAL_VIEW.code,
            _new_from_hq, order=12))
