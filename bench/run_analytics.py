#!/usr/bin/env python
"""Customer analytics at size: the full refresh (issue 19's goal: ≤ 60 s for 1M
customers, 20M invoices, 5M contracts on this 2-core machine) and the pages
(p95 ≤ 100 ms: the 9-cell table, its drill-down, the API).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_analytics.py [--runs 2] [--n 100] [--only table]

The refresh table has a reference row: the bare cost of reading every money source once
(``SELECT count(*)`` over payments, credit uses and sales); then each run's steps: the
kept month table built (the first run after ``--rebuild`` or on a fresh database: a
one-time cost) or moved forward (every later run: the settlements since the last one),
the customers' rows, the cells, the segment rows, the switch and the sweep. Needs
bench/gen_customers.py, gen_cashdesk.py (and gen_contracts.py, gen_analytics.py for
contracts and counter sales); the pages use gen_org.py's accounts.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
os.environ.setdefault("PUNKT_DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from run_org import ADMIN, MANAGER, Scenario, arguments, check, logged_in, report  # noqa: E402

from punkt.analytics import kept, refresh, segment_state  # noqa: E402
from punkt.analytics.models import ActivityMark, Snapshot, Standing  # noqa: E402


def reference() -> float:
    started = time.perf_counter()
    with connection.cursor() as cur:
        for table in ("cashdesk_payment", "cashdesk_credituse", "sales_sale",
                      "contracts_contract"):
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
    return time.perf_counter() - started


STEPS = [(kept, "build", "month table built"), (kept, "move", "month table moved"),
         (refresh, "insert_monthly", "months read (working rows)"),
         (refresh, "insert_standing", "customers' rows"), (refresh, "insert_cells", "cells"),
         (segment_state, "build", "segment rows"), (refresh, "switch", "switch"),
         (refresh, "sweep", "sweep")]


def timed_refresh() -> tuple[float, dict[str, float]]:
    steps: dict[str, float] = {}
    originals = []
    for module, name, label in STEPS:
        original = getattr(module, name)
        originals.append((module, name, original))

        def wrapped(*a: object, _f: object = original, _n: str = label) -> object:
            t = time.perf_counter()
            try:
                return _f(*a)  # type: ignore[operator]
            finally:
                steps[_n] = time.perf_counter() - t
        setattr(module, name, wrapped)
    started = time.perf_counter()
    try:
        snap = refresh.refresh()
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    if snap is None:
        sys.exit("Another refresh is running.")
    return time.perf_counter() - started, steps


def scenarios() -> list[Scenario]:
    admin, manager = logged_in(ADMIN), logged_in(MANAGER)
    snap = Snapshot.objects.current()
    cells = [(a, x) for a in "ABC" for x in "XYZ"]
    rng = random.Random(19)
    branches = list(Standing.objects.filter(snapshot=snap).values_list(
        "branch_id", flat=True).distinct()[:200]) if snap else []

    def get(client: object, url: str, name: str) -> object:
        resp = client.get(url)  # type: ignore[attr-defined]
        check(resp, 200, name)
        return resp

    def cell(i: int) -> str:
        a, x = cells[i % len(cells)]
        return f"/analytics/customers/?abc={a}&xyz={x}"

    return [
        Scenario("table, HQ, every branch", lambda i: get(admin, "/analytics/", "hq"), 200),
        Scenario("table, HQ, one branch (rotating)", lambda i: get(
            admin, f"/analytics/?branch={rng.choice(branches)}", "hq-b"), 200),
        Scenario("table, branch manager", lambda i: get(manager, "/analytics/", "mgr"), 200),
        Scenario("drill-down cell, HQ (9 cells in turn)",
                 lambda i: get(admin, cell(i), "hq-cell"), 200),
        Scenario("drill-down cell, branch manager",
                 lambda i: get(manager, cell(i), "mgr-cell"), 200),
        Scenario("drill-down page 5, HQ", lambda i: get(
            admin, "/analytics/customers/?abc=C&page=5", "hq-p5"), 200),
        Scenario("API matrix, HQ", lambda i: get(admin, "/api/v1/analytics/matrix",
                                                 "api"), 200),
    ]


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--runs", type=int, default=1, help="full refreshes to time")
    ap.add_argument("--no-refresh", action="store_true")
    ap.add_argument("--rebuild", action="store_true",
                    help="build the kept month table again first (timed in the first run)")
    args = ap.parse_args()
    if args.rebuild:
        ActivityMark.objects.all().delete()
    if not args.no_refresh:
        print(f"reference: one pass over the settlements: {reference():.2f} s")
        for run in range(1, args.runs + 1):
            took, steps = timed_refresh()
            snap = Snapshot.objects.current()
            detail = ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())
            print(f"refresh {run}: {took:.1f} s for {snap.customers if snap else 0:,} "
                  f"customers ({detail})   goal ≤ 60 s at 1M")
    snap = Snapshot.objects.current()
    data = (f"{snap.customers if snap else 0:,} customers in the current snapshot, "
            f"as of {snap.as_of if snap else '-'}")
    report(scenarios(), args, data)


if __name__ == "__main__":
    main()
