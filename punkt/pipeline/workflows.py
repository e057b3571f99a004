"""The opportunity's workflow (docs/workflows/opportunity.md). An open opportunity moves
between the company's stages (forward only with what the stage requires), is won at the
last stage or lost at any stage with a reason (the stage is kept); a lost one can be
reopened where it stopped."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core.workflows import STAYS, Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.pipeline import permissions as perms
from punkt.pipeline.models import OpportunityStatus as S

EDIT = perms.OPPORTUNITY_EDIT.code
MANAGE = perms.OPPORTUNITY_MANAGE.code

OPPORTUNITY_FLOW = Workflow(gettext_lazy("opportunity"), transitions=[
    Transition("move", {S.OPEN}, STAYS, EDIT, gettext_lazy("Move to another stage")),
    Transition("control", {S.OPEN, S.WON, S.LOST}, STAYS, EDIT,
               gettext_lazy("Set a control date")),
    Transition("win", {S.OPEN}, S.WON, EDIT, gettext_lazy("Mark as won")),
    Transition("lose", {S.OPEN}, S.LOST, EDIT, gettext_lazy("Mark as lost")),
    Transition("reopen", {S.LOST}, S.OPEN, EDIT, gettext_lazy("Reopen")),
    Transition("reassign", {S.OPEN}, STAYS, MANAGE, gettext_lazy("Give to another seller")),
    # the sale's documents (R11.4): prepared and sent while it is open, and after a win
    # (the acceptance act, the questionnaire); an offer's own statuses: OFFER_FLOW
    Transition("document", {S.OPEN, S.WON}, STAYS, EDIT,
               gettext_lazy("Prepare or send a document")),
], branch_of=lambda opportunity: opportunity.branch_id, can=org_perms.can,
    ensure=org_perms.ensure)
