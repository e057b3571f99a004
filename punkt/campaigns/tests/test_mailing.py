"""Mass mailings (R15.2): segment, C14 at queue and send time, steps, throttle,
unsubscribe, bounces, isolation."""

from __future__ import annotations

import datetime
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.utils import timezone, translation

from punkt.campaigns.models import Mailing, MailingStatus
from punkt.campaigns.services import mailing as svc
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.testing import smtp_sink
from punkt.customers import services as customers
from punkt.customers.models import Consent, TimelineEntry
from punkt.messaging import bounces, mass, unsubscribe
from punkt.messaging.models import Message, MessageStatus, Suppression


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    settings.PUNKT_PUBLIC_URL = "https://crm.example.pl"
    settings.DEFAULT_FROM_EMAIL = "sklep@example.pl"
    with translation.override("en"):
        yield


def customer(world: Any, n: int, *, branch: Any = None, email: bool = True, sms: bool = False,
             address: str | None = None, **data: Any) -> Any:
    branch = branch or world.a
    actor = world.service_a if branch == world.a else world.service_b
    consents = [{"purpose": "contract", "granted": True}]
    if email:
        consents.append({"purpose": "marketing_email", "granted": True})
    if sms:
        consents.append({"purpose": "marketing_sms", "granted": True})
    return customers.customer_create(
        actor=actor, branch_id=branch.pk, consents=consents,
        data={"kind": "person", "first_name": f"Ewa{n}", "last_name": "Łęcka",
              "email": f"ewa{n}@example.pl" if address is None else address,
              "phone": f"+4860123{n:04d}", **data},
        confirm_duplicate=True)


def plan(actor: Any, **data: Any) -> Mailing:
    return svc.mailing_create(actor=actor, data={
        "name": "Wiosna", "channel": "email", "subject": "Dla {{ klient }}",
        "body": "Dzień dobry {{ klient }}, zapraszamy do {{ oddzial }}.", **data})


def run(mailing: Mailing, now: datetime.datetime | None = None) -> svc.Step:
    return svc.step(mailing.pk, now)


def run_all(mailing: Mailing) -> None:
    for _ in range(100):
        result = run(mailing)
        if result.next_at is None:
            return
    raise AssertionError("the mailing did not finish")


def test_only_consenting_customers_are_queued_and_counted(world: Any) -> None:
    c1 = customer(world, 1)
    customer(world, 2, email=False)  # no marketing consent
    customer(world, 3, address="")  # consent but no address
    customer(world, 4, branch=world.b)  # another branch
    counts = svc.segment_counts(actor=world.manager_a, channel="email", segment={})
    assert counts == {"total": 3, "consenting": 2, "reachable": 1}
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    assert run(m).status == MailingStatus.SENDING
    rows = list(Message.objects.filter(source_type="campaigns.mailing", source_id=str(m.pk)))
    assert [r.customer_id for r in rows] == [c1.pk]
    assert rows[0].status == MessageStatus.QUEUED and rows[0].kind == "marketing"
    m.refresh_from_db()
    assert m.queued == 1 and m.status == MailingStatus.SENDING


def test_hq_reaches_every_branch_and_can_narrow(world: Any) -> None:
    customer(world, 1)
    customer(world, 2, branch=world.b)
    assert svc.segment_counts(actor=world.expert, channel="email",
                              segment={})["reachable"] == 2
    assert svc.segment_counts(actor=world.expert, channel="email",
                              segment={"branch_id": world.b.pk})["reachable"] == 1


def test_a_branch_manager_never_reaches_another_branch(world: Any) -> None:
    customer(world, 1)
    customer(world, 2, branch=world.b)
    with pytest.raises(ValidationFailed) as err:
        svc.segment_counts(actor=world.manager_a, channel="email",
                           segment={"branch_id": world.b.pk})
    assert err.value.field == "segment_branch"
    m = plan(world.manager_a)
    m.segment = {"branch_id": world.b.pk}  # even a forged segment stays in the branch
    m.save()
    assert list(svc.segment_customers(m.branch, m.segment)) == []
    with pytest.raises(NotFound):
        svc.mailing_move(actor=world.manager_b, mailing_id=m.pk, action="send")
    with pytest.raises(NotFound):
        svc.mailing_test(actor=world.manager_b, mailing_id=m.pk)


