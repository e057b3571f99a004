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


def working_branch(user: Any, code: str, requested: Any = None) -> Any:
    """The branch a page works on for ``code``: the one asked for (``?branch=``) if the
    user holds ``code`` there (else NotFound), otherwise the user's own — the only one, or
    the first by name; for HQ staff without a choice: None (company-wide)."""
    from django.utils.translation import gettext as _

    from punkt.core.errors import NotFound
    from punkt.organization.models import Branch

    allowed = perms.access_of(user).branches_for(code)
    text = str(requested or "").strip()
    if text:
        if not (text.isdecimal() and text.isascii()) or (
                allowed is not None and int(text) not in allowed):
            raise NotFound(_("Branch not found."))
        branch = Branch.objects.filter(pk=int(text), is_active=True).first()
        if branch is None:
            raise NotFound(_("Branch not found."))
        return branch
    if allowed is None:
        return None
    return Branch.objects.filter(pk__in=allowed, is_active=True).order_by("name").first()


def branch_picker(user: Any, code: str, selected: Any = "", *,
                  blank: bool = True) -> dict[str, Any]:
    """The context of the branch filter every list shares
    (``{% include "partials/branch_picker.html" with picker=… %}``): shown when ``code`` is
    granted in more than one branch; a drop-down up to :data:`BRANCH_OPTIONS_LIMIT` branches,
    a branch-id box above; ``blank`` offers "—" (every branch)."""
    selected_text = "" if selected in (None, "") else str(getattr(selected, "pk", selected))
    shown = perms.access_of(user).spans_branches(code)
    return {"shown": shown, "selected": selected_text, "blank": blank,
            "options": branch_options(user, code, selected_text) if shown else None}
