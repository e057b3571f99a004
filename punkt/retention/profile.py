"""What retention puts on a customer's profile: an open retention case among the open
matters of the summary, linked to the case."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from punkt.customers.profile import Matter, register_profile_matter
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.retention import permissions as perms
from punkt.retention.models import CaseStatus, RetentionCase

OPEN = [CaseStatus.OPEN, CaseStatus.OFFER_SENT]


@register_profile_matter
def _open_case(user: Actor, customer: Any) -> list[Matter]:
    """The customer's open retention case (one query), for those who work the list."""
    if not org_perms.can(user, perms.RETENTION_WORK.code, customer.branch_id):
        return []
    case = (RetentionCase.objects.visible_to(user, perms.RETENTION_WORK)
            .filter(customer=customer, status__in=OPEN).order_by("-updated_at").first())
    if case is None:
        return []
    text = case.get_status_display()
    if case.callback_on:
        text = _("%(status)s, call back on %(day)s") % {
            "status": text, "day": case.callback_on.strftime("%d.%m.%Y")}
    return [Matter(_("Retention case"), text,
                   reverse("retention:case", args=[case.contract_id]), "info")]
