"""Where a customer's message came from, shown under it on the ticket page.

The service desk does not know its channels' details (the e-mail's sender and
attachments, the web form's upload, the chat visitor). A channel registers one renderer
per ticket channel; the ticket page asks it once for all of a ticket's customer messages,
so a long conversation costs one query per channel, not one per message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.safestring import SafeString

from punkt.servicedesk.models import Ticket, TicketMessage

#: (ticket, the customer's messages) -> {message id: HTML shown under the message}
Renderer = Callable[[Ticket, Sequence[TicketMessage]], dict[int, SafeString]]

_RENDERERS: dict[str, Renderer] = {}


def register(channel: str, renderer: Renderer) -> None:
    """The renderer for tickets of ``channel`` (one per channel; a second one replaces it)."""
    _RENDERERS[channel] = renderer


def attach(ticket: Ticket, conversation: Sequence[TicketMessage]) -> None:
    """Set ``message.origin`` (HTML or "") on every message of ``conversation``."""
    for message in conversation:
        message.origin = ""  # type: ignore[attr-defined]
    renderer = _RENDERERS.get(ticket.channel)
    customers = [m for m in conversation if m.author_id is None and not m.internal]
    if renderer is None or not customers:
        return
    shown = renderer(ticket, customers)
    for message in customers:
        message.origin = shown.get(message.pk, "")  # type: ignore[attr-defined]
