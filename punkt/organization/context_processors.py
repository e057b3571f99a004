from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from punkt.core.navigation import NAV, menu
from punkt.organization import permissions as perms


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = perms.access_of(user)
    items = []
    for item in NAV:
        if item.action is None or access.can(item.action):
            url = reverse(item.url_name)
            if item.active_pattern:
                active = re.match(item.active_pattern, request.path) is not None
            else:
                active = request.path.startswith(url) if url != "/" else request.path == "/"
            items.append({"label": item.label, "url": url, "key": item.key, "active": active,
                          "group": item.group})
    return {"nav_items": menu(items), "access": access}
