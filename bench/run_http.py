#!/usr/bin/env python
"""Throughput and latency through a real server: gunicorn with production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_http.py [--workers 4] [--threads 1] [--clients 16] \\
            [--seconds 10] [--warmup 2] [--only TEXT] [--out DIR] [--baseline DIR]

``--workers`` and ``--threads`` take comma-separated lists: every combination is run with
a fresh server (a sweep), e.g. ``--workers 2,3,4 --threads 1,2``.

Before the load: the bench accounts used (administrator, branch manager, cashier) get a
TOTP authenticator with a known secret (``http_harness.BENCH_TOTP_SECRET``) — so they sign
in exactly as staff do in production, MFA included — and the administrator an API token.
Then gunicorn is started as the README's production section starts it
(``PUNKT_PRODUCTION=1``), every account signs in through allauth's forms (CSRF token,
password, TOTP code), and each row is sent by ``--clients`` concurrent clients for
``--warmup`` + ``--seconds`` seconds. The load generator (one asyncio process) runs on the
same 2 cores as the server and the database, as in the issue's measurements.

Every run has a **reference row** — the cheapest signed-in request — so figures taken on
a busier or quieter host can be compared. ``--out DIR`` writes ``results.json`` there;
``--baseline DIR`` prints each row's change against that earlier run.

Needs the data of bench/gen_org.py and bench/gen_customers.py (contracts and invoices
make the dashboard and profile realistic). Refuses a database whose name lacks "bench".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

from http_harness import (  # noqa: E402
    BENCH_TOTP_SECRET,
    HttpClient,
    Row,
    RowResult,
    Server,
    get,
    run_row,
    sign_in,
)

DOMAIN = "punkt-bench.pl"
PASSWORD = "Bench-Haslo-2026!"
ADMIN = f"admin@{DOMAIN}"
MANAGER = f"kierownik@{DOMAIN}"
SAMPLE = 400


def prepare(database_url: str) -> dict:  # type: ignore[type-arg]
    """Pick the accounts and sample ids; give the accounts TOTP and the admin a token."""
    import django

    os.environ["DATABASE_URL"] = database_url
    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection

    from punkt.core.roles import Role
    from punkt.customers.models import Customer
    from punkt.organization import services as org_services
    from punkt.organization.models import ApiToken, Employee, Membership

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("run_http.py gives bench accounts a known TOTP secret: it only runs on a "
                 "database whose name contains 'bench'.")
    try:
        admin = Employee.objects.get(email=ADMIN)
        manager = Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    home = Membership.objects.filter(employee=manager, role=Role.MANAGER) \
        .values_list("branch_id", flat=True)[0]
    cashier = Employee.objects.filter(
        is_active=True, memberships__branch_id=home, memberships__role=Role.CASHIER,
        memberships__is_active=True).order_by("pk").first()
    own = list(Customer.objects.filter(branch_id=home, status="active")
               .order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    if not own:
        sys.exit("No customers here: run bench/gen_customers.py --reset first.")
    accounts = {"admin": admin, "manager": manager}
    if cashier is not None:
        accounts["cashier"] = cashier
    # the sales pipeline (issue 18), when bench/gen_pipeline.py has loaded it: the seller
    # with the most open opportunities in the manager's branch, a sample of its sales
    from django.db.models import Count

    from punkt.pipeline.models import Opportunity

    busiest = (Opportunity.objects.filter(branch_id=home, status="open")
               .values("owner_id").annotate(n=Count("pk")).order_by("-n").first())
    opportunities: list[int] = []
    if busiest is not None:
        accounts["seller"] = Employee.objects.get(pk=busiest["owner_id"])
        opportunities = list(Opportunity.objects.filter(branch_id=home).order_by("-pk")
                             .values_list("pk", flat=True)[:SAMPLE])
    for employee in accounts.values():
        Authenticator.objects.filter(user=employee, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(employee, BENCH_TOTP_SECRET)
    ApiToken.objects.filter(employee=admin, name="bench-http").delete()
    _token, secret = org_services.api_token_create(actor=admin, name="bench-http")
    connection.close()
    return {"accounts": {k: v.email for k, v in accounts.items()}, "own": own,
            "token": secret, "opportunities": opportunities}


def build_rows(data: dict) -> list[Row]:  # type: ignore[type-arg]
    own = data["own"]
    bearer = {"Authorization": f"Bearer {data['token']}"}

    def at(items: list, i: int):  # type: ignore[no-untyped-def,type-arg]
        return items[(i * 7919) % len(items)]

    def q(path: str, **params: object) -> str:
        return f"{path}?{urlencode(params)}"

    rows = [
        # The cheapest signed-in request: session, user, access — and a small JSON answer.
        Row("reference: API GET /api/v1/me (session) — manager", "manager",
            get("/api/v1/me"), reference=True),
        Row("my API tokens page — manager", "manager", get("/organisation/tokens/")),
        Row("sign-in page (anonymous)", "", get("/accounts/login/")),
        Row("dashboard — branch manager", "manager", get("/")),
        Row("dashboard — HQ admin", "admin", get("/")),
        Row("customer list — branch manager", "manager", get("/customers/")),
        Row("customer list — HQ admin (1M customers)", "admin", get("/customers/")),
        Row("customer list — admin, page 40", "admin", get(q("/customers/", page=40))),
        Row("customer search 'Nowak' — admin", "admin", get(q("/customers/", q="Nowak"))),
        Row("customer search prefix 'kow' — admin", "admin", get(q("/customers/", q="kow"))),
        Row("customer profile — branch manager", "manager",
            get(lambda i: f"/customers/{at(own, i)}/")),
        Row("contract list — branch manager", "manager", get("/contracts/")),
        Row("API GET /api/v1/me (token)", "api", get("/api/v1/me", bearer)),
        Row("API GET /api/v1/customers (token)", "api", get("/api/v1/customers", bearer)),
    ]
    if "cashier" in data["accounts"]:
        rows.append(Row("till page — cashier", "cashier", get("/cashdesk/")))
    sales = data.get("opportunities") or []
    if sales:  # the sales pipeline (issue 18)
        rows += [
            Row("pipeline board — branch manager", "manager", get("/pipeline/")),
            Row("pipeline board, only mine — seller", "seller", get(q("/pipeline/", mine=1))),
            Row("pipeline list, open — branch manager", "manager", get("/pipeline/list/")),
            Row("opportunity page — branch manager", "manager",
                get(lambda i: f"/pipeline/{at(sales, i)}/")),
            Row("My work — seller", "seller", get("/work/")),
            Row("no next step — branch manager", "manager", get("/pipeline/between-sales/")),
            Row("no next step — seller", "seller", get("/pipeline/between-sales/")),
        ]
    return rows


async def sessions_for(server: Server, data: dict) -> dict:  # type: ignore[type-arg]
    anon = HttpClient("127.0.0.1", server.port, server.origin)
    api = HttpClient("127.0.0.1", server.port, server.origin)
    sessions: dict[str, HttpClient | list[HttpClient]] = {"": anon, "api": api}
    for key, email in data["accounts"].items():
        c = HttpClient("127.0.0.1", server.port, server.origin)
        began = time.perf_counter()
        await sign_in(c, email, PASSWORD, BENCH_TOTP_SECRET)
        print(f"  signed in as {email} through the form (+TOTP) in "
              f"{(time.perf_counter() - began) * 1000:.0f} ms")
        await c.close()
        sessions[key] = c
    return sessions


def print_table(results: list[RowResult], baseline: dict[str, dict] | None) -> None:  # type: ignore[type-arg]
    ref = next((r for r in results if r.reference), None)
    head = f"| {'row':<44} | clients | {'n':>6} | p50 ms | p95 ms | req/s  | × ref |"
    if baseline:
        head += " base p50 | base p95 | base req/s |"
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for r in results:
        rel = f"{r.rps / ref.rps:5.2f}" if ref and ref.rps else "   — "
        line = (f"| {r.name:<44} | {r.clients:>7} | {len(r.latencies_ms):>6} | "
                f"{r.pct(50):6.1f} | {r.pct(95):6.1f} | {r.rps:6.1f} | {rel} |")
        if baseline:
            b = baseline.get(r.name)
            line += (f" {b['p50_ms']:8.1f} | {b['p95_ms']:8.1f} | {b['rps']:10.1f} |" if b
                     else f" {'—':>8} | {'—':>8} | {'—':>10} |")
        if r.errors:
            line += f" errors: {r.errors}"
        print(line)


async def run_config(database_url: str, data: dict, rows: list[Row], args: argparse.Namespace,  # type: ignore[type-arg]
                     workers: int, threads: int) -> list[RowResult]:
    server = Server(database_url, workers=workers, threads=threads, code=args.code)
    threaded = f" --threads {threads}" if threads > 1 else ""
    print(f"\n## {server.code}: gunicorn -w {workers}{threaded}"
          f", {args.clients} clients, {args.seconds:g} s per row (+{args.warmup:g} s warm-up)")
    with server:
        sessions = await sessions_for(server, data)
        results = []
        for row in rows:
            results.append(await run_row(row, sessions, clients=args.clients,
                                         seconds=args.seconds, warmup=args.warmup))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", default="4", help="gunicorn workers (comma list = sweep)")
    ap.add_argument("--threads", default="1", help="threads per worker (comma list = sweep)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients per row")
    ap.add_argument("--seconds", type=float, default=10.0, help="timed seconds per row")
    ap.add_argument("--warmup", type=float, default=2.0, help="untimed seconds per row")
    ap.add_argument("--only", action="append", default=[],
                    help="run only rows whose name contains TEXT (the reference row always "
                         "runs); may repeat")
    ap.add_argument("--code", type=Path, default=None,
                    help="serve another checkout (e.g. a worktree of the code before a change)")
    ap.add_argument("--out", type=Path, help="write results.json into this directory")
    ap.add_argument("--baseline", type=Path, help="a directory of an earlier --out to compare")
    args = ap.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database (punkt_bench).")

    data = prepare(database_url)
    rows = [r for r in build_rows(data)
            if r.reference or not args.only or any(t in r.name for t in args.only)]
    baseline = None
    if args.baseline:
        saved = json.loads((args.baseline / "results.json").read_text())
        baseline = {r["name"]: r for r in saved["runs"][0]["rows"]}
    runs = []
    for workers in (int(w) for w in args.workers.split(",")):
        for threads in (int(t) for t in args.threads.split(",")):
            results = asyncio.run(run_config(database_url, data, rows, args, workers, threads))
            print_table(results, baseline)
            runs.append({"workers": workers, "threads": threads,
                         "rows": [r.as_dict() for r in results]})
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.json").write_text(json.dumps({
            "when": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "host": platform.node(), "cpus": os.cpu_count(),
            "load_average": os.getloadavg(), "clients": args.clients,
            "seconds": args.seconds, "runs": runs}, indent=1))
        print(f"\nwritten: {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
