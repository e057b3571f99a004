from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from punkt.core.navigation import NAV, menu
from punkt.organization import permissions as perms


@cache
def _url(script_prefix: str, url_name: str) -> str:
    """The menu's URLs never change while the process runs: reverse each once."""
    return reverse(url_name)


def _menu(request: HttpRequest, access: perms.Access) -> list[dict[str, Any]]:
    prefix = get_script_prefix()
    items = []
    for item in NAV:
        if item.action is None or access.can(item.action):
            url = _url(prefix, item.url_name)
            if item.active_pattern:
                active = re.match(item.active_pattern, request.path) is not None
            else:
                active = request.path.startswith(url) if url != "/" else request.path == "/"
            items.append({"label": item.label, "url": url, "key": item.key, "active": active,
                          "group": item.group})
    return menu(items)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu, built only when a template shows it: full pages do, htmx fragments and
    e-mails rendered with a request do not."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = perms.access_of(user)
    return {"nav_items": SimpleLazyObject(lambda: _menu(request, access)), "access": access}
