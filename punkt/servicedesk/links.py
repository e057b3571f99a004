"""Buttons other areas put on the ticket page (a complaint made from the ticket, and the
link back to it): ``register_ticket_link(f)`` where ``f(user, ticket)`` returns
``(label, url, testid)`` or None. The service desk imports no area above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TicketLink = tuple[Any, str, str]
LINKS: list[Callable[[Any, Any], TicketLink | None]] = []


def register_ticket_link(f: Callable[[Any, Any], TicketLink | None]
                         ) -> Callable[[Any, Any], TicketLink | None]:
    LINKS.append(f)
    return f


def links_for(user: Any, ticket: Any) -> list[TicketLink]:
    return [link for f in LINKS if (link := f(user, ticket)) is not None]
