"""The contact pages through HTTP: public (no sign-in), errors naming the field, 429 when
flooded, the follow page showing this ticket's public conversation only, 404 for a forged
link; the receipt and the reply notice through a real SMTP sink, their link opened."""

from __future__ import annotations

import re
import time
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from punkt.core.testing import smtp_sink
from punkt.servicedesk import services as desk
from punkt.servicedesk.models import Ticket, TicketMessage, TicketStatus
from punkt.webform import services
from punkt.webform.models import MailStatus, WebContact, WebMail
from punkt.webform.tests.factories import filled, form_desk

pytestmark = pytest.mark.django_db
URL = "/contact/"


def _body(mail: Any) -> str:
    return str(mail.get_payload(decode=True).decode())


def _subject(mail: Any) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def test_the_url_and_its_name_stay() -> None:
    assert reverse("webform:contact") == URL  # the live chat links here out of hours


def test_the_form_is_public_and_carries_the_privacy_notice(world: Any, settings: Any) -> None:
    settings.PUNKT_SELLER_NAME = "Punkt Telekom sp. z o.o."
    f = form_desk(world)
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Punkt Telekom sp. z o.o." in html and 'id="privacy"' in html
    assert "art. 6 ust. 1 lit. b" in html and "lit. f" in html and "UODO" in html
    assert 'name="website"' in html and 'name="stamp"' in html
    assert 'name="consent"' in html and 'type="file"' in html
    # the default topic is the call centre's type
    assert f'<option value="{f.general.pk}" selected>' in html
    assert "mainnav" not in html  # not the staff app's layout


def test_another_page_may_fill_the_form_in(world: Any) -> None:
    """The live chat out of hours hands over what the visitor typed."""
    form_desk(world)
    html = Client().get(URL, {"name": "Zofia", "message": "<b>Czy</b> jesteście?",
                              "email": "z@example.pl"}).content.decode()
    assert 'value="Zofia"' in html and 'value="z@example.pl"' in html
    assert "&lt;b&gt;Czy&lt;/b&gt; jesteście?</textarea>" in html
    assert 'data-testid="form-errors"' not in html


def test_sending_the_form_opens_a_ticket_and_thanks(world: Any) -> None:
    form_desk(world)
    response = Client().post(URL, filled())
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    page = Client().get(response["Location"])
    assert page.status_code == 200 and ticket.number in page.content.decode()
    assert Client().get(reverse("webform:thanks") + "?r=forged").status_code == 200


def test_errors_name_each_field_and_keep_the_text(world: Any) -> None:
    form_desk(world)
    response = Client().post(URL, filled(name="", email="zofia@", consent=None,
                                         message="Mój tekst zostaje"))
    assert response.status_code == 422
    html = response.content.decode()
    for field in ("name", "email", "consent"):
        assert f'id="e-{field}"' in html and f'href="#f-{field}"' in html
    assert 'id="e-message"' not in html and "Mój tekst zostaje" in html
    assert not Ticket.objects.exists()


def test_a_refused_attachment_is_named(world: Any) -> None:
    form_desk(world)
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03\x00\x00")
    response = Client().post(URL, {**filled(), "attachment": upload})
    assert response.status_code == 422 and 'id="e-attachment"' in response.content.decode()


def test_a_bot_is_refused_without_a_ticket(world: Any) -> None:
    form_desk(world)
    assert Client().post(URL, filled(website="spam")).status_code == 400
    # shown "now" even if the host is slow to answer: a stamp from 30 s ahead
    too_fast = filled(stamp=services.issue_stamp(time.time() + 30))
    response = Client().post(URL, too_fast)
    assert response.status_code == 400 and 'data-testid="form-errors"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_flood_gets_the_429_page(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"ticket_ip": (1, 600)}
    client = Client()
    assert client.post(URL, filled()).status_code == 302
    response = client.post(URL, filled(email="inny@example.pl"))
    assert response.status_code == 429 and response["Retry-After"] == "600"
    assert 'data-testid="rate-limited"' in response.content.decode()
    assert Ticket.objects.count() == 1


