"""Business events: one place where an area says "this happened", for whoever listens.

An area registers the events it publishes (``register``: name, label, an example
payload for the documentation) and calls ``publish(event, payload, branch_id=…)``
*inside the transaction of the change*. ``publish`` hands the event to every sink, in
that same transaction; the outgoing webhooks (``punkt/webhooks``) are a sink that writes
one outbox row per matching subscription, so an event goes out if and only if the change
committed (a transactional outbox, C12).

It lives in core, not in the webhooks area, so that every area (service desk,
complaints, pipeline, contracts …) can publish without importing the webhooks area:
``tests/test_dependencies.py`` lets areas import only lower layers, and the webhooks
area — which reads the employees to notify — sits above the organisation and work
areas. The sinks plug themselves in at start-up, as the registries of core do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise


@dataclass(frozen=True)
class Event:
    name: str
    label: str | Promise
    area: str
    #: an example of ``data`` for the documentation and the form's help
    example: Mapping[str, Any] = field(default_factory=dict)


#: every event an area publishes, by name (``ticket.created`` …)
EVENTS: dict[str, Event] = {}
#: called as ``sink(event, payload, branch_id)`` inside the publishing transaction
Sink = Callable[[str, Mapping[str, Any], int | None], object]
SINKS: list[Sink] = []


def register(name: str, label: str | Promise, *, area: str,
             example: Mapping[str, Any] | None = None) -> Event:
    """Declare an event (``<object>.<what happened>``, lower case). Registering the same
    name twice from one area is harmless (modules imported twice)."""
    event = Event(name, label, area, dict(example or {}))
    known = EVENTS.get(name)
    if known is not None and known.area != area:
        raise ValueError(f"Event {name!r} is already registered by {known.area}")
    EVENTS[name] = event
    return event


def add_sink(sink: Sink) -> None:
    if sink not in SINKS:
        SINKS.append(sink)


def choices() -> list[tuple[str, str]]:
    return [(e.name, f"{e.name} — {e.label}") for e in sorted(EVENTS.values(),
                                                              key=lambda e: e.name)]


def publish(event: str, payload: Mapping[str, Any], *, branch_id: int | None) -> None:
    """Publish ``event`` with ``payload`` (JSON-ready: str, int, bool, None, lists, dicts)
    about a record of ``branch_id`` (None: company-wide). Must run inside the change's
    transaction: sinks write there and roll back with it."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}: register it first")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish() must run inside the transaction of the change")
    for sink in SINKS:
        sink(event, payload, branch_id)
