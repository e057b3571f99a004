"""The card's one transition table (docs/workflows/loyalty-card.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.workflows import Transition, Workflow
from punkt.loyalty import permissions as perms
from punkt.loyalty.models import CardStatus as S
from punkt.loyalty.models import DrawStatus as D
from punkt.organization import permissions as org_perms

#: active ⇄ blocked (a lost card is blocked with a reason; its points wait on it).
CARD_FLOW = Workflow(_("loyalty card"), transitions=[
    Transition("block", {S.ACTIVE}, S.BLOCKED, perms.CARD_BLOCK.code, _("Block")),
    Transition("unblock", {S.BLOCKED}, S.ACTIVE, perms.CARD_BLOCK.code, _("Unblock")),
], branch_of=lambda card: card.branch_id, can=org_perms.can, ensure=org_perms.ensure)

#: planned → drawn (the winners picked and kept) or cancelled (a reason); both final.
DRAW_FLOW = Workflow(_("prize draw"), transitions=[
    Transition("draw", {D.PLANNED}, D.DRAWN, perms.DRAW_MANAGE.code, _("Draw the winners")),
    Transition("cancel", {D.PLANNED}, D.CANCELLED, perms.DRAW_MANAGE.code, _("Cancel")),
], can=org_perms.can, ensure=org_perms.ensure)
