"""SMS delivery reports from SMSAPI's callback: delivered sets the time, a failure bounces
the message (the number suppressed only when the network says it cannot receive), the
address's secret is the only key, intermediate states and repeats change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from punkt.messaging import mass, sms_reports
from punkt.messaging.models import Channel, Message, MessageKind, MessageStatus, Suppression

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-raporty-0123456789"


def sms(provider_id: str, *, status: str = MessageStatus.SENT, to: str = "+48600100200",
        **fields: Any) -> Message:
    return Message.objects.create(channel=Channel.SMS, kind=MessageKind.MARKETING, to=to,
                                  body="Promocja", status=status, provider_id=provider_id,
                                  **fields)


def test_smsapi_fields_are_read_as_one_report_per_id() -> None:
    reports = sms_reports.parse_smsapi({
        "MsgId": "A1,B2,C3", "status": "404,405", "status_name": ",,REJECTED",
        "donedate": "1796000000,x"})
    assert [(r.provider_id, r.code) for r in reports] == [
        ("A1", "404"), ("B2", "405"), ("C3", "407")]
    assert reports[0].done_at is not None and reports[0].done_at.year == 2026
    assert reports[1].done_at is None and reports[2].done_at is None
    assert sms_reports.parse_smsapi({}) == []


def test_delivered_sets_the_time_once_and_keeps_the_message_sent() -> None:
    m = sms("A1")
    out = sms_reports.record(sms_reports.parse_smsapi(
        {"MsgId": "A1", "status": "404", "donedate": "1796000000"}))
    m.refresh_from_db()
    assert out == {"delivered": 1, "bounced": 0, "ignored": 0}
    assert m.status == MessageStatus.SENT and m.delivered_at is not None
    first = m.delivered_at
    again = sms_reports.record(sms_reports.parse_smsapi({"MsgId": "A1", "status": "404"}))
    m.refresh_from_db()
    assert again["ignored"] == 1 and m.delivered_at == first


def test_undelivered_bounces_and_suppresses_the_number_expired_does_not_suppress() -> None:
    hard, soft = sms("H1", to="+48600100201"), sms("S1", to="+48600100202")
    out = sms_reports.record(sms_reports.parse_smsapi({"MsgId": "H1,S1", "status": "405,402"}))
    hard.refresh_from_db()
    soft.refresh_from_db()
    assert out["bounced"] == 2
    assert hard.status == soft.status == MessageStatus.BOUNCED
    assert "UNDELIVERED" in hard.error and "EXPIRED" in soft.error
    assert mass.is_suppressed(Channel.SMS, "+48600100201")
    assert not Suppression.objects.filter(address="+48600100202").exists()
    # a late "delivered" never undoes the bounce
    sms_reports.record(sms_reports.parse_smsapi({"MsgId": "S1", "status": "404"}))
    soft.refresh_from_db()
    assert soft.status == MessageStatus.BOUNCED and soft.delivered_at is None


def test_intermediate_states_unknown_ids_and_e_mails_change_nothing() -> None:
    m = sms("Q1")
    mail = Message.objects.create(channel=Channel.EMAIL, kind=MessageKind.MARKETING,
                                  to="a@example.pl", body="x", status=MessageStatus.SENT,
                                  provider_id="E1")
    out = sms_reports.record(sms_reports.parse_smsapi(
        {"MsgId": "Q1,NOPE,E1", "status": "403,404,404"}))
    assert out == {"delivered": 0, "bounced": 0, "ignored": 3}
    m.refresh_from_db()
    mail.refresh_from_db()
    assert m.delivered_at is None and mail.delivered_at is None


@override_settings(PUNKT_SMS_REPORT_TOKEN=TOKEN)
def test_the_callback_takes_get_and_post_with_the_secret_only(client: Any) -> None:
    a, b = sms("G1"), sms("P1")
    r = client.get(f"/sms/raporty/{TOKEN}/", {"MsgId": "G1", "status": "404"})
    assert r.status_code == 200 and r.content == b"OK"
    r = client.post(f"/sms/raporty/{TOKEN}/", {"MsgId": "P1", "status": "406"})
    assert r.status_code == 200 and r.content == b"OK"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.delivered_at is not None and b.status == MessageStatus.BOUNCED
    wrong = sms("W1")
    assert client.get("/sms/raporty/wrong/", {"MsgId": "W1", "status": "404"}).status_code == 404
    wrong.refresh_from_db()
    assert wrong.delivered_at is None


@override_settings(PUNKT_SMS_REPORT_TOKEN="")
def test_without_a_configured_secret_the_address_does_not_exist(client: Any) -> None:
    m = sms("N1")
    assert client.get("/sms/raporty/anything/", {"MsgId": "N1", "status": "404"}
                      ).status_code == 404
    m.refresh_from_db()
    assert m.delivered_at is None


@override_settings(PUNKT_SMS_REPORT_TOKEN=TOKEN, PUNKT_PUBLIC_URL="https://crm.example.pl")
def test_the_gateway_asks_for_reports_at_the_callback(monkeypatch: Any) -> None:
    """The real HTTP request body SmsApiGateway sends carries ``notify_url``."""
    import json
    import threading
    import urllib.parse
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from punkt.messaging.sms import SmsApiGateway

    seen: dict[str, list[str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen.update(urllib.parse.parse_qs(body))
            answer = json.dumps({"count": 1, "list": [{"id": "X9"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    try:
        gw = SmsApiGateway("tok", f"http://127.0.0.1:{server.server_port}")
        assert gw.send("+48600100200", "Hej") == "X9"
    finally:
        server.server_close()
    assert seen["notify_url"] == [f"https://crm.example.pl/sms/raporty/{TOKEN}/"]
