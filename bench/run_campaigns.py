#!/usr/bin/env python
"""Campaign effectiveness report (issue 20: ≤ 300 ms with 1M customers).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset       # 1,000,000 customers
    .venv/bin/python bench/gen_analytics.py --reset       # 1.2M counter sales
    .venv/bin/python bench/gen_campaigns.py --reset       # 500 campaigns, 100k brought
    .venv/bin/python bench/run_campaigns.py --n 30 [--only TEXT] [--sql] [--no-http]
        [--http-seconds 5] [--workers 2]

Every row in-process (``run_org.py``'s harness: ``django.test.Client``, production
middleware, SQL statements counted), then again through gunicorn (``http_harness``:
production settings, both accounts signed in through the allauth form with their TOTP
code, one browser per row). The first row of both tables is the reference
(``/api/v1/me``), measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from run_org import (  # noqa: E402  (sets up Django)
    MANAGER,
    PASSWORD,
    Scenario,
    approx_rows,
    arguments,
    logged_in,
    report,
)

from punkt.campaigns.models import Campaign, CampaignCustomer  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import Employee  # noqa: E402
from punkt.sales.models import Sale  # noqa: E402

EXPERT = "ekspert@punkt-bench.pl"
PAGE, API = "/analytics/campaigns/", "/api/v1/analytics/campaigns"


def months_back(n: int) -> str:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return f"{index // 12}-{index % 12 + 1:02d}"


def pages() -> list[tuple[str, str, object]]:
    """(name, who, request number → path): the same rows in-process and over HTTP."""
    year = {"from": months_back(11), "to": months_back(0)}
    quarter = {"from": months_back(2), "to": months_back(0)}
    branch = CampaignCustomer.objects.values_list("branch_id", flat=True).first()

    def q(path: str, **params: object) -> str:
        return f"{path}?{urlencode(params)}"

    return [
        ("reference: GET /api/v1/me (session) — branch manager", "manager",
         lambda i: "/api/v1/me"),
        ("report, 12 months — HQ expert (every branch)", "expert", lambda i: q(PAGE, **year)),
        ("report, 3 months — HQ expert", "expert", lambda i: q(PAGE, **quarter)),
        ("report, 12 months, one branch — HQ expert", "expert",
         lambda i: q(PAGE, branch=branch, **year)),
        ("report, 12 months — branch manager", "manager", lambda i: q(PAGE, **year)),
        ("API, 12 months — HQ expert", "expert", lambda i: q(API, **year)),
    ]


def in_process() -> list[Scenario]:
    clients = {"manager": logged_in(MANAGER), "expert": logged_in(EXPERT)}

    def make(who: str, path):  # type: ignore[no-untyped-def]
        c: Client = clients[who]
        return lambda i: c.get(path(i))

    return [Scenario(name, make(who, path), 200) for name, who, path in pages()]


def dataset() -> str:
    approx = approx_rows(Customer, Sale, Campaign, CampaignCustomer)
    return (f"≈{approx[Customer]:,} customers, ≈{approx[Sale]:,} counter sales, "
            f"≈{approx[Campaign]:,} campaigns, ≈{approx[CampaignCustomer]:,} customers "
            "brought by a campaign")


def through_server(args) -> None:  # type: ignore[no-untyped-def]
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from http_harness import BENCH_TOTP_SECRET, HttpClient, Row, Server, get, run_row, sign_in

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("The HTTP part gives bench accounts a known TOTP secret: it only runs on a "
                 "database whose name contains 'bench'.")
    accounts = {"manager": MANAGER, "expert": EXPERT}
    for email in accounts.values():
        employee = Employee.objects.get(email=email)
        Authenticator.objects.filter(user=employee, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(employee, BENCH_TOTP_SECRET)
    rows = [Row(name, who, get(path), reference=name.startswith("reference"))
            for name, who, path in pages()
            if name.startswith("reference") or args.only in name]
    connection.close()

    async def go() -> list:  # type: ignore[type-arg]
        server = Server(os.environ["DATABASE_URL"], workers=args.workers)
        print(f"\n## through gunicorn -w {args.workers} (production settings), one browser "
              f"per row, {args.http_seconds:g} s per row after 1 s warm-up")
        with server:
            sessions: dict = {}  # type: ignore[type-arg]
            for key, email in accounts.items():
                c = HttpClient("127.0.0.1", server.port, server.origin)
                await sign_in(c, email, PASSWORD, BENCH_TOTP_SECRET)
                await c.close()
                sessions[key] = c
            return [await run_row(row, sessions, clients=1, seconds=args.http_seconds,
                                  warmup=1.0) for row in rows]

    results = asyncio.run(go())
    width = max(len(r.name) for r in results)
    print(f"| {'row':<{width}} |    n | p50 ms | p95 ms")
    print(f"|{'-' * (width + 2)}|------|--------|-------")
    for r in results:
        extra = f"  errors: {r.errors}" if r.errors else ""
        print(f"| {r.name:<{width}} | {len(r.latencies_ms):>4} | {r.pct(50):6.1f} "
              f"| {r.pct(95):6.1f}{extra}", flush=True)
    print(f"load avg at the end {os.getloadavg()[0]:.2f}")


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--no-http", action="store_true", help="in-process only")
    ap.add_argument("--http-seconds", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = ap.parse_args()
    if not CampaignCustomer.objects.exists():
        sys.exit("No campaigns here: run bench/gen_campaigns.py first.")
    results = report(in_process(), args, dataset())
    if results:
        print(f"reference p50 {statistics.median(results[0].times_ms):.1f} ms")
    if not args.no_http:
        through_server(args)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    main()