def test_the_follow_page_shows_this_ticket_s_public_conversation_only(world: Any) -> None:
    """(C1) The link is the key to one ticket: no other ticket, no internal note."""
    form_desk(world)
    mine = services.submit(data=filled()).contact
    other = services.submit(data=filled(email="inny@example.pl", subject="Cudza sprawa",
                                        message="Cudza wiadomość")).contact
    desk.note(actor=world.expert, ticket_id=mine.ticket_id, body="Tajna notatka zespołu")
    desk.reply(actor=world.expert, ticket_id=mine.ticket_id, body="Faktura wysłana ponownie.")
    response = Client().get(reverse("webform:follow", args=[services.token_for(mine)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.ticket.number in html and "Faktura wysłana ponownie." in html
    assert "Gdzie jest moja faktura" in html
    assert "Tajna notatka" not in html
    assert other.ticket.number not in html and "Cudza" not in html
    assert world.expert.last_name not in html and world.expert.email not in html


@pytest.mark.parametrize("token", ["x", "W1sxLCJhIl0:forged:sig", "a" * 300])
def test_a_forged_link_is_a_404_that_names_nothing(world: Any, token: str) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    response = Client().get(reverse("webform:follow", args=[token]))
    assert response.status_code == 404
    html = response.content.decode()
    assert contact.ticket.number not in html and "Zofia" not in html
    assert Client().post(reverse("webform:follow", args=[token]),
                         {"body": "x"}).status_code == 404
    assert TicketMessage.objects.count() == 1


def test_the_customer_replies_through_the_link(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    desk.reply(actor=world.expert, ticket_id=contact.ticket_id, body="Proszę o numer konta.")
    desk.ticket_move(actor=world.expert, ticket_id=contact.ticket_id, action="wait_customer")
    url = reverse("webform:follow", args=[services.token_for(contact)])
    client = Client()
    assert client.post(url, {"body": ""}).status_code == 422
    response = client.post(url, {"body": "Numer konta 123."})
    assert response.status_code == 302
    assert Ticket.objects.get().status == TicketStatus.OPEN
    assert "Numer konta 123." in client.get(response["Location"]).content.decode()


def test_a_ticket_no_longer_taking_messages_says_so(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_TICKET_REOPEN_DAYS = 0
    contact = services.submit(data=filled()).contact
    desk.ticket_move(actor=world.expert, ticket_id=contact.ticket_id, action="resolve")
    Ticket.objects.filter(pk=contact.ticket_id).update(status=TicketStatus.RESOLVED,
                                                       resolved_at="2020-01-01T00:00:00Z")
    url = reverse("webform:follow", args=[services.token_for(contact)])
    page = Client().get(url).content.decode()
    assert 'data-testid="no-more-messages"' in page
    response = Client().post(url, {"body": "Halo?"})
    assert response.status_code == 409 and 'data-testid="reply-refused"' in (
        response.content.decode())


def test_replies_through_the_link_are_rate_limited(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"reply_ticket": (1, 600)}
    contact = services.submit(data=filled()).contact
    url = reverse("webform:follow", args=[services.token_for(contact)])
    assert Client().post(url, {"body": "Raz"}).status_code == 302
    assert Client().post(url, {"body": "Dwa"}).status_code == 429


def test_staff_see_the_sender_and_download_the_attachment(world: Any, client_as: Any,
                                                          settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    f = form_desk(world)
    f.general.default_team = f.desk.team_a
    f.general.save()
    services.submit(data=filled(phone="601 234 567"),
                    upload=SimpleUploadedFile("skan.pdf", b"%PDF-1.4\n%%EOF\n"))
    ticket = Ticket.objects.get()
    page = client_as(world.service_a).get(f"/servicedesk/tickets/{ticket.pk}/")
    html = page.content.decode()
    assert 'data-testid="web-origin"' in html and "+48 601 234 567" in html
    url = reverse("webform:attachment", args=[ticket.pk])
    response = client_as(world.service_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client_as(world.service_b).get(url).status_code == 404  # another branch
    assert Client().get(url).status_code == 302  # sign-in first
    # the link reached someone else: revoked from the ticket page
    contact = WebContact.objects.get()
    old = reverse("webform:follow", args=[services.token_for(contact)])
    assert 'data-testid="revoke-link"' in html
    revoke = reverse("webform:revoke", args=[ticket.pk])
    assert client_as(world.service_b).post(revoke).status_code == 404
    assert client_as(world.retention_a).get(revoke).status_code == 403  # sees, not handles
    asked = client_as(world.service_a).get(revoke)  # asks first, changes nothing
    assert asked.status_code == 200 and 'data-testid="revoke-confirm"' in asked.content.decode()
    assert Client().get(old).status_code == 200
    assert client_as(world.service_a).post(revoke).status_code == 302
    assert Client().get(old).status_code == 404
    contact.refresh_from_db()
    assert Client().get(reverse("webform:follow",
                                args=[services.token_for(contact)])).status_code == 200


def test_the_receipt_and_the_reply_notice_go_through_smtp_with_a_working_link(
        world: Any, settings: Any) -> None:
    settings.PUNKT_SELLER_NAME = "Punkt Telekom"
    form_desk(world)
    Client().post(URL, filled())
    ticket = Ticket.objects.get()
    receipt = WebMail.objects.get()
    with smtp_sink(settings) as sink:
        assert services.send_now(receipt.pk) == MailStatus.SENT
        assert services.send_now(receipt.pk) == MailStatus.SENT  # the task again: no resend
    assert len(sink.messages) == 1
    sent = sink.messages[0]
    assert sent["To"] == "zofia@example.pl" and ticket.number in _subject(sent)
    text = _body(sent)
    assert ticket.number in text and "Punkt Telekom" in text
    link = re.search(r"https?://\S+/contact/t/\S+/", text)
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    page = Client().get(f"/{path}")
    assert page.status_code == 200 and ticket.number in page.content.decode()
    # the agent's public reply: a notice with the text and the same link
    reply = desk.reply(actor=world.expert, ticket_id=ticket.pk, body="Faktura poszła dziś.")
    notice = WebMail.objects.get(ticket_message=reply)
    with smtp_sink(settings) as sink:
        assert services.send_now(notice.pk) == MailStatus.SENT
    text = _body(sink.messages[0])
    assert "Faktura poszła dziś." in text and link.group(0) in text


def test_a_failed_send_is_tried_again_until_it_goes(world: Any, settings: Any) -> None:
    from punkt.core.testing import free_port

    form_desk(world)
    services.submit(data=filled())
    mail = WebMail.objects.get()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(),
                                                "timeout": 2}}}
    assert services.send_now(mail.pk) == MailStatus.FAILED
    mail.refresh_from_db()
    assert mail.status == MailStatus.FAILED and mail.error and mail.attempts == 1
    with smtp_sink(settings) as sink:
        assert services.resend() == {MailStatus.SENT: 1}
        assert services.resend() == {}
    assert len(sink.messages) == 1


def test_an_erased_sender_gets_no_more_mail(world: Any, settings: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    services.erase_contact([contact.pk])
    with smtp_sink(settings) as sink:
        services.send_now(WebMail.objects.get().pk)
    assert not sink.messages
    assert WebContact.objects.get().email == ""
