"""Outgoing webhooks: subscriptions, the outbox written with every published event, and
its delivery.

* ``outbox_write`` is a sink of ``punkt/core/events.py``: in the transaction of the
  change it writes one ``Delivery`` per active subscription that wants the event (and
  its branch) and enqueues its sending (the database task queue shares the transaction,
  so a rolled-back change leaves neither a delivery nor a task — C12).
* ``deliver`` claims a delivery with a conditional update (a lease with a token; on
  PostgreSQL ``deliver_due`` picks due rows with ``SKIP LOCKED``), so exactly one worker
  sends it at a time; a worker killed mid-send leaves a lease that runs out, and the
  delivery is tried again (the receiver drops the second copy by ``Punkt-Delivery``).
* A failed attempt waits ``RETRY_AFTER[step]`` (± 10 % jitter) before the next; after
  the last the delivery is failed. ``disable_after()`` failed attempts in a row switch the
  subscription off and tell the administrators.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import batch, events, sealed
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, Employee, Membership
from punkt.webhooks import permissions as perms
from punkt.webhooks import sending
from punkt.webhooks.models import Delivery, DeliveryStatus, Subscription
from punkt.work.services import notify

logger = logging.getLogger("punkt.webhooks")
NAME_MAX = 100
URL_MAX = 500
#: waits after the 1st, 2nd … failed attempt; after the last one the delivery fails
RETRY_AFTER = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=5),
               datetime.timedelta(minutes=30), datetime.timedelta(hours=2),
               datetime.timedelta(hours=12))
JITTER = 0.1
#: how long a worker holds a delivery it is sending: far longer than an attempt (each
#: socket operation times out after ``PUNKT_WEBHOOK_TIMEOUT``), so only a dead worker's
#: lease runs out
LEASE = datetime.timedelta(minutes=5)
#: deliveries picked per run of the periodic job
BATCH = 100
SIGNATURE_VERSION = "v1"
#: the previous secret still signs (a second signature) this long after a rotation
ROTATION_OVERLAP = datetime.timedelta(hours=24)


def disable_after() -> int:
    return int(getattr(settings, "PUNKT_WEBHOOK_DISABLE_AFTER", 15))


# -- signing -----------------------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 (hex) of ``<timestamp>.<body>`` with ``secret``."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def headers_for(delivery: Delivery, secret_list: Iterable[str], timestamp: int
                ) -> dict[str, str]:
    body = delivery.body.encode()
    signature = ", ".join(f"{SIGNATURE_VERSION}={sign(s, timestamp, body)}"
                          for s in secret_list)
    return {"Content-Type": "application/json", "User-Agent": "Punkt-Webhooks/1",
            "Punkt-Event": delivery.event, "Punkt-Delivery": str(delivery.uuid),
            "Punkt-Timestamp": str(timestamp), "Punkt-Signature": signature}


def secrets_of(sub: Subscription, now: datetime.datetime) -> list[str]:
    out = [sealed.unseal(sub.secret)]
    if sub.previous_secret and sub.previous_secret_until and now < sub.previous_secret_until:
        out.append(sealed.unseal(sub.previous_secret))
    return out


# -- subscriptions -----------------------------------------------------------------------

def _text(value: Any, field: str, limit: int) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationFailed("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def check_url(value: Any) -> str:
    url = _text(value, "url", URL_MAX)
    try:
        sending.target(url)
    except sending.Refused as exc:
        raise ValidationFailed("invalid", str(exc), field="url") from None
    return url


def check_events(values: Any) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        values = [values] if values else []
    chosen = sorted({str(v) for v in values if str(v).strip()})
    if not chosen:
        raise ValidationFailed("required", _("Choose at least one event."), field="events")
    unknown = [v for v in chosen if v not in events.EVENTS]
    if unknown:
        raise ValidationFailed("invalid", _("Unknown event: %(name)s.") % {
            "name": unknown[0][:60]}, field="events")
    return chosen


def check_branch(value: Any) -> Branch | None:
    if value in (None, ""):
        return None
    try:
        pk = int(str(value))
    except ValueError:
        pk = 0
    branch = Branch.objects.filter(pk=pk, is_active=True).first() if 0 < pk < 2**62 else None
    if branch is None:
        raise ValidationFailed("invalid", _("Choose a branch."), field="branch")
    return branch


@transaction.atomic
def subscription_create(*, actor: Actor, name: Any, url: Any, events: Any,
                        branch_id: Any = None, is_active: bool = True
                        ) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown to the user this once)."""
    org_perms.ensure(actor, perms.WEBHOOK_MANAGE.code)
    name = _text(name, "name", NAME_MAX)
    url = check_url(url)
    chosen = check_events(events)
    branch = check_branch(branch_id)
    secret = new_secret()
    sub = Subscription.objects.create(name=name, url=url, events=chosen, only_branch=branch,
                                      secret=sealed.seal(secret),
                                      is_active=bool(is_active),
                                      created_by=employee_of(actor))
    audit_record(action="webhooks.subscription.create", obj=sub, actor=actor,
                 changes={"name": name, "url": url, "events": chosen,
                          "branch": getattr(branch, "pk", None), "active": sub.is_active})
    return sub, secret


