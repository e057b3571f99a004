"""Reading mail without a server (threading keys, text from HTML, malformed input) and
the wiring: the periodic poll and resend, the operator's command."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from punkt.core.jobs import PERIODIC
from punkt.mailbox.parsing import html_to_text, id_key, parse, sanitise, ticket_number
from punkt.mailbox.tests.helpers import mail, mailbox
from punkt.servicedesk.tests.factories import desk

OURS = {"punkt.test"}


def test_the_ticket_number_is_found_in_the_subject() -> None:
    assert ticket_number("Re: Faktura [ZG/2026/000123]") == "ZG/2026/000123"
    assert ticket_number("odp: ZG/2026/45 pilne") == "ZG/2026/000045"
    assert ticket_number("ZG/26/1") is None and ticket_number("") is None


def test_message_ids_are_keyed_without_brackets_or_case() -> None:
    assert id_key("<Abc@Example.pl>") == id_key("abc@example.pl")


def test_html_only_mail_gives_text_and_sanitised_html() -> None:
    raw = mail(body="", html="<style>p{}</style><p>Dzień <b>dobry</b></p><p>Drugi</p>"
                            "<script>alert(1)</script>")
    parsed = parse(raw, our_domains=OURS)
    assert parsed.text == "Dzień dobry\n\nDrugi" or parsed.text.startswith("Dzień")
    assert "<script" not in parsed.html and "<style" not in parsed.html
    assert html_to_text("<p>a</p><p>b</p>") == "a\n\nb"
    assert sanitise('<a href="javascript:alert(1)" onmouseover="x">x</a>') == \
        '<a rel="noopener noreferrer">x</a>'


def test_forged_and_broken_headers_do_not_crash_the_reader() -> None:
    raw = (b"From: =?utf-8?q?broken <a@b.pl>, c@d.pl\r\nSubject: =?x-unknown?q?abc?=\r\n"
           b"Message-ID: not-an-id\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\n"
           b"\xff\xfe tekst\r\n")
    parsed = parse(raw, our_domains=OURS)
    assert parsed.from_address == ""  # two senders: nobody to answer
    assert parsed.message_id == "" and len(parsed.key) == 64
    assert parsed.ignore == "bounce"


def test_encoded_words_charsets_and_folded_headers_are_read_as_written() -> None:
    raw = ("From: =?utf-8?b?xbvDs8WCdyBKYW4=?= <Jan@Klient.PL>\r\n"
           "Subject: =?iso-8859-2?q?Zg=B3oszenie_awarii?= =?utf-8?q?_=C5=81=C3=B3d=C5=BA?=\r\n"
           " (ci\xc4\x85g dalszy)\r\n"
           "Message-ID: <Abc.1@klient.pl>\r\nIn-Reply-To: <punkt.x@punkt.test>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=iso-8859-2\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\nZa=BF=F3=B3=E6 g=EA=B6l=B1\r\n"
           "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;"
           " filename=\"=?utf-8?q?umowa_=C5=BC=C3=B3=C5=82w.pdf?=\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n"
           ).encode("latin-1").decode("unicode_escape").encode("latin-1")
    parsed = parse(raw, our_domains=OURS)
    assert parsed.from_name == "Żółw Jan" and parsed.from_address == "jan@klient.pl"
    assert parsed.subject.startswith("Zgłoszenie awarii Łódź")
    assert parsed.text == "Zażółć gęślą"
    assert parsed.message_id == "Abc.1@klient.pl" and parsed.references == ["punkt.x@punkt.test"]
    [pdf] = parsed.attachments
    assert (pdf.name, pdf.content_type, pdf.data) == ("umowa żółw.pdf", "application/pdf",
                                                      b"%PDF-1.4")


def test_a_quoted_name_with_a_comma_is_one_sender() -> None:
    raw = (b'From: "Kowalski, Jan" <jan@klient.pl>\r\nSubject: x\r\n'
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nTre\xc5\x9b\xc4\x87\r\n")
    parsed = parse(raw, our_domains=OURS)
    assert (parsed.from_name, parsed.from_address) == ("Kowalski, Jan", "jan@klient.pl")
    assert parsed.text == "Treść"


def test_a_precedence_auto_reply_and_bulk() -> None:
    assert parse(mail(headers={"Auto-Submitted": "no"}), our_domains=OURS).ignore == ""
    assert parse(mail(headers={"Precedence": "junk"}),
                 our_domains=OURS).ignore == "Precedence: junk"
    assert parse(mail(headers={"List-Id": "<l.example.pl>"}),
                 our_domains=OURS).ignore == "mailing list"


def test_the_jobs_are_registered() -> None:
    assert PERIODIC["mailbox.poll"].every.total_seconds() == 60
    assert "mailbox.resend_replies" in PERIODIC


@pytest.mark.django_db
def test_the_operator_polls_by_command(world: Any, imap_server: Any, settings: Any,
                                       capsys: Any) -> None:
    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    imap_server.append(folder, mail())
    call_command("mailbox_poll")
    assert "biuro@punkt.test: ok; ticket: 1" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("mailbox_poll", mailbox=mb.pk + 100)


@pytest.mark.django_db
def test_the_periodic_task_polls_every_active_mailbox(world: Any, imap_server: Any,
                                                      settings: Any) -> None:
    from punkt.mailbox.tasks import poll_mailboxes

    settings.PUNKT_MAILBOX_CA_FILE = imap_server.ca_file
    d = desk(world)
    folder = imap_server.new_folder()
    mb = mailbox(imap_server, d, folder=folder)
    mailbox(imap_server, d, folder=folder, address="stara@punkt.test", is_active=False)
    imap_server.append(folder, mail())
    assert poll_mailboxes.call(slot="x") == {str(mb.pk): "ok"}
