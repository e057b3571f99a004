"""The branch picker of list filters, shared by every area's lists."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from punkt.organization import permissions as perms
from punkt.organization import selectors

BRANCH_OPTIONS_LIMIT = 1000


def branch_options(user: Any, code: str, selected: str) -> SafeString | None:
    """``<option>`` tags for a branch filter: the active branches where ``user`` holds the
    permission ``code``, by name. Built in Python (500 options in a template loop cost
    ~25 ms); None above the limit, where the page shows a branch-id box instead.
    The (id, code, name) rows are cached for a minute per branch scope."""
    allowed = perms.access_of(user).branches_for(code)
    scope = "all" if allowed is None else ",".join(map(str, sorted(allowed)))
    digest = hashlib.sha256(f"{code}|{scope}".encode()).hexdigest()[:32]
    key = "punkt:branch_options:" + digest
    rows = cache.get(key)
    if rows is None:
        qs = selectors.branches_visible_to(user).filter(is_active=True)
        if allowed is not None:
            qs = qs.filter(pk__in=allowed)
        rows = list(qs.order_by("name").values_list("pk", "code", "name")
                    [:BRANCH_OPTIONS_LIMIT + 1])
        cache.set(key, rows, 60)
    if len(rows) > BRANCH_OPTIONS_LIMIT:
        return None
    html = "".join(
        f'<option value="{pk}"{" selected" if str(pk) == selected else ""}>'
        f"{escape(code)} {escape(name)}</option>" for pk, code, name in rows)
    return mark_safe(html)  # noqa: S308 - every value above is escaped or an integer
