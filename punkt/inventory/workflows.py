"""The branch's order from the HQ warehouse: one transition table
(docs/workflows/stock-order.md).

ordered → in transit (HQ ships what it has; its stock goes down) → received (the branch
counts what came; differences recorded with a reason). Cancelled only before shipping.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.workflows import Transition, Workflow
from punkt.inventory import permissions as perms
from punkt.inventory.models import OrderStatus as S
from punkt.organization import permissions as org_perms

ORDER_FLOW = Workflow(_("order"), transitions=[
    Transition("ship", {S.SUBMITTED}, S.SHIPPED, perms.ORDER_FULFIL.code, _("Ship")),
    Transition("receive", {S.SHIPPED}, S.RECEIVED, perms.ORDER_CREATE.code,
               _("Confirm receipt")),
    Transition("cancel", {S.SUBMITTED}, S.CANCELLED, perms.ORDER_CREATE.code, _("Cancel")),
    Transition("refuse", {S.SUBMITTED}, S.CANCELLED, perms.ORDER_FULFIL.code,
               _("Refuse")),
], branch_of=lambda order: order.branch_id, can=org_perms.can, ensure=org_perms.ensure)