def test_segment_filters(world: Any) -> None:
    customer(world, 1, city="Kraków")
    customer(world, 2, city="Gdańsk")
    customer(world, 3, kind="company", company_name="Firma", nip="5260250274")
    count = lambda seg: svc.segment_counts(actor=world.expert, channel="email",  # noqa: E731
                                           segment=seg)["total"]
    assert count({"city": "kraków"}) == 1
    assert count({"kind": "company"}) == 1
    assert count({"abc": ["A"]}) == 0  # no analytics snapshot: classes match nobody
    with pytest.raises(ValidationFailed):
        count({"kind": "alien"})
    with pytest.raises(ValidationFailed):
        count({"abc": ["Q"]})


def test_placeholders_are_checked_and_filled(world: Any, settings: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        plan(world.manager_a, body="Hej {{ haslo }}")
    assert err.value.field == "body"
    with pytest.raises(ValidationFailed) as err:
        plan(world.manager_a, body="Kod {{ kod_kampanii }}")
    assert err.value.field == "campaign"
    customer(world, 1)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    with smtp_sink(settings) as sink:
        run_all(m)
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert str(make_header(decode_header(mail["Subject"]))) == "Dla Ewa1 Łęcka"
    message = Message.objects.get(source_id=str(m.pk))
    assert message.status == MessageStatus.SENT
    assert message.body.startswith(f"Dzień dobry Ewa1 Łęcka, zapraszamy do {world.a.name}.")
    # VERP envelope, one-click unsubscribe headers (RFC 8058)
    assert mail["X-MailFrom"] == mass.bounce_address(message.pk)
    assert mail["From"] == "sklep@example.pl"
    url = mass.unsubscribe_url(message.pk)
    assert mail["List-Unsubscribe"] == f"<{url}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    m.refresh_from_db()
    assert m.status == MailingStatus.SENT
    entry = TimelineEntry.objects.get(customer=message.customer, kind="mailing")
    assert entry.source_type == "campaigns.mailing" and entry.source_id == str(m.pk)


def test_withdrawal_between_queue_and_send_skips(world: Any, settings: Any) -> None:
    c1, c2 = customer(world, 1), customer(world, 2)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run(m)  # queued both
    customers.consent_record(actor=world.service_a, customer_id=c2.pk,
                             purpose="marketing_email", granted=False)
    with smtp_sink(settings) as sink:
        run_all(m)
    assert len(sink.messages) == 1
    status = dict(Message.objects.values_list("customer_id", "status"))
    assert status == {c1.pk: MessageStatus.SENT, c2.pk: MessageStatus.SKIPPED}
    assert svc.progress(m)["skipped"] == 1 and svc.progress(m)["sent"] == 1


def test_unsubscribe_withdraws_at_once_and_skips_the_queued(world: Any, settings: Any,
                                                            client: Any) -> None:
    c1 = customer(world, 1, sms=True)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run(m)
    first = Message.objects.get(source_id=str(m.pk))
    with smtp_sink(settings):
        run_all(m)
    second = plan(world.manager_a, name="Lato")
    svc.mailing_move(actor=world.manager_a, mailing_id=second.pk, action="send")
    run(second)  # queued while the customer still agreed
    token = mass.unsubscribe_token(first.pk)
    # a tampered token is refused
    assert client.get(f"/rezygnacja/{token[:-1]}0/").status_code == 404
    assert client.post(f"/rezygnacja/{first.pk + 1:x}-{token.split('-')[1]}/"
                       ).status_code == 404
    page = client.get(f"/rezygnacja/{token}/")
    assert page.status_code == 200 and b'data-testid="unsubscribe"' in page.content
    assert Consent.objects.get(customer=c1, purpose="marketing_email").granted
    # RFC 8058: the mail client's one-click POST, no session, no CSRF token
    done = client.post(f"/rezygnacja/{token}/",
                       data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b'data-testid="unsubscribed"' in done.content
    assert not Consent.objects.get(customer=c1, purpose="marketing_email").granted
    assert Consent.objects.get(customer=c1, purpose="marketing_sms").granted  # other channel
    event = c1.consent_events.order_by("-pk").first()
    assert event.source == "web" and not event.granted
    assert client.post(f"/rezygnacja/{token}/").status_code == 200  # again: nothing more
    with smtp_sink(settings) as sink:
        run_all(second)
    assert sink.messages == []
    assert Message.objects.get(source_id=str(second.pk)).status == MessageStatus.SKIPPED


def test_unsubscribe_page_is_polish(world: Any, client: Any) -> None:
    customer(world, 1)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run(m)
    message = Message.objects.get(source_id=str(m.pk))
    with translation.override("pl"):
        page = client.get(f"/rezygnacja/{mass.unsubscribe_token(message.pk)}/",
                          HTTP_ACCEPT_LANGUAGE="pl")
    assert b"Wypisz mnie" in page.content or b"wypisz" in page.content.lower()


def test_tokens_refuse_tampering() -> None:
    token = mass.unsubscribe_token(12345)
    assert mass.message_of_token(token) == 12345
    assert mass.message_of_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert mass.message_of_token("zz-" + token.split("-")[1]) is None
    assert mass.message_of_token("") is None and mass.message_of_token("x") is None
    address = mass.bounce_address(77)
    assert mass.message_of_bounce_address(address) == 77
    assert mass.message_of_bounce_address(address.replace("+77.", "+78.")) is None
    with pytest.raises(NotFound):
        unsubscribe.message_for("1-000000000000")


def _act(world: Any, m: Mailing, action: str) -> None:
    if action == "edit":
        svc.mailing_update(actor=world.manager_a, mailing_id=m.pk, data={
            "name": "X", "channel": "email", "subject": "S", "body": "B"})
    else:
        svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action=action)


def test_every_step_from_every_state(world: Any) -> None:
    customer(world, 1)
    for state in MailingStatus.values:
        for action in ("send", "cancel", "edit"):
            m = plan(world.manager_a)
            Mailing.objects.filter(pk=m.pk).update(status=state)
            allowed = {"send": {"draft"}, "cancel": {"draft", "scheduled", "sending"},
                       "edit": {"draft"}}[action]
            if state in allowed:
                _act(world, m, action)
            else:
                with pytest.raises(Conflict):
                    _act(world, m, action)
    with pytest.raises(ValidationFailed):
        svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="explode")


