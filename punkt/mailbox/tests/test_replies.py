"""An agent's public reply on an e-mail ticket goes out through SMTP after the commit,
from the team's address, in the customer's thread; the customer's answer threads back;
a failed send is tried again until it goes."""

from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from typing import Any

import pytest

from punkt.core.testing import free_port, smtp_sink
from punkt.mailbox import services
from punkt.mailbox.models import OutboundMail, OutboundStatus
from punkt.mailbox.tests.helpers import ADDRESS, mail, mailbox
from punkt.servicedesk import services as desk_services
from punkt.servicedesk.models import Ticket, TicketMessage
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed(world: Any, imap_server: Any, settings: Any) -> Any:
    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, mail())
    services.poll(mb.pk)
    return d, mb, folder, Ticket.objects.get()


def test_a_reply_goes_out_in_the_thread_and_the_answer_comes_back(
        world: Any, mailed: Any, imap_server: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    d, mb, folder, t = mailed
    message = desk_services.reply(actor=world.service_a, ticket_id=t.pk,
                                  body="Faktura poszła dziś.")
    out = OutboundMail.objects.get(ticket_message=message)
    assert out.status == OutboundStatus.QUEUED and out.to == "zofia@example.pl"
    assert DBTaskResult.objects.filter(args_kwargs__args=[out.pk]).exists()
    with smtp_sink(settings) as sink:
        assert services.send_now(out.pk) == OutboundStatus.SENT
        assert services.send_now(out.pk) == OutboundStatus.SENT  # the task again: no resend
    assert len(sink.messages) == 1
    sent = sink.messages[0]
    assert sent["From"] == ADDRESS and sent["To"] == "zofia@example.pl"
    assert str(make_header(decode_header(sent["Subject"]))) == (
        f"Re: Nie doszła faktura [{t.number}]")
    assert sent["Message-ID"] == f"<{out.message_id}>"
    assert out.message_id.startswith("punkt.") and out.message_id.endswith("@punkt.test")
    assert sent["In-Reply-To"] == "<m1@example.pl>"
    assert sent["References"] == "<m1@example.pl>"
    assert "Faktura poszła dziś." in sent.get_payload(decode=True).decode()
    # the customer answers our reply (their program quotes our Message-ID)
    imap_server.append(folder, mail("Re: coś innego", "Dziękuję!", msgid="<m2@example.pl>",
                                    headers={"In-Reply-To": f"<{out.message_id}>"}))
    assert services.poll(mb.pk).taken == {"message": 1}
    assert TicketMessage.objects.filter(ticket=t).latest("id").body == "Dziękuję!"
    # the second reply: to the last mail, the thread kept
    second = desk_services.reply(actor=world.service_a, ticket_id=t.pk, body="Proszę.")
    out2 = OutboundMail.objects.get(ticket_message=second)
    assert out2.in_reply_to == "<m2@example.pl>"
    assert out2.references.split() == ["<m1@example.pl>", f"<{out.message_id}>",
                                       "<m2@example.pl>"]


def test_notes_and_replies_on_other_channels_send_nothing(world: Any, mailed: Any) -> None:
    d, mb, folder, t = mailed
    desk_services.note(actor=world.service_a, ticket_id=t.pk, body="Wewnętrzne.")
    counter = ticket(world, d)
    desk_services.reply(actor=world.service_a, ticket_id=counter.pk, body="Przy okienku.")
    assert not OutboundMail.objects.exists()


def test_a_failed_send_is_tried_again_until_it_goes(world: Any, mailed: Any,
                                                     settings: Any) -> None:
    d, mb, folder, t = mailed
    message = desk_services.reply(actor=world.service_a, ticket_id=t.pk, body="Odpowiedź.")
    out = OutboundMail.objects.get(ticket_message=message)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(),
                                                "timeout": 2}}}
    assert services.send_now(out.pk) == OutboundStatus.FAILED
    out.refresh_from_db()
    assert out.status == OutboundStatus.FAILED and out.error and out.attempts == 1
    assert services.due_for_resend() == [out.pk]
    with smtp_sink(settings) as sink:
        assert services.resend() == {"sent": 1}
    assert len(sink.messages) == 1
    assert services.due_for_resend() == []
    out.refresh_from_db()
    assert out.status == OutboundStatus.SENT and out.attempts == 2


def test_the_reply_is_kept_when_the_reply_itself_is_refused(world: Any, mailed: Any) -> None:
    from punkt.core.errors import ValidationFailed

    d, mb, folder, t = mailed
    with pytest.raises(ValidationFailed):
        desk_services.reply(actor=world.service_a, ticket_id=t.pk, body="")
    assert not OutboundMail.objects.exists()


def test_the_sent_mail_parses_as_ours(world: Any, mailed: Any, settings: Any) -> None:
    """Our reply looping back into the mailbox is recognised by its Message-ID."""
    from punkt.mailbox.parsing import parse

    d, mb, folder, t = mailed
    message = desk_services.reply(actor=world.service_a, ticket_id=t.pk, body="Pętla?")
    out = OutboundMail.objects.get(ticket_message=message)
    with smtp_sink(settings) as sink:
        services.send_now(out.pk)
    raw = sink.messages[0].as_bytes()
    parsed = parse(email.message_from_bytes(raw, policy=email.policy.default).as_bytes(),
                   our_domains=services.our_domains())
    assert parsed.ignore == "our own mail"


def test_erasing_the_customer_empties_their_mails(world: Any, imap_server: Any,
                                                  settings: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers.gdpr import customer_anonymise
    from punkt.mailbox.models import InboundMail, MailAttachment

    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    cust = customer(world)
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, mail(html="<p>Treść</p>", attachments=[
        ("skan.pdf", b"%PDF-1.4\nx", "application/pdf")]))
    services.poll(mb.pk)
    t = Ticket.objects.get(customer=cust)
    desk_services.reply(actor=world.service_a, ticket_id=t.pk, body="Odpowiedź.")
    customer_anonymise(actor=world.expert, customer_id=cust.pk, reason="art. 17")
    taken = InboundMail.objects.get()
    assert (taken.from_address, taken.from_name, taken.subject, taken.html) == ("", "", "", "")
    assert OutboundMail.objects.get().to == ""
    assert not MailAttachment.objects.exists()
