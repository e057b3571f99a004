"""The branch tasks in the menu for those who manage them; "My work" sits beside the bell."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.work import permissions as perms

nav(NavItem(_("Branch tasks"), "work:task_list", perms.TASK_MANAGE.code,
            group="service", order=90, active_pattern=r"^/work/tasks/$"))
