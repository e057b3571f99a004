#!/usr/bin/env python
"""Campaigns for the campaign-effectiveness benchmark (issue 20), on top of the
organisation, the customers and their counter sales:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset       # 1,000,000 customers
    .venv/bin/python bench/gen_analytics.py --reset       # 1.2M counter sales (30 % buy)
    .venv/bin/python bench/gen_campaigns.py --reset

What it writes (codes ``BN…``, so ``--reset`` finds them again):

- 500 campaigns over the last 24 months, one to three months long: 20 of HQ's at every
  branch, 40 of HQ's at 25 chosen branches each, and 440 branches' own;
- a leaflet (with its stock product) for every branch's own campaign, for each chosen
  branch of HQ's and for 100 branches of each of HQ's campaigns at every branch —
  ≈ 3,400 leaflets; one or two print orders each (one in ten cancelled) and two to four
  distributions (counter or a distributor's pay) — the costs;
- every tenth customer registered with the code of a campaign running at the customer's
  branch, at a moment of the campaign's period (≈ 100,000 customers brought);
- one counter sale in forty carrying the code of a branch's own campaign running when it
  was made (what customers the campaigns did not bring bought with the code).

Inserts with ``bulk_create`` and ``INSERT … SELECT``; ends with ``ANALYZE``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_org import db_guard  # noqa: E402

PREFIX = "BN"
TABLES = ("campaigns_distribution", "campaigns_printorder", "campaigns_leaflet",
          "campaigns_campaigncustomer", "campaigns_campaignbranch")


def reset() -> None:
    with connection.cursor() as cur:
        cur.execute("UPDATE sales_sale SET campaign_code = '', campaign_ref = NULL "
                    "WHERE campaign_code LIKE %s", [PREFIX + "%"])
        ids = "SELECT id FROM campaigns_campaign WHERE code LIKE %s"
        for table in TABLES:
            cur.execute(f"DELETE FROM {table} WHERE campaign_id IN ({ids})",  # noqa: S608
                        [PREFIX + "%"])
        # the leaflets' stock products and hand-out movements stay (the stock ledger is
        # append-only); a new run makes new ones
        cur.execute("DELETE FROM campaigns_printprice WHERE shop_id IN (SELECT id FROM "
                    "campaigns_printshop WHERE name LIKE 'Bench%%')")
        cur.execute("DELETE FROM campaigns_printshop WHERE name LIKE 'Bench%%'")
        cur.execute("DELETE FROM campaigns_campaign WHERE code LIKE %s", [PREFIX + "%"])


def load(seed: int = 2026) -> dict[str, int]:
    from punkt.campaigns.models import (
        Campaign,
        CampaignBranch,
        CampaignStatus,
        Distribution,
        DistributionKind,
        DistributionStatus,
        Leaflet,
        LeafletSource,
        LeafletStatus,
        PrintOrder,
        PrintOrderStatus,
        PrintShop,
    )
    from punkt.catalog.models import Product, ProductKind
    from punkt.inventory.models import StockMovement
    from punkt.organization.models import Branch, BranchKind

    rnd = random.Random(seed)
    today = timezone.localdate()
    hq = Branch.objects.get(kind=BranchKind.HQ)
    branches = list(Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                    .order_by("pk").values_list("pk", flat=True))
    shop = PrintShop.objects.create(name="Bench Drukarnia", email="druk@bench.punkt.pl")

    def period() -> tuple[datetime.date, datetime.date]:
        start = today - datetime.timedelta(days=rnd.randint(0, 700))
        return start, start + datetime.timedelta(days=rnd.randint(30, 92))

    def status(end: datetime.date) -> str:
        return CampaignStatus.ENDED if end < today else CampaignStatus.RUNNING

    plans: list[tuple[Campaign, list[int]]] = []  # a campaign and the branches it runs at
    n = 0
    for i in range(60):
        start, end = period()
        every = i < 20
        n += 1
        c = Campaign(branch_id=hq.pk, name=f"Kampania centrali {i + 1}", starts_on=start,
                     ends_on=end, all_branches=every, budget=Decimal("50000.00"),
                     code=f"{PREFIX}{n:05d}", status=status(end))
        plans.append((c, branches if every else rnd.sample(branches, 25)))
    for b in rnd.sample(branches, min(440, len(branches))):
        start, end = period()
        n += 1
        c = Campaign(branch_id=b, name=f"Kampania oddziału {n}", starts_on=start,
                     ends_on=end, budget=Decimal("3000.00"), code=f"{PREFIX}{n:05d}",
                     status=status(end))
        plans.append((c, [b]))
    with transaction.atomic():
        Campaign.objects.bulk_create([c for c, _b in plans], batch_size=1000)
        CampaignBranch.objects.bulk_create(
            [CampaignBranch(campaign=c, branch_id=b) for c, at in plans
             if c.branch_id == hq.pk and not c.all_branches for b in at], batch_size=5000)
        cells = [(c, b) for c, at in plans
                 for b in (rnd.sample(at, 100) if c.all_branches else at)]
        run = int(time.time())
        products = [Product(code=f"BNL-{run}-{i:06d}", name=f"Ulotka: {c.name}",
                            kind=ProductKind.LEAFLET, is_active=False)
                    for i, (c, _b) in enumerate(cells)]
        Product.objects.bulk_create(products, batch_size=5000)
        leaflets = [Leaflet(campaign=c, branch_id=b, source=LeafletSource.LOCAL,
                            status=LeafletStatus.APPROVED, title=c.name[:120], code=c.code,
                            product=p, stored=f"bench-{i:06d}.pdf",  # no file: never read
                            file_name="ulotka.pdf", file_size=1)
                    for i, ((c, b), p) in enumerate(zip(cells, products, strict=True))]
        Leaflet.objects.bulk_create(leaflets, batch_size=5000)
        orders, handed = [], []
        for lf in leaflets:
            for k in range(rnd.randint(1, 2)):
                cancelled = rnd.random() < 0.1
                orders.append(PrintOrder(
                    branch_id=lf.branch_id, campaign_id=lf.campaign_id, leaflet=lf, shop=shop,
                    quantity=1000 * (k + 1), price=Decimal(rnd.choice(["180.00", "320.00"])),
                    status=PrintOrderStatus.CANCELLED if cancelled
                    else PrintOrderStatus.CONFIRMED,
                    cancelled_reason="bench" if cancelled else ""))
            for _k in range(rnd.randint(2, 4)):
                nearby = rnd.random() < 0.5
                handed.append(Distribution(
                    branch_id=lf.branch_id, campaign_id=lf.campaign_id, leaflet=lf,
                    kind=DistributionKind.MANDATE if nearby else DistributionKind.COUNTER,
                    quantity=rnd.randint(50, 400), day=lf.campaign.starts_on,
                    distributor="Jan Kolporter" if nearby else "",
                    area="Rynek i okolice" if nearby else "",
                    pay=Decimal(rnd.randint(80, 300)) if nearby else Decimal("0.00"),
                    status=DistributionStatus.CONFIRMED))
        PrintOrder.objects.bulk_create(orders, batch_size=5000)
        moves = [StockMovement(branch_id=d.branch_id, product_id=d.leaflet.product_id,
                               kind="handout", quantity=-d.quantity, balance_after=0,
                               reason="bench", source_type="campaigns.distribution",
                               source_id="bench") for d in handed]
        StockMovement.objects.bulk_create(moves, batch_size=5000)
        for d, m in zip(handed, moves, strict=True):
            d.stock_movement = m
        Distribution.objects.bulk_create(handed, batch_size=5000)
    with connection.cursor() as cur:
        # every tenth customer: a campaign running at the customer's branch (the branch's
        # own, else one of HQ's at every branch), registered inside its period
        cur.execute(
            "INSERT INTO campaigns_campaigncustomer (campaign_id, customer_id, branch_id, "
            "registered_at) "
            "SELECT x.campaign_id, x.customer_id, x.branch_id, "
            "x.starts_on + (random() * (x.ends_on - x.starts_on)) * interval '1 day' "
            "+ interval '10 hours' FROM ("
            "  SELECT c.id AS customer_id, c.branch_id, COALESCE(own.id, hq.id) AS campaign_id,"
            "  COALESCE(own.starts_on, hq.starts_on) AS starts_on,"
            "  COALESCE(own.ends_on, hq.ends_on) AS ends_on"
            "  FROM customers_customer c"
            "  LEFT JOIN campaigns_campaign own ON own.branch_id = c.branch_id"
            "    AND own.code LIKE %s"
            "  JOIN LATERAL (SELECT h.id, h.starts_on, h.ends_on FROM campaigns_campaign h"
            "    WHERE h.all_branches AND h.code LIKE %s"
            "    ORDER BY (h.id + c.id) %% 20 LIMIT 1) hq ON true"
            "  WHERE c.id %% 10 = 0) x", [PREFIX + "%", PREFIX + "%"])
        brought = cur.rowcount
        cur.execute(
            "UPDATE sales_sale s SET campaign_code = c.code, campaign_ref = c.id "
            "FROM campaigns_campaign c WHERE c.branch_id = s.branch_id AND c.code LIKE %s "
            "AND s.kind = 'sale' AND s.id %% 40 = 3 "
            "AND (s.created_at AT TIME ZONE 'Europe/Warsaw')::date "
            "BETWEEN c.starts_on AND c.ends_on", [PREFIX + "%"])
        coded = cur.rowcount
        for table in (*TABLES, "campaigns_campaign", "sales_sale"):
            cur.execute(f"ANALYZE {table}")
    return {"campaigns": len(plans), "leaflets": len(leaflets), "print orders": len(orders),
            "distributions": len(handed), "customers brought": brought,
            "coded sales": coded}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    db_guard(args.force)
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL.")
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM campaigns_campaign WHERE code LIKE %s)",
                    [PREFIX + "%"])
        if cur.fetchone()[0]:
            if not args.reset:
                sys.exit("Bench campaigns are already here: pass --reset to make them again.")
            reset()
    made = load()
    print(", ".join(f"{v:,} {k}" for k, v in made.items())
          + f" in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
