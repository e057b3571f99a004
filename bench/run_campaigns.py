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

import os
import statistics
import sys
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

from punkt.campaigns.models import Campaign, CampaignCustomer  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
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
        through_gunicorn(pages(), {"manager": MANAGER, "expert": EXPERT}, args)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    main()
