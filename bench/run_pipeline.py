#!/usr/bin/env python
"""Server-side timings of the sales pipeline's pages and API, in-process (as run_org.py):
the branch's board, the list, an opportunity's page, customers with no next step, "My
work" of a seller with control-date tasks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_pipeline.py [--n 100] [--warmup 5] [--only board] [--sql]

Load the data first: bench/gen_org.py, bench/gen_customers.py, bench/gen_pipeline.py.
The seller is the one with the most open opportunities in the benchmark manager's branch.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from run_org import (  # noqa: E402  (sets up Django)
    ADMIN,
    MANAGER,
    Scenario,
    approx_rows,
    arguments,
    logged_in,
    report,
)

from punkt.customers.models import Customer  # noqa: E402
from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import ApiToken, Employee, Membership  # noqa: E402
from punkt.pipeline.models import ControlDate, Opportunity  # noqa: E402
from punkt.work.models import Task  # noqa: E402

SAMPLE = 200


def build_scenarios() -> list[Scenario]:
    try:
        admin = Employee.objects.get(email=ADMIN)
        manager = Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    home = Membership.objects.filter(employee=manager).values_list("branch_id", flat=True)[0]
    busiest = (Opportunity.objects.filter(branch_id=home, status="open")
               .values("owner_id").annotate(n=Count("pk")).order_by("-n").first())
    if busiest is None:
        sys.exit("No open opportunities in the manager's branch: run bench/gen_pipeline.py.")
    seller = Employee.objects.get(pk=busiest["owner_id"])
    ids = list(Opportunity.objects.filter(branch_id=home).order_by("-pk")
               .values_list("pk", flat=True)[:SAMPLE])
    ApiToken.objects.filter(employee=seller, name="bench-pipeline").delete()
    _token, secret = org_services.api_token_create(actor=seller, name="bench-pipeline")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    seller_c, manager_c, admin_c, api_c = (logged_in(seller.email), logged_in(MANAGER),
                                           logged_in(admin.email), Client())

    def at(items: list, i: int):  # type: ignore[no-untyped-def,type-arg]
        return items[(i * 7919) % len(items)]

    return [
        Scenario("reference: GET /api/v1/me (session) — seller",
                 lambda i: seller_c.get("/api/v1/me"), 200),
        Scenario("board — branch manager", lambda i: manager_c.get("/pipeline/"), 200),
        Scenario("board, only mine — seller",
                 lambda i: seller_c.get("/pipeline/", {"mine": "1"}), 200),
        Scenario("board — HQ admin (every branch)", lambda i: admin_c.get("/pipeline/"), 200),
        Scenario("list, open — branch manager",
                 lambda i: manager_c.get("/pipeline/list/"), 200),
        Scenario("list, all, page 20 — HQ admin",
                 lambda i: admin_c.get("/pipeline/list/", {"status": "all", "page": 20}), 200),
        Scenario("opportunity page — branch manager",
                 lambda i: manager_c.get(f"/pipeline/{at(ids, i)}/"), 200),
        Scenario("My work — seller", lambda i: seller_c.get("/work/"), 200),
        Scenario("customers with no next step — seller",
                 lambda i: seller_c.get("/pipeline/between-sales/"), 200),
        Scenario("customers with no next step — branch manager",
                 lambda i: manager_c.get("/pipeline/between-sales/"), 200),
        Scenario("dashboard — branch manager", lambda i: manager_c.get("/"), 200),
        Scenario("API opportunity list (token) — seller",
                 lambda i: api_c.get("/api/v1/opportunities", **bearer), 200),
        Scenario("API opportunity (token) — seller",
                 lambda i: api_c.get(f"/api/v1/opportunities/{at(ids, i)}", **bearer), 200),
    ]


def dataset() -> str:
    approx = approx_rows(Opportunity, ControlDate, Task, Customer)
    return (f"≈{approx[Customer]:,} customers, ≈{approx[Opportunity]:,} opportunities "
            f"({Opportunity.objects.filter(status='open').count():,} open), "
            f"≈{approx[ControlDate]:,} control dates, ≈{approx[Task]:,} tasks")


def main() -> None:
    args = arguments(__doc__, password=False).parse_args()
    report(build_scenarios(), args, dataset())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    main()
