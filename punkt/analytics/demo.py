"""Demo analytics: fourteen months of the demo customers' purchases at the counter — as
a migration of the old till's sales would bring them (sales only: no stock movements) —
in patterns that fill every category and most cells of the ABC×XYZ table (steady buyers,
seasonal ones, erratic ones, customers who stopped buying, new and restored ones, a few
potential), then the refresh as of the end of each of the last five months and today, so
the history and its changes are there too."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.utils import timezone

from punkt.analytics import refresh
from punkt.analytics.models import Snapshot
from punkt.catalog.models import Product
from punkt.core.demo import seeder
from punkt.customers.models import Customer, CustomerStatus
from punkt.organization.actors import Actor
from punkt.organization.models import Employee

MONTHS = 14
#: spend per month relative to the customer's base, oldest month first (index 13 → 0)
PATTERNS: dict[str, list[float]] = {
    "steady": [1.0] * MONTHS,
    "seasonal": [1.15, 0.85] * (MONTHS // 2),
    "erratic": [3, 0, 0, 1, 0, 2, 0, 0, 4, 0, 1, 0, 0, 2],
    "lost": [1.0] * 9 + [0] * 5,
    "new": [0] * 12 + [1.0, 1.0],
    "restored": [1.0] * 4 + [0] * 9 + [1.0],
    "potential": [0] * MONTHS,
    "small": [0.3] * MONTHS,
}
ORDER = ["steady", "seasonal", "erratic", "lost", "steady", "new", "restored", "small",
         "seasonal", "potential", "steady", "erratic"]
#: monthly spend (zł) of the pattern's 1st, 2nd, 3rd… customer, in turn: big, middle,
#: small buyers of each pattern, so that most cells of the table are filled
BASES = {"steady": [2500, 400, 60], "seasonal": [1800, 300, 50], "erratic": [4000, 200, 40],
         "lost": [700], "new": [300], "restored": [250], "potential": [0], "small": [20]}


def _month_start(today: datetime.date, back: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@seeder(90)
def seed_analytics(actor: Actor) -> list[str]:
    from punkt.sales.models import ReceiptStatus, Sale, SaleLine

    product = Product.objects.order_by("pk").first()
    if product is None or Snapshot.objects.exists():
        return []
    today = timezone.localdate()
    now = timezone.now()
    customers = list(Customer.objects.filter(status=CustomerStatus.ACTIVE).order_by("pk"))
    sellers: dict[int, Employee | None] = {}
    made = 0
    seen: dict[str, int] = {}
    in_branch: dict[int, int] = {}
    for i, customer in enumerate(customers):
        k = in_branch[customer.branch_id] = in_branch.get(customer.branch_id, -1) + 1
        name = ORDER[k % len(ORDER)]  # each branch gets every pattern
        pattern = PATTERNS[name]
        bases = BASES[name]
        base = bases[seen.get(name, 0) % len(bases)]
        seen[name] = seen.get(name, 0) + 1
        if customer.branch_id not in sellers:
            sellers[customer.branch_id] = (Employee.objects.filter(
                memberships__branch_id=customer.branch_id, is_active=True)
                .order_by("pk").first())
        for position, factor in enumerate(pattern):
            if not factor:
                continue
            back = MONTHS - 1 - position
            day = _month_start(today, back) + datetime.timedelta(days=(i * 3) % 20 + 2)
            moment = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 11))
            if moment > now:
                moment = now - datetime.timedelta(minutes=5 + i)
            amount = Decimal(base * factor).quantize(Decimal("0.01"))
            sale = Sale.objects.create(
                branch_id=customer.branch_id, seller=sellers[customer.branch_id],
                customer=customer, payment_method="card", total_gross=amount,
                receipt_status=ReceiptStatus.PRINTED, receipt_number=f"ARCH/{i}/{back}",
                created_at=moment)
            SaleLine.objects.create(sale=sale, product=product, name=product.name, quantity=1,
                                    unit_price_gross=amount, total_gross=amount,
                                    vat_rate=product.vat_rate)
            made += 1
    snapshots = refresh.backfill(5, today=today)
    return [f"{made} earlier counter sales of {len(customers)} customers; customer analytics "
            f"refreshed for {len(snapshots)} months"]


@seeder(91)
def seed_goal_history(actor: Actor) -> list[str]:
    """A year of the three goals' history, as a company that has used Punkt for a while
    would have it: each demo customer registered when they first bought (those who never
    bought, spread over the year), HQ's earlier material versions opened at the branches
    with delays from minutes to hours, and the customers who left each month (the kept
    contract figures; the demo's own contracts add to the current months)."""
    from django.db.models import Min

    from punkt.contracts.models import MonthlyFigures
    from punkt.materials.models import Delivery, MaterialVersion
    from punkt.organization.models import Branch, BranchKind
    from punkt.sales.models import Sale

    if MonthlyFigures.objects.filter(month__lt=_month_start(timezone.localdate(), 3)).exists():
        return []
    today = timezone.localdate()
    first_sale = dict(Sale.objects.filter(customer__isnull=False).values("customer_id")
                      .annotate(m=Min("created_at")).values_list("customer_id", "m"))
    moved = 0
    for i, customer in enumerate(Customer.objects.filter(status=CustomerStatus.ACTIVE)
                                 .order_by("pk")):
        when = first_sale.get(customer.pk)
        if when is None:
            day = _month_start(today, 1 + i % 11) + datetime.timedelta(days=i % 25)
            when = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))
        if when < customer.created_at:
            Customer.objects.filter(pk=customer.pk).update(created_at=when)
            moved += 1
    delays = [12, 35, 50, 75, 20, 140, 45, 30, 55, 95, 25, 40]
    versions = list(MaterialVersion.objects.filter(published_at__isnull=False).order_by("pk"))
    for n, version in enumerate(versions):
        back = 1 + n % 11
        created = (timezone.make_aware(datetime.datetime.combine(
            _month_start(today, back) + datetime.timedelta(days=3 + n), datetime.time(9))))
        Delivery.objects.filter(version=version).update(delivered_at=created)
        MaterialVersion.objects.filter(pk=version.pk).update(created_at=created,
                                                             published_at=created)
        for k, delivery in enumerate(Delivery.objects.filter(version=version).order_by("pk")):
            minutes = delays[(n + k) % len(delays)]
            opened = created + datetime.timedelta(minutes=minutes)
            Delivery.objects.filter(pk=delivery.pk).update(received_at=opened, opened_at=opened)
    rows = []
    for b, branch in enumerate(Branch.objects.filter(kind=BranchKind.BRANCH).order_by("pk")):
        for back in range(3, 13):
            rows.append(MonthlyFigures(branch=branch, month=_month_start(today, back),
                                       left=3 + (b * 5 + back * 7) % 9,
                                       ended=4 + (b + back) % 6))
    MonthlyFigures.objects.bulk_create(rows, ignore_conflicts=True)
    return [f"goal history: {moved} registrations back-dated, {len(versions)} material "
            f"versions opened earlier, {len(rows)} months of customers who left"]


