#!/usr/bin/env python
"""The monthly packs of every branch prepared by the scheduled job (issue 18: ≤ 60 s for
500 branches), and one branch's pack page, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_packs.py [--month 2026-11] [--plans] [--keep]

Load the data first: bench/gen_org.py, bench/gen_customers.py, bench/gen_pipeline.py (and
bench/gen_cashdesk.py for payments, if you have the time). With ``--plans`` every branch
gets a plan and each of its staff a share for the month (one bulk insert, not timed). The
run is rolled back unless ``--keep``: the packs it stored and the notifications are gone
afterwards, so it can be repeated.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from run_org import MANAGER  # noqa: E402  (sets up Django)


class Rollback(Exception):
    pass


def main() -> None:
    from decimal import Decimal

    from punkt.organization.models import Branch, BranchKind, Employee, Membership
    from punkt.pipeline import packs, plans
    from punkt.pipeline.models import MonthlyPack, SalesPlan

    ap = argparse.ArgumentParser()
    ap.add_argument("--month", default="")
    ap.add_argument("--plans", action="store_true")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    month = plans.parse_month(args.month) if args.month else plans.previous_month(
        plans.current_month())
    branches = Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True).count()
    print(f"month {month:%Y-%m}, {branches} active branches")
    try:
        with transaction.atomic():
            MonthlyPack.objects.filter(month=month).delete()
            if args.plans:
                rng = random.Random(2026)
                SalesPlan.objects.filter(month=month).delete()
                rows = [SalesPlan(branch_id=b, month=month,
                                  sales_net=Decimal(rng.randint(5, 50) * 1000),
                                  contracts=rng.randint(2, 20),
                                  new_customers=rng.randint(5, 40), won=rng.randint(1, 10))
                        for b in Branch.objects.filter(kind=BranchKind.BRANCH)
                        .values_list("pk", flat=True)]
                rows += [SalesPlan(branch_id=m.branch_id, employee_id=m.employee_id,
                                   month=month, new_customers=rng.randint(1, 5),
                                   won=rng.randint(0, 3))
                         for m in Membership.objects.filter(
                             is_active=True, branch__kind=BranchKind.BRANCH,
                             role__in=[str(r) for r in plans.PLANNED_ROLES]).distinct()]
                SalesPlan.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
                print(f"plans written: {len(rows)}")
            packs.pack_url(1, month)  # the URL conf imported once, as in a running worker
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                done = packs.prepare_all(month)
                took = time.perf_counter() - started
            print(f"prepare_all: {took:.2f} s, {len(queries)} queries, {done}")
            slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]
            for q in slowest:
                print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:110]}")
            manager = Employee.objects.filter(email=MANAGER).first()
            home = (Membership.objects.filter(employee=manager).values_list(
                "branch_id", flat=True).first() if manager else None)
            if home:
                from django.test import Client

                c = Client()
                c.force_login(manager, backend="punkt.organization.backends.EmployeeBackend")
                url = packs.pack_url(home, month)
                times = []
                for _ in range(10):
                    t = time.perf_counter()
                    with CaptureQueriesContext(connection) as page_queries:
                        response = c.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                    assert response.status_code == 200, response.status_code
                times.sort()
                print(f"pack page (stored) — manager: p50 {times[4]:.1f} ms, "
                      f"max {times[-1]:.1f} ms, {len(page_queries)} queries")
                t = time.perf_counter()
                with CaptureQueriesContext(connection) as live_queries:
                    packs.compute(plans.current_month(), home)
                print(f"one branch's pack computed live: "
                      f"{(time.perf_counter() - t) * 1000:.1f} ms, {len(live_queries)} queries")
            if not args.keep:
                raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
