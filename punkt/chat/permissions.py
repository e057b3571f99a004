"""Live chat: service staff of a chat-enabled team answer the site's visitors; managers
keep the team's chat (the widget's key and the sites allowed to embed it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

CHAT_HANDLE = registry.register(
    "chat.chat.handle",
    gettext_lazy("Answer the website's visitors in the live chat of their team"),
    [R.MANAGER, R.SERVICE, R.HQ_EXPERT, R.ADMIN])
DESK_MANAGE = registry.register(
    "chat.desk.manage",
    gettext_lazy("Keep the teams' live chat: the widget and the sites allowed to embed it"),
    [R.MANAGER, R.ADMIN])
