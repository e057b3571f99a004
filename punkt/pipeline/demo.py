"""Demo opportunities at the Kraków branch, one at each turn of seed 003's process: a
presentation arranged, a refused one to try again, an offer sent (its validity a control
date), an agreement in progress, a sale won (satisfaction and the next contact agreed),
one lost on price, and a control date overdue. Built through the services (history,
audit, timeline, tasks)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.core.demo import seeder
from punkt.customers.models import Customer
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee
from punkt.pipeline import services
from punkt.pipeline.models import LossReason, Opportunity, SalesDocument, Stage


@seeder(85)
def seed_pipeline(actor: Actor) -> list[str]:
    service = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    retention = Employee.objects.filter(email="retencja@demo.punkt.pl").first()
    krakow = Branch.objects.filter(code="KRK-01").first()
    if not (service and retention and krakow) or Opportunity.objects.exists():
        return []
    customers = list(Customer.objects.filter(branch=krakow).order_by("id")[4:11])
    if len(customers) < 7:
        return []
    from punkt.pipeline import defaults

    defaults.install(Stage, LossReason)  # seed 003's stages, when none are set (a fresh test db)
    stage = {s.code: s for s in Stage.objects.all()}
    today = timezone.localdate()

    def day(n: int) -> str:
        return (today + datetime.timedelta(days=n)).isoformat()

    def reason(code: str, label: str) -> int:
        return LossReason.objects.get(stage=stage[code], label=label).pk

    def open_(seller: Employee, customer: Customer, title: str, **fields: object
              ) -> Opportunity:
        return services.opportunity_create(actor=seller, customer_id=customer.pk, title=title,
                                           **fields)  # type: ignore[arg-type]

    def control(seller: Employee, o: Opportunity, kind: str, n: int) -> None:
        services.control_set(actor=seller, opportunity_id=o.pk, kind=kind, on=day(n))

    def done(seller: Employee, o: Opportunity, *kinds: str) -> None:
        for kind in kinds:
            services.control_done(actor=seller, opportunity_id=o.pk, kind=kind)

    def move(seller: Employee, o: Opportunity, code: str) -> None:
        services.opportunity_move(actor=seller, opportunity_id=o.pk, stage_id=stage[code].pk)

    from punkt.materials.selectors import price_lists_in_force
    from punkt.pipeline import sales_documents as docs

    positions = [i for v in price_lists_in_force(branch_id=krakow.pk)
                 for i in v.items.all()][:2]

    def offer_sent(seller: Employee, o: Opportunity, discount: str = "0",
                   send: bool = True) -> None:
        """An offer version from Kraków's price list (the offer stage expects it sent)."""
        if positions:
            d = docs.offer_version_create(
                actor=seller, opportunity_id=o.pk, valid_until=day(7),
                lines=[{"price_item_id": i.pk, "quantity": 1, "discount": discount}
                       for i in positions])
            if send and o.customer.email and d.offer and d.offer.status == "presented":
                docs.document_send(actor=seller, document_id=d.pk)
                return
        if send:  # no price list or no e-mail address: recorded as handed over
            SalesDocument.objects.create(
                opportunity=o, kind="offer", version=SalesDocument.objects.filter(
                    opportunity=o, kind="offer").count() + 1, sent_at=timezone.now(),
                values={"numer": f"{o.number}/OF/0"})

    made = []
    first = open_(service, customers[0], "Internet światłowodowy 600 Mb/s z telewizją")
    control(service, first, "minutes", 1)
    made.append(first)

    refused = open_(service, customers[1], "Pakiet rodzinny: 3 numery komórkowe")
    services.opportunity_refuse(actor=service, opportunity_id=refused.pk,
                                reason_id=reason("presentation", "Klient odmówił prezentacji"),
                                retry_on=day(14), note="Prosi o kontakt po urlopie.")
    made.append(refused)

    offer = open_(service, customers[2], "Internet dla biura, 5 stanowisk", amount="4800,00",
                  expected_close=day(30)[:7])
    control(service, offer, "minutes", -3)
    done(service, offer, "minutes")
    move(service, offer, "offer")
    offer_sent(service, offer, discount="15", send=False)  # above the limit: awaiting (C11)
    control(service, offer, "offer_valid", 5)
    made.append(offer)

    agreement = open_(retention, customers[3], "Przedłużenie umowy z nowym telefonem",
                      amount="2399,00", expected_close=day(20)[:7])
    control(retention, agreement, "minutes", -10)
    control(retention, agreement, "offer_valid", 7)
    done(retention, agreement, "minutes")
    offer_sent(retention, agreement, discount="5")
    control(retention, agreement, "offer_valid", 7)
    move(retention, agreement, "agreement")
    control(retention, agreement, "change", -1)  # overdue: the change of the terms
    made.append(agreement)

    won = open_(service, customers[4], "Telewizja i internet dla domu", amount="1560,00",
                expected_close=day(0)[:7])
    for kind, n in (("minutes", -20), ("offer_valid", -5), ("invoice_due", -2),
                    ("event", -1), ("survey", 7), ("next_contact", 60)):
        control(service, won, kind, n)
    offer_sent(service, won)
    control(service, won, "offer_valid", -5)
    done(service, won, "minutes", "offer_valid", "invoice_due", "event")
    move(service, won, "closing")
    services.opportunity_win(actor=service, opportunity_id=won.pk,
                             note="Klient zadowolony; rozmowa o kolejnej usłudze za 2 "
                                  "miesiące.")
    made.append(won)

    lost = open_(service, customers[5], "Abonament firmowy na 10 numerów", amount="9900,00")
    control(service, lost, "minutes", -15)
    done(service, lost, "minutes")
    move(service, lost, "offer")
    services.opportunity_lose(actor=service, opportunity_id=lost.pk,
                              reason_id=reason("offer", "Cena za wysoka"),
                              note="Konkurencja zaproponowała 15% taniej.")
    made.append(lost)

    quiet = open_(retention, customers[6], "Ubezpieczenie sprzętu", amount="299,00")
    control(retention, quiet, "next_contact", -2)
    made.append(quiet)
    return [f"opportunity {o.number}" for o in made]


