"""API of the outgoing webhooks: /api/v1/webhooks/… (administrators)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from punkt.core import events
from punkt.core.api import Page, Strict, errors, known_id, page_slice
from punkt.core.routes import scoped
from punkt.organization import permissions as org_perms
from punkt.webhooks import permissions as perms
from punkt.webhooks import selectors, services
from punkt.webhooks.models import Delivery, Subscription

router = Router(tags=["webhooks"])


class SubscriptionIn(Strict):
    name: str = Field(min_length=1, max_length=services.NAME_MAX)
    url: str = Field(min_length=1, max_length=services.URL_MAX)
    events: list[str] = Field(min_length=1, max_length=100)
    branch_id: int | None = Field(None, ge=1, le=2**62)
    is_active: bool = True


class EventOut(Schema):
    name: str
    label: str
    area: str


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    branch_id: int | None
    is_active: bool
    consecutive_failures: int
    disabled_at: datetime.datetime | None
    disabled_reason: str
    created_at: datetime.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    #: the signing secret: returned this once only
    secret: str


class SecretOut(Schema):
    id: int
    secret: str


class DeliveryOut(Schema):
    id: int
    delivery_id: uuid.UUID
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None
    last_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_duration_ms: int | None
    last_error: str
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime


class DeliveryListOut(Schema):
    items: list[DeliveryOut]
    page: Page


class DeliveryQuery(Schema):
    status: Literal["", "pending", "delivered", "failed"] = ""
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)


def _sub(s: Subscription) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "url": s.url, "events": list(s.events),
            "branch_id": s.only_branch_id, "is_active": s.is_active,
            "consecutive_failures": s.consecutive_failures, "disabled_at": s.disabled_at,
            "disabled_reason": s.disabled_reason, "created_at": s.created_at}


def _delivery(d: Delivery) -> dict[str, Any]:
    return {"id": d.pk, "delivery_id": d.uuid, "event": d.event, "status": d.status,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at if d.status == "pending" else None,
            "last_attempt_at": d.last_attempt_at, "last_status_code": d.last_status_code,
            "last_duration_ms": d.last_duration_ms, "last_error": d.last_error,
            "delivered_at": d.delivered_at, "created_at": d.created_at}


@router.get("/webhooks/events", response={200: list[EventOut], **errors()},
            operation_id="webhook_event_list")
@scoped("global")
def event_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The events a webhook may subscribe to."""
    org_perms.ensure(request.user, perms.WEBHOOK_MANAGE.code)
    return [{"name": e.name, "label": str(e.label), "area": e.area}
            for e in sorted(events.EVENTS.values(), key=lambda e: e.name)]


@router.get("/webhooks/subscriptions", response={200: list[SubscriptionOut], **errors()},
            operation_id="webhook_subscription_list")
@scoped("global")
def subscription_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_sub(s) for s in selectors.subscriptions(user=request.user)[:500]]


@router.post("/webhooks/subscriptions", response={201: SubscriptionCreatedOut, **errors()},
             operation_id="webhook_subscription_create")
@scoped("global")
def subscription_create(request: HttpRequest, payload: SubscriptionIn) -> Status[Any]:
    """A new webhook; the answer carries its signing secret, this once."""
    sub, secret = services.subscription_create(actor=request.user, **payload.dict())
    return Status(201, {**_sub(sub), "secret": secret})


@router.get("/webhooks/subscriptions/{subscription_id}",
            response={200: SubscriptionOut, **errors(404)},
            operation_id="webhook_subscription_get")
@scoped("global")
def subscription_get(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    return _sub(selectors.subscription_get(user=request.user,
                                           subscription_id=known_id(subscription_id)))


@router.put("/webhooks/subscriptions/{subscription_id}",
            response={200: SubscriptionOut, **errors(404)},
            operation_id="webhook_subscription_update")
@scoped("global")
def subscription_update(request: HttpRequest, subscription_id: int,
                        payload: SubscriptionIn) -> dict[str, Any]:
    sub = selectors.subscription_get(user=request.user,
                                     subscription_id=known_id(subscription_id))
    return _sub(services.subscription_update(actor=request.user, subscription_id=sub.pk,
                                             **payload.dict()))


@router.post("/webhooks/subscriptions/{subscription_id}/rotate-secret",
             response={200: SecretOut, **errors(404)},
             operation_id="webhook_subscription_rotate_secret")
@scoped("global")
def subscription_rotate(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    """A new signing secret (returned this once); the old one also signs for 24 hours."""
    sub = selectors.subscription_get(user=request.user,
                                     subscription_id=known_id(subscription_id))
    sub, secret = services.secret_rotate(actor=request.user, subscription_id=sub.pk)
    return {"id": sub.pk, "secret": secret}


@router.get("/webhooks/subscriptions/{subscription_id}/deliveries",
            response={200: DeliveryListOut, **errors(404)},
            operation_id="webhook_delivery_list")
@scoped("global")
def delivery_list(request: HttpRequest, subscription_id: int,
                  q: Query[DeliveryQuery]) -> dict[str, Any]:
    """The delivery log, newest first."""
    sub = selectors.subscription_get(user=request.user,
                                     subscription_id=known_id(subscription_id))
    qs = selectors.deliveries(user=request.user, subscription=sub,
                              status=q.status).order_by("-id")
    items, page = page_slice(qs, q.page, q.per_page, cap=10_000)
    return {"items": [_delivery(d) for d in items], "page": page}


@router.post("/webhooks/subscriptions/{subscription_id}/test",
             response={201: DeliveryOut, **errors(404, 409)},
             operation_id="webhook_subscription_test")
@scoped("global")
def subscription_test(request: HttpRequest, subscription_id: int) -> Status[Any]:
    """Send a ``webhook.ping`` event to this webhook only."""
    sub = selectors.subscription_get(user=request.user,
                                     subscription_id=known_id(subscription_id))
    return Status(201, _delivery(services.send_test(actor=request.user,
                                                    subscription_id=sub.pk)))


@router.post("/webhooks/deliveries/{delivery_id}/redeliver",
             response={200: DeliveryOut, **errors(404, 409)},
             operation_id="webhook_delivery_redeliver")
@scoped("global")
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    """Send a delivery again under the same delivery id."""
    row = selectors.delivery_get(user=request.user, delivery_id=known_id(delivery_id))
    return _delivery(services.redeliver(actor=request.user, delivery_id=row.pk))
