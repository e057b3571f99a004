#!/usr/bin/env python
"""A counter sale with a loyalty card at scale: the issue's "p95 ≤ 30 ms with the card's
discount and points applied".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench_loyalty \\
        .venv/bin/python bench/run_loyalty.py [--cards 100000] [--entries 1000000] [--sales 300]

Migrates, makes the test world (two branches, a small shop with stock) once, then
inserts (on PostgreSQL in SQL, set-based: 5M cards ≈ 2 min, 50M entries ≈ 27 min on a
loaded host; elsewhere with ``bulk_create``) ``--cards`` cards of one points programme
and ``--entries`` points entries spread over them (all pointing at one real sale: the
ledger's size and indexes are what matter),
and times ``--sales`` counter sales through ``sales.services.sale_create`` with a random
card — every third one redeeming points — reporting p50/p95/max and the queries per sale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
os.environ.setdefault("PUNKT_SEAL_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PROGRAMME = "Bench: punkty"


def world() -> tuple[object, object, object]:
    from punkt.catalog.models import Product
    from punkt.inventory.tests.factories import shop
    from punkt.organization.models import Employee
    from tests.world import make_world

    if not Employee.objects.filter(email__startswith="obsluga.a").exists():
        w = make_world()
        shop(w, stock_a=1_000_000, stock_hq=0)
    seller = Employee.objects.filter(memberships__role="service").order_by("pk").first()
    router = Product.objects.get(code="RTR-AX")
    return seller, seller.memberships.get().branch, router  # type: ignore[union-attr]


def ensure_cards(n: int, entries: int, seller: object, branch: object, router: object) -> None:
    from punkt.loyalty import services
    from punkt.loyalty.models import Card, PointsEntry, Programme
    from punkt.organization.models import Employee
    from punkt.sales import services as sales

    programme = Programme.objects.filter(name=PROGRAMME).first() or services.programme_save(
        actor=Employee.objects.filter(memberships__role="hq_expert").first(),
        data={"name": PROGRAMME, "kind": "points", "points_per_zloty": "1",
              "point_value": "0,01", "points_valid_months": "24"})
    have = Card.objects.filter(programme=programme).count()
    started = time.perf_counter()
    if connection.vendor == "postgresql" and (have < n or PointsEntry.objects.count() < entries):
        sale = sales.sale_create(actor=seller, branch_id=branch.pk,  # type: ignore[attr-defined]
                                 payment_method="cash",
                                 lines=[{"product_id": router.pk}])  # type: ignore[attr-defined]
        load_sql(n, entries, programme.pk, branch.pk, sale.pk)  # type: ignore[attr-defined]
        have = Card.objects.filter(programme=programme).count()
    if have < n:
        first = (Card.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        rows = [Card(number=services.card_number(first + i), programme=programme,
                     branch=branch, points_balance=10_000) for i in range(n - have)]
        Card.objects.bulk_create(rows, batch_size=10_000)
        print(f"cards: {n - have} made in {time.perf_counter() - started:.1f} s")
    have_entries = PointsEntry.objects.count()
    if have_entries < entries:
        sale = sales.sale_create(actor=seller, branch_id=branch.pk,  # type: ignore[attr-defined]
                                 payment_method="cash",
                                 lines=[{"product_id": router.pk}])  # type: ignore[attr-defined]
        ids = list(Card.objects.filter(programme=programme).values_list("pk", flat=True))
        started = time.perf_counter()
        batch: list[PointsEntry] = []
        for i in range(entries - have_entries):
            batch.append(PointsEntry(card_id=ids[i % len(ids)], kind="earned", points=10,
                                     balance_after=10_000, sale=sale))
            if len(batch) == 20_000:
                PointsEntry.objects.bulk_create(batch)
                batch = []
        PointsEntry.objects.bulk_create(batch)
        print(f"entries: {entries - have_entries} made in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE loyalty_card; ANALYZE loyalty_pointsentry; "
                           "ANALYZE loyalty_cardsale")


def load_sql(n: int, entries: int, programme_id: int, branch_id: int, sale_id: int) -> None:
    """PostgreSQL: the cards and entries made in the database, set-based (5M cards and 50M
    entries in minutes, where ``bulk_create`` would take an hour). The EAN-13 check digit
    is computed in SQL by the rule of ``services.check_digit``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM loyalty_card "
                       "WHERE programme_id = %s", [programme_id])
        last, have = cursor.fetchone()
        if have < n:
            started = time.perf_counter()
            cursor.execute(
                """
                INSERT INTO loyalty_card (number, programme_id, branch_id, tier, status,
                                          points_balance, issued_at, blocked_reason)
                SELECT body || ((10 - (SELECT SUM(substr(body, i, 1)::int
                                                  * CASE WHEN i %% 2 = 0 THEN 3 ELSE 1 END)
                                       FROM generate_series(1, 12) i) %% 10) %% 10)::text,
                       %s, %s, '', 'active', 10000, now(), ''
                FROM (SELECT '29' || lpad((%s + 1000000 + s)::text, 10, '0') AS body
                      FROM generate_series(1, %s) s) b
                """, [programme_id, branch_id, last, n - have])
            print(f"cards: {n - have} made in SQL in {time.perf_counter() - started:.1f} s")
        cursor.execute("SELECT COUNT(*) FROM loyalty_pointsentry")
        have_entries = cursor.fetchone()[0]
        if have_entries < entries:
            started = time.perf_counter()
            cursor.execute("SELECT MIN(id), MAX(id) FROM loyalty_card WHERE programme_id = %s",
                           [programme_id])
            low, high = cursor.fetchone()
            step = 5_000_000
            for first in range(0, entries - have_entries, step):
                cursor.execute(
                    """
                    INSERT INTO loyalty_pointsentry (card_id, kind, points, balance_after,
                                                     sale_id, created_at)
                    SELECT %s + (s %% %s), 'earned', 10, 10000, %s,
                           now() - make_interval(mins => s %% 500000)
                    FROM generate_series(%s, %s) s
                    """, [low, high - low + 1, sale_id, first + 1,
                          min(first + step, entries - have_entries)])
            print(f"entries: {entries - have_entries} made in SQL in "
                  f"{time.perf_counter() - started:.1f} s")


def run(sales_n: int, seller: object, branch: object, router: object) -> None:
    from punkt.loyalty.models import Card, Programme
    from punkt.sales import services as sales

    programme = Programme.objects.get(name=PROGRAMME)
    numbers = list(Card.objects.filter(programme=programme).order_by("?")
                   .values_list("number", flat=True)[:sales_n])
    for label, cards in (("without a card", [""] * len(numbers)), ("with a card", numbers)):
        times, queries = [], []
        for i, number in enumerate(cards):
            reset_queries()  # the query log holds 9,000: a long run would overflow it
            with CaptureQueriesContext(connection) as q:
                started = time.perf_counter()
                sales.sale_create(actor=seller, branch_id=branch.pk,  # type: ignore[attr-defined]
                                  payment_method="card", card=number,
                                  points="100" if number and i % 3 == 0 else "",
                                  lines=[{"product_id": router.pk}])  # type: ignore[attr-defined]
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(q.captured_queries))
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{len(times)} counter sales {label} on {connection.vendor}: "
              f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
              f"max {times[-1]:.1f} ms; queries per sale {min(queries)}–{max(queries)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=300)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    seller, branch, router = world()
    ensure_cards(args.cards, args.entries, seller, branch, router)
    run(args.sales, seller, branch, router)


if __name__ == "__main__":
    main()
