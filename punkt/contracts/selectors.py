"""Reading offers, branch scoping first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from punkt.contracts import permissions as perms
from punkt.contracts.models import Offer
from punkt.core.errors import NotFound
from punkt.organization import permissions as org_perms


def offers_visible_to(user: Any) -> QuerySet[Offer]:
    allowed = org_perms.access_of(user).branches_for(perms.OFFER_VIEW.code)
    qs = Offer.objects.all()
    return qs if allowed is None else qs.filter(branch_id__in=allowed)


def offer_get(*, user: Any, offer_id: int) -> Offer:
    org_perms.ensure(user, perms.OFFER_VIEW.code)
    offer = (offers_visible_to(user).select_related("customer", "branch", "created_by",
                                                    "promo__material")
             .prefetch_related("lines").filter(pk=offer_id).first())
    if offer is None:
        raise NotFound(_("Offer not found."))
    return offer
