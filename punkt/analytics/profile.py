"""What analytics puts on a customer's profile: a line in the details (category and
ABC/XYZ class as of the last refresh) and a tab with the class history month by month."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.analytics import permissions as perms
from punkt.customers.profile import register_profile_panel
from punkt.customers.timeline import register_profile_fact
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


def standing_text(row: Any) -> str:
    from punkt.analytics.models import Category

    label = str(dict(Category.choices).get(row.category, row.category))
    klass = f"{row.abc or '—'}{row.xyz}"
    text = _("%(category)s, class %(klass)s") % {"category": label, "klass": klass}
    if row.changed:
        text += " " + _("(previous month %(klass)s)") % {
            "klass": f"{row.prev_abc or '—'}{row.prev_xyz}"}
    return text


@register_profile_fact
def _class_fact(user: Actor, customer: Any) -> tuple[Any, str] | None:
    from punkt.analytics import selectors

    if not org_perms.can(user, perms.ANALYTICS_VIEW.code):
        return None
    snap = selectors.current()
    row = selectors.standings(user, snap).filter(customer=customer).first()
    if row is None:
        return None
    return (gettext_lazy("Category and ABC/XYZ"), standing_text(row))


def _history(user: Actor, customer: Any) -> dict[str, Any]:
    from punkt.analytics import selectors

    return {"rows": selectors.customer_history(user, customer)}


register_profile_panel("analytics", gettext_lazy("Classes"), "analytics/profile/tab.html",
                       _history, perms.ANALYTICS_VIEW.code, order=80)
from punkt.analytics import segment_profile  # noqa: E402, F401  (the segment's line and tab)
