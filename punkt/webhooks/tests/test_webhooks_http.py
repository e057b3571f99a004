"""The pages and the API of the webhooks, through HTTP: the administrator manages them,
the secret is shown once, bad input is answered beside its field, other roles are
refused (C2, C21)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from punkt.organization.services import api_token_create
from punkt.webhooks import services
from punkt.webhooks.models import Delivery, Subscription
from punkt.webhooks.tests.conftest import Receiver
from punkt.webhooks.tests.helpers import subscribe

pytestmark = pytest.mark.django_db


def test_the_admin_creates_a_webhook_and_sees_the_secret_once(world: Any, client_as: Any,
                                                              receiver: Receiver) -> None:
    c = client_as(world.admin)
    assert c.get(reverse("webhooks:subscription_list")).status_code == 200
    form = c.get(reverse("webhooks:subscription_new")).content.decode()
    assert 'value="ticket.created"' in form and 'value="ticket.sla_breached"' in form
    answer = c.post(reverse("webhooks:subscription_new"), {
        "name": "Centrala", "url": receiver.url("/ok"), "branch_id": "",
        "events": ["ticket.created", "ticket.message_added"], "is_active": "1"})
    sub = Subscription.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("webhooks:subscription_detail", args=[sub.pk])
    first = c.get(answer["Location"]).content.decode()
    assert sub.secret in first and 'data-testid="webhook-secret"' in first
    again = c.get(answer["Location"]).content.decode()
    assert sub.secret not in again  # shown once
    assert sub.events == ["ticket.created", "ticket.message_added"]
    # a new secret, shown once too
    c.post(reverse("webhooks:subscription_rotate", args=[sub.pk]))
    sub.refresh_from_db()
    assert sub.secret in c.get(answer["Location"]).content.decode()
    assert sub.secret not in c.get(answer["Location"]).content.decode()


def test_bad_input_is_shown_beside_its_field(world: Any, client_as: Any,
                                             settings: Any) -> None:
    settings.PUNKT_WEBHOOK_DEV_TARGETS = False
    c = client_as(world.admin)
    page = c.post(reverse("webhooks:subscription_new"), {
        "name": "CRM", "url": "https://169.254.169.254/latest", "events": ["ticket.created"]})
    html = page.content.decode()
    assert page.status_code == 200 and Subscription.objects.count() == 0
    assert 'id="e-url"' in html and 'aria-invalid="true"' in html
    assert 'value="https://169.254.169.254/latest"' in html  # the input is kept
    page = c.post(reverse("webhooks:subscription_new"), {
        "name": "CRM", "url": "http://example.com/"})
    assert 'id="e-url"' in page.content.decode()
    settings.PUNKT_WEBHOOK_DEV_TARGETS = True
    page = c.post(reverse("webhooks:subscription_new"), {
        "name": "CRM", "url": "http://127.0.0.1:9/x"})
    assert 'id="e-events"' in page.content.decode()


def test_the_delivery_log_and_send_again(world: Any, client_as: Any,
                                         receiver: Receiver) -> None:
    from punkt.servicedesk.tests.factories import desk, ticket

    receiver.script("/flaky", [500, 200])
    sub, _s = subscribe(world, receiver.url("/flaky"))
    t = ticket(world, desk(world))
    row = Delivery.objects.get(subscription=sub)
    services.deliver(row.pk)
    c = client_as(world.admin)
    url = reverse("webhooks:subscription_detail", args=[sub.pk])
    html = c.get(url).content.decode()
    assert "ticket.created" in html and "HTTP 500" in html and ">500<" in html
    again_url = reverse("webhooks:delivery_again", args=[row.pk])
    assert again_url in html
    assert again_url not in c.get(url, {"status": "delivered"}).content.decode()
    fragment = c.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="results"' in fragment and "<html" not in fragment
    c.post(reverse("webhooks:subscription_test", args=[sub.pk]))
    ping = Delivery.objects.get(subscription=sub, event="webhook.ping")
    assert services.deliver(ping.pk) == "delivered"
    assert receiver.on("/flaky")[-1].headers["Punkt-Event"] == "webhook.ping"
    receiver.script("/flaky", [200])
    answer = c.post(reverse("webhooks:delivery_again", args=[row.pk]))
    assert answer.status_code == 302
    assert services.deliver(row.pk) == "delivered"
    assert t.number in receiver.on("/flaky")[-1].body.decode()


@pytest.mark.parametrize("role", ["hq_expert", "manager", "service", "retention", "cashier"])
def test_other_roles_are_refused(world: Any, client_as: Any, role: str) -> None:
    sub, _s = subscribe(world, "http://127.0.0.1:9/x")
    row = Delivery.objects.create(subscription=sub, event="ticket.created", body="{}")
    c = client_as(world.by_role()[role])
    for name, kwargs in [("webhooks:subscription_list", {}),
                         ("webhooks:subscription_new", {}),
                         ("webhooks:subscription_detail", {"subscription_id": sub.pk}),
                         ("webhooks:subscription_edit", {"subscription_id": sub.pk})]:
        assert c.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    assert c.post(reverse("webhooks:subscription_rotate", args=[sub.pk])).status_code == 403
    assert c.post(reverse("webhooks:delivery_again", args=[row.pk])).status_code == 403
    assert c.post(reverse("webhooks:subscription_test", args=[sub.pk])).status_code == 403
    old = sub.secret
    sub.refresh_from_db()
    assert sub.secret == old


def test_posts_need_the_csrf_token(world: Any) -> None:
    sub, _s = subscribe(world, "http://127.0.0.1:9/x")
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.admin, backend="punkt.organization.backends.EmployeeBackend")
    assert c.post(reverse("webhooks:subscription_rotate", args=[sub.pk])).status_code == 403


def test_the_api(world: Any, receiver: Receiver) -> None:
    _token, secret = api_token_create(actor=world.admin, name="integracje")
    c = Client(headers={"Authorization": f"Bearer {secret}"})
    events = c.get("/api/v1/webhooks/events").json()
    assert "ticket.transferred" in [e["name"] for e in events]
    made = c.post("/api/v1/webhooks/subscriptions", {
        "name": "Hurtownia", "url": receiver.url("/ok"), "events": ["ticket.created"],
        "branch_id": world.b.pk}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["branch_id"] == world.b.pk
    sid = body["id"]
    got = c.get(f"/api/v1/webhooks/subscriptions/{sid}").json()
    assert "secret" not in got and got["events"] == ["ticket.created"]
    bad = c.post("/api/v1/webhooks/subscriptions", {
        "name": "X", "url": receiver.url("/ok"), "events": ["ticket.nope"]},
        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "events"
    put = c.put(f"/api/v1/webhooks/subscriptions/{sid}", {
        "name": "Hurtownia", "url": receiver.url("/ok"), "events": ["ticket.created"],
        "is_active": False}, content_type="application/json")
    assert put.status_code == 200 and put.json()["is_active"] is False
    rotated = c.post(f"/api/v1/webhooks/subscriptions/{sid}/rotate-secret").json()
    assert rotated["secret"] != body["secret"]
    row = Delivery.objects.create(subscription_id=sid, event="ticket.created", body="{}")
    log = c.get(f"/api/v1/webhooks/subscriptions/{sid}/deliveries").json()
    assert log["items"][0]["delivery_id"] == str(row.uuid)
    again = c.post(f"/api/v1/webhooks/deliveries/{row.pk}/redeliver")
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert c.get("/api/v1/webhooks/subscriptions/999999").status_code == 404
    # switched off above: no test event
    assert c.post(f"/api/v1/webhooks/subscriptions/{sid}/test").status_code == 409
    # an HQ expert's token: refused
    _t, expert = api_token_create(actor=world.expert, name="x")
    e = Client(headers={"Authorization": f"Bearer {expert}"})
    assert e.get("/api/v1/webhooks/subscriptions").status_code == 403
    assert e.post(f"/api/v1/webhooks/deliveries/{row.pk}/redeliver").status_code == 403
