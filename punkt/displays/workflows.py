"""The display task's life (docs/workflows/display-task.md): one transition table."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, pgettext_lazy

from punkt.core.workflows import Transition, Workflow
from punkt.displays import permissions as perms
from punkt.displays.models import TaskStatus as T
from punkt.organization import permissions as org_perms

COMPLETE = perms.DISPLAY_COMPLETE.code
CHECK = perms.DISPLAY_CHECK.code

TASK_FLOW = Workflow(gettext_lazy("display task"), transitions=[
    Transition("complete", {T.TODO, T.RETURNED}, T.COMPLETED, COMPLETE,
               pgettext_lazy("display task", "Done: send the photos")),
    Transition("accept", {T.COMPLETED}, T.ACCEPTED, CHECK,
               pgettext_lazy("display task", "Accept")),
    Transition("return", {T.COMPLETED}, T.RETURNED, CHECK,
               pgettext_lazy("display task", "Return to redo")),
], branch_of=lambda task: task.branch_id, can=org_perms.can, ensure=org_perms.ensure)
