"""Sending to a real HTTP server on loopback: the signature the receiver verifies, retries
after 500s with the backoff, the timeout, redirects not followed, the lease of a killed
worker, switching a failing webhook off, sending again, rotating the secret, and the
addresses that may not be called (SSRF)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from punkt.core import events
from punkt.core.errors import ValidationFailed
from punkt.core.models import AuditEvent
from punkt.webhooks import services
from punkt.webhooks.models import Delivery, DeliveryStatus, Subscription
from punkt.webhooks.tests.conftest import Receiver, verify
from punkt.webhooks.tests.helpers import subscribe
from punkt.work.models import Notification

pytestmark = pytest.mark.django_db


def _publish(branch_id: int | None = None, **data: Any) -> Delivery:
    with transaction.atomic():
        events.publish("ticket.created", {"ticket": {"id": 1, "subject": "Zażółć gęślą"},
                                          **data}, branch_id=branch_id)
    return Delivery.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_the_receiver_verifies_the_signature_and_gets_the_event(world: Any,
                                                                receiver: Receiver) -> None:
    _sub, secret = subscribe(world, receiver.url("/ok"))
    row = _publish(world.a.pk)
    assert services.deliver(row.pk) == DeliveryStatus.DELIVERED
    [got] = receiver.on("/ok")
    assert verify(secret, got.headers, got.body)
    assert not verify("whsec_wrong", got.headers, got.body)
    assert not verify(secret, got.headers, got.body + b" ")  # a changed body fails
    assert got.headers["Punkt-Event"] == "ticket.created"
    assert got.headers["Punkt-Delivery"] == str(row.uuid)
    assert got.headers["Content-Type"] == "application/json"
    body = json.loads(got.body)
    assert body["id"] == str(row.uuid) and body["branch_id"] == world.a.pk
    assert body["data"]["ticket"]["subject"] == "Zażółć gęślą"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert row.delivered_at is not None and row.last_duration_ms is not None
    assert services.deliver(row.pk) == "busy"  # delivered: never sent twice
    assert len(receiver.requests) == 1


def test_a_500_is_tried_again_later_with_backoff_until_it_goes(world: Any,
                                                              receiver: Receiver) -> None:
    receiver.script("/flaky", [500, 503, 200])
    subscribe(world, receiver.url("/flaky"))
    row = _publish()
    start = timezone.now()
    assert services.deliver(row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert row.last_status_code == 500 and "HTTP 500" in row.last_error
    wait = row.next_attempt_at - start
    assert datetime.timedelta(seconds=53) < wait < datetime.timedelta(seconds=67)
    assert services.deliver_due() == {}  # not due yet
    with time_machine.travel(row.next_attempt_at + datetime.timedelta(seconds=1)):
        assert services.deliver_due() == {DeliveryStatus.PENDING: 1}
    row.refresh_from_db()
    assert row.step == 2 and row.last_status_code == 503
    with time_machine.travel(row.next_attempt_at + datetime.timedelta(seconds=1)):
        assert services.deliver_due() == {DeliveryStatus.DELIVERED: 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 3)
    # the same delivery id every time: the receiver can drop repeats
    assert {r.headers["Punkt-Delivery"] for r in receiver.requests} == {str(row.uuid)}
    assert Subscription.objects.get().consecutive_failures == 0


def test_the_retry_schedule_then_failed() -> None:
    minutes = [1, 5, 30, 120, 720]
    for step, base in enumerate(minutes, start=1):
        for _n in range(20):
            wait = services.next_wait(step)
            assert wait is not None
            assert base * 54 <= wait.total_seconds() <= base * 66
    assert services.next_wait(6) is None


def test_after_the_last_retry_the_delivery_fails(world: Any, receiver: Receiver) -> None:
    receiver.script("/down", [500])
    subscribe(world, receiver.url("/down"))
    row = _publish()
    Delivery.objects.filter(pk=row.pk).update(step=5)
    assert services.deliver(row.pk) == DeliveryStatus.FAILED
    row.refresh_from_db()
    assert row.status == "failed" and row.step == 6
    assert services.deliver_due(now=timezone.now() + datetime.timedelta(days=2)) == {}


def test_a_slow_receiver_times_out(world: Any, receiver: Receiver, settings: Any) -> None:
    settings.PUNKT_WEBHOOK_TIMEOUT = 0.5
    receiver.script("/slow", [("sleep", 2.0)])
    subscribe(world, receiver.url("/slow"))
    row = _publish()
    assert services.deliver(row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert "0.5" in row.last_error and row.last_status_code is None
    assert row.last_duration_ms is not None and 450 <= row.last_duration_ms < 1900


def test_a_redirect_is_not_followed(world: Any, receiver: Receiver) -> None:
    receiver.script("/moved", [("redirect", "/ok")])
    subscribe(world, receiver.url("/moved"))
    row = _publish()
    assert services.deliver(row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert row.last_status_code == 302 and "/ok" in row.last_error
    assert receiver.on("/ok") == []


def test_a_killed_workers_delivery_is_sent_after_its_lease(world: Any,
                                                           receiver: Receiver) -> None:
    """C13: the worker took the lease and died before recording anything."""
    subscribe(world, receiver.url("/ok"))
    row = _publish()
    assert services.claim(row.pk) is not None  # … and the worker is killed here
    assert services.deliver(row.pk) == "busy"
    assert services.deliver_due() == {}
    with time_machine.travel(timezone.now() + services.LEASE + datetime.timedelta(seconds=1)):
        assert services.deliver_due() == {DeliveryStatus.DELIVERED: 1}
    row.refresh_from_db()
    assert row.attempts == 2 and len(receiver.requests) == 1


def test_a_late_worker_does_not_overwrite_the_new_holder(world: Any,
                                                         receiver: Receiver) -> None:
    subscribe(world, receiver.url("/ok"))
    row = _publish()
    stale = services.claim(row.pk)
    assert stale is not None
    with time_machine.travel(timezone.now() + services.LEASE + datetime.timedelta(seconds=1)):
        fresh = services.claim(row.pk)
    assert fresh is not None
    assert services.attempt(row.pk, stale) == "lost"
    assert services.attempt(row.pk, fresh) == DeliveryStatus.DELIVERED


def test_a_failing_webhook_is_switched_off_and_the_admin_told(world: Any, receiver: Receiver,
                                                              settings: Any) -> None:
    settings.PUNKT_WEBHOOK_DISABLE_AFTER = 3
    receiver.script("/down", [500])
    sub, _s = subscribe(world, receiver.url("/down"))
    rows = [_publish() for _n in range(4)]
    for row in rows[:3]:
        services.deliver(row.pk)
    sub.refresh_from_db()
    assert not sub.is_active and sub.disabled_at is not None
    assert "3" in sub.disabled_reason
    note = Notification.objects.get(recipient=world.admin, kind="webhooks.disabled")
    assert "CRM" in note.title and note.url.endswith(f"/webhooks/{sub.pk}/")
    assert AuditEvent.objects.filter(action="webhooks.subscription.disabled").count() == 1
    # switched off: the fourth waits, and no new events are written
    assert services.deliver(rows[3].pk) == "busy"
    assert len(receiver.requests) == 3
    before = Delivery.objects.count()
    _publish()
    assert Delivery.objects.count() == before
    # switched on again: the count starts over and the waiting one goes out
    receiver.script("/down", [200])
    services.subscription_update(actor=world.admin, subscription_id=sub.pk, name=sub.name,
                                 url=sub.url, events=sub.events, is_active=True)
    sub.refresh_from_db()
    assert sub.is_active and sub.consecutive_failures == 0 and not sub.disabled_reason
    assert services.deliver(rows[3].pk) == DeliveryStatus.DELIVERED


def test_send_again_uses_the_same_delivery_id(world: Any, receiver: Receiver) -> None:
    subscribe(world, receiver.url("/ok"))
    row = _publish()
    services.deliver(row.pk)
    again = services.redeliver(actor=world.admin, delivery_id=row.pk)
    assert again.status == "pending" and again.step == 0
    assert services.deliver(row.pk) == DeliveryStatus.DELIVERED
    first, second = receiver.on("/ok")
    assert first.headers["Punkt-Delivery"] == second.headers["Punkt-Delivery"]
    assert first.body == second.body
    with pytest.raises(Exception):  # noqa: B017 - a service employee may not
        services.redeliver(actor=world.service_a, delivery_id=row.pk)


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_day(world: Any,
                                                                receiver: Receiver) -> None:
    sub, old = subscribe(world, receiver.url("/ok"))
    _sub, new = services.secret_rotate(actor=world.admin, subscription_id=sub.pk)
    assert new != old and new.startswith("whsec_")
    services.deliver(_publish().pk)
    got = receiver.requests[-1]
    assert verify(new, got.headers, got.body) and verify(old, got.headers, got.body)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        services.deliver(_publish().pk)
        got = receiver.requests[-1]
        assert verify(new, got.headers, got.body)
        assert not verify(old, got.headers, got.body)
    assert "whsec" not in json.dumps(list(AuditEvent.objects.values_list("changes",
                                                                         flat=True)))


@pytest.mark.parametrize("url,reason", [
    ("http://example.com/hook", "https"),
    ("https://10.1.2.3/hook", "private"),
    ("https://192.168.0.10/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://127.0.0.1/hook", "private"),
    ("https://[::1]/hook", "private"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://100.64.0.1/hook", "private"),
    ("https://user:pw@203.0.113.9/hook", "password"),
    ("ftp://203.0.113.9/hook", "https://example.com"),
    ("https://", "https://example.com"),
    ("https://no-such-host.invalid/hook", "cannot be found"),
])
def test_production_refuses_addresses_into_the_internal_network(
        settings: Any, url: str, reason: str) -> None:
    settings.PUNKT_WEBHOOK_DEV_TARGETS = False
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationFailed) as caught:
        services.check_url(url)
    assert caught.value.field == "url"
    assert reason in caught.value.message


def test_the_allow_list_opens_a_private_network(settings: Any) -> None:
    settings.PUNKT_WEBHOOK_DEV_TARGETS = False
    settings.PUNKT_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert services.check_url("https://10.20.3.4/hook") == "https://10.20.3.4/hook"
    with pytest.raises(ValidationFailed):
        services.check_url("https://10.21.3.4/hook")
    with pytest.raises(ValidationFailed):  # still https only
        services.check_url("http://10.20.3.4/hook")


def test_development_allows_http_only_to_loopback(settings: Any) -> None:
    settings.PUNKT_WEBHOOK_DEV_TARGETS = True
    assert services.check_url("http://127.0.0.1:8080/x")
    with pytest.raises(ValidationFailed):
        services.check_url("http://203.0.113.9/x")


def test_the_address_is_checked_again_when_sending(world: Any, receiver: Receiver,
                                                   settings: Any) -> None:
    """Saved while allowed, then the rules tightened (or the DNS answer changed)."""
    subscribe(world, receiver.url("/ok"))
    row = _publish()
    settings.PUNKT_WEBHOOK_DEV_TARGETS = False
    assert services.deliver(row.pk) == DeliveryStatus.PENDING
    row.refresh_from_db()
    assert row.last_error and row.last_status_code is None
    assert receiver.requests == []


def test_bad_input_names_the_field(world: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"events": []}, "events"),
        ({"events": ["ticket.exploded"]}, "events"),
        ({"branch_id": 999999}, "branch"), ({"url": "nie adres"}, "url")]
    for change, field in cases:
        data: dict[str, Any] = {"name": "CRM", "url": "http://127.0.0.1:9/x",
                                "events": ["ticket.created"], **change}
        with pytest.raises(ValidationFailed) as caught:
            services.subscription_create(actor=world.admin, **data)
        assert caught.value.field == field, change
    assert Subscription.objects.count() == 0
