"""The breach's workflow (docs/workflows/breach.md): assessed, then either notified to
UODO (GDPR art. 33(1)) or recorded as not requiring notification (unlikely to result in a
risk), then closed once the measures are done."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.privacy import permissions as perms
from punkt.privacy.models import BreachStatus as B

MANAGE = perms.BREACH_MANAGE.code

BREACH_FLOW = Workflow(gettext_lazy("breach"), transitions=[
    Transition("notify", {B.OPEN}, B.NOTIFIED, MANAGE, gettext_lazy("Record the notification")),
    Transition("not_required", {B.OPEN}, B.NOT_REQUIRED, MANAGE,
               gettext_lazy("No notification required")),
    Transition("close", {B.NOTIFIED, B.NOT_REQUIRED}, B.CLOSED, MANAGE, gettext_lazy("Close")),
], can=org_perms.can, ensure=org_perms.ensure)
