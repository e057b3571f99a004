"""Campaigns at the sales point (R10.1, seed 000 steps 14–15): the branch manager plans
the branch's campaigns, HQ's experts plan company campaigns for chosen branches or all;
the service employee prepares leaflets from HQ's templates and orders their print runs;
HQ keeps the company's list of print shops."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

CAMPAIGN_VIEW = registry.register(
    "campaigns.campaign.view",
    gettext_lazy("See the branch's campaigns, their leaflets, print orders, budget and "
                 "the customers they brought"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
CAMPAIGN_MANAGE = registry.register(
    "campaigns.campaign.manage",
    gettext_lazy("Plan campaigns (period, branches, products, budget, code), start, end "
                 "and cancel them"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
PRINTORDER_MANAGE = registry.register(
    "campaigns.printorder.manage",
    gettext_lazy("Prepare campaign leaflets from HQ templates or upload ones made locally, "
                 "order print runs, record the shop's confirmation and check the delivery "
                 "in to stock"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
LEAFLET_APPROVE = registry.register(
    "campaigns.leaflet.approve",
    gettext_lazy("Approve or return the leaflets a branch made locally (not one's own "
                 "upload); only an approved leaflet is printed and handed out"),
    [R.MANAGER, R.ADMIN])
PRINTSHOP_MANAGE = registry.register(
    "campaigns.printshop.manage",
    gettext_lazy("Keep the company's list of print shops and their prices"),
    [R.HQ_EXPERT, R.ADMIN], scope="global")
DISTRIBUTION_RECORD = registry.register(
    "campaigns.distribution.record",
    gettext_lazy("Record the campaign leaflets handed out at the counter and those "
                 "distributed by people on contracts of mandate"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
DISTRIBUTION_CONFIRM = registry.register(
    "campaigns.distribution.confirm",
    gettext_lazy("Confirm the distribution of leaflets by people on contracts of mandate "
                 "(their pay counts against the budget) and cancel distribution records"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
MAILING_VIEW = registry.register(
    "campaigns.mailing.view",
    gettext_lazy("See the mass e-mails and SMS to customers, their progress and recipients"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
MAILING_MANAGE = registry.register(
    "campaigns.mailing.manage",
    gettext_lazy("Plan mass e-mails and SMS to a segment of customers (HQ: all branches; "
                 "a manager: the branch's own), send and cancel them"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
