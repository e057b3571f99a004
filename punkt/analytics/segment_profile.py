"""What the segment matrix puts on a customer's profile: a line (segment and maturity)
and a tab with the ideal set's cells, what is missing and what else to sell."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.analytics import permissions as perms
from punkt.customers.profile import register_profile_panel
from punkt.customers.timeline import register_profile_fact
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


@register_profile_fact
def _maturity_fact(user: Actor, customer: Any) -> tuple[Any, str] | None:
    from punkt.analytics import segment_matrix as sm

    if not org_perms.can(user, perms.SEGMENTS_VIEW.code, customer.branch_id):
        return None
    found = sm.customer_profile(customer)
    if found.segment is None or not found.targets:
        return None
    text = _("%(segment)s: %(used)d of %(targets)d products (%(maturity)s%%)") % {
        "segment": found.segment.name, "used": found.used, "targets": found.targets,
        "maturity": f"{found.maturity}".replace(".", ",")}
    missing = [t.product.name for t, _c in found.missing]
    if missing:
        text += "; " + _("missing: %(names)s") % {"names": ", ".join(missing)}
    return (gettext_lazy("Segment and maturity"), text)


def _tab(user: Actor, customer: Any) -> dict[str, Any]:
    from punkt.analytics import segment_matrix as sm
    from punkt.pipeline import permissions as pipeline_perms

    found = sm.customer_profile(customer)
    return {"found": found, "customer": customer,
            "to_sell": [(t, c, sm.start_url(customer, t.product)) for t, c in found.to_sell],
            "can_start": org_perms.can(user, pipeline_perms.OPPORTUNITY_EDIT.code,
                                       customer.branch_id)}


register_profile_panel("segment", gettext_lazy("Products"), "analytics/profile/segment.html",
                       _tab, perms.SEGMENTS_VIEW.code, order=81)
