#!/usr/bin/env python
"""Server-side timings of contracts and retention: the worklist, the contract list, the
contract page, their API, the HQ reports (contract reports and churn, read from the kept
monthly figures), and rendering a contract PDF.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_contracts.py [--n 200] [--warmup 5] [--only worklist]
                                                 [--pdf 10] [--sql]

Load the data first with bench/gen_org.py, bench/gen_customers.py and
bench/gen_contracts.py. The harness is run_org.py's: in-process django.test.Client (full
middleware stack, templates, API serialisation), --warmup untimed requests, then --n timed
ones; p50/p95/max wall time, SQL time and statements per request.

The users are real employees of the benchmark branch (the open branch with the most customers,
where gen_contracts.py also wrote every contract's history): its manager and one of its
retention employees (each the first, by id, who works in that branch only), and the HQ
expert ekspert@punkt-bench.pl. The API is called with a personal token of the manager.
Contract pages walk through 400 contracts of the branch, request by request.

Then services.store_pdf is timed on --pdf contracts of the branch (one untimed first)
that still show the document gen_contracts.py shared: their PDF is marked as not rendered
yet (pdf_stored empty, pdf_revision 0), and store_pdf renders the document, writes the
file and records it, as the background task does.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# As run_org.py (gen_contracts, imported first, sets Django up): MFA enforcement off, no DEBUG.
os.environ["PUNKT_DEMO"] = "1"
os.environ["PUNKT_DEBUG"] = "0"

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_contracts import busiest_branch, staff_of  # noqa: E402
from run_org import Scenario, approx_rows, arguments, logged_in, report  # noqa: E402

from punkt.contracts import documents, services  # noqa: E402
from punkt.contracts.models import Contract, ContractEvent  # noqa: E402
from punkt.core import files  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import ApiToken, Employee  # noqa: E402
from punkt.retention.models import RetentionCase  # noqa: E402

EXPERT = "ekspert@punkt-bench.pl"
SAMPLE = 400


def users() -> tuple[Employee, Employee, Employee]:
    expert = Employee.objects.filter(email=EXPERT).first()
    if expert is None:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    branch = busiest_branch()
    managers, retention = staff_of(branch.pk, Role.MANAGER), staff_of(branch.pk, Role.RETENTION)
    if not managers or not retention:
        sys.exit(f"Branch {branch.code} has no manager or retention employee of its own.")
    return managers[0], retention[0], expert


def build_scenarios(manager: Employee, retention: Employee, expert: Employee,
                    branch_id: int) -> list[Scenario]:
    ids = list(Contract.objects.filter(branch_id=branch_id).order_by("pk")
               .values_list("pk", flat=True))
    if not ids:
        sys.exit("No contracts here: run bench/gen_contracts.py --reset first.")
    step = max(1, len(ids) // SAMPLE)
    sample = ids[::step][:SAMPLE]

    ApiToken.objects.filter(employee=manager, name="bench-contracts").delete()
    _token, secret = org_services.api_token_create(actor=manager, name="bench-contracts")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    manager_c, retention_c, expert_c = (logged_in(manager.email), logged_in(retention.email),
                                        logged_in(EXPERT))
    api_c = Client()

    def at(i: int) -> int:
        return sample[(i * 7919) % len(sample)]

    return [
        Scenario("worklist — retention employee (60 days, soonest first)",
                 lambda i: retention_c.get("/retention/"), 200),
        Scenario("worklist — retention employee, sort=value",
                 lambda i: retention_c.get("/retention/", {"sort": "value"}), 200),
        Scenario("contract list — branch manager (newest first)",
                 lambda i: manager_c.get("/contracts/"), 200),
        Scenario("contract list — branch manager, status=active",
                 lambda i: manager_c.get("/contracts/", {"status": "active"}), 200),
        Scenario("contract list — HQ expert, status=approved (all branches)",
                 lambda i: expert_c.get("/contracts/", {"status": "approved"}), 200),
        Scenario("contract page — branch manager",
                 lambda i: manager_c.get(f"/contracts/{at(i)}/"), 200),
        Scenario("API GET /api/v1/contracts?status=in_review (token, manager)",
                 lambda i: api_c.get("/api/v1/contracts", {"status": "in_review"}, **bearer),
                 200),
        Scenario("API GET /api/v1/contracts/{id} (token, manager)",
                 lambda i: api_c.get(f"/api/v1/contracts/{at(i)}", **bearer), 200),
        # Extras: the same pages with the filters that make the database work hardest.
        Scenario("extra: worklist — manager, 120 days, sort=value",
                 lambda i: manager_c.get("/retention/", {"horizon": 120, "sort": "value"}),
                 200),
        Scenario("extra: worklist — retention, callbacks due",
                 lambda i: retention_c.get("/retention/", {"due": "1"}), 200),
        Scenario("extra: contract list — HQ expert, all (newest first)",
                 lambda i: expert_c.get("/contracts/"), 200),
        Scenario("extra: contract list — branch manager, page 40 (the cap)",
                 lambda i: manager_c.get("/contracts/", {"page": 40}), 200),
        # HQ reports (issue 15): read only the kept monthly figures, whatever the size.
        Scenario("report: contract reports — HQ expert, 12 months, all branches",
                 lambda i: expert_c.get("/contracts/reports/"), 200),
        Scenario("report: contract reports — HQ expert, page 3 of the branches",
                 lambda i: expert_c.get("/contracts/reports/", {"page": 3}), 200),
        Scenario("report: contract reports — branch manager, 36 months",
                 lambda i: manager_c.get("/contracts/reports/", {
                     "since": (timezone.localdate().replace(day=1)
                               - datetime.timedelta(days=1050)).strftime("%Y-%m")}), 200),
        Scenario("report: churn — HQ expert, all branches",
                 lambda i: expert_c.get("/retention/churn/"), 200),
        Scenario("report: churn — HQ expert, page 2 of the branches",
                 lambda i: expert_c.get("/retention/churn/", {"page": 2}), 200),
        Scenario("report: churn — branch manager",
                 lambda i: manager_c.get("/retention/churn/"), 200),
        # The customer list's first page (≈9 ms p50 on a quiet machine, README): how busy
        # the host was during this run.
        Scenario("reference (report): customer list — branch manager",
                 lambda i: manager_c.get("/customers/"), 200),
    ]


def time_store_pdf(branch_id: int, n: int) -> None:
    """store_pdf on n + 1 contracts of the branch (the first untimed: fonts, templates)."""
    if n < 1:
        return
    # Contracts still showing the document gen_contracts.py shared (a run renders their
    # own, so the next run takes others and no file is left behind).
    shared = Contract.objects.order_by("pk").values_list("pdf_stored", flat=True).first()
    ids = list(Contract.objects.filter(branch_id=branch_id, status="active", pdf_stored=shared)
               .order_by("-pk").values_list("pk", flat=True)[:n + 1])
    if len(ids) < 2:
        print("\nstore_pdf: no contracts with the shared document left in the branch.")
        return
    times, queries, sizes = [], [], []
    for k, pk in enumerate(ids):
        Contract.objects.filter(pk=pk).update(pdf_stored="", pdf_revision=0)
        c = Contract.objects.only("revision").get(pk=pk)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            done = services.store_pdf(contract_id=pk, revision=c.revision)
            elapsed = (time.perf_counter() - t) * 1000
        assert done, f"store_pdf did not render contract {pk}"
        stored = Contract.objects.values_list("pdf_stored", flat=True).get(pk=pk)
        sizes.append(files.path_of(stored, area=documents.AREA).stat().st_size)
        if k:
            times.append(elapsed)
            queries.append(len(ctx.captured_queries))
    s = sorted(times)
    p95 = s[max(0, -(-len(s) * 95 // 100) - 1)]
    print(f"\nstore_pdf (render + write + record), {len(s)} contracts after 1 untimed: "
          f"p50 {statistics.median(s):.0f} ms, p95 {p95:.0f} ms, max {s[-1]:.0f} ms; "
          f"{statistics.median(queries):.0f} statements (with BEGIN/COMMIT); "
          f"PDF ≈ {statistics.median(sizes) / 1024:.0f} KB")


def dataset(branch_id: int) -> str:
    approx = {m._meta.db_table: n
              for m, n in approx_rows(Contract, ContractEvent, RetentionCase).items()}
    today = timezone.localdate()
    mine = Contract.objects.filter(branch_id=branch_id)
    ending = mine.filter(status="active", ends_on__gte=today,
                         ends_on__lte=today + datetime.timedelta(days=60)).count()
    return (f"≈{approx.get(Contract._meta.db_table, 0):,} contracts, "
            f"≈{approx.get(ContractEvent._meta.db_table, 0):,} events, "
            f"≈{approx.get(RetentionCase._meta.db_table, 0):,} retention cases; the branch: "
            f"{mine.count():,} contracts, {ending:,} active ending within 60 days, "
            f"{mine.filter(status='in_review').count()} with the manager")


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--pdf", type=int, default=10, help="store_pdf repeats (0: skip)")
    args = ap.parse_args()
    manager, retention, expert = users()
    branch = busiest_branch()
    print(f"branch {branch.code} ({branch.name}); manager {manager.email}, retention "
          f"{retention.email}, HQ expert {expert.email}")
    report(build_scenarios(manager, retention, expert, branch.pk), args, dataset(branch.pk))
    if not args.only or "pdf" in args.only:
        time_store_pdf(branch.pk, args.pdf)


if __name__ == "__main__":
    main()
