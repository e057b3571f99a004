"""Demo contracts at Kraków: one in every state of the workflow, active contracts signed
about two years ago that end soon (the retention employee's worklist), two whose term is
over (ended by the daily job) and one terminated early by the manager."""

from __future__ import annotations

import datetime

from django.utils import timezone

from punkt.contracts import documents, services
from punkt.contracts.models import Contract
from punkt.core.demo import seeder
from punkt.customers.models import Customer, CustomerStatus
from punkt.materials.models import MaterialKind, MaterialVersion, VersionStatus
from punkt.organization.actors import Actor
from punkt.organization.models import Branch, Employee

#: (state to reach, days until the end of the term, months of the term)
PLAN = [
    ("active", 12, 24), ("active", 26, 24), ("active", 45, 24), ("active", 80, 12),
    ("active", 300, 24), ("active", -20, 24), ("active", -45, 12), ("terminated", 200, 24),
    ("approved", None, 24),
    ("in_review", None, 24),
    ("returned", None, 24), ("signed", None, 12), ("prepared", None, 24),
]


def _staff(email: str) -> Employee | None:
    return Employee.objects.filter(email=email).first()


@seeder(40)
def seed_contracts(actor: Actor) -> list[str]:
    branch = Branch.objects.filter(code="KRK-01").first()
    service, manager = _staff("obsluga@demo.punkt.pl"), _staff("kierownik@demo.punkt.pl")
    expert = _staff("ekspert@demo.punkt.pl")
    if branch is None or not (service and manager and expert) or Contract.objects.exists():
        return []
    in_force = MaterialVersion.objects.filter(status=VersionStatus.PUBLISHED,
                                              deliveries__branch=branch)
    prices = in_force.filter(material__kind=MaterialKind.PRICE_LIST).order_by("-pk").first()
    template = in_force.filter(material__kind=MaterialKind.CONTRACT_TEMPLATE).order_by(
        "-pk").first()
    customers = [c for c in Customer.objects.filter(branch=branch, status=CustomerStatus.ACTIVE)
                 .exclude(street="").order_by("pk") if c.pesel or c.nip]
    if prices is None or template is None or not customers:
        return []
    items = list(prices.items.order_by("position"))
    today = timezone.localdate()
    made = 0
    for i, (state, ends_in, months) in enumerate(PLAN):
        customer = customers[i % len(customers)]
        offer = services.offer_create(actor=service, customer_id=customer.pk, lines=[
            {"price_item_id": items[i % len(items)].pk},
            {"price_item_id": items[(i + 2) % len(items)].pk}])
        services.offer_decide(actor=service, offer_id=offer.pk, accepted=True)
        contract = services.contract_prepare(actor=service, offer_id=offer.pk,
                                             template_version_id=template.pk,
                                             term_months=months)
        if ends_in is not None:  # signed long ago: move its term back
            ends = today + datetime.timedelta(days=ends_in)
            starts = documents.add_months(ends + datetime.timedelta(days=1), -months)
            values = contract.values | {"data": starts.strftime("%d.%m.%Y"),
                                        "data_poczatku": starts.strftime("%d.%m.%Y"),
                                        "data_konca": ends.strftime("%d.%m.%Y")}
            Contract.objects.filter(pk=contract.pk).update(starts_on=starts, ends_on=ends,
                                                           values=values)
        services.store_pdf(contract_id=contract.pk, revision=1)
        made += 1
        if state == "prepared":
            continue
        services.contract_sign(actor=service, contract_id=contract.pk)
        if state == "signed":
            continue
        services.batch_collect(actor=manager, branch_id=branch.pk)
        if state == "in_review":
            continue
        if state == "returned":
            services.contract_review(actor=manager, contract_id=contract.pk, approve=False,
                                     problems=["Brak podpisu klienta na drugiej stronie"])
            continue
        services.contract_review(actor=manager, contract_id=contract.pk, approve=True,
                                 signatures=template.template.get("signatures", []))
        if state in ("active", "terminated"):
            services.contract_finalise(actor=expert, contract_id=contract.pk, approve=True)
        if state == "terminated":
            services.contract_terminate(actor=manager, contract_id=contract.pk,
                                        reason="Klient wyjeżdża za granicę na stałe",
                                        terminated_on=today)
    ended = services.contracts_end_due(today=today)  # what the daily job does at night
    return [f"{made} contracts at {branch.name} in every state of the workflow "
            f"({ended} ended at the end of their term, one terminated early)"]
