#!/usr/bin/env python
"""Counter sales for the customer-analytics benchmark, on top of the customer, cashier
and contract benchmark data (payments for 20 months of invoices and contracts are the
other settlements the refresh reads):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset           # 1,000,000 customers
    .venv/bin/python bench/gen_cashdesk.py --reset            # 20M invoices and payments
    .venv/bin/python bench/gen_contracts.py --reset           # 5M contracts (optional)
    .venv/bin/python bench/gen_analytics.py --reset [--share 0.3 --per-customer 4]

What it writes: for a ``--share`` of the active customers (every n-th by id, so the
same customers each run), ``--per-customer`` counter sales at their branch spread over the
last 20 months (10–500 zł, one in ten customers' amounts ×20 — the A class), and one
return in fifty. Sales only (no sale lines, no stock movements): the refresh reads the
sale's total. One ``INSERT … SELECT`` with ``generate_series``, then ``ANALYZE``.
``--reset`` deletes the sales this script wrote (receipt number ``BENCH-A``) and every
analytics snapshot.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from gen_org import db_guard  # noqa: E402

MARK = "BENCH-A"


def reset() -> None:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM sales_sale WHERE receipt_number = %s AND kind = 'return'",
                    [MARK])
        cur.execute("DELETE FROM sales_sale WHERE receipt_number = %s", [MARK])
        for table in ("analytics_monthly", "analytics_cell", "analytics_standing",
                      "analytics_classdrop", "analytics_snapshot", "analytics_activity",
                      "analytics_activityrecent", "analytics_activitydirty",
                      "analytics_activitymark"):
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 (our table names)


def load(share: float, per_customer: int) -> int:
    every = max(1, round(1 / share))
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO sales_sale (kind, branch_id, seller_id, customer_id, original_id, "
            "payment_method, total_gross, discount_gross, reason, key, key_fingerprint, "
            "created_at, receipt_status, receipt_number, receipt_error, campaign_code) "
            "SELECT 'sale', c.branch_id, NULL, c.id, NULL, 'card', "
            "round(((10 + random() * 490) * CASE WHEN c.id %% 10 = 0 THEN 20 ELSE 1 END)"
            "::numeric, 2), 0, '', NULL, '', "
            "now() - (random() * 600) * interval '1 day', 'printed', %s, '', '' "
            "FROM customers_customer c CROSS JOIN generate_series(1, %s) g "
            "WHERE c.status = 'active' AND c.id %% %s = 0", [MARK, per_customer, every])
        sales = cur.rowcount
        cur.execute(
            "INSERT INTO sales_sale (kind, branch_id, seller_id, customer_id, original_id, "
            "payment_method, total_gross, discount_gross, reason, key, key_fingerprint, "
            "created_at, receipt_status, receipt_number, receipt_error, campaign_code) "
            "SELECT 'return', s.branch_id, NULL, s.customer_id, s.id, 'card', "
            "round(s.total_gross / 2, 2), 0, 'bench', NULL, '', "
            "s.created_at + interval '3 days', 'printed', %s, '', '' "
            "FROM sales_sale s WHERE s.receipt_number = %s AND s.kind = 'sale' "
            "AND s.id %% 50 = 0 AND s.created_at < now() - interval '3 days'", [MARK, MARK])
        cur.execute("ANALYZE sales_sale")
    return sales


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--share", type=float, default=0.3, help="share of customers buying")
    ap.add_argument("--per-customer", type=int, default=4)
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    db_guard(args.force)
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL.")
    started = time.perf_counter()
    if args.reset:
        reset()
    n = load(args.share, args.per_customer)
    print(f"{n:,} counter sales (+ returns) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
