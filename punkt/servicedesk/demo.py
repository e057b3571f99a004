"""Demo service desk: the Kraków office and the HQ call centre, three ticket types with SLA
targets, and a few Kraków tickets in different states (one waiting on the customer, one
resolved, one past its first-response deadline)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.core.demo import seeder
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee
from punkt.servicedesk import services, sla, weighty
from punkt.servicedesk.models import (
    CannedReply,
    Priority,
    SlaTarget,
    Team,
    TeamKind,
    Ticket,
    TicketType,
)

WEEKDAYS = {"mon": "9:00-17:00", "tue": "9:00-17:00", "wed": "9:00-17:00",
            "thu": "9:00-17:00", "fri": "9:00-17:00", "sat": "10:00-14:00"}
CALL_CENTRE = {**{k: "8:00-20:00" for k in ("mon", "tue", "wed", "thu", "fri")},
               "sat": "9:00-15:00"}
#: type → default team key, targets (first response, resolution) in minutes per priority
TYPES = {
    "Pytanie o fakturę": ("call", {Priority.NORMAL: (120, 960), Priority.HIGH: (60, 480)}),
    "Awaria usługi": ("krk", {Priority.NORMAL: (60, 480), Priority.URGENT: (30, 240)}),
    "Zmiana danych lub umowy": ("krk", {Priority.NORMAL: (240, 1440)}),
    "Sporna faktura": ("krk", {Priority.NORMAL: (240, 2400)}),
}
#: a disputed invoice is always a weighty matter the branch manager decides (R9.4)
WEIGHTS = {"Sporna faktura": 3}


def _staff(email: str) -> Employee | None:
    return Employee.objects.filter(email=email).first()


@seeder(70)
def seed_service_desk(actor: Actor) -> list[str]:
    manager = _staff("kierownik@demo.punkt.pl")
    service = _staff("obsluga@demo.punkt.pl")
    expert = _staff("ekspert@demo.punkt.pl")
    admin = _staff("admin@demo.punkt.pl")
    krakow = Branch.objects.filter(code="KRK-01").first()
    hq = Branch.objects.filter(code="HQ").first()
    if not (manager and service and expert and admin and krakow and hq) or Team.objects.exists():
        return []
    krk = services.team_save(actor=admin, name="Biuro obsługi Kraków Rynek",
                             kind=TeamKind.BRANCH_OFFICE, branch_id=krakow.pk, hours=WEEKDAYS)
    services.team_members_set(actor=admin, team_id=krk.pk, members=[service.pk, manager.pk],
                              leads=[manager.pk])
    call = services.team_save(actor=admin, name="Call center", kind=TeamKind.HQ_OFFICE,
                              branch_id=hq.pk, hours=CALL_CENTRE, routing="round_robin")
    services.team_members_set(actor=admin, team_id=call.pk, members=[expert.pk],
                              leads=[expert.pk])
    teams = {"krk": krk, "call": call}
    types = {}
    for name, (team, targets) in TYPES.items():
        kind = TicketType.objects.create(name=name, default_team=teams[team],
                                         weight=WEIGHTS.get(name, 1))
        for priority, (first, resolve) in targets.items():
            SlaTarget.objects.create(type=kind, priority=priority, first_response_minutes=first,
                                     resolution_minutes=resolve)
        types[name] = kind
    customers = list(Customer.objects.filter(branch=krakow).order_by("id")[:4])

    def customer(i: int) -> int | None:
        return customers[i].pk if len(customers) > i else None

    fault = types["Awaria usługi"].pk
    change = types["Zmiana danych lub umowy"].pk
    services.ticket_create(actor=service, channel="counter", type_id=fault, team_id=krk.pk,
                           customer_id=customer(0), subject="Brak internetu od wczoraj",
                           body="Router świeci na czerwono, restart nie pomógł.")
    waiting = services.ticket_create(
        actor=service, channel="phone", type_id=change, team_id=krk.pk,
        customer_id=customer(1), subject="Zmiana adresu korespondencyjnego",
        body="Klientka przeprowadziła się, prosi o nowy adres na fakturach.")
    services.reply(actor=service, ticket_id=waiting.pk,
                   body="Proszę o skan dokumentu potwierdzającego nowy adres.")
    services.ticket_move(actor=service, ticket_id=waiting.pk, action="wait_customer")
    done = services.ticket_create(actor=manager, channel="counter", type_id=change,
                                  team_id=krk.pk, customer_id=customer(2),
                                  subject="Duplikat umowy", body="Klient prosi o kopię umowy.")
    services.note(actor=manager, ticket_id=done.pk, body="Wydrukowano z archiwum.")
    services.reply(actor=manager, ticket_id=done.pk, body="Kopia umowy wydana przy okienku.")
    services.ticket_move(actor=manager, ticket_id=done.pk, action="resolve")
    late = services.ticket_create(actor=service, channel="phone", type_id=fault,
                                  team_id=krk.pk, customer_id=customer(3),
                                  priority=Priority.URGENT, subject="Telewizja nie działa",
                                  body="Brak sygnału na wszystkich kanałach.")
    # opened two working days ago: its deadlines are past (the queue shows it breached)
    opened = timezone.now() - datetime.timedelta(days=2)
    schedule = services.team_schedule(krk)
    Ticket.objects.filter(pk=late.pk).update(
        created_at=opened, first_response_due=schedule.add(opened, datetime.timedelta(
            minutes=30)), resolve_due=schedule.add(opened, datetime.timedelta(minutes=240)))
    sla.refresh(Ticket.objects.select_related("team").get(pk=late.pk))  # breached, escalated
    services.ticket_create(actor=expert, channel="phone", type_id=types["Pytanie o fakturę"].pk,
                           subject="Pytanie o korektę faktury", caller="Pan Nowak, 600 100 200",
                           body="Dzwoniący pyta, kiedy dostanie korektę za październik.")
    # a weighty matter: a disputed invoice; the agent's proposal waits for the manager
    claim = services.ticket_create(
        actor=service, channel="counter", type_id=types["Sporna faktura"].pk, team_id=krk.pk,
        customer_id=customer(0), subject="Kwestionowana faktura za listopad", amount="1850.00",
        body="Klient kwestionuje naliczenie 1850 zł za usługę, z której nie korzystał.")
    weighty.propose(actor=service, ticket_id=claim.pk, proposal=(
        "Dzień dobry,\n\nprzyznajemy Panu rację: wystawimy korektę faktury na 1850 zł, a "
        "nadpłata wróci na Pana konto w ciągu 14 dni.\n\nPozdrawiamy"))
    # resolved by the agent alone last week: on the manager's weekly control list
    alone = services.ticket_create(actor=service, channel="phone", type_id=change,
                                   team_id=krk.pk, customer_id=customer(1),
                                   subject="Zmiana numeru telefonu",
                                   body="Klientka podaje nowy numer kontaktowy.")
    services.reply(actor=service, ticket_id=alone.pk,
                   body="Numer zmieniony, potwierdzenie wysłaliśmy SMS-em.")
    services.ticket_move(actor=service, ticket_id=alone.pk, action="resolve")
    today = timezone.localdate()
    last_week = datetime.datetime.combine(today - datetime.timedelta(days=today.weekday() + 5),
                                          datetime.time(11), tzinfo=timezone.get_current_timezone())
    Ticket.objects.filter(pk=alone.pk).update(created_at=last_week - datetime.timedelta(hours=2),
                                              resolved_at=last_week, paused_since=last_week)
    CannedReply.objects.bulk_create([
        CannedReply(team=krk, title="Korekta faktury wysłana", body=(
            "Dzień dobry {klient},\n\nw sprawie zgłoszenia {numer} ({temat}) przesłaliśmy "
            "korektę faktury na adres e-mail podany w umowie.\n\nPozdrawiamy\n{pracownik}\n"
            "{zespół}")),
        CannedReply(team=krk, title="Prośba o dokument", body=(
            "Dzień dobry {klient},\n\naby zakończyć sprawę {numer}, prosimy o skan "
            "dokumentu potwierdzającego zmianę. Można go przesłać w odpowiedzi na tę "
            "wiadomość albo przynieść do oddziału.\n\n{pracownik}")),
        CannedReply(team=None, title="Dziękujemy za kontakt", body=(
            "Dziękujemy za kontakt, {klient}. Zgłoszenie {numer} zostało przyjęte; "
            "odpowiemy najszybciej, jak to możliwe.")),
    ])
    return ["2 service teams, 4 ticket types with SLA targets, 7 tickets (Kraków, call "
            "centre; a disputed invoice waiting for the manager's decision), 3 ready answers"]