@seeder(92)
def seed_campaign_purchases(actor: Actor) -> list[str]:
    """The customers Kraków's campaign brought buy at the counter, so the campaign
    effectiveness report has revenue to show."""
    from punkt.campaigns.models import CampaignCustomer
    from punkt.core.errors import DomainError
    from punkt.sales import services as sales

    linked = list(CampaignCustomer.objects.select_related("customer").order_by("pk")[:2])
    seller = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    router = Product.objects.filter(code="RTR-AX3000").first()
    cable = Product.objects.filter(code="CBL-CAT6-5").first()
    if not linked or seller is None or router is None or cable is None:
        return []
    from punkt.sales.models import Sale

    if Sale.objects.filter(customer_id__in=[c.customer_id for c in linked],
                           created_at__gte=min(c.registered_at for c in linked)).exists():
        return []
    made = 0
    for link, lines in zip(linked, ([{"product_id": router.pk, "quantity": 1}],
                                    [{"product_id": cable.pk, "quantity": 2}]), strict=False):
        try:
            sales.sale_create(actor=seller, branch_id=link.branch_id, payment_method="card",
                              customer_id=link.customer_id, lines=lines)
        except DomainError:  # out of stock in a trimmed demo: nothing to show, no harm
            continue
        made += 1
    return [f"{made} counter sales to customers brought by a campaign"]


