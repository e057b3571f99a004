"""Message template actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

TEMPLATE_MANAGE = registry.register(
    "messaging.template.manage",
    gettext_lazy("Edit the e-mail and SMS templates for customers"), [R.HQ_EXPERT])
