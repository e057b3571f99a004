"""Cashier's desk actions (seed 000's roles: only the cashier takes payments)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

INVOICE_VIEW = registry.register(
    "cashdesk.invoice.view",
    gettext_lazy("Find HQ invoices by number or by name and address, issue duplicates"),
    [R.CASHIER, R.HQ_EXPERT, R.ADMIN], scope="global")
INVOICE_MANAGE = registry.register(
    "cashdesk.invoice.manage", gettext_lazy("Import and record HQ invoices"),
    [R.HQ_EXPERT], scope="global")
PAYMENT_TAKE = registry.register(
    "cashdesk.payment.take",
    gettext_lazy("Run the till: open it, take payments, cash in and out, close it"),
    [R.CASHIER], kinds=["cash"])
TILL_ACKNOWLEDGE = registry.register(
    "cashdesk.till.acknowledge",
    gettext_lazy("Check closed tills and acknowledge their differences"),
    [R.MANAGER], kinds=["cash"])
CASH_REPORT = registry.register(
    "cashdesk.report.view", gettext_lazy("See payments and cash reports per cashier and day"),
    [R.MANAGER, R.CASHIER, R.HQ_EXPERT, R.ADMIN], kinds=["cash", "export"])
CREDIT_CORRECT = registry.register(
    "cashdesk.credit.correct",
    gettext_lazy("Undo a credit settlement made by mistake (HQ correction)"),
    [R.HQ_EXPERT], scope="global", kinds=["cash"])
