"""Demo complaints at the Kraków branch: one just registered about a purchase, one sent
to HQ under investigation, one decided and remedied with a replacement unit that left the
branch's stock (with a corrective action past its due date and a preventive one), one
registered over 14 days ago and so deemed accepted by the clock job, and one whose refund
waits for the cashier. Built through the services (history, audit, timeline)."""

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
    customers = list(Customer.objects.filter(branch=krakow).order_by("id")[:5])
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
    from punkt.complaints import defaults, letters  # proof of purchase asked for, 7 days

    defaults.install()  # HQ's letters, when none are set (a fresh test database)

    letters.completion_request(actor=service, complaint_id=made[0].pk,
                               channel="email" if customers[0].email else "in_person",
                               missing="Kopia paragonu lub faktury zakupu.")
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
    # the replacement is of something bought at the counter: a Kraków customer's purchase
    # (the first customer's other purchase when no one else bought anything)
    buyer = next((c for c in Customer.objects.filter(branch=krakow).order_by("id")[:40]
                  if c.pk not in {x.pk for x in customers}
                  and selectors.customer_sale_lines(service, c).exists()), None)
    bought = list(selectors.customer_sale_lines(service, buyer or customers[0])[:2])
    if buyer is None and len(bought) < 2:
        buyer, bought = customers[2], []
    extra: dict[str, object] = {"sale_line_id": bought[-1].pk} if bought else {}
    done = register(buyer or customers[0], demand="replacement", **extra,
                    customer_account="Obudowa pękła po tygodniu zwykłego używania.")
    services.complaint_move(actor=service, complaint_id=done.pk, action="acknowledge")
    services.complaint_move(actor=manager, complaint_id=done.pk, action="decide_in_branch",
                            outcome="upheld", cause="product_defect")
    _replace(service, done)
    _actions(manager, service, expert, done)
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
    if len(customers) > 4:  # a refund ordered at the counter, waiting for the cashier
        refund = register(customers[4], demand="withdrawal", amount="49,00",
                          product_text="Etui ochronne",
                          customer_account="Etui nie pasuje do telefonu, choć tak "
                                           "zapewniono przy zakupie.")
        services.complaint_move(actor=service, complaint_id=refund.pk, action="acknowledge")
        services.complaint_move(actor=manager, complaint_id=refund.pk,
                                action="decide_in_branch", outcome="upheld",
                                cause="employee_error")
        services.complaint_move(actor=service, complaint_id=refund.pk, action="order_refund",
                                refund_amount="49,00", remedy_note="Zwrot gotówką w kasie.")
        made.append(refund)
    return [f"complaint {c.number}" for c in made]


def _replace(service: Employee, done: Complaint) -> None:
    """The replacement leaves the Kraków stock (a unit is received first when the demo's
    stock has none of the product bought)."""
    from punkt.inventory.models import MovementKind, StockLevel
    from punkt.inventory.services import stock_move

    line = done.sale_line
    if line is None or line.product_id is None:
        services.complaint_move(actor=service, complaint_id=done.pk, action="remedy",
                                remedy_kind="other",
                                remedy_note="Wydano nowy egzemplarz z magazynu oddziału.")
        return
    have = StockLevel.objects.filter(branch_id=done.branch_id, product_id=line.product_id
                                     ).values_list("quantity", flat=True).first() or 0
    if not have:
        stock_move(branch_id=done.branch_id, product_id=line.product_id, delta=1,
                   kind=MovementKind.RECEIPT, actor=service, reason="Dostawa (demo)")
    services.complaint_move(actor=service, complaint_id=done.pk, action="remedy",
                            remedy_kind="replacement", product_id=line.product_id,
                            remedy_note="Wydano nowy egzemplarz z magazynu oddziału.")


def _actions(manager: Employee, service: Employee, expert: Employee, done: Complaint) -> None:
    """A corrective action on the remedied complaint's cause, owned by the service
    employee and past its due date (back-dated, the demo's own), and a preventive one for
    HQ on the goods-receipt procedure."""
    from punkt.complaints import capa
    from punkt.complaints.models import ComplaintAction

    today = timezone.localdate()
    late = capa.action_add(actor=manager, complaint_id=done.pk, kind="corrective",
                           description="Sprawdzić obudowy pozostałych egzemplarzy tej partii "
                                       "na stanie oddziału i odesłać pęknięte do centrali.",
                           owner_id=service.pk, due_on=today + datetime.timedelta(days=1))
    ComplaintAction.objects.filter(pk=late.pk).update(
        due_on=today - datetime.timedelta(days=2))
    capa.action_add(actor=manager, complaint_id=done.pk, kind="preventive",
                    description="Dodać do przyjęcia dostawy kontrolę obudów na próbce "
                                "z każdej partii.",
                    owner_id=expert.pk, due_on=today + datetime.timedelta(days=30),
                    procedure="Procedura przyjęcia dostawy do oddziału")
