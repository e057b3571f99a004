"""Shop windows and interiors (R10.2, seed 000 step 15): HQ or a branch manager issues
display guidance, the branch's staff arrange the window and prove it with photos, the
manager (not the one who did it: four eyes) or HQ accepts it or returns it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

DISPLAY_VIEW = registry.register(
    "displays.task.view",
    gettext_lazy("See the display guidance for the branch and its display tasks with their "
                 "photos"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
DISPLAY_ISSUE = registry.register(
    "displays.guidance.issue",
    gettext_lazy("Issue display guidance (HQ: for all or chosen branches; a manager: for "
                 "the branch) as display tasks with a due date"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
DISPLAY_COMPLETE = registry.register(
    "displays.task.complete",
    gettext_lazy("Arrange a shop window or interior and complete its task with photos"),
    [R.MANAGER, R.SERVICE])
DISPLAY_CHECK = registry.register(
    "displays.task.check",
    gettext_lazy("Accept a completed display task or return it to be redone (not one's "
                 "own)"),
    [R.MANAGER, R.HQ_EXPERT, R.ADMIN])
