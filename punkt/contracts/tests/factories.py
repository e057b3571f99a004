"""Building blocks for contract tests: an HQ template and price list in force at a branch,
a customer with an accepted offer, a prepared contract with its PDF."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.contracts import services
from punkt.customers import services as customers
from punkt.materials import services as materials
from punkt.materials.models import MaterialVersion

PRICES = b"kod;nazwa;cena brutto;VAT\nINT-300;Internet 300;59,99;23\nRTR-1;Router;249;23\n"
TEMPLATE = """UMOWA O ŚWIADCZENIE USŁUG TELEKOMUNIKACYJNYCH nr {{ numer }}
zawarta dnia {{ data }} w miejscowości {{ miejscowosc }} ({{ oddzial }}).
Klient: {{ klient }}, {{ identyfikator }}, adres: {{ adres }}, e-mail: {{ email }}.
{{ pozycje }}
Opłata miesięczna razem: {{ razem }}. Okres: {{ okres }} miesięcy,
od {{ data_poczatku }} do {{ data_konca }}.
[[podpis: Klient]] [[podpis: Pracownik]]
""".encode()


def publish(world: Any, kind: str, data: bytes, name: str, *, branch: Any = None,
            material_id: int | None = None, title: str = "") -> MaterialVersion:
    if material_id is None:
        material_id = materials.material_create(actor=world.expert, kind=kind,
                                                title=title or f"Materiał {kind}").pk
    v = materials.version_create(
        actor=world.expert, material_id=material_id, uploaded=SimpleUploadedFile(name, data),
        valid_from=timezone.localdate(), all_branches=branch is None,
        branch_ids=[branch.pk] if branch is not None else None)
    return materials.version_publish(actor=world.expert, version_id=v.pk)


def hq_materials(world: Any, branch: Any = None) -> tuple[MaterialVersion, MaterialVersion]:
    """(price list, contract template) in force at ``branch`` (default: every branch)."""
    return (publish(world, "price_list", PRICES, "cennik.csv", branch=branch,
                    title="Cennik usług"),
            publish(world, "contract_template", TEMPLATE, "umowa.txt", branch=branch,
                    title="Umowa abonencka"))


_serial = iter(range(1, 10**6))


def next_pesel() -> str:
    """A valid PESEL of someone born 1.01.1985, different at each call."""
    body = f"850101{next(_serial) % 10000:04d}"
    check = (10 - sum(int(d) * w for d, w in zip(body, (1, 3, 7, 9) * 3, strict=False))
             % 10) % 10
    return body + str(check)


def customer(world: Any, branch: Any = None, actor: Any = None, **data: Any) -> Any:
    return customers.customer_create(
        actor=actor or world.service_a, branch_id=(branch or world.a).pk,
        data={"kind": "person", "first_name": "Zofia", "last_name": "Żółkiewska",
              "pesel": next_pesel(), "email": "zofia@example.pl",
              "street": "ul. Floriańska 1", "postal_code": "31-042", "city": "Kraków", **data},
        consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True)


def accepted_offer(world: Any, prices: MaterialVersion, *, actor: Any = None,
                   cust: Any = None, quantity: int = 1) -> Any:
    actor = actor or world.service_a
    cust = cust or customer(world, actor=actor)
    offer = services.offer_create(actor=actor, customer_id=cust.pk, lines=[
        {"price_item_id": item.pk, "quantity": quantity} for item in prices.items.all()])
    return services.offer_decide(actor=actor, offer_id=offer.pk, accepted=True)


def prepared(world: Any, *, actor: Any = None, quantity: int = 1, render: bool = True,
             cust: Any = None, term: int = 24) -> Any:
    """A contract prepared from a fresh accepted offer (materials published if needed)."""
    from punkt.contracts.models import Contract

    actor = actor or world.service_a
    branch_id = (cust.branch_id if cust is not None else world.a.pk)
    prices = (MaterialVersion.objects.filter(material__kind="price_list", status="published",
                                             deliveries__branch_id=branch_id)
              .order_by("-pk").first())
    template = (MaterialVersion.objects.filter(material__kind="contract_template",
                                               status="published",
                                               deliveries__branch_id=branch_id)
                .order_by("-pk").first())
    if prices is None or template is None:
        prices, template = hq_materials(world)
    offer = accepted_offer(world, prices, actor=actor, cust=cust, quantity=quantity)
    contract = services.contract_prepare(actor=actor, offer_id=offer.pk,
                                         template_version_id=template.pk, term_months=term)
    if render:
        services.store_pdf(contract_id=contract.pk, revision=contract.revision)
    return Contract.objects.get(pk=contract.pk)
