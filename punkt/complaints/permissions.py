"""Complaints (R7): the branch's service and retention staff register and handle them,
the manager decides small matters in the branch, HQ's experts investigate and decide those
sent to HQ and see every branch's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

COMPLAINT_VIEW = registry.register(
    "complaints.complaint.view",
    gettext_lazy("See the branch's complaints, their clocks, history and receipts"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
COMPLAINT_CREATE = registry.register(
    "complaints.complaint.create",
    gettext_lazy("Register complaints at the counter or from a ticket"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.ADMIN])
COMPLAINT_HANDLE = registry.register(
    "complaints.complaint.handle",
    gettext_lazy("Acknowledge complaints, send them to HQ, record the remedy, that the "
                 "customer was informed, close them and register appeals"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT, R.ADMIN])
COMPLAINT_DECIDE = registry.register(
    "complaints.complaint.decide",
    gettext_lazy("Decide small complaints in the branch (upheld, partly upheld, rejected)"),
    [R.MANAGER, R.ADMIN])
COMPLAINT_INVESTIGATE = registry.register(
    "complaints.complaint.investigate",
    gettext_lazy("Investigate the complaints sent to HQ (the cause) and decide them"),
    [R.HQ_EXPERT, R.ADMIN])
COMPLAINT_REFUND_PAY = registry.register(
    "complaints.refund.pay",
    gettext_lazy("Pay out the refunds of upheld complaints from the till"),
    [R.CASHIER], kinds=["cash"])
CAPA_MANAGE = registry.register(
    "complaints.capa.manage",
    gettext_lazy("Set corrective and preventive actions on complaints' causes (owner, due "
                 "date) and verify those carried out by others"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
LETTER_MANAGE = registry.register(
    "complaints.letter.manage",
    gettext_lazy("Edit the company's letters to customers about complaints (the answers for "
                 "each decision, the request to complete)"),
    [R.HQ_EXPERT, R.ADMIN])
REPORT_VIEW = registry.register(
    "complaints.report.view",
    gettext_lazy("See complaint statistics (per cause, branch, employee, product) and export "
                 "them"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