@seeder(95)
def seed_plans(actor: Actor) -> list[str]:
    """Sales plans of every branch for last month, this month and the next (HQ's expert),
    after the analytics' earlier counter sales (seeder 90) so last month has figures;
    this month's split among Kraków's staff (its manager), and last month's packs prepared
    as the job would have (the managers notified). Last month is over, so its plans are
    written as they would have been set then (the services refuse a past month)."""
    from decimal import Decimal

    from punkt.organization.models import BranchKind
    from punkt.pipeline import packs, plans
    from punkt.pipeline.models import SalesPlan

    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    manager = Employee.objects.filter(email="kierownik@demo.punkt.pl").first()
    krakow = Branch.objects.filter(code="KRK-01").first()
    if not (expert and manager and krakow) or SalesPlan.objects.exists():
        return []
    month = plans.current_month()
    last = plans.previous_month(month)
    values = {"sales_net": "20000,00", "collected": "15000,00", "contracts": "8",
              "new_customers": "12", "won": "3"}
    made = []
    for branch in Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True):
        SalesPlan.objects.create(branch=branch, month=last, updated_by=expert,
                                 sales_net=Decimal("18000.00"), collected=Decimal("15000.00"),
                                 contracts=7, new_customers=10, won=2)
        for m in (month, plans.next_month(month)):
            plans.plan_set(actor=expert, branch_id=branch.pk, month=m, values=values)
        made.append(f"sales plans {branch.code}")
    shares = {"obsluga@demo.punkt.pl": ("9000,00", "0", "4", "6", "2"),
              "retencja@demo.punkt.pl": ("6000,00", "0", "3", "4", "1"),
              "kasjer@demo.punkt.pl": ("0", "15000,00", "0", "0", "0"),
              "kierownik@demo.punkt.pl": ("3000,00", "0", "1", "1", "0")}
    staff = {e.email: e for e in plans.planned_employees(krakow.pk)}
    for email, share in shares.items():
        employee = staff.get(email)
        if employee is None:
            continue
        plans.plan_set(actor=manager, branch_id=krakow.pk, month=month,
                       employee_id=employee.pk, values=dict(zip(plans.CODES, share,
                                                                strict=True)))
    done = packs.prepare_all(last)
    made.append(f"monthly packs {last:%Y-%m}: {done['stored']}")
    return made
