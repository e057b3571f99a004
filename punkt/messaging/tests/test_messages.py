"""Messages really go out (SMTP sink, SMS gateways), once, and only with consent (C12–C14)."""

from __future__ import annotations

import json
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from punkt.core.errors import Conflict, ValidationFailed
from punkt.core.testing import smtp_sink
from punkt.customers import services as customers
from punkt.messaging import services, sms
from punkt.messaging.models import Message, MessageStatus

MARKETING, SERVICE = "marketing", "service"


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        yield


def customer(world: Any, *, email_consent: bool = False, **data: Any) -> Any:
    consents = [{"purpose": "contract", "granted": True}]
    if email_consent:
        consents += [{"purpose": "marketing_email", "granted": True},
                     {"purpose": "marketing_sms", "granted": True}]
    return customers.customer_create(
        actor=world.service_a, branch_id=world.a.pk, consents=consents,
        data={"kind": "person", "first_name": "Ewa", "last_name": "Łęcka",
              "email": "ewa@example.pl", "phone": "+48601234567", **data},
        confirm_duplicate=True)


def test_email_goes_out_through_smtp_once_with_its_pdf(world: Any, settings: Any) -> None:
    c = customer(world)
    m = services.message_queue(customer=c, channel="email", kind=SERVICE, subject="Zażółć",
                               body="Treść gęślą jaźń", attachment=("umowa.pdf", b"%PDF-1.4 x"))
    with smtp_sink(settings) as sink:
        assert services.deliver_now(m.pk) == MessageStatus.SENT
        assert services.deliver_now(m.pk) == MessageStatus.SENT  # a retry sends nothing
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert mail["To"] == "ewa@example.pl" and subject == "Zażółć"
    parts = [p.get_filename() for p in mail.walk() if p.get_filename()]
    assert parts == ["umowa.pdf"]
    m.refresh_from_db()
    assert m.status == MessageStatus.SENT and m.sent_at is not None


def test_marketing_needs_consent_when_queued_and_when_sent(world: Any, settings: Any) -> None:
    without = customer(world)
    with pytest.raises(Conflict) as exc:
        services.message_queue(customer=without, channel="email", kind=MARKETING, body="Promo")
    assert exc.value.code == "no_consent" and exc.value.field == "channel"
    c = customer(world, email_consent=True)
    m = services.message_queue(customer=c, channel="email", kind=MARKETING, body="Promo")
    customers.consent_record(actor=world.service_a, customer_id=c.pk,
                             purpose="marketing_email", granted=False)
    with smtp_sink(settings) as sink:
        assert services.deliver_now(m.pk) == MessageStatus.SKIPPED
    assert sink.messages == []


def test_missing_address_and_empty_text_name_the_field(world: Any) -> None:
    c = customer(world, email="", phone="")
    with pytest.raises(ValidationFailed) as exc:
        services.message_queue(customer=c, channel="email", kind=SERVICE, body="x")
    assert exc.value.field == "email"
    with pytest.raises(ValidationFailed) as exc:
        services.message_queue(customer=c, channel="sms", kind=SERVICE, body="x")
    assert exc.value.field == "phone"
    with pytest.raises(ValidationFailed) as exc:
        services.message_queue(customer=customer(world), channel="sms", kind=SERVICE, body=" ")
    assert exc.value.field == "body"


def test_nothing_escapes_a_rolled_back_transaction(world: Any) -> None:
    c = customer(world)
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_queue(customer=c, channel="email", kind=SERVICE, body="x")
        raise RuntimeError("the work failed after queueing")
    assert not Message.objects.exists() and DBTaskResult.objects.count() == before


def test_a_key_makes_a_message_once_only(world: Any) -> None:
    c = customer(world)
    first = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="x", key="k:1")
    again = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="y", key="k:1")
    assert first.pk == again.pk and Message.objects.count() == 1


def test_an_interrupted_send_is_not_repeated(world: Any) -> None:
    c = customer(world)
    m = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="x")
    Message.objects.filter(pk=m.pk).update(status=MessageStatus.SENDING)  # worker died here
    assert services.deliver_now(m.pk) == MessageStatus.UNCERTAIN


