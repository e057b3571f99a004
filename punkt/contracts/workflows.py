"""Offer: presented → accepted | declined (docs/workflows/offer.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.contracts import permissions as perms
from punkt.contracts.models import OfferStatus as S
from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms

OFFER_FLOW = Workflow(_("offer"), transitions=[
    Transition("accept", {S.PRESENTED}, S.ACCEPTED, perms.OFFER_CREATE.code, _("Accepted")),
    Transition("decline", {S.PRESENTED}, S.DECLINED, perms.OFFER_CREATE.code, _("Declined")),
], branch_of=lambda offer: offer.branch_id, can=org_perms.can, ensure=org_perms.ensure)
