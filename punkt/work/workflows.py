"""The task's workflow (docs/workflows/task.md). The assignee and whoever gave the task
take every step; besides them, holders of ``work.task.manage`` for the task's branch."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core.workflows import Transition, Workflow
from punkt.organization import permissions as org_perms
from punkt.work import permissions as perms
from punkt.work.models import TaskStatus as T

MANAGE = perms.TASK_MANAGE.code

TASK_FLOW = Workflow(gettext_lazy("task"), transitions=[
    Transition("complete", {T.OPEN}, T.DONE, MANAGE, gettext_lazy("Mark done")),
    Transition("cancel", {T.OPEN}, T.CANCELLED, MANAGE, gettext_lazy("Cancel")),
    Transition("reopen", {T.DONE, T.CANCELLED}, T.OPEN, MANAGE, gettext_lazy("Reopen")),
], branch_of=lambda task: task.branch_id, can=org_perms.can, ensure=org_perms.ensure)
