"""The retention purge of people without a customer record (C29): a ticket opened by a
web form's sender, an e-mail's or a chat's visitor loses its texts and its sender's
details three years after its resolution; a customer's ticket (purged with the customer),
a recent one and an open one stay whole."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from punkt.chat.models import ChatDesk, ChatSession
from punkt.mailbox.models import InboundMail, Mailbox, OutboundMail
from punkt.privacy import purge
from punkt.servicedesk.models import Ticket, TicketMessage
from punkt.servicedesk.tests.factories import desk, ticket
from punkt.webform.models import WebContact

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 6)
#: 3 years counted from the end of the year: what ended in 2022 is past, 2023 is not yet
LONG_AGO = datetime.datetime(2022, 6, 1, 12, tzinfo=datetime.UTC)
LATELY = datetime.datetime(2023, 12, 30, 12, tzinfo=datetime.UTC)
CODES = ["servicedesk.tickets_without_customer", "mailbox.mail_without_customer",
         "webform.senders_without_customer", "chat.visitors_without_customer"]


def _resolved(t: Any, when: datetime.datetime) -> None:
    Ticket.objects.filter(pk=t.pk).update(status="closed", resolved_at=when, closed_at=when)


def test_senders_without_a_customer_record_are_purged_three_years_after_resolution(
        world: Any) -> None:
    from punkt.contracts.tests.factories import customer as make_customer

    customer = make_customer(world)
    d = desk(world)
    old, recent, still_open = ticket(world, d), ticket(world, d), ticket(world, d)
    customers = ticket(world, d, customer_id=customer.pk)
    merged = ticket(world, d)  # a duplicate merged away: closed, never resolved
    for t in (old, customers):
        _resolved(t, LONG_AGO)
    _resolved(recent, LATELY)
    Ticket.objects.filter(pk=merged.pk).update(status="closed", resolved_at=None,
                                               closed_at=LONG_AGO)
    box = Mailbox.objects.create(team=d.team_a, address="biuro@example.pl", host="imap",
                                 username="u", password="p")
    chat = ChatDesk.objects.create(team=d.team_a, title="Czat")
    for t in (old, recent, still_open, customers):
        WebContact.objects.create(ticket=t, name="Jan Obcy", email="jan@example.com",
                                  phone="600100200", secret=f"s{t.pk}")
        InboundMail.objects.create(mailbox=box, uidvalidity=1, uid=t.pk, key=f"k{t.pk}",
                                   message_id=f"<{t.pk}@x>", from_address="jan@example.com",
                                   from_name="Jan Obcy", subject="Pytanie", html="<p>Treść</p>",
                                   outcome="ticket", ticket=t, received_at=LONG_AGO)
        OutboundMail.objects.create(mailbox=box, ticket=t, to="jan@example.com",
                                    subject="Re: Pytanie", message_id=f"<r{t.pk}@y>",
                                    key=f"r{t.pk}",
                                    ticket_message=TicketMessage.objects.create(
                                        ticket=t, author=world.service_a, body="Odpowiedź"))
        ChatSession.objects.create(desk=chat, ticket=t, visitor_name="Jan Obcy",
                                   visitor_email="jan@example.com")
    stray = InboundMail.objects.create(  # a bounce that opened no ticket, long ago
        mailbox=box, uidvalidity=1, uid=999, key="k999", from_address="daemon@example.com",
        subject="Undelivered", outcome="ignored", reason="bounce", received_at=LONG_AGO)

    report = purge.run(dry_run=True, codes=CODES, today=TODAY).report
    assert {line["code"]: line["count"] for line in report} == {
        "servicedesk.tickets_without_customer": 2, "mailbox.mail_without_customer": 2,
        "webform.senders_without_customer": 1, "chat.visitors_without_customer": 1}
    assert Ticket.objects.get(pk=old.pk).subject != "—"  # a dry run changes nothing

    report = purge.run(dry_run=False, codes=CODES, today=TODAY).report
    assert [line["purged"] for line in report] == [1, 2, 2, 1]
    assert Ticket.objects.get(pk=merged.pk).subject == "—"
    gone = Ticket.objects.get(pk=old.pk)
    assert gone.subject == "—" and gone.status == "closed"
    assert set(TicketMessage.objects.filter(ticket=old).values_list("body", flat=True)) == {""}
    assert WebContact.objects.filter(ticket=old, email="", name="", phone="").exists()
    assert InboundMail.objects.filter(ticket=old, from_address="", html="").exists()
    assert OutboundMail.objects.get(ticket=old).to == ""
    assert ChatSession.objects.get(ticket=old).visitor_email == ""
    stray.refresh_from_db()
    assert (stray.from_address, stray.subject, stray.key) == ("", "", "k999")
    for kept in (recent, still_open, customers):
        assert Ticket.objects.get(pk=kept.pk).subject == "Nie doszła faktura"
        assert WebContact.objects.get(ticket=kept).email == "jan@example.com"
        assert InboundMail.objects.get(ticket=kept).from_address == "jan@example.com"
        assert OutboundMail.objects.get(ticket=kept).to == "jan@example.com"
        assert ChatSession.objects.get(ticket=kept).visitor_name == "Jan Obcy"
    # a second run finds nothing more
    again = purge.run(dry_run=False, codes=CODES, today=TODAY).report
    assert [line["purged"] for line in again] == [0, 0, 0, 0]
