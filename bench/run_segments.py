#!/usr/bin/env python
"""The segment × product matrix at size (issue 19: every analytics page p95 ≤ 100 ms):
the matrix of a segment for a branch manager and for HQ, filtered by state, the
cross-sell list, the profile's tab and the API, against a reference row — the customer
list of the manager's branch, a paged list every page of the CRM is compared with.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench_segments
    .venv/bin/python bench/gen_org.py --reset --branches 50 --employees 1000
    .venv/bin/python bench/gen_customers.py --reset --customers 100000
    .venv/bin/python bench/gen_pipeline.py --reset --opportunities 200000 --controls 1
    .venv/bin/python bench/gen_analytics.py --reset      # counter sales: ABC classes
    .venv/bin/python bench/run_segments.py [--n 50] [--only matrix] [--refresh] [--live]

Before measuring, the pages' kept rows are built: when the current analytics snapshot has
none for today's segments (or with ``--refresh``) a full analytics refresh runs (its time
printed), then the kept segment rows are built again alone on it (timed: the segment
step's share of the refresh). ``--live`` measures with the kept rows ignored (the pages'
live computation, the figures before the kept rows).

Set-up (once, on the bench database only): six catalogue products, four segments with
ideal sets over them (small companies; companies; individuals 25–44; individuals — the
first matching wins), and every generated opportunity given one of the products (the
generator leaves ``product`` empty), so the cells are offered / refused / signed by the
opportunities' status.
"""

from __future__ import annotations

import os
import sys
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

from punkt.analytics import segments as seg  # noqa: E402
from punkt.analytics.models import Segment  # noqa: E402
from punkt.catalog.models import Product  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import Employee  # noqa: E402
from punkt.pipeline.models import Opportunity  # noqa: E402

PRODUCTS = [("BEN-INT", "Internet"), ("BEN-TV", "Telewizja"), ("BEN-MOB", "Komórka"),
            ("BEN-RTR", "Router"), ("BEN-MESH", "Mesh"), ("BEN-INS", "Ubezpieczenie")]
SEGMENTS = [
    ("Małe firmy", {"kind": ["company"], "company_size": ["micro", "small"]},
     ["BEN-INT", "BEN-MOB", "BEN-RTR", "BEN-MESH"]),
    ("Firmy", {"kind": ["company", "sole_trader"]}, ["BEN-INT", "BEN-MOB", "BEN-INS"]),
    ("Osoby 25–44", {"kind": ["person"], "age_band": ["25-34", "35-44"]},
     ["BEN-INT", "BEN-TV", "BEN-MOB", "BEN-RTR"]),
    ("Osoby", {"kind": ["person"]},
     ["BEN-INT", "BEN-TV", "BEN-MOB", "BEN-RTR", "BEN-INS"]),
]


def set_up() -> None:
    if Segment.objects.exists():
        return
    admin = Employee.objects.get(email=ADMIN)
    products = {}
    for code, name in PRODUCTS:
        products[code], _made = Product.objects.get_or_create(code=code, defaults={"name": name})
    for name, rules, codes in SEGMENTS:
        made = seg.segment_save(actor=admin, name=name, rules=rules)
        for i, code in enumerate(codes):
            seg.target_add(actor=admin, segment_id=made.pk, product_id=products[code].pk,
                           value=str(1000 - 100 * i))
    ids = [products[code].pk for code, _name in PRODUCTS]
    with connection.cursor() as cur:
        cur.execute("UPDATE pipeline_opportunity SET product_id = (ARRAY[%s,%s,%s,%s,%s,%s])"
                    "[1 + (id %% 6)] WHERE product_id IS NULL", ids)
        cur.execute("ANALYZE pipeline_opportunity")


