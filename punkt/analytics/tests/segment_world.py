"""A small world for the segment × product matrix, every record written straight into its
table and dated as the tests need. The expected matrix, maturity and cross-sell list are
worked out on paper in :func:`build`'s docstring."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from punkt.analytics import segments as seg
from punkt.analytics.models import Segment, Snapshot, Standing
from punkt.analytics.tests.factories import customer
from punkt.customers.models import Customer

_serial = count(1)


def ago(days: int) -> datetime.datetime:
    """Noon (Warsaw) ``days`` days before today."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def product(code: str, name: str) -> Any:
    from punkt.catalog.models import Product

    return Product.objects.create(code=code, name=name)


def opportunity(world: Any, cust: Any, prod: Any, status: str, days: int,
                reason: str = "") -> Any:
    from punkt.pipeline.models import LossReason, Opportunity, Stage

    loss = LossReason.objects.create(label=reason) if reason else None
    return Opportunity.objects.create(
        number=f"SZ/T/{next(_serial)}", branch_id=cust.branch_id, customer=cust,
        owner=world.service_a, title=prod.name, product=prod,
        stage=Stage.objects.order_by("position", "id")[0],
        status=status, loss_reason=loss, created_at=ago(days + 5),
        closed_at=ago(days) if status != "open" else None)


def _prices(world: Any) -> Any:
    from punkt.materials.models import MaterialVersion

    found = MaterialVersion.objects.filter(material__kind="price_list",
                                           status="published").first()
    if found is None:
        from punkt.contracts.tests.factories import hq_materials

        found, _template = hq_materials(world)
    return found


def offer(world: Any, cust: Any, prod: Any, status: str, days: int, reason: str = "") -> Any:
    from punkt.contracts.models import Offer, OfferLine

    made = Offer.objects.create(customer=cust, branch_id=cust.branch_id, status=status,
                                total_gross=Decimal("10.00"), decline_reason=reason,
                                decided_at=ago(days) if status in ("declined", "accepted")
                                else None)
    Offer.objects.filter(pk=made.pk).update(created_at=ago(days + 2))
    OfferLine.objects.create(offer=made, price_item=_prices(world).items.first(),
                             code=prod.code, name=prod.name, price_gross=Decimal("10.00"),
                             vat_rate="23", quantity=1, total_gross=Decimal("10.00"))
    return made


def contract(world: Any, cust: Any, prod: Any, status: str, days: int) -> Any:
    from punkt.contracts.models import Contract
    from punkt.materials.models import MaterialVersion

    _prices(world)
    template = MaterialVersion.objects.filter(material__kind="contract_template").latest("pk")
    made = offer(world, cust, prod, "accepted", days + 1)
    c = Contract.objects.create(
        customer=cust, branch_id=cust.branch_id, offer=made, template=template,
        status=status, term_months=24, starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        total_gross=Decimal("10.00"), signed_at=ago(days) if status == "active" else None)
    Contract.objects.filter(pk=c.pk).update(created_at=ago(days))
    return c


def sale(world: Any, cust: Any, prod: Any, days: int, *, returned: bool = False) -> Any:
    from punkt.sales.models import Sale, SaleLine

    def make(kind: str, original: Any = None) -> Any:
        return Sale.objects.create(kind=kind, branch_id=cust.branch_id, seller=world.service_a,
                                   customer=cust, original=original, payment_method="card",
                                   total_gross=Decimal("10.00"), receipt_status="printed",
                                   created_at=ago(days))

    s = make("sale")
    line = SaleLine.objects.create(sale=s, product=prod, name=prod.name, quantity=1,
                                   unit_price_gross=Decimal("10.00"),
                                   total_gross=Decimal("10.00"), vat_rate="23")
    if returned:
        r = make("return", s)
        SaleLine.objects.create(sale=r, product=prod, name=prod.name, quantity=1,
                                unit_price_gross=Decimal("10.00"), returns_line=line,
                                total_gross=Decimal("10.00"), vat_rate="23")
    return s


@dataclass
class SegWorld:
    world: Any
    inet: Any
    router: Any
    tv: Any
    small: Segment
    firms: Segment
    young: Segment
    c1: Any
    c2: Any
    c3: Any
    c4: Any
    c5: Any
    c6: Any
    c7: Any


