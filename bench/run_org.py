#!/usr/bin/env python
"""Server-side timings of the organisation pages and API, in-process (no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_org.py [--n 200] [--warmup 5] [--only employees]

Each scenario sends --warmup untimed requests, then --n timed ones through
django.test.Client (the full middleware stack, template rendering and serialisation, but
no socket or WSGI server). Per request it records wall time (time.perf_counter around
Client.get/post), the SQL statements run (CaptureQueriesContext; BEGIN/COMMIT/SAVEPOINT
are counted apart as "tx") and the time spent inside cursor.execute (an execute_wrapper).
The query count shown is the most common one; "VARIES" flags scenarios where it changed.
Load the data first with bench/gen_org.py.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
os.environ["PUNKT_DEMO"] = "1"  # MFA enforcement off: it would redirect admin to TOTP set-up
os.environ["PUNKT_DEBUG"] = "0"

import django  # noqa: E402

django.setup()
gc.freeze()  # as punkt/wsgi.py does in a production worker

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from punkt.organization import services  # noqa: E402
from punkt.organization.models import (  # noqa: E402
    Absence,
    ApiToken,
    Branch,
    BranchKind,
    Employee,
    Membership,
    OpeningHours,
    WorkingHours,
)

DOMAIN = "punkt-bench.pl"
PASSWORD = "Bench-Haslo-2026!"
ADMIN = f"admin@{DOMAIN}"
MANAGER = f"kierownik@{DOMAIN}"


TX_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@dataclass
class Result:
    name: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)  # SQL statements per request
    tx: list[int] = field(default_factory=list)  # BEGIN/COMMIT/SAVEPOINT… per request
    db_ms: list[float] = field(default_factory=list)
    samples: dict[int, list[str]] = field(default_factory=dict)  # query count → its SQL

    def pct(self, p: float) -> float:
        s = sorted(self.times_ms)
        return s[max(0, math.ceil(p / 100 * len(s)) - 1)]

    def query_cell(self) -> str:
        counts = Counter(self.queries)
        typical = counts.most_common(1)[0][0]
        tx = Counter(self.tx).most_common(1)[0][0]
        cell = str(typical) + (f" (+{tx} tx)" if tx else "")
        if len(counts) == 1:
            return cell
        others = ", ".join(f"{q} in {c}" for q, c in sorted(counts.items()) if q != typical)
        return f"{cell} VARIES: {others} of {len(self.queries)} requests"


@dataclass
class Scenario:
    name: str
    request: Callable[[int], HttpResponse]
    status: int


def logged_in(email: str) -> Client:
    c = Client()
    c.force_login(Employee.objects.get(email=email),
                  backend="punkt.organization.backends.EmployeeBackend")
    return c


def check(resp: HttpResponse, expected: int, name: str) -> None:
    if resp.status_code != expected:
        location = resp.headers.get("Location", "")
        sys.exit(f"{name}: expected HTTP {expected}, got {resp.status_code} {location}")


def build_scenarios(password: str) -> list[Scenario]:
    try:
        admin = Employee.objects.get(email=ADMIN)
        Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    # A fresh personal token for the admin (bench DB only; the limit is 20 active tokens).
    ApiToken.objects.filter(employee=admin, name="bench").delete()
    _token, secret = services.api_token_create(actor=admin, name="bench")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    admin_c, manager_c, anon_c, api_c = (logged_in(ADMIN), logged_in(MANAGER), Client(),
                                         Client())
    sign_in_users = list(Employee.objects.filter(is_active=True, email__contains=".")
                         .order_by("pk").values_list("email", flat=True)[:500])
    branch_ids = list(Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                      .order_by("code").values_list("pk", flat=True))
    last_page = str(max(1, math.ceil(Employee.objects.count() / 25)))  # 25 = default page size

    def sign_in(i: int) -> HttpResponse:
        # A new browser (no cookies) each time, from its own address (allauth limits
        # sign-ins per IP). It shares anon_c's request handler: a new handler would load
        # the middleware again, and WhiteNoise's __init__ scans every static file (≈25 ms),
        # a per-process start-up cost that a server never pays per request.
        c = Client(REMOTE_ADDR=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        c.handler = anon_c.handler
        return c.post("/accounts/login/", {"login": sign_in_users[i % len(sign_in_users)],
                                           "password": password})

    def branch_filter(i: int) -> HttpResponse:
        return admin_c.get("/organisation/employees/",
                           {"branch": branch_ids[(i * 7919) % len(branch_ids)], "sort": "name"})

    return [
        Scenario("sign-in page (GET)", lambda i: anon_c.get("/accounts/login/"), 200),
        Scenario("sign-in (POST, new client)", sign_in, 302),
        Scenario("dashboard — admin", lambda i: admin_c.get("/"), 200),
        Scenario("dashboard — manager", lambda i: manager_c.get("/"), 200),
        Scenario("employees — admin", lambda i: admin_c.get("/organisation/employees/"), 200),
        Scenario("employees — manager",
                 lambda i: manager_c.get("/organisation/employees/"), 200),
        Scenario("employees — admin, branch filter + sort=name", branch_filter, 200),
        Scenario("branches — admin", lambda i: admin_c.get("/organisation/branches/"), 200),
        Scenario("API GET /api/v1/employees (token)",
                 lambda i: api_c.get("/api/v1/employees", **bearer), 200),
        Scenario("API GET /api/v1/me (token)", lambda i: api_c.get("/api/v1/me", **bearer), 200),
        # Extras: costs that grow with the data even though the query count does not.
        Scenario("extra: employees — admin, search q=kowal",
                 lambda i: admin_c.get("/organisation/employees/", {"q": "kowal"}), 200),
        Scenario("extra: employees — admin, last page",
                 lambda i: admin_c.get("/organisation/employees/", {"page": last_page}), 200),
    ]


def run(scenario: Scenario, n: int, warmup: int) -> Result:
    for i in range(warmup):
        check(scenario.request(i), scenario.status, scenario.name)
    result = Result(scenario.name)
    db_time = [0.0]

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - t

    for i in range(warmup, warmup + n):
        db_time[0] = 0.0
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
            t = time.perf_counter()
            resp = scenario.request(i)
            elapsed = (time.perf_counter() - t) * 1000
        check(resp, scenario.status, scenario.name)
        tx = sum(1 for q in ctx.captured_queries if q["sql"].startswith(TX_STATEMENTS))
        result.times_ms.append(elapsed)
        result.queries.append(len(ctx.captured_queries) - tx)
        result.tx.append(tx)
        result.db_ms.append(db_time[0] * 1000)
        result.samples.setdefault(len(ctx.captured_queries) - tx,
                                  [q["sql"] for q in ctx.captured_queries])
    return result


def shape(sql: str) -> str:
    """The statement without its literal values, to compare two requests' SQL."""
    return re.sub(r"\b\d+\b", "?", re.sub(r"'(?:[^']|'')*'", "?", sql))


