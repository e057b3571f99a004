"""Small helpers the pages of every area share: reading query parameters, turning a refused
business rule into a message on the page, and the branch a page works on.

    @require_POST
    def contract_cancel(request, contract_id):
        with refusals_as_messages(request):
            services.contract_cancel(actor=request.user, contract_id=contract_id, ...)
            messages.success(request, _("Contract cancelled."))
        return redirect("contracts:contract_detail", contract_id=contract_id)

A refused rule (:class:`ValidationFailed`, :class:`Conflict`) becomes an error message and
the code after the service call is skipped. A refused *permission* (:class:`ActionDenied`)
and a missing row (:class:`NotFound`) are not caught: they reach the 403/404 pages (and
the audit log) — another branch's record stays a 404, never a message saying it exists.
Pass ``catch=`` to widen it where a page really wants "not found" as a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from punkt.core.errors import Conflict, DomainError, ValidationFailed

MAX_ID = 2**63 - 1


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx sent (django-htmx's ``request.htmx``, typed)."""
    return bool(getattr(request, "htmx", False))


def int_param(value: Any) -> int | None:
    """A positive database id from a query or form value; anything else is None."""
    text = str(value or "").strip()
    if not (text.isdecimal() and text.isascii()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def date_param(value: Any) -> datetime.date | None:
    """An ISO date (``2026-12-04``) from a query or form value, years 1900–9000; else None."""
    try:
        day = datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return day if day is not None and 1900 <= day.year <= 9000 else None


def bool_param(value: Any) -> bool | None:
    """``1`` → True, ``0`` → False, anything else → None (no filter)."""
    return {"1": True, "0": False}.get(str(value or ""))


def text_param(value: Any, limit: int = 200) -> str:
    return str(value or "").strip()[:limit]


class Refused:
    """What :func:`refusals_as_messages` caught, if anything (``error`` is None when the
    block ran to its end)."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusals_as_messages(
    request: HttpRequest, *, catch: tuple[type[DomainError], ...] = (ValidationFailed, Conflict),
) -> Iterator[Refused]:
    """Run a service call; a business refusal becomes an error message on the next page."""
    outcome = Refused()
    try:
        yield outcome
    except catch as exc:
        outcome.error = exc
        messages.error(request, exc.message)
