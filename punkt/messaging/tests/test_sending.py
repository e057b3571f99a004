"""A chunk of messages sent at once (``sending.deliver_chunk``): the rules of one message
— at most once (C13), consent again at send time (C14) — over one mail connection, a
transport error failing only its message, a handful of statements for the chunk."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from punkt.core.testing import smtp_sink
from punkt.customers import services as customers
from punkt.messaging import sending, services, sms
from punkt.messaging.models import Message, MessageStatus
from punkt.messaging.tests.test_messages import customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _env(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    with translation.override("en"):
        yield


def _queued(world: Any, n: int, **kw: Any) -> list[Message]:
    c = customer(world, **kw)
    return [services.message_queue(customer=c, channel="email", kind="service",
                                   subject=f"Nr {i}", body=f"Treść {i}") for i in range(n)]


def test_a_chunk_goes_out_once_over_one_connection(world: Any, settings: Any) -> None:
    messages = _queued(world, 5)
    ids = [m.pk for m in messages]
    with smtp_sink(settings) as sink:
        assert sending.deliver_chunk(ids) == {"sent": 5}
        assert sending.deliver_chunk(ids) == {"sent": 5}  # a retry sends nothing again
    assert sorted(m["Subject"] for m in sink.messages) == [f"Nr {i}" for i in range(5)]
    assert {m.provider_id for m in Message.objects.all()} == {f"punkt-{pk}" for pk in ids}
    assert not Message.objects.exclude(status=MessageStatus.SENT).exists()


def test_a_message_found_sending_is_uncertain_and_the_others_go(world: Any,
                                                                 mailoutbox: Any) -> None:
    died, *rest = _queued(world, 3)
    Message.objects.filter(pk=died.pk).update(status=MessageStatus.SENDING)
    assert sending.deliver_chunk([died.pk, *(m.pk for m in rest)]) == {"uncertain": 1,
                                                                       "sent": 2}
    assert len(mailoutbox) == 2


def test_marketing_without_consent_at_send_time_is_skipped(world: Any,
                                                            mailoutbox: Any) -> None:
    c = customer(world, email_consent=True)
    m = services.message_queue(customer=c, channel="email", kind="marketing", subject="Oferta",
                               body="Nowa oferta")
    customers.consent_record(actor=world.manager_a, customer_id=c.pk,
                             purpose="marketing_email", granted=False, source="counter")
    assert sending.deliver_chunk([m.pk]) == {"skipped": 1}
    assert mailoutbox == []


def test_a_transport_error_fails_only_its_message(world: Any, monkeypatch: Any) -> None:
    c = customer(world)
    good = services.message_queue(customer=c, channel="sms", kind="service", body="ok")
    bad = services.message_queue(customer=c, channel="sms", kind="service", body="zepsuty")

    class Flaky:
        def send(self, to: str, text: str) -> str:
            if text == "zepsuty":
                raise sms.SmsError("gateway said no")
            return "sms-1"

    monkeypatch.setattr(sms, "gateway", lambda: Flaky())
    assert sending.deliver_chunk([good.pk, bad.pk]) == {"sent": 1, "failed": 1}
    assert Message.objects.get(pk=bad.pk).error == "gateway said no"
    assert Message.objects.get(pk=good.pk).provider_id == "sms-1"


def test_the_chunk_reads_as_many_statements_for_50_as_for_5(world: Any,
                                                            mailoutbox: Any) -> None:
    def count(n: int) -> int:
        ids = [m.pk for m in _queued(world, n)]
        with CaptureQueriesContext(connection) as ctx:
            sending.deliver_chunk(ids)
        return len(ctx.captured_queries)

    assert count(50) == count(5)


def test_marketing_consent_is_read_for_the_chunk_per_customer(world: Any,
                                                              mailoutbox: Any) -> None:
    """(C14) one statement for the chunk's consents, still each customer's own"""
    agreed, withdrew = customer(world, email_consent=True), customer(world, email_consent=True)
    ms = [services.message_queue(customer=c, channel="email", kind="marketing",
                                 subject="Oferta", body="Nowa oferta") for c in (agreed, withdrew)]
    service = services.message_queue(customer=withdrew, channel="email", kind="service",
                                     subject="Serwis", body="Wizyta")
    customers.consent_record(actor=world.manager_a, customer_id=withdrew.pk,
                             purpose="marketing_email", granted=False, source="counter")
    assert sending.deliver_chunk([*(m.pk for m in ms), service.pk]) == {"sent": 2,
                                                                        "skipped": 1}
    assert Message.objects.get(pk=ms[1].pk).status == MessageStatus.SKIPPED
    assert sorted(m.to[0] for m in mailoutbox) == sorted([agreed.email, withdrew.email])


def test_a_chunks_e_mails_are_byte_for_byte_plain_e_mails() -> None:
    """``mime.chunk_mail`` keeps parsed headers between messages: the same bytes."""
    import email.policy

    from django.core.mail import EmailMessage

    from punkt.messaging.mime import chunk_mail

    cls = chunk_mail()
    for i in range(3):
        kw: dict[str, Any] = {
            "subject": "Jak oceniasz naszą obsługę? Łódź, żółć", "body": f"Dzień dobry {i}\n",
            "from_email": "Punkt <punkt@example.pl>", "to": [f"jan{i}@example.pl"],
            "headers": {"Message-ID": f"<punkt-{i}@example.pl>",
                        "Date": "Mon, 07 Dec 2026 16:00:00 +0000"}}
        plain, kept = EmailMessage(**kw), cls(**kw)
        if i == 2:
            for m in (plain, kept):
                m.attach("pismo.pdf", b"%PDF-1.4 x", "application/pdf")
        for policy in (email.policy.default, email.policy.SMTP):
            one, two = plain.message(policy=policy), kept.message(policy=policy)
            first = one.as_bytes()
            if i == 2:  # the MIME boundary is random: the same one for the comparison
                two.set_boundary(str(one.get_boundary()))
            assert first == two.as_bytes()


def test_update_each_sets_its_rows_only(world: Any) -> None:
    from punkt.core.bulk import update_each

    a, b, c = _queued(world, 3)
    Message.objects.filter(pk=c.pk).update(status=MessageStatus.FAILED)
    done = update_each(Message.objects.filter(status=MessageStatus.QUEUED), "provider_id",
                       {a.pk: "x-1", c.pk: "x-3"}, error="oops")
    assert done == 1
    got = {m.pk: (m.provider_id, m.error) for m in Message.objects.all()}
    assert got == {a.pk: ("x-1", "oops"), b.pk: ("", ""), c.pk: ("", "")}