def test_service_staff_may_not_plan(world: Any) -> None:
    from punkt.core.errors import ActionDenied

    with pytest.raises(ActionDenied):
        plan(world.service_a)


def test_cancel_stops_what_is_queued(world: Any, settings: Any) -> None:
    for n in range(5):
        customer(world, n)
    settings.PUNKT_MAILING_RATE_EMAIL = 2
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run(m)
    with smtp_sink(settings) as sink:
        run(m)
        svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="cancel")
        assert run(m).next_at is None
    assert len(sink.messages) == 2
    assert svc.progress(m)["cancelled"] == 3


def test_throttle_never_more_than_the_rate_per_minute(world: Any, settings: Any) -> None:
    for n in range(7):
        customer(world, n)
    settings.PUNKT_MAILING_RATE_EMAIL = 3
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    t0 = timezone.now()
    run(m, t0)
    with smtp_sink(settings) as sink:
        first = run(m, t0)
        assert first.sent == 3 and first.next_at == t0 + datetime.timedelta(minutes=1)
        assert run(m, t0 + datetime.timedelta(seconds=30)).sent == 0  # the minute is full
        assert run(m, t0 + datetime.timedelta(seconds=59)).sent == 0
        assert run(m, t0 + datetime.timedelta(seconds=60)).sent == 3
        assert run(m, t0 + datetime.timedelta(seconds=121)).sent == 1
        assert run(m, t0 + datetime.timedelta(seconds=122)).next_at is None
    assert len(sink.messages) == 7


def test_scheduled_mailing_waits_for_its_time(world: Any) -> None:
    customer(world, 1)
    later = timezone.now() + datetime.timedelta(hours=2)
    m = plan(world.manager_a, send_at=later.isoformat())
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    result = run(m)
    assert result.status == MailingStatus.SCHEDULED and result.next_at == later
    assert not Message.objects.exists()
    assert run(m, later + datetime.timedelta(seconds=1)).status == MailingStatus.SENDING
    assert Message.objects.count() == 1


def test_a_message_left_sending_becomes_uncertain_not_resent(world: Any, settings: Any) -> None:
    customer(world, 1)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run(m)
    Message.objects.update(status=MessageStatus.SENDING,
                           sending_at=timezone.now() - datetime.timedelta(hours=1))
    with smtp_sink(settings) as sink:
        run_all(m)
    assert sink.messages == []
    assert Message.objects.get().status == MessageStatus.UNCERTAIN


