"""The lives of the campaign, the leaflet, the print order, the leaflet distribution and
the mailing (docs/workflows/campaign.md, leaflet.md, print-order.md, distribution.md,
mailing.md): one transition table each."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import CampaignStatus as C
from punkt.campaigns.models import DistributionStatus as D
from punkt.campaigns.models import LeafletStatus as L
from punkt.campaigns.models import MailingStatus as M
from punkt.campaigns.models import PrintOrderStatus as P
from punkt.core.workflows import STAYS, Transition, Workflow
from punkt.organization import permissions as org_perms

MANAGE = perms.CAMPAIGN_MANAGE.code
ORDER = perms.PRINTORDER_MANAGE.code

CAMPAIGN_FLOW = Workflow(gettext_lazy("campaign"), transitions=[
    Transition("edit", {C.PLANNED, C.RUNNING}, STAYS, MANAGE, gettext_lazy("Edit")),
    Transition("start", {C.PLANNED}, C.RUNNING, MANAGE,
               pgettext_lazy("campaign", "Start")),
    Transition("end", {C.RUNNING}, C.ENDED, MANAGE, pgettext_lazy("campaign", "End")),
    Transition("cancel", {C.PLANNED, C.RUNNING}, C.CANCELLED, MANAGE,
               pgettext_lazy("campaign", "Cancel")),
], branch_of=lambda campaign: campaign.branch_id, can=org_perms.can, ensure=org_perms.ensure)

#: A leaflet made from an HQ template is approved when it is made; a local one (an uploaded
#: PDF) waits for the manager, who is never the one who uploaded it (four eyes, checked by
#: the service beside the table).
LEAFLET_FLOW = Workflow(gettext_lazy("leaflet"), transitions=[
    Transition("approve", {L.SUBMITTED}, L.APPROVED, perms.LEAFLET_APPROVE.code,
               pgettext_lazy("leaflet", "Approve")),
    Transition("return", {L.SUBMITTED}, L.RETURNED, perms.LEAFLET_APPROVE.code,
               pgettext_lazy("leaflet", "Return with a reason")),
    Transition("replace", {L.RETURNED}, L.SUBMITTED, ORDER,
               gettext_lazy("Upload a corrected PDF")),
], branch_of=lambda leaflet: leaflet.branch_id, can=org_perms.can, ensure=org_perms.ensure)

PRINT_ORDER_FLOW = Workflow(gettext_lazy("print order"), transitions=[
    Transition("confirm", {P.ORDERED}, P.CONFIRMED, ORDER,
               gettext_lazy("The print shop confirmed")),
    Transition("deliver", {P.ORDERED, P.CONFIRMED}, P.DELIVERED, ORDER,
               gettext_lazy("Check the delivery in to stock")),
    Transition("cancel", {P.ORDERED, P.CONFIRMED}, P.CANCELLED, ORDER,
               pgettext_lazy("print order", "Cancel")),
], branch_of=lambda order: order.branch_id, can=org_perms.can, ensure=org_perms.ensure)

DISTRIBUTION_FLOW = Workflow(gettext_lazy("leaflet distribution"), transitions=[
    Transition("confirm", {D.RECORDED}, D.CONFIRMED, perms.DISTRIBUTION_CONFIRM.code,
               pgettext_lazy("distribution", "Confirm")),
    Transition("cancel", {D.RECORDED, D.CONFIRMED}, D.CANCELLED,
               perms.DISTRIBUTION_CONFIRM.code,
               pgettext_lazy("distribution", "Cancel (leaflets back in stock)")),
], branch_of=lambda distribution: distribution.branch_id, can=org_perms.can,
    ensure=org_perms.ensure)

MAILING = perms.MAILING_MANAGE.code

#: "send" queues nothing itself: the job (``mailing_step``) queues the segment when the
#: mailing is due (now or at ``send_at``) and moves it to "sending", then to "sent" when no
#: message is left queued; those two are the job's, not a person's.
MAILING_FLOW = Workflow(gettext_lazy("mailing"), transitions=[
    Transition("edit", {M.DRAFT}, STAYS, MAILING, gettext_lazy("Edit")),
    Transition("send", {M.DRAFT}, M.SCHEDULED, MAILING,
               pgettext_lazy("mailing", "Send")),
    Transition("cancel", {M.DRAFT, M.SCHEDULED, M.SENDING}, M.CANCELLED, MAILING,
               pgettext_lazy("mailing", "Cancel")),
], branch_of=lambda mailing: mailing.branch_id, can=org_perms.can, ensure=org_perms.ensure)
