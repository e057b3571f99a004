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
PLAN_SET = registry.register(
    "pipeline.plan.set",
    gettext_lazy("Set the branches' monthly sales plans"),
    [R.HQ_EXPERT, R.ADMIN])
PLAN_SPLIT = registry.register(
    "pipeline.plan.split",
    gettext_lazy("Split the branch's monthly sales plan among its employees"),
    [R.MANAGER, R.ADMIN])
PLAN_OWN = registry.register(
    "pipeline.plan.own",
    gettext_lazy("See one's own monthly plan against what was done"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER])
PACK_VIEW = registry.register(
    "pipeline.pack.view",
    gettext_lazy("See the branch's sales plans and the monthly pack for the manager's "
                 "meeting, prepare it again"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
FUNNEL_VIEW = registry.register(
    "pipeline.funnel.view",
    gettext_lazy("See the funnel and refusals report of the branch: conversion by stage, "
                 "refusals and losses by reason, time in stage, win rates"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
FUNNEL_OWN = registry.register(
    "pipeline.funnel.own",
    gettext_lazy("See the funnel and refusals report of one's own opportunities"),
    [R.SERVICE, R.RETENTION])
FUNNEL_EXPORT = registry.register(
    "pipeline.funnel.export",
    gettext_lazy("Export the funnel and refusals report (CSV)"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN], kinds=["export"])
DEAL_IMPORT = registry.register(
    "pipeline.deal.import",
    gettext_lazy("Import existing deals (opportunities) from a CSV or XLSX file"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
