"""API of the breach log (GDPR art. 33): /api/v1/privacy/breaches."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core.api import Page, Strict, errors, page_slice
from punkt.core.routes import scoped
from punkt.privacy import selectors, services
from punkt.privacy.models import Breach
from punkt.privacy.services import MAX_COUNT

router = Router(tags=["data protection"])

StatusName = Literal["open", "notified", "not_required", "closed"]


class BreachIn(Strict):
    discovered_at: datetime.datetime
    occurred_at: datetime.datetime | None = None
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    data_categories: str = Field(min_length=1, max_length=500)
    subjects_count: int = Field(ge=0, le=MAX_COUNT)
    records_count: int | None = Field(None, ge=0, le=MAX_COUNT)
    consequences: str = Field("", max_length=5000)
    measures: str = Field(min_length=1, max_length=5000)


class NotifyIn(Strict):
    notified_at: datetime.datetime | None = None
    authority_reference: str = Field("", max_length=100)
    late_reason: str = Field("", max_length=5000)


class NotRequiredIn(Strict):
    reason: str = Field(min_length=1, max_length=5000)


class CloseIn(Strict):
    measures: str = Field("", max_length=5000)
    subjects_informed_at: datetime.datetime | None = None


class BreachOut(Schema):
    id: int
    number: str
    status: str
    title: str
    description: str
    data_categories: str
    subjects_count: int
    records_count: int | None
    consequences: str
    measures: str
    discovered_at: datetime.datetime
    occurred_at: datetime.datetime | None
    notify_by: datetime.datetime
    seconds_left: int
    overdue: bool
    notified_at: datetime.datetime | None
    authority_reference: str
    late_reason: str
    not_required_reason: str
    subjects_informed_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class BreachListOut(Schema):
    items: list[BreachOut]
    page: Page


class BreachQuery(Schema):
    status: StatusName | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _out(b: Breach) -> dict[str, Any]:
    data = {f: getattr(b, f) for f in BreachOut.model_fields
            if f not in ("seconds_left", "overdue")}
    data["seconds_left"] = int(b.time_left().total_seconds())
    data["overdue"] = b.overdue
    return data


@router.get("/privacy/breaches", response={200: BreachListOut, **errors()},
            operation_id="privacy_breach_list")
@scoped("global")
def breach_list(request: HttpRequest, q: Query[BreachQuery]) -> dict[str, Any]:
    """The breach log, newest discovery first."""
    qs = selectors.breaches(user=request.user, status=q.status or "")
    items, page = page_slice(qs, q.page, q.per_page)
    return {"items": [_out(b) for b in items], "page": page}


@router.post("/privacy/breaches", response={201: BreachOut, **errors()},
             operation_id="privacy_breach_record")
@scoped("global")
def breach_record(request: HttpRequest, payload: BreachIn) -> Status[Any]:
    """Record a breach; notify UODO within 72 hours of ``discovered_at``."""
    return Status(201, _out(services.breach_record(actor=request.user, **payload.dict())))


@router.get("/privacy/breaches/{breach_id}", response={200: BreachOut, **errors(404)},
            operation_id="privacy_breach_get")
@scoped("global")
def breach_get(request: HttpRequest, breach_id: int) -> dict[str, Any]:
    return _out(selectors.breach(user=request.user, breach_id=breach_id))


@router.post("/privacy/breaches/{breach_id}/notify",
             response={200: BreachOut, **errors(404, 409)}, operation_id="privacy_breach_notify")
@scoped("global")
def breach_notify(request: HttpRequest, breach_id: int, payload: NotifyIn) -> dict[str, Any]:
    selectors.breach(user=request.user, breach_id=breach_id)
    return _out(services.breach_notify(actor=request.user, breach_id=breach_id,
                                       **payload.dict()))


@router.post("/privacy/breaches/{breach_id}/not-required",
             response={200: BreachOut, **errors(404, 409)},
             operation_id="privacy_breach_not_required")
@scoped("global")
def breach_not_required(request: HttpRequest, breach_id: int,
                        payload: NotRequiredIn) -> dict[str, Any]:
    selectors.breach(user=request.user, breach_id=breach_id)
    return _out(services.breach_not_required(actor=request.user, breach_id=breach_id,
                                             reason=payload.reason))


@router.post("/privacy/breaches/{breach_id}/close",
             response={200: BreachOut, **errors(404, 409)}, operation_id="privacy_breach_close")
@scoped("global")
def breach_close(request: HttpRequest, breach_id: int, payload: CloseIn) -> dict[str, Any]:
    selectors.breach(user=request.user, breach_id=breach_id)
    return _out(services.breach_close(actor=request.user, breach_id=breach_id,
                                      **payload.dict()))
