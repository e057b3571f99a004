"""List filters every area shares — the branch picker, the parameter filters lists are
built from — and the employee list's filter.

A list that has a page and an API list reads its parameters through ONE FilterSet
(``EmployeeFilter`` below, ``customers.filters.CustomerFilter``)::

    found = EmployeeFilter(request.GET, queryset=selectors.employee_list(user=request.user))
    listing = paginate(request, found.qs, sort=found.sort)

The API passes its checked query schema instead (``EmployeeFilter(query.dict(), …)``):
the schema keeps answering 422 to a malformed value, and the page keeps ignoring one —
the parameter filters below read what they can and leave the rest out.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from punkt.core.errors import NotFound
from punkt.core.filters import IdFilter, ListFilter, TextFilter, YesNoFilter
from punkt.core.scoping import branch_ids_visible
from punkt.organization import permissions as perms
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee, Membership

BRANCH_OPTIONS_LIMIT = 1000


def branch_options(user: Actor, code: str, selected: str) -> SafeString | None:
    """``<option>`` tags for a branch filter: the active branches where ``user`` holds the
    permission ``code``, by name. Built in Python (500 options in a template loop cost
    ~25 ms); None above the limit, where the page shows a branch-id box instead.
    The options' HTML is cached for a minute per branch scope (500 escaped names cost
    more than the rest of a list page's rendering)."""
    allowed = branch_ids_visible(user, code)
    scope = "all" if allowed is None else ",".join(map(str, sorted(allowed)))
    digest = hashlib.sha256(f"{code}|{scope}".encode()).hexdigest()[:32]
    key = "punkt:branch_options:" + digest
    cached = cache.get(key)
    if cached is None:
        qs = (Branch.objects.visible_to(user, perms.BRANCH_VIEW).visible_to(user, code)
              .filter(is_active=True))
        rows = list(qs.order_by("name").values_list("pk", "code", "name")
                    [:BRANCH_OPTIONS_LIMIT + 1])
        cached = (len(rows) > BRANCH_OPTIONS_LIMIT, "".join(
            f'<option value="{pk}">{escape(code)} {escape(name)}</option>'
            for pk, code, name in rows[:BRANCH_OPTIONS_LIMIT]))
        cache.set(key, cached, 60)
    too_many, html = cached
    if too_many:
        return None
    selected = str(selected)
    if selected.isdecimal() and selected.isascii():  # the chosen branch: its one option
        html = html.replace(f'<option value="{int(selected)}">',
                            f'<option value="{int(selected)}" selected>', 1)
    return mark_safe(html)  # noqa: S308 - every value above is escaped or an integer


def working_branch(user: Actor, code: str, requested: Any = None) -> Branch | None:
    """The branch a page works on for ``code``: the one asked for (``?branch=``) if the
    user holds ``code`` there (else NotFound), otherwise the user's own — the only one, or
    the first by name; for HQ staff without a choice: None (company-wide)."""
    branches = Branch.objects.visible_to(user, code).filter(is_active=True)
    text = str(requested or "").strip()
    if text:
        if not (text.isdecimal() and text.isascii()):
            raise NotFound(_("Branch not found."))
        return branches.get_or_not_found(text, missing=_("Branch not found."))
    if branch_ids_visible(user, code) is None:
        return None
    return branches.order_by("name").first()


def branch_picker(user: Actor, code: str, selected: Any = "", *,
                  blank: bool = True) -> dict[str, Any]:
    """The context of the branch filter every list shares
    (``{% include "partials/branch_picker.html" with picker=… %}``): shown when ``code`` is
    granted in more than one branch; a drop-down up to :data:`BRANCH_OPTIONS_LIMIT` branches,
    a branch-id box above; ``blank`` offers "—" (every branch)."""
    selected_text = "" if selected in (None, "") else str(getattr(selected, "pk", selected))
    shown = perms.access_of(user).spans_branches(code)
    return {"shown": shown, "selected": selected_text, "blank": blank,
            "options": branch_options(user, code, selected_text) if shown else None}


# --- The employee list ---------------------------------------------------------------

class EmployeeFilter(ListFilter):
    """``/organisation/employees/`` and ``GET /api/v1/employees``."""

    SORTS = {"name": ("last_name", "first_name"), "-name": ("-last_name", "-first_name"),
             "email": ("email",), "-email": ("-email",),
             "joined": ("date_joined",), "-joined": ("-date_joined",)}

    q = TextFilter(method="filter_words", limit=100)
    branch = IdFilter(method="filter_roles")
    role = TextFilter(method="filter_roles", limit=20)
    active = YesNoFilter(field_name="is_active")

    class Meta:
        model = Employee
        fields: list[str] = []

    def filter_words(self, qs: QuerySet[Employee], name: str, value: str
                     ) -> QuerySet[Employee]:
        for word in value.split()[:4]:
            qs = qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word)
                           | Q(email__icontains=word))
        return qs

    def filter_roles(self, qs: QuerySet[Employee], name: str, value: Any
                     ) -> QuerySet[Employee]:
        """An active role in the branch, of the role, or both in ONE membership (run once,
        for whichever of the two parameters comes first)."""
        if getattr(self, "_roles_filtered", False):
            return qs
        self._roles_filtered = True
        cond = Q(employee=OuterRef("pk"), is_active=True)
        if branch_id := self.form.cleaned_data.get("branch"):
            cond &= Q(branch_id=branch_id)
        if role := self.form.cleaned_data.get("role"):
            cond &= Q(role=role)
        return qs.filter(Exists(Membership.objects.filter(cond)))
