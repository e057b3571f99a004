"""What GDPR export and erasure do with a customer's chats (C28): the visitor's name and
e-mail go with the customer's tickets; the lines are the tickets' messages (registered by
the service desk)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from punkt.chat.models import ChatSession
from punkt.core.processing import BASE_MEASURES, activity, retention_category
from punkt.customers.gdpr import AddressEraser, register_address_eraser, register_linked
from punkt.servicedesk.gdpr_links import (
    WITHOUT_CUSTOMER,
    WITHOUT_CUSTOMER_RULE,
    erase_sender_texts,
    without_customer,
)


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
         retention=_("As long as the ticket the chat became; a visitor without a customer "
                     "record loses their name and e-mail 3 years after its resolution"),
         measures=BASE_MEASURES)


def _old_visitors(cutoff: datetime.date) -> Any:
    return ChatSession.objects.filter(ticket__in=without_customer(cutoff)).exclude(
        visitor_name="—", visitor_email="")


def _purge_visitors(ids: list[Any]) -> int:
    _scrub(ChatSession.objects.filter(pk__in=ids))
    return len(ids)


retention_category(
    "chat.visitors_without_customer",
    label=_("Chat visitors without a customer record: name and e-mail"),
    rule=WITHOUT_CUSTOMER_RULE, default=WITHOUT_CUSTOMER,
    expired=_old_visitors, date_field="created_at", purge=_purge_visitors,
    action=_("the visitor's name and e-mail removed; who took the chat and when kept"))



def _visits(address: str) -> Any:
    return ChatSession.objects.filter(visitor_email__iexact=address,
                                      ticket__customer__isnull=True)


def _erase_visitor(address: str) -> int:
    rows = list(_visits(address).values_list("pk", "ticket_id"))
    erase_sender_texts([ticket for _pk, ticket in rows])
    _scrub(ChatSession.objects.filter(pk__in=[pk for pk, _ticket in rows]))
    return len(rows)


register_address_eraser("chat", AddressEraser(
    label=_("Live chat: the visitor's name and e-mail, what they wrote"),
    count=lambda address: _visits(address).count(), erase=_erase_visitor,
    names=lambda address: [n for n in _visits(address).values_list("visitor_name", flat=True)
                           if n]))
