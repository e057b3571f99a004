"""The agents' chat console in the "Customer service" drop-down beside the tickets; the
teams' chat desks in the organisation's drop-down beside the service teams."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.chat import permissions as perms
from punkt.core.navigation import NavItem, nav

nav(NavItem(_("Live chat"), "chat:console", perms.CHAT_HANDLE.code, group="service",
            order=23, active_pattern=r"^/chat/$"))
nav(NavItem(_("Chat on the website"), "chat:desk_list", perms.DESK_MANAGE.code,
            group="organisation", order=76, active_pattern=r"^/chat/desks/"))
