"""Mailing pages and API through HTTP: roles, isolation, the live count, the timeline
link, the API's list/create/get/count/moves/bounces."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.campaigns.models import Mailing, MailingStatus
from punkt.campaigns.services import mailing as svc
from punkt.campaigns.tests.test_mailing import DSN, customer, plan, run_all
from punkt.core.testing import smtp_sink
from punkt.messaging import mass
from punkt.messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.DEFAULT_FROM_EMAIL = "sklep@example.pl"


def _api(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(method, path, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_pages_by_role(world: Any, client_as: Any) -> None:
    customer(world, 1)
    m = plan(world.manager_a)
    detail = reverse("campaigns:mailing_detail", args=[m.pk])
    for user, code in ((world.cashier_a, 403), (world.service_a, 403),
                       (world.manager_a, 200), (world.expert, 200)):
        assert client_as(user).get(reverse("campaigns:mailing_list")).status_code == code
    assert client_as(world.service_a).get(reverse("campaigns:mailing_new")).status_code == 403
    assert client_as(world.manager_b).get(detail).status_code == 404
    assert client_as(world.expert).get(detail).status_code == 200  # HQ oversees them
    page = client_as(world.manager_a).get(detail).content.decode()
    assert "Wysyłki" in page and 'data-testid="mailing-send"' in page
    assert 'data-testid="count-reachable"><strong>1</strong>' in page
    listing = client_as(world.manager_a).get(reverse("campaigns:mailing_list")).content.decode()
    assert m.name in listing


def test_the_form_counts_and_saves_and_names_the_bad_field(world: Any, client_as: Any) -> None:
    customer(world, 1)
    customer(world, 2, email=False)
    client = client_as(world.manager_a)
    page = client.get(reverse("campaigns:mailing_new"))
    assert page.status_code == 200 and 'id="segment-count"' in page.content.decode()
    count = client.get(reverse("campaigns:mailing_count"),
                       {"channel": "email"}).content.decode()
    assert 'data-testid="count-total">2<' in count
    assert 'data-testid="count-reachable"><strong>1</strong>' in count
    bad = client.post(reverse("campaigns:mailing_new"), {
        "name": "Wiosna", "channel": "email", "subject": "S", "body": "Hej {{ haslo }}"})
    assert bad.status_code == 422 and 'id="id_body_error"' in bad.content.decode()
    ok = client.post(reverse("campaigns:mailing_new"), {
        "name": "Wiosna", "channel": "email", "subject": "S", "body": "Hej {{ klient }}",
        "segment_city": ""})
    m = Mailing.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("campaigns:mailing_detail",
                                                               args=[m.pk])
    assert m.branch_id == world.a.pk
    sent = client.post(reverse("campaigns:mailing_act", args=[m.pk, "send"]))
    assert sent.status_code == 302
    m.refresh_from_db()
    assert m.status == MailingStatus.SCHEDULED
    assert client.post(reverse("campaigns:mailing_act", args=[m.pk, "cancel"])
                       ).status_code == 302
    m.refresh_from_db()
    assert m.status == MailingStatus.CANCELLED


def test_the_timeline_links_the_mailing(world: Any, client_as: Any, settings: Any) -> None:
    c = customer(world, 1)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    with smtp_sink(settings):
        run_all(m)
    page = client_as(world.manager_a).get(reverse("customers:customer_detail", args=[c.pk]))
    html = page.content.decode()
    assert reverse("campaigns:mailing_detail", args=[m.pk]) in html
    detail = client_as(world.manager_a).get(reverse("campaigns:mailing_detail", args=[m.pk]))
    assert reverse("customers:customer_detail", args=[c.pk]) in detail.content.decode()
    assert 'data-testid="progress-sent">1<' in detail.content.decode()


def test_api(world: Any, client_as: Any, settings: Any) -> None:
    customer(world, 1)
    customer(world, 2, branch=world.b)
    manager, expert = client_as(world.manager_a), client_as(world.expert)
    count = _api(manager, "POST", "/api/v1/mailings/count", {"channel": "email"})
    assert count.status_code == 200 and count.json() == {"total": 1, "consenting": 1,
                                                         "reachable": 1}
    other = _api(manager, "POST", "/api/v1/mailings/count",
                 {"channel": "email", "segment": {"branch_id": world.b.pk}})
    assert other.status_code == 422 and other.json()["field"] == "segment_branch"
    assert _api(expert, "POST", "/api/v1/mailings/count",
                {"channel": "email"}).json()["reachable"] == 2
    bad = _api(manager, "POST", "/api/v1/mailings", {
        "name": "A", "channel": "email", "body": "x"})
    assert bad.status_code == 422 and bad.json()["field"] == "subject"
    made = _api(manager, "POST", "/api/v1/mailings", {
        "name": "A", "channel": "email", "subject": "S", "body": "Hej {{ klient }}"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "draft" and "send" in body["actions"]
    assert _api(client_as(world.manager_b), "GET",
                f"/api/v1/mailings/{body['id']}").status_code == 404
    moved = _api(manager, "POST", f"/api/v1/mailings/{body['id']}/moves", {"action": "send"})
    assert moved.status_code == 200 and moved.json()["status"] == "scheduled"
    again = _api(manager, "POST", f"/api/v1/mailings/{body['id']}/moves", {"action": "send"})
    assert again.status_code == 409
    with smtp_sink(settings):
        run_all(Mailing.objects.get(pk=body["id"]))
    got = _api(manager, "GET", f"/api/v1/mailings/{body['id']}").json()
    assert got["status"] == "sent" and got["progress"]["sent"] == 1
    assert [i["id"] for i in _api(manager, "GET", "/api/v1/mailings").json()["items"]] == [
        body["id"]]
    message = Message.objects.get()
    raw = DSN.format(verp=mass.bounce_address(message.pk), to=message.to, pk=message.pk,
                     action="failed", status="5.1.1")
    assert _api(manager, "POST", "/api/v1/mailings/bounces", {"raw": raw}).status_code == 403
    bounced = _api(expert, "POST", "/api/v1/mailings/bounces", {"raw": raw})
    assert bounced.status_code == 200 and bounced.json() == {"bounced": [message.pk]}
    assert _api(manager, "GET", f"/api/v1/mailings/{body['id']}").json()[
        "progress"]["bounced"] == 1
