"""Data-protection actions: the breach log and the register of processing activities."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

BREACH_MANAGE = registry.register(
    "privacy.breach.manage",
    gettext_lazy("Record personal data breaches and their notification to UODO"),
    [R.ADMIN], scope="global")
REGISTER_VIEW = registry.register(
    "privacy.register.view",
    gettext_lazy("See and export the register of processing activities"),
    [R.HQ_EXPERT, R.ADMIN], scope="global", kinds=["export"])