def test_sms_mailing_carries_the_opt_out_link(world: Any, settings: Any, tmp_path: Any) -> None:
    import json

    customer(world, 1, sms=True)
    m = plan(world.manager_a, channel="sms", subject="", body="Promocja w {{ oddzial }}!")
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    run_all(m)
    sent = [json.loads(p.read_text()) for p in (tmp_path / "sms").glob("*.json")]
    message = Message.objects.get()
    assert len(sent) == 1 and mass.unsubscribe_url(message.pk) in sent[0]["text"]
    with pytest.raises(ValidationFailed) as err:
        plan(world.manager_a, channel="sms", subject="", body="x" * (mass.SMS_BODY_MAX + 1))
    assert err.value.field == "body"


def test_test_message_goes_to_the_planner(world: Any, settings: Any) -> None:
    m = plan(world.manager_a)
    with smtp_sink(settings) as sink:
        to = svc.mailing_test(actor=world.manager_a, mailing_id=m.pk)
    assert to == world.manager_a.email and len(sink.messages) == 1
    assert "[TEST]" in str(make_header(decode_header(sink.messages[0]["Subject"])))
    assert not Message.objects.exists()


DSN = """\
Return-Path: <>
Received: from mx.example.com by mail.example.pl; Mon, 7 Dec 2026 10:00:00 +0100
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: {verp}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="B1"
Message-Id: <20261207090000.ABC@mx.example.com>

This is a MIME-encapsulated message.

--B1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
X-Postfix-Queue-ID: ABC
Arrival-Date: Mon, 7 Dec 2026 09:59:59 +0100

Final-Recipient: rfc822; {to}
Original-Recipient: rfc822;{to}
Action: {action}
Status: {status}
Remote-MTA: dns; mx2.example.com
Diagnostic-Code: smtp; 550 5.1.1 <{to}>: Recipient address rejected: User unknown

--B1
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{verp}>
From: sklep@example.pl
To: {to}
Subject: Wiosna
Message-ID: <punkt-{pk}@example.pl>

--B1--
"""


def _sent(world: Any, settings: Any) -> Message:
    customer(world, 1)
    m = plan(world.manager_a)
    svc.mailing_move(actor=world.manager_a, mailing_id=m.pk, action="send")
    with smtp_sink(settings):
        run_all(m)
    return Message.objects.get(source_id=str(m.pk))


def test_hard_bounce_marks_the_message_and_suppresses_the_address(world: Any,
                                                                  settings: Any) -> None:
    message = _sent(world, settings)
    raw = DSN.format(verp=mass.bounce_address(message.pk), to=message.to, pk=message.pk,
                     action="failed", status="5.1.1").encode()
    parsed = bounces.parse(raw)
    assert parsed and parsed[0].hard and parsed[0].status == "5.1.1"
    assert [m.pk for m in bounces.record(raw)] == [message.pk]
    assert bounces.record(raw) == []  # twice: nothing more
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED and "User unknown" in message.error
    assert Suppression.objects.filter(channel="email", address=message.to).exists()
    assert TimelineEntry.objects.filter(customer=message.customer, kind="mailing",
                                        direction="in").exists()
    # the next mailing skips the address
    assert svc.segment_counts(actor=world.manager_a, channel="email",
                              segment={})["reachable"] == 0


def test_soft_bounce_and_delay_and_forgery(world: Any, settings: Any) -> None:
    message = _sent(world, settings)
    delayed = DSN.format(verp=mass.bounce_address(message.pk), to=message.to, pk=message.pk,
                         action="delayed", status="4.2.2").encode()
    assert bounces.record(delayed) == []
    forged = DSN.format(verp=f"bounce+{message.pk}.0000000000000000@example.pl",
                        to="someone@else.pl", pk=message.pk, action="failed",
                        status="5.1.1").encode()
    assert bounces.record(forged) == []  # bad signature, headers name another address
    soft = DSN.format(verp=mass.bounce_address(message.pk), to=message.to, pk=message.pk,
                      action="failed", status="4.2.2").encode()
    assert len(bounces.record(soft)) == 1
    assert not Suppression.objects.exists()
    by_id = DSN.format(verp="noreply@example.pl", to=message.to, pk=message.pk,
                       action="failed", status="5.1.1").encode()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    assert len(bounces.record(by_id)) == 1  # Message-ID with the matching address
