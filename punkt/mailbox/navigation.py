from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.navigation import NavItem, nav
from punkt.mailbox import permissions as perms

nav(NavItem(_("Mailboxes"), "mailbox:mailbox_list", perms.MAILBOX_VIEW.code,
            group="organisation", order=76, active_pattern=r"^/mailbox/"))