def show_sql(r: Result) -> None:
    typical = Counter(r.queries).most_common(1)[0][0]
    print(f"  -- {r.name}: {typical} statements")
    for sql in r.samples[typical]:
        print(f"     {sql[:160]}")
    for count, sqls in r.samples.items():
        if count != typical:
            extra = (Counter(shape(q) for q in sqls)
                     - Counter(shape(q) for q in r.samples[typical]))
            print(f"     VARIES, a request with {count}: extra " +
                  "; ".join(q[:120] for q in extra.elements()))


def approx_rows(*models: type) -> dict[type, int]:
    """Rows per model from the planner's estimate (exact counts take seconds at millions);
    0 where the database keeps no estimate (SQLite)."""
    if connection.vendor != "postgresql":
        return dict.fromkeys(models, 0)
    with connection.cursor() as cur:
        cur.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
                    [[m._meta.db_table for m in models]])
        by_table = dict(cur.fetchall())
    return {m: max(0, by_table.get(m._meta.db_table, 0)) for m in models}


def dataset() -> str:
    return (f"{Branch.objects.filter(kind=BranchKind.BRANCH).count()} branches + HQ, "
            f"{Employee.objects.count()} employees, {Membership.objects.count()} memberships, "
            f"{WorkingHours.objects.count()} working-hours rows, "
            f"{OpeningHours.objects.count()} opening-hours rows, "
            f"{Absence.objects.count()} absences")


