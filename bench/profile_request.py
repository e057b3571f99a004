#!/usr/bin/env python
"""Profile one request in-process: where the time of a page or API call goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/profile_request.py /customers/ [--as manager] [--n 50] \\
            [--warmup 5] [--sort cumulative|tottime] [--limit 40] [--sql] [--htmx] \\
            [--bearer]

Production settings as run_http.py starts gunicorn with (``PUNKT_PRODUCTION=1``, HTTPS as
behind the proxy), the full middleware stack through ``django.test.Client``; the user is
signed in with ``force_login`` (a bench account: ``admin``, ``manager``, ``cashier`` or an
e-mail). Prints the mean wall time, the SQL statements of one request (``--sql``: their
text) and cProfile's table over ``--n`` requests (after ``--warmup`` unprofiled ones).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_harness import SAMPLE_SELLER_NIP  # noqa: E402

os.environ.update({
    "DJANGO_SETTINGS_MODULE": "punkt.settings",
    "PUNKT_PRODUCTION": "1",
    "PUNKT_SECRET_KEY": secrets.token_hex(32),
    "PUNKT_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "PUNKT_PUBLIC_URL": "https://127.0.0.1",
    "PUNKT_SELLER_NIP": SAMPLE_SELLER_NIP,
    "PUNKT_VAR_DIR": os.environ.get("PUNKT_VAR_DIR", "/tmp/punkt-http-bench"),
})
os.environ.pop("PUNKT_DEMO", None)
os.environ.pop("PUNKT_DEBUG", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import ApiToken, Employee  # noqa: E402

ACCOUNTS = {"admin": "admin@punkt-bench.pl", "manager": "kierownik@punkt-bench.pl"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--as", dest="who", default="manager",
                    help="admin, manager, cashier (of the manager's branch) or an e-mail")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--sql", action="store_true", help="print the SQL of one request")
    ap.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    ap.add_argument("--bearer", action="store_true", help="an API token instead of a session")
    args = ap.parse_args()

    if not (Path(os.environ["PUNKT_VAR_DIR"]) / "static" / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    email = ACCOUNTS.get(args.who, args.who)
    if args.who == "cashier":
        from punkt.core.roles import Role
        manager = Employee.objects.get(email=ACCOUNTS["manager"])
        home = manager.memberships.filter(role=Role.MANAGER).values_list("branch_id",
                                                                           flat=True)[0]
        email = Employee.objects.filter(memberships__branch_id=home,
                                        memberships__role=Role.CASHIER,
                                        is_active=True).order_by("pk")[0].email
    user = Employee.objects.get(email=email)
    if "bench" in connection.settings_dict["NAME"]:
        # As run_http.py: a role that requires MFA gets TOTP with the bench's known secret,
        # so the page is served instead of the "set up TOTP" redirect.
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP
        from http_harness import BENCH_TOTP_SECRET

        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, BENCH_TOTP_SECRET)
    client = Client(secure=True)
    # Behind the TLS proxy (SECURE_PROXY_SSL_HEADER in production settings).
    headers: dict[str, str] = {"X-Forwarded-Proto": "https"}
    if args.bearer:
        ApiToken.objects.filter(employee=user, name="bench-profile").delete()
        _t, secret = org_services.api_token_create(actor=user, name="bench-profile")
        headers["Authorization"] = f"Bearer {secret}"
    else:
        client.force_login(user, backend="punkt.organization.backends.EmployeeBackend")
    if args.htmx:
        headers["HX-Request"] = "true"

    for _ in range(args.warmup):
        resp = client.get(args.path, headers=headers)
    if resp.status_code != 200:
        sys.exit(f"{args.path} as {email}: HTTP {resp.status_code} {resp.get('Location', '')}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(args.path, headers=headers)
    statements = [q["sql"] for q in ctx.captured_queries]
    tx = [s for s in statements if s.split(" ")[0] in ("BEGIN", "COMMIT", "SAVEPOINT",
                                                       "RELEASE", "ROLLBACK")]
    print(f"{args.path} as {email}: {len(statements) - len(tx)} queries (+{len(tx)} tx)")
    if args.sql:
        for s in statements:
            print("  ", s[:300])

    times = []
    profiler = cProfile.Profile()
    for _ in range(args.n):
        began = time.perf_counter()
        profiler.enable()
        client.get(args.path, headers=headers)
        profiler.disable()
        times.append((time.perf_counter() - began) * 1000)
    print(f"profiled {args.n} requests: mean {statistics.mean(times):.1f} ms, "
          f"median {statistics.median(times):.1f} ms (with the profiler's overhead)")
    plain = []
    for _ in range(args.n):
        began = time.perf_counter()
        client.get(args.path, headers=headers)
        plain.append((time.perf_counter() - began) * 1000)
    print(f"without the profiler: mean {statistics.mean(plain):.2f} ms, "
          f"median {statistics.median(plain):.2f} ms")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
