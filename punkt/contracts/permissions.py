"""Offer and contract actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

OFFER_VIEW = registry.register(
    "contracts.offer.view", gettext_lazy("See offers presented to customers"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
OFFER_CREATE = registry.register(
    "contracts.offer.create",
    gettext_lazy("Record offers presented to customers and their answer"),
    [R.MANAGER, R.SERVICE, R.RETENTION])
OFFER_DISCOUNT_APPROVE = registry.register(
    "contracts.offer.approve_discount",
    gettext_lazy("Approve an offer whose discount is above the company's limit (never one's "
                 "own offer)"),
    [R.MANAGER, R.HQ_EXPERT])
CONTRACT_VIEW = registry.register(
    "contracts.contract.view", gettext_lazy("See contracts and their documents"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
CONTRACT_PREPARE = registry.register(
    "contracts.contract.prepare",
    gettext_lazy("Prepare contracts, mark them signed, correct or cancel them"),
    [R.MANAGER, R.SERVICE, R.RETENTION])
CONTRACT_APPROVE = registry.register(
    "contracts.contract.approve",
    gettext_lazy("Check the day's signed contracts: approve or return them"), [R.MANAGER])
CONTRACT_FINALISE = registry.register(
    "contracts.contract.finalise",
    gettext_lazy("Finalise or reject approved contracts at HQ"), [R.HQ_EXPERT])
CONTRACT_TERMINATE = registry.register(
    "contracts.contract.terminate",
    gettext_lazy("Terminate active contracts early, with a reason and a date"), [R.MANAGER])
CONTRACT_REPORT = registry.register(
    "contracts.report.view",
    gettext_lazy("See contract reports: states per branch, time to activation"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
