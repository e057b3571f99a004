"""The contact form's rules: the follow link's signing and revocation, the bot checks
(honeypot, the signed stamp), the rate limits, the sender matched to a customer, the
ticket and the mails it makes."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.core.errors import Conflict, NotFound
from punkt.customers import gdpr
from punkt.customers.models import Customer
from punkt.servicedesk import services as desk
from punkt.servicedesk.models import Channel, Ticket, TicketMessage, TicketStatus
from punkt.webform import services
from punkt.webform.models import MailKind, MailStatus, WebContact, WebMail
from punkt.webform.tests.factories import filled, form_desk

pytestmark = pytest.mark.django_db


def _customer(world: Any, **fields: Any) -> Customer:
    from punkt.contracts.tests.factories import customer

    made = customer(world)
    Customer.objects.filter(pk=made.pk).update(**fields)
    return Customer.objects.get(pk=made.pk)


# -- the stamp and the honeypot ----------------------------------------------------------

def test_a_person_s_form_passes_the_bot_checks() -> None:
    services.check_stamp(services.issue_stamp(time.time() - 30), "")


@pytest.mark.parametrize("age,honeypot,code", [
    (30, "http://spam.example", "bot"),     # the hidden field filled
    (1, "", "too_fast"),                    # sent back within a second
    (3 * 60 * 60, "", "expired"),           # open for three hours
])
def test_bots_and_stale_forms_are_refused(age: int, honeypot: str, code: str) -> None:
    with pytest.raises(services.Refused) as exc:
        services.check_stamp(services.issue_stamp(time.time() - age), honeypot)
    assert exc.value.code == code and exc.value.field == "form"


@pytest.mark.parametrize("stamp", ["", "garbage", signing.dumps({"t": 1}, salt="other")],
                         ids=["empty", "garbage", "other-salt"])  # stable ids for xdist
def test_a_missing_or_forged_stamp_is_refused(stamp: str) -> None:
    with pytest.raises(services.Refused):
        services.check_stamp(stamp, "")


def test_a_stamp_cannot_be_moved_back_in_time() -> None:
    stamp = services.issue_stamp(time.time())
    forged = stamp.replace(stamp.split(":")[0], signing.dumps({"t": 1}).split(":")[0])
    with pytest.raises(services.Refused):
        services.check_stamp(forged, "")


def test_the_same_form_sent_twice_makes_one_ticket(world: Any) -> None:
    form_desk(world)
    data = filled()
    first = services.submit(data=data, ip="10.0.0.1")
    again = services.submit(data=data, ip="10.0.0.1")
    assert again.ticket == first.ticket and Ticket.objects.count() == 1
    assert WebMail.objects.count() == 1
    services.submit(data=filled(), ip="10.0.0.1")  # a new form: a new ticket
    assert Ticket.objects.count() == 2


def test_a_form_refused_for_its_fields_can_be_sent_again(world: Any) -> None:
    form_desk(world)
    stamp = services.issue_stamp(time.time() - 60)
    with pytest.raises(services.FormInvalid):
        services.submit(data=filled(stamp=stamp, subject=""))
    services.submit(data=filled(stamp=stamp))
    assert Ticket.objects.count() == 1


# -- rate limits -------------------------------------------------------------------------

def test_new_tickets_are_limited_per_ip_address(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"ticket_ip": (2, 600)}
    for n in range(2):
        services.submit(data=filled(email=f"k{n}@example.pl"), ip="10.0.0.1")
    with pytest.raises(services.RateLimited) as exc:
        services.submit(data=filled(email="k9@example.pl"), ip="10.0.0.1")
    assert exc.value.retry_after == 600
    services.submit(data=filled(email="k9@example.pl"), ip="10.0.0.2")  # another address
    assert Ticket.objects.count() == 3


def test_new_tickets_are_limited_per_e_mail_address(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"ticket_email": (1, 3600)}
    services.submit(data=filled(), ip="10.0.0.1")
    with pytest.raises(services.RateLimited):
        services.submit(data=filled(email="ZOFIA@example.pl"), ip="10.0.0.2")
    assert Ticket.objects.count() == 1


def test_every_sending_counts_per_ip_even_when_invalid(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"post_ip": (2, 600)}
    for _n in range(2):
        with pytest.raises(services.FormInvalid):
            services.submit(data=filled(name=""), ip="10.0.0.3")
    with pytest.raises(services.RateLimited):
        services.submit(data=filled(), ip="10.0.0.3")


def test_replies_on_one_ticket_are_limited(world: Any, settings: Any) -> None:
    form_desk(world)
    settings.PUNKT_WEBFORM_LIMITS = {"reply_ticket": (2, 600)}
    done = services.submit(data=filled(), ip="10.0.0.1")
    token = services.token_for(done.contact)
    for n in range(2):
        services.follow_reply(token=token, body=f"Dopisuję {n}", ip=f"10.0.1.{n}")
    with pytest.raises(services.RateLimited):
        services.follow_reply(token=token, body="Jeszcze raz", ip="10.0.1.9")


# -- fields ------------------------------------------------------------------------------

def test_every_wrong_field_is_named_at_once(world: Any) -> None:
    form_desk(world)
    with pytest.raises(services.FormInvalid) as exc:
        services.submit(data=filled(name="", email="nie-adres", phone="123", subject="",
                                    message="", topic="999999", consent=None))
    assert set(exc.value.errors) == {"name", "email", "phone", "subject", "message", "topic",
                                     "consent"}
    assert not Ticket.objects.exists()


def test_too_long_texts_are_refused_by_field(world: Any) -> None:
    form_desk(world)
    with pytest.raises(services.FormInvalid) as exc:
        services.submit(data=filled(message="x" * (services.MESSAGE_MAX + 1)))
    assert set(exc.value.errors) == {"message"}


# -- the ticket --------------------------------------------------------------------------

def test_the_form_opens_a_web_ticket_for_the_call_centre_with_the_receipt_queued(
        world: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    f = form_desk(world)
    done = services.submit(data=filled(phone="601 234 567"), ip="10.0.0.1")
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.WEB and ticket.team == f.centre
    assert ticket.type == f.general and ticket.customer is None
    assert ticket.assignee == world.expert and ticket.status == TicketStatus.NEW
    first = TicketMessage.objects.get(ticket=ticket)
    assert first.body == "Gdzie jest moja faktura za listopad?" and not first.internal
    assert first.author_label == "Zofia Żółkiewska <zofia@example.pl>"
    contact = WebContact.objects.get(ticket=ticket)
    assert (contact.name, contact.email, contact.phone) == ("Zofia Żółkiewska",
                                                            "zofia@example.pl", "+48601234567")
    assert len(contact.secret) == 32 and done.contact == contact
    mail = WebMail.objects.get()
    assert (mail.kind, mail.status, mail.ticket_message) == (MailKind.RECEIPT,
                                                             MailStatus.QUEUED, first)
    assert DBTaskResult.objects.filter(args_kwargs__args=[mail.pk]).exists()


def test_a_topic_sends_the_ticket_to_its_type_s_team(world: Any) -> None:
    f = form_desk(world)
    f.desk.question.default_team = f.desk.team_a
    f.desk.question.save()
    services.submit(data=filled(topic=str(f.desk.question.pk)))
    ticket = Ticket.objects.get()
    assert ticket.team == f.desk.team_a and ticket.type == f.desk.question


def test_a_type_without_a_team_goes_to_the_call_centre(world: Any) -> None:
    f = form_desk(world)
    services.submit(data=filled(topic=str(f.desk.question.pk)))
    assert Ticket.objects.get().team == f.centre


def test_without_ticket_types_the_form_says_it_is_unavailable(world: Any) -> None:
    with pytest.raises(services.NotConfigured):
        services.submit(data=filled())


def test_the_attachment_is_kept_under_the_upload_rules(world: Any, settings: Any,
                                                       tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    form_desk(world)
    pdf = SimpleUploadedFile("faktura.pdf", b"%PDF-1.4\n%%EOF\n")
    services.submit(data=filled(), upload=pdf)
    contact = WebContact.objects.get()
    assert contact.attachment_name == "faktura.pdf"
    assert contact.attachment_type == "application/pdf" and contact.attachment_size == 15
    assert (tmp_path / "webform" / contact.attachment_stored).exists()
    assert "faktura.pdf" in TicketMessage.objects.get().body


def test_a_refused_attachment_names_the_field_and_leaves_nothing(world: Any, settings: Any,
                                                                 tmp_path: Any) -> None:
    """(C24) Type by content; nothing stays on disk, no ticket."""
    settings.VAR_DIR = tmp_path
    form_desk(world)
    exe = SimpleUploadedFile("program.exe", b"MZ\x90\x00\x03\x00\x00\x00")
    with pytest.raises(services.FormInvalid) as exc:
        services.submit(data=filled(), upload=exe)
    assert set(exc.value.errors) == {"attachment"}
    assert not Ticket.objects.exists()
    assert not list((tmp_path / "webform").iterdir())


# -- matching the sender -----------------------------------------------------------------

def test_the_sender_is_matched_by_e_mail_when_exactly_one_customer_has_it(world: Any) -> None:
    form_desk(world)
    known = _customer(world, email="zofia@example.pl")
    services.submit(data=filled(email="Zofia@Example.pl"))
    assert Ticket.objects.get().customer == known


def test_the_sender_is_matched_by_phone(world: Any) -> None:
    form_desk(world)
    known = _customer(world, phone="+48601234567", email="")
    assert services.match_customer("inny@example.pl", "+48601234567") == known


def test_two_matching_customers_match_none(world: Any) -> None:
    form_desk(world)
    first = _customer(world, email="zofia@example.pl")
    second = _customer(world, email="", phone="+48601234567")
    assert first.pk != second.pk
    assert services.match_customer("zofia@example.pl", "+48601234567") is None
    assert services.match_customer("zofia@example.pl", "") == first
    assert services.match_customer("", "") is None


# -- the follow link ---------------------------------------------------------------------

def test_the_token_names_its_ticket_and_nothing_else(world: Any) -> None:
    form_desk(world)
    one = services.submit(data=filled(email="a@example.pl")).contact
    two = services.submit(data=filled(email="b@example.pl")).contact
    assert services.contact_for(services.token_for(one)) == one
    assert services.contact_for(services.token_for(two)) == two
    # a token for another ticket with this one's secret, or signed with another salt
    signer = signing.Signer(salt=services.FOLLOW_SALT)
    assert services.token_for(one) == services.token_for(one)  # one link per ticket
    for forged in (signer.sign_object([two.ticket_id, one.secret]),
                   signer.sign_object([one.ticket_id, ""]),
                   signing.Signer(salt="other").sign_object([one.ticket_id, one.secret]),
                   signing.dumps([one.ticket_id, one.secret], salt=services.FOLLOW_SALT),
                   services.token_for(one)[:-2] + "xx", "", "abc"):
        with pytest.raises(NotFound):
            services.contact_for(forged)


def test_revoking_kills_every_link_sent(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    token = services.token_for(contact)
    services.revoke_links(actor=world.admin, ticket_id=contact.ticket_id)
    with pytest.raises(NotFound):
        services.contact_for(token)
    contact.refresh_from_db()
    assert services.contact_for(services.token_for(contact)) == contact


def test_only_who_handles_the_ticket_revokes_its_link(world: Any) -> None:
    from punkt.core.errors import ActionDenied

    f = form_desk(world)
    f.general.default_team = f.desk.team_a
    f.general.save()
    contact = services.submit(data=filled()).contact
    with pytest.raises(NotFound):  # another branch's employee does not see the ticket
        services.revoke_links(actor=world.service_b, ticket_id=contact.ticket_id)
    with pytest.raises(ActionDenied):  # sees the branch's tickets, does not handle them
        services.revoke_links(actor=world.retention_a, ticket_id=contact.ticket_id)
    services.revoke_links(actor=world.service_a, ticket_id=contact.ticket_id)
    services.erase_contact([contact.pk])
    with pytest.raises(Conflict):  # nothing left to revoke
        services.revoke_links(actor=world.service_a, ticket_id=contact.ticket_id)


def test_the_customer_s_reply_reopens_a_resolved_ticket(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    desk.reply(actor=world.expert, ticket_id=contact.ticket_id, body="Faktura wysłana.")
    desk.ticket_move(actor=world.expert, ticket_id=contact.ticket_id, action="resolve")
    message = services.follow_reply(token=services.token_for(contact), body="Nie doszła.")
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.OPEN and message.author_label.startswith("Zofia")


def test_an_empty_reply_names_the_field(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    with pytest.raises(services.FormInvalid) as exc:
        services.follow_reply(token=services.token_for(contact), body="  ")
    assert set(exc.value.errors) == {"body"}


def test_a_long_closed_ticket_takes_no_message_and_its_link_shows_nothing(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    desk.ticket_move(actor=world.expert, ticket_id=contact.ticket_id, action="resolve")
    desk.ticket_move(actor=world.expert, ticket_id=contact.ticket_id, action="close")
    Ticket.objects.filter(pk=contact.ticket_id).update(
        closed_at=timezone.now() - datetime.timedelta(days=desk.reopen_days() + 1))
    with pytest.raises(Conflict):
        services.follow_reply(token=services.token_for(contact), body="Halo?")
    assert services.link_expired(Ticket.objects.get())


# -- reply notices -----------------------------------------------------------------------

def test_a_public_reply_on_a_web_ticket_queues_one_notice(world: Any) -> None:
    form_desk(world)
    contact = services.submit(data=filled()).contact
    desk.note(actor=world.expert, ticket_id=contact.ticket_id, body="Wewnętrzne.")
    reply = desk.reply(actor=world.expert, ticket_id=contact.ticket_id, body="Odpowiadamy.")
    notices = WebMail.objects.filter(kind=MailKind.REPLY)
    assert [n.ticket_message for n in notices] == [reply]
    assert services.queue_reply(reply.ticket, reply) == notices.get()  # again: the same one
    assert WebMail.objects.filter(kind=MailKind.REPLY).count() == 1


def test_nothing_escapes_a_rolled_back_reply(world: Any) -> None:
    """(C12) The notice and its task go with the reply's transaction."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    form_desk(world)
    contact = services.submit(data=filled()).contact
    tasks = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        desk.reply(actor=world.expert, ticket_id=contact.ticket_id, body="Odpowiadamy.")
        assert WebMail.objects.filter(kind=MailKind.REPLY).exists()
        raise RuntimeError("after the enqueue")
    assert not WebMail.objects.filter(kind=MailKind.REPLY).exists()
    assert DBTaskResult.objects.count() == tasks


