"""Demo invoices and tills: HQ's invoices for Kraków's customers (one in KSeF, one of a
business above the cash limit), yesterday's till closed with a small difference waiting
for the manager."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.cashdesk import services
from punkt.cashdesk.models import Invoice, TillSession
from punkt.core.demo import seeder
from punkt.customers.models import Customer, CustomerStatus
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee


@seeder(50)
def seed_cashdesk(actor: Actor) -> list[str]:
    branch = Branch.objects.filter(code="KRK-01").first()
    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    cashier = Employee.objects.filter(email="kasjer@demo.punkt.pl").first()
    if branch is None or expert is None or cashier is None or Invoice.objects.exists():
        return []
    today = timezone.localdate()
    customers = list(Customer.objects.filter(branch=branch, status=CustomerStatus.ACTIVE)
                     .exclude(street="").order_by("pk")[:12])
    made = []
    for i, c in enumerate(customers):
        for months_back in (1, 0):
            issued = (today.replace(day=1) - datetime.timedelta(days=28 * months_back)).replace(
                day=5)
            big = c.kind != "person" and months_back == 0
            made.append(services.invoice_create(
                actor=expert, customer_id=c.pk,
                number=f"FV/{issued:%Y/%m}/{i * 2 + months_back + 1:05d}",
                issued_on=issued, sale_date=issued, due_on=issued + datetime.timedelta(days=14),
                period=f"{issued:%m.%Y}",
                lines=[{"name": "Internet światłowodowy 600 Mb/s", "vat_rate": "23",
                        "net": "12400.00" if big else "48.77"},
                       {"name": "Dzierżawa routera", "vat_rate": "23", "net": "8.13"}],
                ksef_number=f"5260250995-{issued:%Y%m%d}-{i:04d}AB12CD34-{i:02d}"
                if i == 1 else "",
                verification_url=f"https://ksef.mf.gov.pl/client-app/invoice/check/{i}"
                if i == 1 else "", delivery_channel="e-mail"))
    # Yesterday's till: two payments, closed 2 zł short, waiting for the manager.
    session = services.till_open(actor=cashier, branch_id=branch.pk, opening_float="300")
    services.payment_register(actor=cashier, invoice_id=made[0].pk, amount=made[0].gross,
                              method="cash")
    services.payment_register(actor=cashier, invoice_id=made[2].pk, amount="30.00",
                              method="card")
    services.till_close(actor=cashier, session_id=session.pk,
                        counted={"200": "1", "100": "1", "50": "1", "10": "1", "5": "1"},
                        note="Brak 2 zł — prawdopodobnie źle wydana reszta")
    yesterday = today - datetime.timedelta(days=1)
    TillSession.objects.filter(pk=session.pk).update(business_day=yesterday)
    return [f"{len(made)} HQ invoices for Kraków customers; yesterday's till awaiting the "
            "manager"]
