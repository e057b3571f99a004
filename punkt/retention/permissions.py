"""Retention actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

RETENTION_WORK = registry.register(
    "retention.contract.work",
    gettext_lazy("Work the list of ending contracts: call, write, record outcomes"),
    [R.MANAGER, R.RETENTION])
RETENTION_REPORT = registry.register(
    "retention.report.view", gettext_lazy("See churn and contract reports"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
