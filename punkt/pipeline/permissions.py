"""The sales pipeline (R11): the branch's sellers (service and retention staff, the
manager) keep their opportunities, the manager sees and reassigns the branch's, HQ's
experts see every branch's and set the stages and reasons of refusal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

OPPORTUNITY_VIEW = registry.register(
    "pipeline.opportunity.view",
    gettext_lazy("See the branch's sales opportunities, the board and their control dates"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
OPPORTUNITY_EDIT = registry.register(
    "pipeline.opportunity.edit",
    gettext_lazy("Open sales opportunities and move one's own through the stages, set their "
                 "control dates, mark them won or lost"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.ADMIN])
OPPORTUNITY_MANAGE = registry.register(
    "pipeline.opportunity.manage",
    gettext_lazy("Work on any opportunity of the branch and give it to another seller"),
    [R.MANAGER, R.ADMIN])
STAGE_MANAGE = registry.register(
    "pipeline.stage.manage",
    gettext_lazy("Set the sales stages, what each requires and the reasons of refusal"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