def test_sms_file_gateway(world: Any, tmp_path: Any) -> None:
    c = customer(world)
    m = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="Zażółć gęślą")
    assert services.deliver_now(m.pk) == MessageStatus.SENT
    (written,) = (tmp_path / "sms").glob("*.json")
    assert json.loads(written.read_text()) == {"to": "+48601234567", "text": "Zażółć gęślą"}


class _FakeSmsApi(BaseHTTPRequestHandler):
    answers: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        from urllib.parse import parse_qs

        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.seen.append({"auth": self.headers["Authorization"], "path": self.path, **form})
        body = json.dumps(self.answers.pop(0)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_smsapi_adapter_speaks_http(world: Any, settings: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _FakeSmsApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeSmsApi.answers = [{"count": 1, "list": [{"id": "abc123", "points": 0.16}]},
                           {"error": 101, "message": "Authorization failed"}]
    settings.PUNKT_SMS_BACKEND = "smsapi"
    settings.PUNKT_SMSAPI_TOKEN = "secret-token"
    settings.PUNKT_SMSAPI_URL = f"http://127.0.0.1:{server.server_port}"
    settings.PUNKT_SMS_SENDER = "Punkt"
    try:
        c = customer(world)
        ok = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="Dzień dobry")
        assert services.deliver_now(ok.pk) == MessageStatus.SENT
        refused = services.message_queue(customer=c, channel="sms", kind=SERVICE, body="x")
        assert services.deliver_now(refused.pk) == MessageStatus.FAILED
    finally:
        server.shutdown()
    ok.refresh_from_db()
    refused.refresh_from_db()
    assert ok.provider_id == "abc123" and "Authorization failed" in refused.error
    assert _FakeSmsApi.seen[0] == {"auth": "Bearer secret-token", "path": "/sms.do",
                                   "to": "48601234567", "message": "Dzień dobry",
                                   "format": "json", "encoding": "utf-8", "from": "Punkt"}
    settings.PUNKT_SMSAPI_TOKEN = ""
    with pytest.raises(sms.SmsError):
        sms.gateway()


def test_placeholders_are_checked_and_filled() -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.check_template("Hej {{ klient }} {{ haslo }}", field="body")
    assert "haslo" in exc.value.message and exc.value.field == "body"
    assert services.fill("{{ klient }}: {{numer_umowy}}", {"klient": "<b>", "numer_umowy": "U1"}
                         ) == "<b>: U1"


def test_hq_edits_templates_with_checked_fields(world: Any, client_as: Any) -> None:
    from django.urls import reverse

    from punkt.messaging.models import MessageTemplate

    hq = client_as(world.expert)
    assert "Przypomnienie o końcu umowy" in hq.get(reverse("messaging:template_list")
                                                   ).content.decode()
    t = MessageTemplate.objects.get(code="retention-email")
    url = reverse("messaging:template_edit", args=[t.pk])
    bad = hq.post(url, {"name": "X", "subject": "Temat", "body": "Hej {{ haslo }}"})
    assert bad.status_code == 422 and "haslo" in bad.content.decode()
    ok = hq.post(url, {"name": "Nowa nazwa", "subject": "Umowa {{ numer_umowy }}",
                       "body": "Dzień dobry {{ klient }}", "is_active": "1"})
    assert ok.status_code == 302
    t.refresh_from_db()
    assert (t.name, t.body) == ("Nowa nazwa", "Dzień dobry {{ klient }}")
    notice = MessageTemplate.objects.get(code="end-of-term-sms")
    hq.post(reverse("messaging:template_edit", args=[notice.pk]),
            {"name": "Koniec", "body": "Umowa {{ numer_umowy }}"})  # unticked "active"
    notice.refresh_from_db()
    assert notice.is_active  # a legal notice cannot be switched off
    assert client_as(world.manager_a).get(reverse("messaging:template_list")).status_code == 403
