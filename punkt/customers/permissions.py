"""Customer actions. Branch staff act on customers of their branch; HQ on all."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

CUSTOMER_VIEW = registry.register(
    "customers.customer.view", gettext_lazy("See customers and their timeline"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
CUSTOMER_EDIT = registry.register(
    "customers.customer.edit", gettext_lazy("Register customers and edit their data"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT])
CONSENT_RECORD = registry.register(
    "customers.consent.record", gettext_lazy("Record consents given or withdrawn"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.HQ_EXPERT])
TIMELINE_ADD = registry.register(
    "customers.timeline.add", gettext_lazy("Add notes and log contacts with customers"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT])
CUSTOMER_EXPORT = registry.register(
    "customers.customer.export", gettext_lazy("Export customer lists"),
    [R.MANAGER, R.HQ_EXPERT], kinds=["export"])
CUSTOMER_IMPORT = registry.register(
    "customers.customer.import", gettext_lazy("Import customers from CSV/XLSX files"),
    [R.MANAGER, R.HQ_EXPERT])
CUSTOMER_MERGE = registry.register(
    "customers.customer.merge", gettext_lazy("Merge duplicate customers"),
    [R.HQ_EXPERT], scope="global")
GDPR_MANAGE = registry.register(
    "customers.gdpr.manage",
    gettext_lazy("Handle data-subject requests: export and anonymise personal data"),
    [R.HQ_EXPERT, R.ADMIN], scope="global", kinds=["export"])
RECOMMENDATION_EDIT = registry.register(
    "customers.recommendation.edit",
    gettext_lazy("Change who recommended a customer after registration"),
    [R.MANAGER, R.HQ_EXPERT])
