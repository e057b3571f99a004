"""The customer's own way out (PKE art. 398, GDPR art. 7(3)): the personal link in every
mass message withdraws the channel's marketing consent at once, without signing in.

The token names the message (``mass.unsubscribe_token``: its id and an HMAC); the
withdrawal goes through ``customers.services.consent_record`` like one at the counter
(history, timeline, audit), source "web", done by the system actor "unsubscribe".
Messages still queued for the customer are then skipped by the send-time check (C14)."""

from __future__ import annotations

import contextlib

from django.utils.translation import gettext as _

from punkt.core.access import SystemActor
from punkt.core.errors import Conflict, NotFound
from punkt.customers.models import CHANNEL_PURPOSE, ConsentSource
from punkt.customers.selectors import has_consent
from punkt.customers.services import consent_record
from punkt.messaging import mass
from punkt.messaging.models import Channel, Message

ACTOR = SystemActor("unsubscribe")


def message_for(token: str) -> Message:
    """The mass message a valid token names; NotFound for a tampered one."""
    pk = mass.message_of_token(token)
    message = (Message.objects.filter(pk=pk, channel__in=(Channel.EMAIL, Channel.SMS))
               .select_related("customer").first() if pk else None)
    if message is None or message.customer_id is None:
        raise NotFound(_("This link is not valid."))
    return message


def is_subscribed(message: Message) -> bool:
    return has_consent(message.customer_id, CHANNEL_PURPOSE[message.channel])  # type: ignore[arg-type]


def unsubscribe(token: str) -> Message:
    """Withdraw the consent the message was sent under; already withdrawn: nothing to do."""
    message = message_for(token)
    if is_subscribed(message):
        # withdrawn meanwhile, or the record closed (merged, anonymised): nothing to do
        with contextlib.suppress(Conflict):
            consent_record(actor=ACTOR, customer_id=message.customer_id,  # type: ignore[arg-type]
                           purpose=CHANNEL_PURPOSE[message.channel], granted=False,
                           source=ConsentSource.WEB)
    return message