def build(world: Any) -> SegWorld:
    """Products INT-300 (Internet), RTR-1 (router), TV-1 (television).

    Segments, in this order:
      1. "Małe firmy": companies, micro or small — INT-300 (1000 zł), RTR-1 (300), TV-1 (500)
      2. "Firmy": companies (any size; small ones are in 1 — the first wins) — INT-300 (2000)
      3. "Młodzi": individuals 25–34 or under 25 — TV-1 (200), INT-300 (100)

    Branch A:
      c1 micro company (1): INT active contract = signed; RTR open opportunity = offered;
         TV nothing = not offered.                           used 1/3 = 33.3 %
      c2 small company (1): INT opportunity lost 10 days ago "Za drogo" = refused (recent);
         RTR counter sale = signed; TV offer declined 400 days ago "Nie ogląda" = refused
         (old).                                              used 1/3 = 33.3 %, ABC A
      c3 large company (2): INT contract prepared = applied. used 0/1 = 0 %
      c5 person 25–34 (3): TV sold and returned = not offered; INT offer accepted, no
         contract = offered.                                 used 0/2 = 0 %, ABC B
      c6 person 45–54: no segment.
      c7 micro company (1): INT active contract, RTR sale, TV opportunity won = all signed.
                                                             used 3/3 = 100 %
    Branch B:
      c4 small company (1): INT opportunity won = signed.   used 1/3

    Matrix of segment 1, branch A, by maturity: c7 (3), c1 (1), c2 (1) — ties by id.
    Averages, branch A: 1 → (1+1+3)/(3×3) = 5/9 = 55.6 %; 2 → 0/1 = 0 %; 3 → 0/2 = 0 %.
    Every branch: 1 → 6/12 = 50.0 %.

    Cross-sell, branch A (nothing signed, applied or offered; no refusal in 180 days),
    value = expected value × ABC weight (A 3, B 2, else 1):
      c2 TV-1 500 × 3 = 1500; c1 TV-1 500 × 1 = 500; c5 TV-1 200 × 2 = 400.
    (c1 RTR offered, c2 INT refused 10 days ago, c3 INT applied, c5 INT offered: not listed.)
    """
    inet, router, tv = (product("INT-300", "Internet 300"), product("RTR-1", "Router Wi-Fi"),
                        product("TV-1", "Telewizja"))
    small = seg.segment_save(actor=world.expert, name="Małe firmy",
                             rules={"kind": ["company"], "company_size": ["micro", "small"]})
    firms = seg.segment_save(actor=world.expert, name="Firmy", rules={"kind": ["company"]})
    young = seg.segment_save(actor=world.expert, name="Młodzi",
                             rules={"kind": ["person"], "age_band": ["u25", "25-34"]})
    for s, prods in ((small, ((inet, "1000"), (router, "300"), (tv, "500"))),
                     (firms, ((inet, "2000"),)), (young, ((tv, "200"), (inet, "100")))):
        for p, value in prods:
            seg.target_add(actor=world.expert, segment_id=s.pk, product_id=p.pk, value=value)

    def company(name: str, size: str, branch: Any = None) -> Any:
        return customer(world, name, branch, kind="company", company_name=name,
                        company_size=size, nip="", pesel="")

    c1 = company("Alfa", "micro")
    c2 = company("Beta", "small")
    c3 = company("Gamma", "large")
    c4 = company("Delta", "small", world.b)
    c7 = company("Omega", "micro")
    c5 = customer(world, "Młody")
    c6 = customer(world, "Starszy")
    # the band follows the PESEL's birth date (1985): set as a later correction would
    Customer.objects.filter(pk=c5.pk).update(age_band="25-34")
    Customer.objects.filter(pk=c6.pk).update(age_band="45-54")
    c5.refresh_from_db()
    c6.refresh_from_db()

    contract(world, c1, inet, "active", 30)
    opportunity(world, c1, router, "open", 3)
    opportunity(world, c2, inet, "lost", 10, reason="Za drogo")
    sale(world, c2, router, 50)
    offer(world, c2, tv, "declined", 400, reason="Nie ogląda")
    contract(world, c3, inet, "prepared", 2)
    opportunity(world, c4, inet, "won", 20)
    sale(world, c5, tv, 60, returned=True)
    offer(world, c5, inet, "accepted", 5)
    contract(world, c7, inet, "active", 90)
    sale(world, c7, router, 80)
    opportunity(world, c7, tv, "won", 70)

    today = timezone.localdate()
    snap = Snapshot.objects.create(as_of=today, month=today.year * 12 + today.month - 1,
                                   window_months=3,
                                   period_months=12, status="done")
    for cust, abc in ((c2, "A"), (c5, "B")):
        Standing.objects.create(snapshot=snap, customer=cust, branch_id=cust.branch_id,
                                category="regular", abc=abc, xyz="X")
    return SegWorld(world, inet, router, tv, small, firms, young, c1, c2, c3, c4, c5, c6, c7)
