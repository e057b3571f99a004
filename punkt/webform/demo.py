"""Demo contact form: one message a visitor sent through ``/contact/``, answered by the
call centre; the seeder prints the visitor's follow link to try the customer's side."""

from __future__ import annotations

import time

from punkt.core.demo import seeder
from punkt.organization.actors import Actor
from punkt.organization.models import Employee
from punkt.servicedesk import services as desk
from punkt.servicedesk.models import Channel, Ticket, TicketType
from punkt.webform import services


@seeder(75)
def seed_contact_form(actor: Actor) -> list[str]:
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    kind = TicketType.objects.filter(name="Pytanie o fakturę").first()
    if expert is None or kind is None or Ticket.objects.filter(channel=Channel.WEB).exists():
        return []
    done = services.submit(data={
        "stamp": services.issue_stamp(time.time() - 120), "website": "",
        "name": "Marta Wiśniewska", "email": "marta.wisniewska@example.pl",
        "phone": "", "topic": str(kind.pk), "subject": "Podwójne obciążenie za październik",
        "message": "Dzień dobry, na wyciągu widzę dwa obciążenia za październik. Proszę o "
                   "sprawdzenie i zwrot nadpłaty.", "consent": "1"}, ip="127.0.0.1")
    desk.reply(actor=expert, ticket_id=done.ticket.pk,
               body="Dzień dobry, sprawdzamy płatności — odezwiemy się do końca dnia.")
    return [f"contact form ticket {done.ticket.number}; the visitor's link: "
            f"{services.follow_url(done.contact)}"]
