from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from punkt.core.navigation import NAV
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
            items.append({"label": item.label, "url": url, "key": item.key,
                          "active": request.path.startswith(url) if url != "/" else
                          request.path == "/"})
    return {"nav_items": items, "access": access}