def scenarios() -> list[Scenario]:
    admin, manager = logged_in(ADMIN), logged_in(MANAGER)
    me = Employee.objects.get(email=MANAGER)
    branch = me.memberships.values_list("branch_id", flat=True).first()
    segments = seg.ordered()
    people = next(s for s in segments if s.name == "Osoby")
    small = next(s for s in segments if s.name == "Małe firmy")
    customer = (Customer.objects.filter(branch_id=branch, kind="person", status="active")
                .order_by("pk").values_list("pk", flat=True).first())

    def get(client: object, url: str, name: str, **extra: str) -> object:
        resp = client.get(url, **extra)  # type: ignore[attr-defined]
        check(resp, 200, name)
        return resp

    m = f"/analytics/segments/?segment={people.pk}"
    return [
        Scenario("reference: customer list, branch manager",
                 lambda i: get(manager, "/customers/", "ref"), 200),
        Scenario("matrix, manager, biggest segment, by maturity",
                 lambda i: get(manager, m, "mgr"), 200),
        Scenario("matrix, manager, a product refused",
                 lambda i: get(manager, m + "&state=refused", "mgr-refused"), 200),
        Scenario("matrix, manager, page 3", lambda i: get(manager, m + "&page=3", "mgr-p3"),
                 200),
        Scenario("matrix, manager, small companies",
                 lambda i: get(manager, f"/analytics/segments/?segment={small.pk}", "mgr-s"),
                 200),
        Scenario("matrix, HQ, one branch", lambda i: get(
            admin, m + f"&branch={branch}", "hq-b"), 200),
        Scenario("matrix, HQ, every branch", lambda i: get(admin, m, "hq"), 200),
        Scenario("cross-sell, manager", lambda i: get(
            manager, "/analytics/segments/cross-sell/", "sell"), 200),
        Scenario("cross-sell, HQ, every branch", lambda i: get(
            admin, "/analytics/segments/cross-sell/", "hq-sell"), 200),
        Scenario("profile tab, manager", lambda i: get(
            manager, f"/customers/{customer}/tabs/segment/", "tab", HTTP_HX_REQUEST="true"),
                 200),
        Scenario("API matrix, manager", lambda i: get(
            manager, f"/api/v1/analytics/segments/{people.pk}/matrix", "api"), 200),
    ]


def kept_rows(force: bool) -> str:
    """Build the kept rows (a full refresh when needed); the timings as text."""
    import time

    from punkt.analytics import refresh, segment_state
    from punkt.analytics.models import ProductState, Snapshot

    out = []
    snap = Snapshot.objects.current()
    if force or snap is None or segment_state.kept(seg.ordered()) is None:
        t = time.perf_counter()
        snap = refresh.refresh()
        out.append(f"full analytics refresh {time.perf_counter() - t:.1f} s")
    snap = Snapshot.objects.current()
    assert snap is not None
    t = time.perf_counter()
    segment_state.build(snap)
    out.append(f"kept segment rows alone {time.perf_counter() - t:.1f} s "
               f"({ProductState.objects.filter(snapshot=snap).count():,} customer × product "
               "rows)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE analytics_productstate")
        cur.execute("ANALYZE analytics_segmentmember")
        cur.execute("ANALYZE analytics_segmentaverage")
    return "; ".join(out)


def main() -> None:
    parser = arguments(__doc__, password=False)
    parser.add_argument("--refresh", action="store_true", help="a full refresh first")
    parser.add_argument("--live", action="store_true", help="ignore the kept rows")
    args = parser.parse_args()
    set_up()
    built = kept_rows(args.refresh)
    print(built, flush=True)
    if args.live:
        from punkt.analytics import segment_state

        segment_state.kept = lambda segments: None  # type: ignore[assignment]
        built += "; LIVE (kept rows ignored)"
    me = Employee.objects.get(email=MANAGER)
    branch = me.memberships.values_list("branch_id", flat=True).first()
    mine = Customer.objects.filter(branch_id=branch).count()
    data = (f"{Customer.objects.count():,} customers ({mine:,} in the manager's branch), "
            f"{Opportunity.objects.count():,} opportunities, {Segment.objects.count()} segments; "
            f"{built}")
    report(scenarios(), args, data)


if __name__ == "__main__":
    main()
