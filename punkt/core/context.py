"""Per-request context (request id, client IP, actor) for audit rows written by services."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    channel: str = "system"  # web, api, cli, task, system
    actor: Any = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "punkt_request_context", default=None
)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


def set_context(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(ctx)


def reset_context(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