@seeder(93)
def seed_recommendations(actor: Actor) -> list[str]:
    """Who brought whom and the campaign code on records (R12.7, R10.3), so the loyalty
    page, the profiles and the campaign report have something to show: three Kraków
    customers recommend a new one each (one also came with the leaflet's code), two of the
    new ones buy; an existing customer buys with the code and has an opportunity with it."""
    from punkt.campaigns.models import Campaign, CampaignCustomer
    from punkt.core.errors import DomainError
    from punkt.customers import services as customers
    from punkt.customers.models import Recommendation
    from punkt.organization.models import Branch
    from punkt.pipeline import services as pipeline
    from punkt.sales import services as sales

    krakow = Branch.objects.filter(code="KRK-01").first()
    seller = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    router = Product.objects.filter(code="RTR-AX3000").first()
    cable = Product.objects.filter(code="CBL-CAT6-5").first()
    running = Campaign.objects.filter(code="RUCZAJ-26", status="running").first()
    if krakow is None or seller is None or Recommendation.objects.exists():
        return []
    brought = set(CampaignCustomer.objects.values_list("customer_id", flat=True))
    old = [c for c in Customer.objects.filter(branch=krakow, status=CustomerStatus.ACTIVE,
                                              kind="person").order_by("pk")[:12]
           if c.pk not in brought][:3]
    if len(old) < 3:
        return []
    made: list[Customer] = []
    for (first, last, phone), recommender, code in zip(
            (("Oliwia", "Polecona", "+48601700201"), ("Szymon", "Znajomy", "+48601700202"),
             ("Hanna", "Sąsiadka", "+48601700203")), old,
            ("", "RUCZAJ-26" if running else "", ""), strict=True):
        made.append(customers.customer_create(
            actor=seller, branch_id=krakow.pk,
            data={"kind": "person", "first_name": first, "last_name": last, "phone": phone,
                  "city": "Kraków"},
            consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True,
            campaign_code=code, recommended_by=recommender.pk))
    sold = 0
    plans = [(made[0], router, 1, ""), (made[1], cable, 2, ""),
             (old[0], cable, 1, "RUCZAJ-26" if running else "")]
    for customer, product, quantity, code in plans:
        if product is None:
            continue
        try:
            sales.sale_create(actor=seller, branch_id=krakow.pk, payment_method="card",
                              customer_id=customer.pk, campaign_code=code,
                              lines=[{"product_id": product.pk, "quantity": quantity}])
        except DomainError:  # out of stock in a trimmed demo
            continue
        sold += 1
    if running is not None:
        with contextlib.suppress(DomainError):
            pipeline.opportunity_create(actor=seller, customer_id=old[1].pk,
                                        title="Internet 600 Mb/s z ulotki",
                                        campaign_code="RUCZAJ-26")
    return [f"{len(made)} customers recommended by others, {sold} counter sales "
            "(one with a campaign code)"]
#: the price list's services in the catalogue (same codes, so offers and contracts show
#: in the segment matrix) — (code, name, VAT)
SERVICES = [("INT-300", "Internet światłowodowy 300 Mb/s", "23"),
            ("INT-600", "Internet światłowodowy 600 Mb/s", "23"),
            ("TV-START", "Telewizja Start (80 kanałów)", "8"),
            ("MOB-S", "Abonament komórkowy S", "23")]
#: (name, rules, [(product code, expected value zł)]) in the segments' order
SEGMENTS = [
    ("Firmy", {"kind": ["company", "sole_trader"]},
     [("INT-600", "1680"), ("MOB-S", "720"), ("RTR-AX3000", "299"), ("MESH-2", "449")]),
    ("Rodziny o wyższych dochodach", {"kind": ["person"], "income_band": ["middle", "high"]},
     [("INT-300", "1440"), ("TV-START", "960"), ("RTR-AX3000", "299"), ("MESH-2", "449")]),
    ("Klienci indywidualni", {"kind": ["person"]},
     [("INT-300", "1440"), ("MOB-S", "720"), ("TV-START", "960"), ("RTR-AX3000", "299")]),
]


@seeder(96)
def seed_segments(actor: Actor) -> list[str]:
    """Three segments with their ideal sets, the price list's services in the catalogue,
    and a few opportunities for the sets' products at Kraków (open, one lost) so the
    matrix shows every state."""
    from punkt.analytics import segments as seg
    from punkt.analytics.models import Segment
    from punkt.organization.models import Branch
    from punkt.pipeline import services as pipeline
    from punkt.pipeline.models import LossReason

    expert = Employee.objects.filter(email="ekspert@demo.punkt.pl").first()
    service = Employee.objects.filter(email="obsluga@demo.punkt.pl").first()
    if expert is None or Segment.objects.exists() or not Product.objects.exists():
        return []
    for code, name, vat in SERVICES:
        Product.objects.get_or_create(code=code, defaults={"name": name, "vat_rate": vat,
                                                           "unit": "usł."})
    products = {p.code: p for p in Product.objects.all()}
    for name, rules, targets in SEGMENTS:
        made = seg.segment_save(actor=expert, name=name, rules=rules)
        for code, value in targets:
            if code in products:
                seg.target_add(actor=expert, segment_id=made.pk,
                               product_id=products[code].pk, value=value)
    krakow = Branch.objects.filter(code="KRK-01").first()
    opened = 0
    if krakow is not None and service is not None:
        people = list(Customer.objects.filter(branch=krakow, status=CustomerStatus.ACTIVE,
                                              kind="person").order_by("pk")[:8])
        reason = LossReason.objects.filter(stage__isnull=True, active=True).first()
        for i, customer in enumerate(people):
            code = ("TV-START", "MESH-2", "MOB-S")[i % 3]
            o = pipeline.opportunity_create(actor=service, customer_id=customer.pk,
                                            title=products[code].name,
                                            product_id=products[code].pk)
            opened += 1
            if i % 4 == 3 and reason is not None:
                pipeline.opportunity_lose(actor=service, opportunity_id=o.pk,
                                          reason_id=reason.pk, note="")
    return [f"{len(SEGMENTS)} customer segments with their ideal product sets; "
            f"{opened} opportunities for the sets' products"]
