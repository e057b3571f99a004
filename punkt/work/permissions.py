"""Tasks and notifications: everyone keeps their own tasks; managers give tasks to their
branch's staff and see the branch's tasks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

TASK_MANAGE = registry.register(
    "work.task.manage",
    gettext_lazy("Give tasks to the branch's staff and see, change or close the branch's tasks"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
