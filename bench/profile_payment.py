#!/usr/bin/env python
"""Where one payment's time goes, in-process: the service alone, the API request around
it, and the reference read of run_cashdesk.py part 2 — wall time, time inside SQL, the
statements — then cProfile's table over the API payments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/profile_payment.py [--n 200] [--warmup 20]
                                                  [--sort tottime|cumulative] [--limit 35]
                                                  [--sql] [--service]
                                                  [--what-if access,token]

The settings are run_cashdesk.py's (``PUNKT_DEMO=1``, ``DEBUG=False``): the benchmark
branch's first cashier, her till opened for today, 1 zł card payments into the branch's
unpaid invoices, each with a new Idempotency-Key. ``--service`` profiles the service call
instead of the API request. ``--what-if`` measures a change not made in the code, in this
process only: ``access`` computes each user's roles once (as a cache of compute_access
would), ``token`` looks each API token up once. "SQL" is the time inside cursor.execute
(an execute_wrapper): the round-trips and the server's work; the rest is Python in this
process. The connection
health check (``CONN_HEALTH_CHECKS``: a ``SELECT 1`` at a request's first query) does not
go through execute_wrapper and is timed apart.
"""

from __future__ import annotations

import copy
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["PUNKT_DEMO"] = "1"  # as run_cashdesk.py (set before gen_contracts sets Django up)
os.environ["PUNKT_DEBUG"] = "0"

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from gen_contracts import busiest_branch  # noqa: E402
from run_cashdesk import cashier_of, open_till, token_for, unpaid  # noqa: E402
from run_org import arguments  # noqa: E402

from punkt.cashdesk import services  # noqa: E402


def timed(fn: Callable[[int], Any], n: int) -> tuple[float, float]:
    """Mean wall ms and mean SQL ms of ``fn(i)`` over ``n`` calls."""
    sql = [0.0]

    def wrapper(execute, query, params, many, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql[0] += time.perf_counter() - t

    walls = []
    with connection.execute_wrapper(wrapper):
        for i in range(n):
            t = time.perf_counter()
            fn(i)
            walls.append(time.perf_counter() - t)
    return statistics.mean(walls) * 1000, sql[0] / n * 1000


def statements(fn: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.set_defaults(n=200, warmup=20)
    ap.add_argument("--sort", default="tottime")
    ap.add_argument("--limit", type=int, default=35)
    ap.add_argument("--service", action="store_true",
                    help="profile the service call instead of the API request")
    ap.add_argument("--what-if", default="", help="access,token: see the module text")
    args = ap.parse_args()
    what_if = set(filter(None, args.what_if.split(",")))
    if what_if - {"access", "token"}:
        sys.exit("--what-if takes access and/or token")
    if "access" in what_if:
        from punkt.core import access as core_access

        computed = core_access._provider
        assert computed is not None
        roles: dict[int, Any] = {}
        core_access.set_provider(lambda user, today: roles.get(user.pk) or roles.setdefault(
            user.pk, computed(user, today)))
    if "token" in what_if:
        from punkt.organization import api_auth

        looked_up = api_auth.api_token_authenticate
        tokens: dict[str, Any] = {}
        def by_token(secret: str) -> Any:
            # A copy per request, as a fresh read gives (roles are cached on the object).
            user = copy.copy(tokens.get(secret) or tokens.setdefault(secret, looked_up(secret)))
            user.__dict__.pop("_punkt_access", None)
            return user

        api_auth.api_token_authenticate = by_token
    bench = busiest_branch()
    cashier = cashier_of(bench.pk)
    open_till(cashier, bench.pk)
    pool = [i.pk for i in unpaid(bench.pk, 200, persons=False)]
    secret = token_for(cashier)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    c = Client()
    body = json.dumps({"amount": "1.00", "method": "card"})

    def api(i: int) -> Any:
        r = c.post(f"/api/v1/invoices/{pool[i % len(pool)]}/payments", body,
                   content_type="application/json",
                   HTTP_IDEMPOTENCY_KEY=f"profile-{uuid.uuid4().hex}", **bearer)
        assert r.status_code == 201, r.content
        return r

    def service(i: int) -> Any:
        return services.payment_register(actor=cashier, invoice_id=pool[i % len(pool)],
                                         amount="1.00", method="card",
                                         key=f"profile-{uuid.uuid4().hex}")

    def read(i: int) -> Any:
        r = c.get(f"/api/v1/invoices/{pool[i % len(pool)]}", **bearer)
        assert r.status_code == 200, r.content
        return r

    for i in range(args.warmup):
        api(i)
        service(i)
        read(i)
    print(f"branch {bench.code}, cashier {cashier.email}; {len(pool)} invoices; "
          f"n={args.n} after {args.warmup} warm-up"
          + (f"; what if: {', '.join(sorted(what_if))} cached" if what_if else ""))
    for name, fn in (("service payment_register", service), ("API POST payment", api),
                     ("reference: API GET invoice", read)):
        sql = statements(lambda fn=fn: fn(0))  # type: ignore[misc]
        tx = [s for s in sql if s.split(" ")[0] in ("SAVEPOINT", "RELEASE", "BEGIN",
                                                   "COMMIT", "ROLLBACK")]
        wall, in_sql = timed(fn, args.n)
        print(f"  {name:<28} {wall:6.2f} ms, of which SQL {in_sql:5.2f} ms "
              f"(Python {wall - in_sql:5.2f} ms); {len(sql) - len(tx)} statements "
              f"(+{len(tx)} tx)")
        if args.sql:
            for s in sql:
                print("      ", s[:200])
    # The parts every API request pays before the view, each on its own.
    from punkt.organization.permissions import compute_access
    from punkt.organization.services import api_token_authenticate

    for name, part in (
            ("  per request: compute_access (roles)", lambda i: compute_access(cashier)),
            ("  per request: API token lookup", lambda i: api_token_authenticate(secret)),
            ("  per request: health check SELECT 1", lambda i: connection.is_usable())):
        wall, in_sql = timed(part, args.n)
        print(f"{name:<40} {wall:5.2f} ms, of which SQL {in_sql:5.2f} ms"
              + (" (not through execute_wrapper: all of it is the round-trip)"
                 if "health" in name else ""))

    profiler = cProfile.Profile()
    target = service if args.service else api
    for i in range(args.n):
        profiler.enable()
        target(i)
        profiler.disable()
    print(f"\ncProfile of {args.n} {'service calls' if args.service else 'API payments'} "
          f"(sorted by {args.sort}):")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