@transaction.atomic
def subscription_update(*, actor: Actor, subscription_id: Any, name: Any, url: Any,
                        events: Any, branch_id: Any = None, is_active: bool = True
                        ) -> Subscription:
    """Change a subscription; switching it on again clears the failure count."""
    org_perms.ensure(actor, perms.WEBHOOK_MANAGE.code)
    sub = Subscription.objects.locked(subscription_id, missing=_("Webhook not found."))
    name = _text(name, "name", NAME_MAX)
    url = check_url(url)
    chosen = check_events(events)
    branch = check_branch(branch_id)
    before = {"name": sub.name, "url": sub.url, "events": sub.events,
              "branch": sub.only_branch_id, "active": sub.is_active}
    after = {"name": name, "url": url, "events": chosen, "branch": getattr(branch, "pk", None),
             "active": bool(is_active)}
    fields: dict[str, Any] = {"name": name, "url": url, "events": chosen,
                              "only_branch": branch, "is_active": bool(is_active)}
    if is_active and not sub.is_active:
        fields.update(consecutive_failures=0, disabled_at=None, disabled_reason="")
    Subscription.objects.filter(pk=sub.pk).update(**fields)
    sub.refresh_from_db()
    audit_record(action="webhooks.subscription.update", obj=sub, actor=actor,
                 changes={k: [before[k], v] for k, v in after.items() if before[k] != v})
    if is_active and not before["active"]:
        _kick(Delivery.objects.filter(subscription=sub, status=DeliveryStatus.PENDING))
    return sub


@transaction.atomic
def secret_rotate(*, actor: Actor, subscription_id: Any) -> tuple[Subscription, str]:
    """A new signing secret (shown once); the old one also signs for a day, so the
    receiver can switch without losing events."""
    org_perms.ensure(actor, perms.WEBHOOK_MANAGE.code)
    sub = Subscription.objects.locked(subscription_id, missing=_("Webhook not found."))
    now = timezone.now()
    secret = new_secret()
    Subscription.objects.filter(pk=sub.pk).update(
        secret=sealed.seal(secret), previous_secret=sub.secret,
        previous_secret_until=now + ROTATION_OVERLAP,
        secret_rotated_at=now)
    sub.refresh_from_db()
    audit_record(action="webhooks.subscription.rotate_secret", obj=sub, actor=actor)
    return sub, secret


@transaction.atomic
def redeliver(*, actor: Actor, delivery_id: Any) -> Delivery:
    """Send a delivery again (delivered or failed ones too), under the same delivery id:
    a new round of attempts starts now."""
    org_perms.ensure(actor, perms.WEBHOOK_MANAGE.code)
    row = Delivery.objects.select_related("subscription").locked(
        delivery_id, missing=_("Delivery not found."))
    now = timezone.now()
    if row.lease_until is not None and row.lease_until > now:
        raise Conflict("sending", _("This delivery is being sent right now."))
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.PENDING, step=0,
                                              next_attempt_at=now, lease_until=None,
                                              claim="")
    row.refresh_from_db()
    audit_record(action="webhooks.delivery.redeliver", obj=row.subscription, actor=actor,
                 changes={"delivery": str(row.uuid), "event": row.event})
    if row.subscription.is_active:
        _kick([row])
    return row


PING = "webhook.ping"