def test_replies_on_other_channels_send_no_notice(world: Any) -> None:
    from punkt.servicedesk.tests.factories import ticket

    f = form_desk(world)
    counter = ticket(world, f.desk)
    desk.reply(actor=world.service_a, ticket_id=counter.pk, body="Przy okienku.")
    assert not WebMail.objects.exists()


# -- erasure -----------------------------------------------------------------------------

def test_erasing_the_customer_removes_the_sender_and_kills_the_link(
        world: Any, settings: Any, tmp_path: Any) -> None:
    """(C28) Name, address, phone, the attachment file and the link's secret go."""
    from punkt.customers.gdpr import customer_anonymise

    settings.VAR_DIR = tmp_path
    form_desk(world)
    known = _customer(world, email="zofia@example.pl")
    services.submit(data=filled(phone="601 234 567"),
                    upload=SimpleUploadedFile("skan.png", b"\x89PNG\r\n\x1a\n0000"))
    contact = WebContact.objects.get()
    token = services.token_for(contact)
    stored = tmp_path / "webform" / contact.attachment_stored
    assert contact.ticket.customer == known and stored.exists()
    customer_anonymise(actor=world.admin, customer_id=known.pk, reason="wniosek art. 17")
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone, contact.secret,
            contact.attachment_name, contact.attachment_stored) == ("", "", "", "", "", "")
    assert not stored.exists()
    with pytest.raises(NotFound):
        services.contact_for(token)


