"""The follow-up's workflow, one transition table (docs/workflows/survey-followup.md): a
low score opens it, the retention employee closes it with the call's outcome, the branch's
manager (or the employee) may reopen it when the customer calls again."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.surveys import permissions as perms
from punkt.surveys.models import FollowUpStatus as S

HANDLE = perms.FOLLOWUP_HANDLE.code

FOLLOWUP_FLOW = Workflow(gettext_lazy("survey follow-up"), transitions=[
    Transition("close", {S.OPEN}, S.CLOSED, HANDLE, gettext_lazy("Record the call and close")),
    Transition("reopen", {S.CLOSED}, S.OPEN, HANDLE, gettext_lazy("Reopen")),
], branch_of=lambda f: f.branch_id, can=org_perms.can, ensure=org_perms.ensure)
