"""What GDPR export and erasure do with a customer's chats (C28): the visitor's name and
e-mail go with the customer's tickets; the lines are the tickets' messages (registered by
the service desk)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.chat.models import ChatSession
from punkt.core.processing import BASE_MEASURES, activity
from punkt.customers.gdpr import register_linked


def _scrub(qs: Any) -> None:
    """The chat stays (who took it, when) without who the visitor said they were."""
    ChatSession.objects.filter(pk__in=qs.values("pk")).update(visitor_name="—",
                                                              visitor_email="")


register_linked(ChatSession, field="ticket__customer", erase=_scrub,
                keep_reason="the service office's record of chats taken (visitor removed)",
                move_on_merge=False)

activity("chat.chats",
         name=_("Live chat on the website"),
         purpose=_("Answering the website's visitors in real time; the conversation is kept "
                   "as a service ticket"),
         legal_basis=_("GDPR art. 6(1)(b) and (f)"),
         subjects=_("Visitors of the website; customers; employees"),
         data=_("The name and e-mail the visitor gives, the conversation, who answered and "
                "when"),
         recipients=_("Employees of the team that answers the chat, HQ"),
         retention=_("As long as the ticket the chat became"),
         measures=BASE_MEASURES)
