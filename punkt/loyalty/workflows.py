"""The card's one transition table (docs/workflows/loyalty-card.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.workflows import Transition, Workflow
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import CardStatus as S
from punkt.organization import permissions as org_perms

#: active ⇄ blocked (a lost card is blocked with a reason; its points wait on it).
CARD_FLOW = Workflow(_("loyalty card"), transitions=[
    Transition("block", {S.ACTIVE}, S.BLOCKED, perms.CARD_BLOCK.code, _("Block")),
    Transition("unblock", {S.BLOCKED}, S.ACTIVE, perms.CARD_BLOCK.code, _("Unblock")),
], branch_of=lambda card: card.branch_id, can=org_perms.can, ensure=org_perms.ensure)
