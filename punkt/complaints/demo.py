"""Demo complaints at the Kraków branch: one just registered about a purchase, one sent
to HQ under investigation, one decided and remedied, one registered over 14 days ago and so
deemed accepted by the clock job. Built through the services (history, audit, timeline)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.complaints import clock, selectors, services
from punkt.complaints.models import Complaint
from punkt.core.demo import seeder
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee


@seeder(80)
def seed_complaints(actor: Actor) -> list[str]:
    service = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    manager = Employee.objects.filter(email="kierownik@demo.punkt.pl").first()
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    krakow = Branch.objects.filter(code="KRK-01").first()
    if not (service and manager and expert and krakow) or Complaint.objects.exists():
        return []
    customers = list(Customer.objects.filter(branch=krakow).order_by("id")[:4])
    if len(customers) < 4:
        return []
    terms = "Regulamin reklamacji z 1.01.2026"

    def register(customer: Customer, **fields: object) -> Complaint:
        line = selectors.customer_sale_lines(service, customer).first()
        data: dict[str, object] = {"customer_id": customer.pk, "terms_version": terms,
                                   "terms_shown": True, "kind": "consumer_goods",
                                   "demand": "repair"}
        if line is not None and "product_text" not in fields:
            data["sale_line_id"] = line.pk
        elif "product_text" not in fields:
            data["product_text"] = "Router Wi-Fi"
        data.update(fields)
        return services.complaint_create(actor=service, **data)  # type: ignore[arg-type]

    # the product is the customer's first purchase, whatever it is: the texts fit any
    made = [register(customers[0], customer_account="Przestał działać po dwóch tygodniach.",
                     employee_opinion="Usterka widoczna przy kliencie, bez śladów uszkodzeń.")]
    hq = register(customers[1], kind="telecom", demand="compensation",
                  product_text="Internet światłowodowy 300 Mb/s",
                  customer_account="Brak internetu przez 5 dni w listopadzie.",
                  amount="120,00")
    services.complaint_move(actor=service, complaint_id=hq.pk, action="acknowledge")
    services.complaint_move(actor=service, complaint_id=hq.pk, action="send_to_hq",
                            note="Kwota rekompensaty do decyzji centrali.")
    services.complaint_move(actor=expert, complaint_id=hq.pk, action="investigate",
                            cause="service_error", cause_note="Awaria węzła operatora.")
    made.append(hq)
    done = register(customers[2], demand="replacement",
                    customer_account="Obudowa pękła po tygodniu zwykłego używania.")
    services.complaint_move(actor=service, complaint_id=done.pk, action="acknowledge")
    services.complaint_move(actor=manager, complaint_id=done.pk, action="decide_in_branch",
                            outcome="upheld", cause="product_defect")
    services.complaint_move(actor=service, complaint_id=done.pk, action="remedy",
                            remedy_note="Wydano nowy dekoder z magazynu oddziału.")
    made.append(done)
    late = register(customers[3], demand="price_reduction",
                    customer_account="Nie działa tak, jak obiecano przy zakupie.")
    services.complaint_move(actor=service, complaint_id=late.pk, action="acknowledge")
    # back-dated (the demo's own, not a service) just far enough that its deadline has
    # passed whatever the day: a deadline on a weekend or holiday moves to the next
    # working day, so a fixed 16 days is not always enough
    back = late.days + 2
    while True:
        past = timezone.now() - datetime.timedelta(days=back)
        due = clock.deadline(past, late.days)
        if due < timezone.now():
            break
        back += 1
    Complaint.objects.filter(pk=late.pk).update(received_at=past, clock_started_at=past,
                                                deadline=due, remind_at=clock.reminder(due))
    services.mark_overdue()
    made.append(late)
    return [f"complaint {c.number}" for c in made]
