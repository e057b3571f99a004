#!/usr/bin/env python
"""Server-side timings of the cashier's desk, then sustained payment posting from many
concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_cashdesk.py [--n 100] [--only payment] [--sql]
                                               [--clients 16] [--seconds 20]
                                               [--only retries] [--retry-keys 200]
                                               [--retry-clients 8]

Load the data first with bench/gen_org.py, bench/gen_customers.py and
bench/gen_cashdesk.py. Part 1 is run_org.py's harness (in-process django.test.Client: full
middleware, templates, API serialisation; p50/p95/max wall time, SQL time and statements
per request) at the benchmark branch (the open branch with the most customers) as its
first cashier, whose till the script opens for today: finding an invoice by number (the
till's search answering with a redirect, and the API), by first name + last name +
registered address (postal code; city), the invoice page, the till page, and posting a
payment (the API with an Idempotency-Key, and the page's form). Payments are 1 zł on the
branch's unpaid invoices, so the invoices stay unpaid.

Part 2 (--clients processes for --seconds): each client is the first cashier of another
branch with its own till and API token; all of them pay 1 zł at a time into the same 200
unpaid invoices (so they wait on each other's row locks), each request with a new
Idempotency-Key, and every 10th request is sent twice with the same key (a client's retry).
It prints payments per second and checks that no key posted twice and that every touched
invoice's ``paid`` equals the sum of its payments.

Part 3 (``--only retries``; ``--retry-keys N`` keys, ``--retry-clients M`` processes): the
SAME Idempotency-Key sent by M clients at once — one cashier whose request timed out and
who retried on several connections. For each key the M processes meet at a barrier and
then post the same 1 zł payment for the same invoice together; afterwards each key is
sent once more, alone. It counts, per key, the payments in the database (must be exactly
1), the different payment ids the 201 answers named (must be 1), the answers by status
(201, or 409 "still in flight"; nothing else), and checks the till entries and the
invoices' ``paid``.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["PUNKT_DEMO"] = "1"
os.environ["PUNKT_DEBUG"] = "0"

from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_contracts import busiest_branch, staff_of  # noqa: E402
from run_org import Scenario, arguments, logged_in, report  # noqa: E402

from punkt.cashdesk import services  # noqa: E402
from punkt.cashdesk.models import (  # noqa: E402
    IdempotencyKey,
    Invoice,
    Payment,
    TillEntry,
    TillSession,
)
from punkt.core.roles import Role  # noqa: E402
from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import ApiToken, Branch, Membership  # noqa: E402

SAMPLE = 400


def cashier_of(branch_id: int) -> Any:
    staff = staff_of(branch_id, Role.CASHIER)
    if not staff:
        sys.exit(f"Branch {branch_id} has no cashier of its own.")
    return staff[0]


def open_till(cashier: Any, branch_id: int) -> TillSession:
    session = services.till_current(cashier)
    if session is not None and session.business_day != services.today():
        services.till_close(actor=cashier, session_id=session.pk,
                            counted={"1": str(int(services.expected_cash(session)))},
                            note="benchmark: closed before today's run")
        session = None
    return session or services.till_open(actor=cashier, branch_id=branch_id,
                                         opening_float="300")


def token_for(employee: Any) -> str:
    ApiToken.objects.filter(employee=employee, name="bench-cashdesk").delete()
    _token, secret = org_services.api_token_create(actor=employee, name="bench-cashdesk")
    return secret


def unpaid(branch_id: int, n: int, *, persons: bool = True) -> list[Invoice]:
    qs = (Invoice.objects.filter(customer__branch_id=branch_id, status="open")
          .exclude(buyer_lookup="") if persons else
          Invoice.objects.filter(customer__branch_id=branch_id, status="open"))
    return list(qs.select_related("customer").order_by("pk")[:n])


def build_scenarios(branch: Branch) -> list[Scenario]:
    cashier = cashier_of(branch.pk)
    open_till(cashier, branch.pk)
    sample = unpaid(branch.pk, SAMPLE)
    if len(sample) < 50:
        sys.exit("Too few unpaid invoices here: run bench/gen_cashdesk.py --reset first.")
    print(f"branch {branch.code} ({branch.name}); cashier {cashier.email}; "
          f"{len(sample)} unpaid invoices sampled")
    page = logged_in(cashier.email)
    manager = logged_in(staff_of(branch.pk, Role.MANAGER)[0].email)
    api = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token_for(cashier)}"}

    def at(i: int) -> Invoice:
        return sample[(i * 7919) % len(sample)]

    def by_buyer(i: int, field: str) -> Any:
        inv = at(i)
        c = inv.customer
        return page.get("/cashdesk/", {"first_name": c.first_name, "last_name": c.last_name,
                                       "address": getattr(inv, field)})

    def pay_api(i: int) -> Any:
        return api.post(f"/api/v1/invoices/{at(i).pk}/payments",
                        json.dumps({"amount": "1.00", "method": "card"}),
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=f"bench-{uuid.uuid4().hex}", **bearer)

    def pay_form(i: int) -> Any:
        return page.post(f"/cashdesk/invoices/{at(i).pk}/pay/",
                         {"amount": "1,00", "method": "cash", "key": uuid.uuid4().hex})

    return [
        Scenario("till search by invoice number (redirect)",
                 lambda i: page.get("/cashdesk/", {"number": at(i).number}), 302),
        Scenario("API GET /api/v1/invoices?number=",
                 lambda i: api.get("/api/v1/invoices", {"number": at(i).number}, **bearer),
                 200),
        Scenario("till search by name + postal code",
                 lambda i: by_buyer(i, "buyer_postal_code"), 200),
        Scenario("till search by name + city", lambda i: by_buyer(i, "buyer_city"), 200),
        Scenario("invoice page (cashier)",
                 lambda i: page.get(f"/cashdesk/invoices/{at(i).pk}/"), 200),
        Scenario("payment: API POST with Idempotency-Key", pay_api, 201),
        Scenario("payment: page form POST", pay_form, 302),
        Scenario("till page (cashier)", lambda i: page.get("/cashdesk/"), 200),
        # The customer list's first page (≈9 ms p50 on a quiet machine, bench/README.md):
        # how busy the host was during this run.
        Scenario("reference: customer list — branch manager",
                 lambda i: manager.get("/customers/"), 200),
    ]


def dataset() -> str:
    with connection.cursor() as cur:  # planner estimates: exact counts take seconds at 20M
        cur.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
                    [[m._meta.db_table for m in (Invoice, Payment, TillEntry, TillSession)]])
        approx = dict(cur.fetchall())
    return ", ".join(f"≈{approx.get(m._meta.db_table, 0):,} {label}" for m, label in (
        (Invoice, "invoices"), (Payment, "payments"), (TillEntry, "till entries"),
        (TillSession, "tills")))


# --- Part 2: sustained posting from many clients -------------------------------------------

def client_loop(args: tuple[str, list[int], float, int]) -> tuple[int, int, list[str], int]:
    """One client: pay 1 zł into random invoices of the shared pool until the deadline.
    Returns (payments made, retries answered with the same payment, keys, refusals)."""
    secret, pool, deadline, seed = args
    connection.close()
    rng = random.Random(seed)
    c = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    made = same = refused = 0
    keys: list[str] = []
    while time.time() < deadline:
        key = f"load-{uuid.uuid4().hex}"
        body = json.dumps({"amount": "1.00", "method": "card"})
        url = f"/api/v1/invoices/{rng.choice(pool)}/payments"
        r = c.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
                   **bearer)
        if r.status_code != 201:
            refused += 1
            continue
        made += 1
        keys.append(key)
        if made % 10 == 0:  # the client did not get the answer and retries
            again = c.post(url, body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=key, **bearer)
            if again.status_code == 201 and again.json()["id"] == r.json()["id"]:
                same += 1
    connection.close()
    return made, same, keys, refused


def sustained(clients: int, seconds: int, bench: Branch) -> None:
    branches = [b for b in Branch.objects.filter(kind="branch", is_active=True)
                .order_by("pk") if Membership.objects.filter(branch=b, role=Role.CASHIER)
                .exists()][:clients]
    if len(branches) < clients:
        sys.exit(f"Only {len(branches)} branches have cashiers.")
    secrets = []
    for b in branches:
        cashier = cashier_of(b.pk)
        open_till(cashier, b.pk)
        secrets.append(token_for(cashier))
    pool = [i.pk for i in unpaid(bench.pk, 200, persons=False)]
    start_payments = Payment.objects.count()
    connection.close()
    deadline = time.time() + seconds
    t = time.perf_counter()
    with mp.get_context("fork").Pool(clients) as p:
        results = p.map(client_loop, [(s, pool, deadline, i) for i, s in enumerate(secrets)])
    elapsed = time.perf_counter() - t
    made = sum(r[0] for r in results)
    retried = sum(r[0] // 10 for r in results)
    same = sum(r[1] for r in results)
    refused = sum(r[3] for r in results)
    keys = [k for r in results for k in r[2]]
    posted = Payment.objects.count() - start_payments
    doubles = len(keys) - len(set(keys)) + (posted - made)
    drift = []
    for inv in Invoice.objects.filter(pk__in=pool):
        taken = Payment.objects.filter(invoice=inv).aggregate(s=Sum("allocated"))["s"] or 0
        if inv.paid != Decimal(taken) or inv.paid > inv.gross:
            drift.append(inv.number)
    print(f"\nsustained posting: {clients} clients × {seconds} s against 200 shared invoices: "
          f"{made:,} payments in {elapsed:.1f} s = {made / elapsed:.1f} payments/s; "
          f"{retried} retries answered with the same payment {same} times; "
          f"{refused} refused; payments in the database {posted:,} "
          f"(double posts: {doubles}); invoices whose paid ≠ their payments: {len(drift)}")


# --- Part 3: one key, many clients at once ------------------------------------------------

def retry_client(secret: str, jobs: list[tuple[str, int]], barrier: Any, out: Any) -> None:
    """One of the racing clients: for each (key, invoice), wait for the others, then post."""
    connection.close()
    c = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = json.dumps({"amount": "1.00", "method": "card"})
    answers = []
    c.get("/api/v1/till", **bearer)  # warm up (imports, connection) before the first race
    for key, invoice_id in jobs:
        barrier.wait()
        t = time.perf_counter()
        r = c.post(f"/api/v1/invoices/{invoice_id}/payments", body,
                   content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **bearer)
        ms = (time.perf_counter() - t) * 1000
        answers.append((key, r.status_code, r.json().get("id") if r.status_code == 201
                        else None, ms))
    connection.close()
    out.put(answers)


def retries(keys: int, clients: int, bench: Branch) -> bool:
    """Part 3 (see the module text); True when every key posted exactly once."""
    from collections import Counter

    if clients < 2:
        sys.exit("--retry-clients must be at least 2.")
    cashier = cashier_of(bench.pk)
    open_till(cashier, bench.pk)
    secret = token_for(cashier)
    pool = [i.pk for i in unpaid(bench.pk, keys, persons=False)]
    if len(pool) < keys:
        sys.exit(f"Only {len(pool)} unpaid invoices at {bench.code}: fewer --retry-keys.")
    run = uuid.uuid4().hex[:8]
    jobs = [(f"retry-{run}-{n:05d}", pool[n]) for n in range(keys)]
    paid_before = {i.pk: i.paid for i in Invoice.objects.filter(pk__in=pool)}
    started = timezone.now()
    connection.close()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients)
    out = ctx.Queue()
    procs = [ctx.Process(target=retry_client, args=(secret, jobs, barrier, out))
             for _ in range(clients)]
    t = time.perf_counter()
    for proc in procs:
        proc.start()
    answers = [a for _ in procs for a in out.get()]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - t
    # Each key once more, alone: the stored answer, the same payment.
    c = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = json.dumps({"amount": "1.00", "method": "card"})
    replay = {key: c.post(f"/api/v1/invoices/{inv}/payments", body,
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **bearer)
              for key, inv in jobs}
    statuses = Counter(a[1] for a in answers)
    ids: dict[str, set[int]] = {key: set() for key, _inv in jobs}
    for key, status, pid, _ms in answers:
        if status == 201:
            ids[key].add(pid)
    # Each key has its own invoice: the payments the run made there are the key's.
    invoice_key = {inv: key for key, inv in jobs}
    made = list(Payment.objects.filter(invoice_id__in=pool, created_at__gte=started))
    in_db = Counter(invoice_key[p.invoice_id] for p in made)
    linked = dict(IdempotencyKey.objects.filter(key__in=invoice_key.values())
                  .values_list("key", "payment_id"))
    payments = {invoice_key[p.invoice_id]: p for p in made if linked.get(
        invoice_key[p.invoice_id]) == p.pk}
    entries = Counter(TillEntry.objects.filter(payment__in=payments.values())
                      .values_list("payment_id", flat=True))
    bad_db = [k for k, _i in jobs if in_db[k] != 1 or k not in payments]
    bad_ids = [k for k, _i in jobs if len(ids[k]) > 1 or (
        ids[k] and payments.get(k) is not None and ids[k] != {payments[k].pk})]
    bad_replay = [k for k, _i in jobs if replay[k].status_code != 201
                  or payments.get(k) is None or replay[k].json()["id"] != payments[k].pk]
    bad_entries = [k for k, p in payments.items() if entries[p.pk] != 1]
    drift = [i.number for i in Invoice.objects.filter(pk__in=pool)
             if i.paid - paid_before[i.pk] != Decimal("1.00")]
    others = sum(n for st, n in statuses.items() if st not in (201, 409))
    lat = sorted(a[3] for a in answers)
    print(f"\nsame key from {clients} clients at once (load avg {os.getloadavg()[0]:.2f}, "
          f"{dataset()}): {keys} keys × {clients} = "
          f"{len(answers)} requests in {elapsed:.1f} s (racing requests p50 "
          f"{lat[len(lat) // 2]:.1f} ms, p95 {lat[int(len(lat) * 0.95)]:.1f} ms, "
          f"max {lat[-1]:.1f} ms)")
    print(f"  answers: {dict(sorted(statuses.items()))} (201 = the payment, 409 = the "
          f"first request still in flight); other statuses: {others}")
    print(f"  keys with exactly 1 payment in the database: {keys - len(bad_db)}/{keys} "
          f"(payments per key: {dict(sorted(Counter(in_db[k] for k, _i in jobs).items()))})")
    print(f"  keys whose 201 answers named more than one payment: {len(bad_ids)}; "
          f"replays alone not answered with the same payment: {len(bad_replay)}; "
          f"payments without exactly one till entry: {len(bad_entries)}; "
          f"invoices whose paid moved by other than 1,00 zł: {len(drift)}")
    ok = not (bad_db or bad_ids or bad_replay or bad_entries or drift or others)
    print(f"  {'OK: every key posted exactly once' if ok else 'FAILED'}")
    return ok


def main() -> None:
    ap = arguments(__doc__, password=False)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--retry-keys", type=int, default=200,
                    help="part 3: keys each sent by --retry-clients clients at once")
    ap.add_argument("--retry-clients", type=int, default=8)
    args = ap.parse_args()
    bench = busiest_branch()
    if not args.only or args.only not in ("sustained", "retries"):
        report(build_scenarios(bench), args, dataset())
    if args.clients and (not args.only or "sustained" in args.only):
        sustained(args.clients, args.seconds, bench)
    if (args.retry_keys and (not args.only or "retries" in args.only)
            and not retries(args.retry_keys, args.retry_clients, bench)):
        sys.exit(1)


if __name__ == "__main__":
    main()