def arguments(doc: str | None, password: bool = True) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="timed requests per scenario")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--only", default="", help="run scenarios whose name contains this")
    if password:
        ap.add_argument("--password", default=PASSWORD)
    ap.add_argument("--sql", action="store_true",
                    help="after the table, list each scenario's SQL (and what varied)")
    return ap


def report(scenarios: list[Scenario], args: argparse.Namespace, data: str) -> list[Result]:
    """Run the scenarios and print the table (and with --sql their statements)."""
    assert not settings.DEBUG and settings.DEMO_MODE
    scenarios = [s for s in scenarios if args.only in s.name]
    db = settings.DATABASES["default"]
    print(f"database: {connection.vendor} {db.get('NAME')}  |  DEBUG={settings.DEBUG}  |  "
          f"n={args.n} after {args.warmup} warm-up  |  {os.cpu_count()} CPUs  |  "
          f"load avg {os.getloadavg()[0]:.2f}")
    print(f"dataset: {data}\n")
    width = max([44, *(len(s.name) for s in scenarios)])
    head = (f"| {'scenario':<{width}} | {'n':>4} | {'p50 ms':>7} | {'p95 ms':>7} "
            f"| {'max ms':>7} | {'SQL p50 ms':>10} | queries/request")
    print(head)
    print("|" + "|".join("-" * (len(c) + 0) for c in head.split("|")[1:]))
    results = []
    for s in scenarios:
        r = run(s, args.n, args.warmup)
        results.append(r)
        print(f"| {r.name:<{width}} | {len(r.times_ms):>4} "
              f"| {statistics.median(r.times_ms):>7.1f} | {r.pct(95):>7.1f} "
              f"| {max(r.times_ms):>7.1f} | {statistics.median(r.db_ms):>10.1f} "
              f"| {r.query_cell()}", flush=True)
    load = os.getloadavg()[0]
    print(f"\nload avg at the end {load:.2f}"
          + (" — other processes were busy: figures are noisy" if load > 1.5 else ""))
    if args.sql:
        for r in results:
            show_sql(r)
    return results


def through_gunicorn(pages: list[tuple[str, str, Any]], accounts: dict[str, str],
                     args: argparse.Namespace) -> None:
    """Every ``(name, who, request number → path)`` row again through gunicorn, one
    browser at a time (latency, not throughput); ``accounts``: who → e-mail, each signed
    in through the allauth form with a known TOTP secret. Rows named ``reference…`` are
    the reference, the others run when ``args.only`` is in their name."""
    import asyncio

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from http_harness import BENCH_TOTP_SECRET, HttpClient, Row, Server, get, run_row, sign_in

    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("The HTTP part gives bench accounts a known TOTP secret: it only runs on a "
                 "database whose name contains 'bench'.")
    for email in accounts.values():
        employee = Employee.objects.get(email=email)
        Authenticator.objects.filter(user=employee, type=Authenticator.Type.TOTP).delete()
        TOTP.activate(employee, BENCH_TOTP_SECRET)
    rows = [Row(name, who, get(path), reference=name.startswith("reference"))
            for name, who, path in pages
            if name.startswith("reference") or args.only in name]
    connection.close()

    async def go() -> list[Any]:
        server = Server(os.environ["DATABASE_URL"], workers=args.workers)
        print(f"\n## through gunicorn -w {args.workers} (production settings), one browser "
              f"per row, {args.http_seconds:g} s per row after 1 s warm-up")
        with server:
            sessions: dict[str, Any] = {}
            for key, email in accounts.items():
                c = HttpClient("127.0.0.1", server.port, server.origin)
                await sign_in(c, email, PASSWORD, BENCH_TOTP_SECRET)
                await c.close()
                sessions[key] = c
            print("  signed in through the form (+TOTP): " + ", ".join(accounts.values()))
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
    args = arguments(__doc__).parse_args()
    report(build_scenarios(args.password), args, dataset())


if __name__ == "__main__":
    main()