@transaction.atomic
def send_test(*, actor: Actor, subscription_id: Any) -> Delivery:
    """A ``webhook.ping`` delivery to this webhook only (whatever its events), to check
    the receiver and its signature check; sent like any other, retried the same."""
    org_perms.ensure(actor, perms.WEBHOOK_MANAGE.code)
    sub = Subscription.objects.locked(subscription_id, missing=_("Webhook not found."))
    if not sub.is_active:
        raise Conflict("inactive", _("Switch the webhook on first."))
    now = timezone.now()
    key = uuid.uuid4()
    row = Delivery.objects.create(
        subscription=sub, event=PING, uuid=key, created_at=now, next_attempt_at=now,
        body=body_for(PING, {"webhook": {"id": sub.pk, "name": sub.name},
                             "message": "Test event from Punkt"},
                      delivery_id=key, branch_id=None, at=now))
    audit_record(action="webhooks.subscription.test", obj=sub, actor=actor,
                 changes={"delivery": str(key)})
    _kick([row])
    return row


# -- the outbox --------------------------------------------------------------------------

def _kick(rows: Iterable[Delivery]) -> None:
    """Enqueue the sending of ``rows`` (in the current transaction)."""
    from punkt.webhooks.tasks import deliver_task

    for row in rows:
        deliver_task.enqueue(delivery_id=row.pk)


def body_for(event: str, payload: Mapping[str, Any], *, delivery_id: uuid.UUID,
             branch_id: int | None, at: datetime.datetime) -> str:
    return json.dumps({"id": str(delivery_id), "event": event, "created_at": at.isoformat(),
                       "branch_id": branch_id, "data": payload},
                      ensure_ascii=False, separators=(",", ":"), default=str)


def outbox_write(event: str, payload: Mapping[str, Any], branch_id: int | None) -> None:
    """The sink: one delivery per active subscription that wants ``event`` of
    ``branch_id``, in the publishing transaction."""
    kept = batch.memo()
    active = kept.get("webhooks.subscriptions") if kept is not None else None
    if active is None:
        active = list(Subscription.objects.filter(is_active=True).only(
            "pk", "events", "only_branch_id"))
        if kept is not None:
            kept["webhooks.subscriptions"] = active
    subs = [s for s in active
            if event in s.events and (s.only_branch_id is None or s.only_branch_id == branch_id)]
    if not subs:
        return
    now = timezone.now()
    rows = []
    for sub in subs:
        key = uuid.uuid4()
        rows.append(Delivery(subscription_id=sub.pk, event=event, uuid=key, created_at=now,
                             next_attempt_at=now,
                             body=body_for(event, payload, delivery_id=key,
                                           branch_id=branch_id, at=now)))
    created = Delivery.objects.bulk_create(rows)
    if any(r.pk is None for r in created):  # pragma: no cover - backends without RETURNING
        created = list(Delivery.objects.filter(uuid__in=[r.uuid for r in rows]))
    _kick(created)


events.add_sink(outbox_write)


# -- delivery ----------------------------------------------------------------------------

def _claimable(now: datetime.datetime) -> Q:
    return (Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now,
              subscription__is_active=True)
            & (Q(lease_until__isnull=True) | Q(lease_until__lt=now)))