def test_a_sender_without_a_customer_record_is_erased_by_address(world: Any) -> None:
    form_desk(world)
    services.submit(data=filled())
    other = services.submit(data=filled(email="inna@example.pl", name="Inna Osoba")).contact
    assert gdpr.sender_erase(actor=world.admin, email="ZOFIA@example.pl",
                                 reason="wniosek") == 1
    erased = WebContact.objects.exclude(pk=other.pk).get()
    assert erased.email == "" and erased.secret == ""
    assert not TicketMessage.objects.filter(ticket=erased.ticket, body__contains="faktura")
    assert erased.ticket.subject == "—"
    other.refresh_from_db()
    assert other.email == "inna@example.pl"


def test_only_the_gdpr_right_erases_a_sender(world: Any) -> None:
    from punkt.core.errors import ActionDenied

    form_desk(world)
    services.submit(data=filled())
    with pytest.raises(ActionDenied):
        gdpr.sender_erase(actor=world.service_a, email="zofia@example.pl", reason="x")


def test_a_person_without_a_customer_record_is_erased_from_every_channel_by_page(
        world: Any, client_as: Any) -> None:
    """The GDPR page checks an address across the form, e-mail and chat, then erases with
    a reason; other roles are refused."""
    from django.urls import reverse

    from punkt.chat.models import ChatDesk, ChatSession
    from punkt.core.models import AuditEvent
    from punkt.mailbox.models import InboundMail, Mailbox

    form_desk(world)
    contact = services.submit(data=filled()).contact
    box = Mailbox.objects.create(team=contact.ticket.team, address="biuro@example.pl",
                                 host="imap", username="u", password="p")
    mail = InboundMail.objects.create(mailbox=box, uidvalidity=1, uid=1, key="k1",
                                      from_address="Zofia@example.pl", subject="Faktura",
                                      outcome="ignored", reason="bounce")
    chat = ChatSession.objects.create(desk=ChatDesk.objects.create(team=contact.ticket.team,
                                                                   title="Czat"),
                                      ticket=contact.ticket, visitor_name="Zofia",
                                      visitor_email="zofia@example.pl")
    url = reverse("customers:sender_erase")
    assert client_as(world.service_a).get(url).status_code == 403
    admin = client_as(world.admin)
    checked = admin.post(url, {"email": "ZOFIA@example.pl", "action": "check"}).content.decode()
    assert 'data-testid="sender-erase-confirm"' in checked
    erase = {"email": "zofia@example.pl", "checked": "ZOFIA@example.pl", "action": "erase"}
    refused = admin.post(url, {**erase, "reason": " "})
    assert refused.status_code == 200 and WebContact.objects.get().email  # nothing erased
    unchecked = admin.post(url, {**erase, "checked": "inna@example.pl", "reason": "wniosek"})
    assert unchecked.status_code == 200 and WebContact.objects.get().email  # not checked
    done = admin.post(url, {**erase, "reason": "wniosek z 6.12.2026"})
    assert done.status_code == 302
    contact.refresh_from_db()
    mail.refresh_from_db()
    chat.refresh_from_db()
    assert (contact.email, mail.from_address, mail.subject, chat.visitor_email) == (
        "", "", "", "")
    assert AuditEvent.objects.get(action="privacy.sender.erase").changes["erased"] == {
        "chat": 1, "mailbox": 1, "webform": 1, "messaging.suppression": 0}
    again = admin.post(url, {"email": "zofia@example.pl", "action": "check"}).content.decode()
    assert 'data-testid="sender-none"' in again
