"""Mail fetched from a real IMAP server (Dovecot on loopback, verified TLS) becomes
tickets or joins them; auto-replies, bounces and loops are ignored with the reason;
hostile mail is refused or sanitised without stopping the others; every mail is taken
exactly once, even when the worker dies before the mailbox's last UID moves on (C13)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from punkt.mailbox import imap, services
from punkt.mailbox.models import InboundMail, MailAttachment, Mailbox, Outcome
from punkt.mailbox.tests.helpers import mail, mailbox
from punkt.servicedesk import services as desk_services
from punkt.servicedesk.models import Channel, Ticket, TicketMessage, TicketStatus
from punkt.servicedesk.tests.factories import desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def box(world: Any, imap_server: Any, settings: Any) -> Any:
    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    return d, mailbox(imap_server, d, folder=folder), folder


def test_a_mail_becomes_a_ticket_of_the_team_with_the_customer_matched(
        world: Any, box: Any, imap_server: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d, mb, folder = box
    cust = customer(world)
    imap_server.append(folder, mail())
    result = services.poll(mb.pk)
    assert result.error == "" and result.taken == {"ticket": 1}
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.team, ticket.type, ticket.customer) == (
        Channel.EMAIL, d.team_a, d.question, cust)
    assert ticket.subject == "Nie doszła faktura" and ticket.status == TicketStatus.NEW
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.body == "Gdzie jest moja faktura?"
    assert message.author_label == "Zofia Żółkiewska <zofia@example.pl>"
    taken = InboundMail.objects.get()
    assert (taken.outcome, taken.ticket, taken.ticket_message) == (Outcome.TICKET, ticket,
                                                                    message)
    mb.refresh_from_db()
    assert mb.last_uid == 1 and mb.uidvalidity and mb.last_error == "" and mb.last_poll_at
    assert mb.lease_until is None
    # the next poll reads nothing again
    assert services.poll(mb.pk).taken == {}
    assert Ticket.objects.count() == 1


def test_a_sender_shared_by_two_customers_is_matched_to_nobody(world: Any, box: Any,
                                                               imap_server: Any) -> None:
    from punkt.contracts.tests.factories import customer

    customer(world)
    customer(world, first_name="Anna")
    imap_server.append(box[2], mail())
    services.poll(box[1].pk)
    assert Ticket.objects.get().customer is None


def test_starttls_reads_the_mailbox_too(world: Any, imap_server: Any, settings: Any) -> None:
    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder, security="starttls")
    imap_server.append(folder, mail())
    assert services.poll(mb.pk).taken == {"ticket": 1}


def test_a_server_not_trusted_is_refused_and_the_error_kept(world: Any, imap_server: Any,
                                                           settings: Any) -> None:
    settings.PUNKT_MAILBOX_CA_FILE = ""  # the system's CAs do not know the test server
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, mail())
    result = services.poll(mb.pk)
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    mb.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in mb.last_error and mb.last_uid == 0
    assert not Ticket.objects.exists() and mb.lease_until is None


def test_a_wrong_password_is_an_error_of_the_mailbox(world: Any, box: Any) -> None:
    Mailbox.objects.filter(pk=box[1].pk).update(password="zle-haslo")
    assert "AUTHENTICATIONFAILED" in services.poll(box[1].pk).error


def test_answers_thread_by_their_ids_and_by_the_number_from_the_same_sender(
        world: Any, box: Any, imap_server: Any) -> None:
    d, mb, folder = box
    imap_server.append(folder, mail())
    services.poll(mb.pk)
    ticket = Ticket.objects.get()
    imap_server.append(
        folder,
        mail("Re: Nie doszła faktura", "Nadal nic.", msgid="<m2@example.pl>",
             headers={"In-Reply-To": "<m1@example.pl>"}),
        mail(f"Pytanie {ticket.number}", "Jeszcze jedno.", msgid="<m3@example.pl>",
             sender="zofia@example.pl"),
        # a stranger writing the number: a new ticket, not a line on Zofia's
        mail(f"Re: {ticket.number}", "Podszywam się.", msgid="<x1@evil.example>",
             sender="mallory@evil.example"))
    assert services.poll(mb.pk).taken == {"message": 2, "ticket": 1}
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True)) \
        == ["Gdzie jest moja faktura?", "Nadal nic.", "Jeszcze jedno."]
    other = Ticket.objects.exclude(pk=ticket.pk).get()
    assert other.subject == f"Re: {ticket.number}"


def test_an_answer_in_the_same_poll_joins_the_ticket_its_first_mail_opened(
        world: Any, box: Any, imap_server: Any) -> None:
    """A chunk reads the threads ahead for all its mails: a mail answering one taken a
    moment earlier in the same chunk still joins that ticket."""
    from punkt.contracts.tests.factories import customer

    d, mb, folder = box
    cust = customer(world)
    imap_server.append(
        folder, mail(),
        mail("Re: Nie doszła faktura", "Nadal nic.", msgid="<m2@example.pl>",
             headers={"In-Reply-To": "<m1@example.pl>"}),
        mail("Re: Re: Nie doszła faktura", "Już doszła.", msgid="<m3@example.pl>",
             headers={"References": "<m1@example.pl> <m2@example.pl>"}))
    assert services.poll(mb.pk).taken == {"ticket": 1, "message": 2}
    ticket = Ticket.objects.get()
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True)) \
        == ["Gdzie jest moja faktura?", "Nadal nic.", "Już doszła."]
    assert ticket.customer == cust  # matched ahead for the chunk


def test_a_mail_failing_midway_sends_the_chunk_round_again_mail_by_mail(
        world: Any, box: Any, imap_server: Any, monkeypatch: Any) -> None:
    """The fast path takes a chunk without a savepoint per mail; one failing mail rolls
    the chunk back and it goes again, each mail in its own savepoint: the bad one is
    refused, the others are taken once."""
    d, mb, folder = box
    imap_server.append(folder, mail(), mail("Zły", "Ten się wywróci.", msgid="<bad@example.pl>"),
                       mail("Trzeci", "Zwykły.", msgid="<m3@example.pl>"))
    real = services._intake

    def fails_on_the_bad_one(mailbox: Any, validity: int, uid: int, parsed: Any,
                             *args: Any) -> Any:
        taken = real(mailbox, validity, uid, parsed, *args)
        if parsed.message_id == "bad@example.pl":
            raise ValueError("broken on the way")
        return taken

    monkeypatch.setattr(services, "_intake", fails_on_the_bad_one)
    assert services.poll(mb.pk).taken == {"ticket": 2, "refused": 1}
    assert Ticket.objects.count() == 2 and TicketMessage.objects.count() == 2
    bad = InboundMail.objects.get(message_id="bad@example.pl")
    assert bad.outcome == Outcome.REFUSED and "broken on the way" in bad.reason
    assert bad.ticket_id is None
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Nie doszła faktura", "Trzeci"]


@pytest.mark.parametrize(("headers", "sender", "reason"), [
    ({"Auto-Submitted": "auto-replied"}, "zofia@example.pl", "Auto-Submitted: auto-replied"),
    ({"Precedence": "bulk"}, "zofia@example.pl", "Precedence: bulk"),
    ({"Precedence": "list"}, "zofia@example.pl", "Precedence: list"),
    ({"X-Auto-Response-Suppress": "All"}, "zofia@example.pl", "X-Auto-Response-Suppress"),
    ({}, "MAILER-DAEMON@mx.example.pl", "bounce"),
    ({}, "biuro@punkt.test", "from our own address"),
])
def test_auto_replies_bounces_and_loops_never_open_tickets(
        world: Any, box: Any, imap_server: Any, headers: dict[str, str], sender: str,
        reason: str) -> None:
    imap_server.append(box[2], mail(headers=headers, sender=sender))
    assert services.poll(box[1].pk).taken == {"ignored": 1}
    assert InboundMail.objects.get().reason == reason
    assert not Ticket.objects.exists()


def test_a_delivery_report_and_our_own_message_id_are_ignored(world: Any, box: Any,
                                                             imap_server: Any) -> None:
    report = (b"From: postmaster-robot@mx.example.pl\r\nTo: biuro@punkt.test\r\n"
              b"Subject: Undelivered\r\nMessage-ID: <r1@mx.example.pl>\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n"
              b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n")
    imap_server.append(box[2], report,
                       mail(msgid="<punkt.abc@punkt.test>", sender="kto@example.pl"))
    services.poll(box[1].pk)
    assert sorted(InboundMail.objects.values_list("reason", flat=True)) == [
        "delivery report", "our own mail"]
    assert not Ticket.objects.exists()


def test_hostile_mail_is_sanitised_or_refused_and_the_others_go_on(
        world: Any, box: Any, imap_server: Any) -> None:
    d, mb, folder = box
    hostile_html = ('<p onclick="steal()">Dzień dobry<script>alert(1)</script>'
                    '<img src="https://tracker.example/x.png"><a href="javascript:x()">'
                    'klik</a></p>')
    big = b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024)
    imap_server.append(
        folder,
        mail("HTML", "", msgid="<h1@example.pl>", html=hostile_html),
        b"\x00\xff\xfe garbage that is not a mail \r\n\r\n\x00",
        mail("Duży załącznik", "W załączniku.", msgid="<h2@example.pl>",
             attachments=[("skan.pdf", big, "application/pdf"),
                          ("faktura.pdf", b"%PDF-1.4\nmala", "application/pdf"),
                          ("wirus.exe", b"MZ\x90\x00\x03", "application/octet-stream")]),
        mail("Ostatni", "Zwykły list.", msgid="<h3@example.pl>",
             headers={"References": "<" + "x" * 5000 + ">"}))
    result = services.poll(mb.pk)
    assert result.error == ""
    mb.refresh_from_db()
    assert mb.last_uid == 4
    html = InboundMail.objects.get(message_id="h1@example.pl")
    assert "<script" not in html.html and "onclick" not in html.html
    assert "<img" not in html.html and "javascript" not in html.html
    assert "Dzień dobry" in html.html
    assert TicketMessage.objects.get(ticket=html.ticket).body.startswith("Dzień dobry")
    big_mail = InboundMail.objects.get(message_id="h2@example.pl")
    assert list(MailAttachment.objects.filter(mail=big_mail).values_list("name", flat=True)) \
        == ["faktura.pdf"]
    body = TicketMessage.objects.get(ticket=big_mail.ticket).body
    assert "skan.pdf" in body and "wirus.exe" in body
    assert Ticket.objects.filter(subject="Ostatni").exists()
    assert InboundMail.objects.count() == 4


def test_a_mail_over_the_limit_is_refused_without_being_read(world: Any, box: Any,
                                                            imap_server: Any,
                                                            settings: Any) -> None:
    settings.PUNKT_MAILBOX_MAX_BYTES = 1000
    imap_server.append(box[2], mail(body="x" * 2000), mail("Mały", "ok", msgid="<s@ex.pl>"))
    assert services.poll(box[1].pk).taken == {"refused": 1, "ticket": 1}
    refused = InboundMail.objects.get(outcome=Outcome.REFUSED)
    assert refused.reason.startswith("too large")


class Killed(BaseException):
    """The worker dies (not an error the poll would record)."""


def test_a_worker_killed_mid_chunk_leaves_nothing_half_taken(
        world: Any, box: Any, imap_server: Any, monkeypatch: Any) -> None:
    d, mb, folder = box
    imap_server.append(folder, mail(), mail("Drugi", "Drugi list.", msgid="<m2@example.pl>"))
    real, calls = services._intake, []

    def dies_on_the_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_intake", dies_on_the_second)
    with pytest.raises(Killed):
        services.poll(mb.pk)
    # the first mail's ticket went with the chunk's transaction; the last UID is where it was
    assert Ticket.objects.count() == 0 and InboundMail.objects.count() == 0
    mb.refresh_from_db()
    assert mb.last_uid == 0
    # a real kill leaves the lease: it expires
    Mailbox.objects.filter(pk=mb.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5))
    monkeypatch.setattr(services, "_intake", real)
    assert services.poll(mb.pk).skipped
    Mailbox.objects.filter(pk=mb.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.poll(mb.pk).taken == {"ticket": 2}
    assert Ticket.objects.count() == 2 and TicketMessage.objects.count() == 2
    assert InboundMail.objects.count() == 2
    mb.refresh_from_db()
    assert mb.last_uid == 2


def test_a_mail_taken_before_the_last_uid_moved_is_found_not_made_again(
        world: Any, box: Any, imap_server: Any) -> None:
    """As a worker of an earlier release left it (mail committed, ``last_uid`` not)."""
    d, mb, folder = box
    imap_server.append(folder, mail(), mail("Drugi", "Drugi list.", msgid="<m2@example.pl>"))
    with imap.connect(mb) as session:
        validity = session.select(mb.folder)
        first = session.list_after(0, 1)[0]
        Mailbox.objects.filter(pk=mb.pk).update(uidvalidity=validity)
        mb.refresh_from_db()
        services.take(mb, validity, first.uid, session.fetch(first.uid))
    assert Ticket.objects.count() == 1 and mb.last_uid == 0
    assert services.poll(mb.pk).taken == {"ticket": 2}  # the first one found, not made
    assert Ticket.objects.count() == 2 and TicketMessage.objects.count() == 2
    assert InboundMail.objects.count() == 2
    mb.refresh_from_db()
    assert mb.last_uid == 2


def test_the_same_mail_twice_in_the_folder_makes_one_ticket(world: Any, box: Any,
                                                            imap_server: Any) -> None:
    imap_server.append(box[2], mail(), mail())
    assert services.poll(box[1].pk).taken == {"ticket": 2}  # both UIDs answer: the one
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1


def test_a_renumbered_folder_is_read_again_without_doubles(world: Any, box: Any,
                                                           imap_server: Any) -> None:
    d, mb, folder = box
    imap_server.append(folder, mail())
    services.poll(mb.pk)
    Mailbox.objects.filter(pk=mb.pk).update(uidvalidity=1, last_uid=99)
    imap_server.append(folder, mail("Nowy", "Nowy list.", msgid="<n@example.pl>"))
    services.poll(mb.pk)
    assert Ticket.objects.count() == 2 and InboundMail.objects.count() == 2


def test_a_resolved_ticket_reopens_and_an_old_one_gives_way_to_a_new(
        world: Any, box: Any, imap_server: Any, settings: Any) -> None:
    d, mb, folder = box
    imap_server.append(folder, mail())
    services.poll(mb.pk)
    ticket = Ticket.objects.get()
    desk_services.ticket_move(actor=world.service_a, ticket_id=ticket.pk, action="resolve")
    imap_server.append(folder, mail("Re: x", "Jednak nie.", msgid="<m2@example.pl>",
                                    headers={"In-Reply-To": "<m1@example.pl>"}))
    services.poll(mb.pk)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.resolved_at is None
    desk_services.ticket_move(actor=world.service_a, ticket_id=ticket.pk, action="resolve")
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - datetime.timedelta(days=desk_services.reopen_days(),
                                                        hours=1))
    imap_server.append(folder, mail("Re: x", "Po miesiącu.", msgid="<m3@example.pl>",
                                    headers={"In-Reply-To": "<m2@example.pl>"}))
    services.poll(mb.pk)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert Ticket.objects.count() == 2


def test_no_ticket_type_stops_the_poll_and_keeps_the_mail(world: Any, box: Any,
                                                          imap_server: Any) -> None:
    from punkt.servicedesk.models import TicketType

    d, mb, folder = box
    TicketType.objects.update(is_active=False)
    imap_server.append(folder, mail())
    with translation.override("en"):
        assert "ticket type" in services.poll(mb.pk).error
    mb.refresh_from_db()
    assert mb.last_uid == 0 and not InboundMail.objects.exists()
    TicketType.objects.update(is_active=True)
    assert services.poll(mb.pk).taken == {"ticket": 1}


def test_one_poll_reads_batch_after_batch_until_the_folder_is_read(
        world: Any, box: Any, imap_server: Any, monkeypatch: Any) -> None:
    _d, mb, folder = box
    monkeypatch.setattr(services, "BATCH", 2)
    imap_server.append(folder, *[mail(f"Sprawa {n}", msgid=f"<b{n}@example.pl>",
                                      sender=f"Klient {n} <k{n}@example.pl>")
                                 for n in range(5)])
    assert services.poll(mb.pk).taken == {"ticket": 5}
    assert Mailbox.objects.get(pk=mb.pk).last_uid == 5
    monkeypatch.setattr(services, "POLL_BUDGET", datetime.timedelta(0))
    imap_server.append(folder, mail("Później", msgid="<later@example.pl>"))
    assert services.poll(mb.pk).taken == {}  # no time left: the next poll goes on
    monkeypatch.undo()
    assert services.poll(mb.pk).taken == {"ticket": 1} and Ticket.objects.count() == 6