def claim(delivery_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Take the lease on one due delivery (conditional update: one worker wins); its
    token, or None when it is not due, already sent or held by another worker."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    due = Delivery.objects.filter(_claimable(now), pk=delivery_id).values("pk")
    took = Delivery.objects.filter(pk__in=due, status=DeliveryStatus.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_until=now + LEASE, claim=token, attempts=F("attempts") + 1,
        last_attempt_at=now)
    return token if took else None


def claim_due(*, now: datetime.datetime | None = None, limit: int = BATCH
              ) -> list[tuple[int, str]]:
    """Take the lease on up to ``limit`` due deliveries, oldest first; on PostgreSQL the
    rows another worker is taking are skipped (``SKIP LOCKED``) instead of waited for."""
    now = now or timezone.now()
    taken = []
    with transaction.atomic():
        due = Delivery.objects.filter(_claimable(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            token = claim(pk, now=now)
            if token:
                taken.append((pk, token))
    return taken


def next_wait(step: int) -> datetime.timedelta | None:
    """The wait after the ``step``-th failure in a row (1-based); None: give up."""
    if step > len(RETRY_AFTER):
        return None
    base = RETRY_AFTER[step - 1]
    return base * (1 + random.uniform(-JITTER, JITTER))  # noqa: S311 - jitter, not secrets


def attempt(delivery_id: int, token: str) -> str:
    """Send the claimed delivery once and record the outcome (only while the lease is
    still ours). Returns the delivery's status after it."""
    row = Delivery.objects.select_related("subscription").filter(
        pk=delivery_id, claim=token).first()
    if row is None:
        return "lost"
    sub = row.subscription
    now = timezone.now()
    ts = int(time.time())
    result = sending.post(sub.url, row.body.encode(), headers_for(row, secrets_of(sub, now),
                                                                  ts))
    done = timezone.now()
    mine = Delivery.objects.filter(pk=row.pk, claim=token)
    common = {"lease_until": None, "claim": "", "last_status_code": result.status,
              "last_duration_ms": result.duration_ms, "last_error": result.error[:500]}
    if result.ok:
        if mine.update(status=DeliveryStatus.DELIVERED, delivered_at=done, **common):
            Subscription.objects.filter(pk=sub.pk, consecutive_failures__gt=0).update(
                consecutive_failures=0)
        return DeliveryStatus.DELIVERED
    step = row.step + 1
    wait = next_wait(step)
    if wait is None:
        took = mine.update(status=DeliveryStatus.FAILED, step=step, **common)
    else:
        took = mine.update(step=step, next_attempt_at=done + wait, **common)
    if took:
        _count_failure(sub.pk)
    logger.info("Webhook delivery %s failed (%s): %s", row.uuid, step, result.error)
    return DeliveryStatus.FAILED if wait is None else DeliveryStatus.PENDING


def _count_failure(subscription_id: int) -> None:
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription_id).update(
            consecutive_failures=F("consecutive_failures") + 1)
        sub = Subscription.objects.filter(pk=subscription_id).first()
        if sub is None or not sub.is_active or sub.consecutive_failures < disable_after():
            return
        now = timezone.now()
        reason = _("%(n)d failed attempts in a row") % {"n": sub.consecutive_failures}
        if not Subscription.objects.filter(pk=sub.pk, is_active=True).update(
                is_active=False, disabled_at=now, disabled_reason=reason):
            return
        audit_record(action="webhooks.subscription.disabled", obj=sub,
                     actor_label="job:webhooks", changes={"failures": sub.consecutive_failures})
        _tell_admins(sub, now)


def admins() -> list[Employee]:
    """Who manages webhooks (is told when one is switched off)."""
    staff = Membership.objects.filter(is_active=True, employee__is_active=True,
                                      role__in=perms.WEBHOOK_MANAGE.roles)
    people = Employee.objects.filter(pk__in=staff.values("employee_id"), is_active=True)
    return [e for e in people.order_by("pk")[:200]
            if org_perms.can(e, perms.WEBHOOK_MANAGE.code)]


def _tell_admins(sub: Subscription, at: datetime.datetime) -> None:
    name, n = sub.name, sub.consecutive_failures
    url = reverse("webhooks:subscription_detail", args=[sub.pk])
    for person in admins():
        notify(recipient=person, kind="webhooks.disabled",
               title=lambda: _("Webhook %(name)s switched off after %(n)d failed attempts "
                               "in a row") % {"name": name, "n": n},
               url=url, key=f"webhooks.disabled:{sub.pk}:{at:%Y%m%d%H%M%S%f}")


def deliver(delivery_id: int) -> str:
    """Claim and send one delivery (the task's body); "busy" when not ours to send."""
    token = claim(delivery_id)
    if token is None:
        return "busy"
    return attempt(delivery_id, token)


def deliver_due(*, now: datetime.datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send every due delivery (retries, and any whose task was lost)."""
    out: dict[str, int] = {}
    for pk, token in claim_due(now=now, limit=limit):
        status = attempt(pk, token)
        out[status] = out.get(status, 0) + 1
    return out


def prune(*, now: datetime.datetime | None = None) -> int:
    """Forget deliveries finished more than ``PUNKT_WEBHOOK_KEEP_DAYS`` ago."""
    now = now or timezone.now()
    days = int(getattr(settings, "PUNKT_WEBHOOK_KEEP_DAYS", 30))
    deleted, _n = Delivery.objects.filter(
        status__in=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED),
        created_at__lt=now - datetime.timedelta(days=days)).delete()
    return deleted
