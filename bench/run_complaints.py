#!/usr/bin/env python
"""Timings of the complaint and survey pages (issue 17's speed goals: the complaint list
and page p95 ≤ 30 ms with a fixed number of queries, the statistics pages ≤ 300 ms), as
a branch manager and an HQ expert — in-process (run_org.py's harness: the full middleware
stack, the SQL statements counted) and through a real server (gunicorn with production
settings, signed in through the form like a browser: ``http_harness``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_complaints.py [--n 100] [--warmup 5] [--only list] [--sql]
            [--http-seconds 8] [--workers 2] [--no-http]

Load the data first: bench/gen_org.py, bench/gen_customers.py, bench/gen_complaints.py.
Each scenario walks over different rows (complaints of the branch or of the whole
company, customers' surnames, branches); a reference row (``/api/v1/me``) is measured in
the same run, so a busier or quieter host shows. The statistics read what the jobs keep
(``complaints.statistics.refresh`` / ``surveys.figures.refresh``): the script refreshes
them first, timed, as the nightly job would.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from run_org import (  # noqa: E402  (sets up Django)
    MANAGER,
    Scenario,
    approx_rows,
    arguments,
    logged_in,
    report,
    through_gunicorn,
)

from punkt.complaints.models import Complaint, ComplaintAction, ComplaintEvent  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import Employee, Membership  # noqa: E402
from punkt.surveys.models import Invitation, Questionnaire, Response, Score  # noqa: E402

EXPERT = "ekspert@punkt-bench.pl"
SAMPLE = 300
LIST, STATS, SURVEYS = "/complaints/", "/complaints/statistics/", "/surveys/"


def at(items: list, i: int):  # type: ignore[no-untyped-def,type-arg]
    return items[(i * 7919) % len(items)]


def sample() -> dict:  # type: ignore[type-arg]
    """The accounts, the rows each scenario walks over, the questionnaires."""
    try:
        manager = Employee.objects.get(email=MANAGER)
        Employee.objects.get(email=EXPERT)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    home = Membership.objects.filter(employee=manager, role="manager").values_list(
        "branch_id", flat=True)[0]
    own = list(Complaint.objects.filter(branch_id=home).order_by("pk")
               .values_list("pk", flat=True))
    if not own:
        sys.exit("No complaints in the manager's branch: run bench/gen_complaints.py.")
    own = own[:: max(1, len(own) // SAMPLE)]
    top = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    anywhere = list(Complaint.objects.filter(pk__in=range(1, top, max(1, top // SAMPLE)))
                    .values_list("pk", flat=True))
    numbers = list(Complaint.objects.filter(pk__in=own).values_list("number", flat=True))
    surnames = [s for s in Customer.objects.filter(
        pk__in=Complaint.objects.filter(pk__in=own).values("customer_id"), kind="person")
        .values_list("last_name", flat=True) if s]
    surveys = {q.rules[0]: q.pk for q in Questionnaire.objects.filter(is_active=True)
               if q.rules}
    return {"home": home, "own": own, "anywhere": anywhere, "numbers": numbers,
            "surnames": surnames, "yearly": surveys.get("yearly"),
            "after": surveys.get("complaint")}


def refresh_precomputed() -> None:
    """What the nightly jobs keep, refreshed as they would (timed)."""
    for path, label in (("punkt.complaints.figures", "complaint statistics"),
                        ("punkt.complaints.served", "customers served (complaint share)"),
                        ("punkt.surveys.figures", "survey results")):
        try:
            module = __import__(path, fromlist=["refresh"])
        except ImportError:
            continue
        began = time.perf_counter()
        found = module.refresh()
        print(f"refresh of the {label}: {time.perf_counter() - began:.1f} s ({found})")


def pages(data: dict) -> list[tuple[str, str, object]]:  # type: ignore[type-arg]
    """(name, who, request number → path): the same rows in-process and over HTTP."""
    own, anywhere, numbers, surnames = (data["own"], data["anywhere"], data["numbers"],
                                        data["surnames"])

    def q(path: str, **params: object) -> str:
        return f"{path}?{urlencode(params)}" if params else path

    today = timezone.localdate()
    year = {"from": (today - datetime.timedelta(days=365)).isoformat(), "to": today.isoformat()}

    rows: list[tuple[str, str, object]] = [
        ("reference: GET /api/v1/me (session) — branch manager", "manager",
         lambda i: "/api/v1/me"),
        ("complaint list, open — branch manager", "manager", lambda i: LIST),
        ("complaint list, waiting for a decision — branch manager", "manager",
         lambda i: q(LIST, status="undecided")),
        ("complaint list, overdue — branch manager", "manager",
         lambda i: q(LIST, overdue=1)),
        ("complaint list, all, page 3 — branch manager", "manager",
         lambda i: q(LIST, status="all", page=3)),
        ("complaint list, search number — branch manager", "manager",
         lambda i: q(LIST, status="all", q=at(numbers, i))),
        ("complaint list, search customer surname — branch manager", "manager",
         lambda i: q(LIST, status="all", q=at(surnames, i))),
        ("complaint list, open — HQ expert (every branch)", "expert", lambda i: LIST),
        ("complaint list, overdue — HQ expert", "expert", lambda i: q(LIST, overdue=1)),
        ("complaint list, all — HQ expert (500k)", "expert", lambda i: q(LIST, status="all")),
        ("complaint list, sent to HQ — HQ expert", "expert",
         lambda i: q(LIST, status="at_hq")),
        ("complaint page — branch manager", "manager", lambda i: f"{LIST}{at(own, i)}/"),
        ("complaint page — HQ expert (any branch)", "expert",
         lambda i: f"{LIST}{at(anywhere, i)}/"),
        ("statistics, this month by cause — branch manager", "manager", lambda i: STATS),
        ("statistics, this month by cause — HQ expert", "expert", lambda i: STATS),
        ("statistics, 12 months by branch — HQ expert", "expert",
         lambda i: q(STATS, by="branch", **year)),
        ("statistics, 12 months by employee — HQ expert", "expert",
         lambda i: q(STATS, by="handler", **year)),
        ("statistics, 12 months by product — branch manager", "manager",
         lambda i: q(STATS, by="product", **year)),
    ]
    if data["yearly"]:
        rows += [
            ("survey results, yearly — branch manager", "manager",
             lambda i: q(SURVEYS, questionnaire=data["yearly"])),
            ("survey results, yearly — HQ expert (every branch)", "expert",
             lambda i: q(SURVEYS, questionnaire=data["yearly"])),
        ]
    if data["after"]:
        rows.append(("survey results, after a complaint — HQ expert", "expert",
                     lambda i: q(SURVEYS, questionnaire=data["after"])))
    return rows


def in_process(data: dict) -> list[Scenario]:  # type: ignore[type-arg]
    clients = {"manager": logged_in(MANAGER), "expert": logged_in(EXPERT)}

    def make(who: str, path):  # type: ignore[no-untyped-def]
        c: Client = clients[who]
        return lambda i: c.get(path(i))

    return [Scenario(name, make(who, path), 200) for name, who, path in pages(data)]


def dataset() -> str:
    approx = approx_rows(Customer, Complaint, ComplaintEvent, ComplaintAction, Invitation,
                         Response, Score)
    return (f"≈{approx[Customer]:,} customers, ≈{approx[Complaint]:,} complaints "
            f"(≈{approx[ComplaintEvent]:,} history rows, ≈{approx[ComplaintAction]:,} "
            f"corrective actions), ≈{approx[Invitation]:,} survey invitations, "
            f"≈{approx[Response]:,} completed questionnaires, ≈{approx[Score]:,} answers")


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--no-http", action="store_true", help="in-process only")
    ap.add_argument("--http-seconds", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--no-refresh", action="store_true",
                    help="do not refresh the precomputed figures first")
    args = ap.parse_args()
    if not args.no_refresh:
        refresh_precomputed()
    data = sample()
    results = report(in_process(data), args, dataset())
    if results:
        ref = results[0]
        print(f"reference p50 {statistics.median(ref.times_ms):.1f} ms")
    if not args.no_http:
        through_gunicorn(pages(data), {"manager": MANAGER, "expert": EXPERT}, args)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    main()
