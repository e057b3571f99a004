#!/usr/bin/env python
"""Server-side timings of the cashier's desk, then sustained payment posting from many
concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_cashdesk.py [--n 100] [--only payment] [--sql]
                                               [--clients 16] [--seconds 20]
                                               [--warmup-seconds 5]
                                               [--reference-seconds 5]
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

Part 2 (--clients processes): each client is the first cashier of another branch with its
own till and API token. All start together and run three phases on one clock: a warm-up
(--warmup-seconds: payments and reads, not counted), the reference read (GET one invoice
through the API with the same token and middleware, --reference-seconds: its rate on this
host in this run, so a slow host shows in the reference as well as in the payments), then
--seconds of timed payments: 1 zł at a time into the same 200 unpaid invoices (so they wait
on each other's row locks), each with a new Idempotency-Key; every 10th is sent from two
connections at once with the same key (a client's retry racing its first request). It
prints payments per second (and against the reference read rate), the twins' answers, and
checks that no key posted twice, that every key names its payment and that every touched
invoice's ``paid`` equals the sum of its payments.

Part 3 (``--only retries``; ``--retry-keys N`` keys, ``--retry-clients M`` processes): the
SAME Idempotency-Key sent by M clients at once — one cashier whose request timed out and
who retried on several connections. For each key the M processes meet at a barrier and
then post the same 1 zł payment for the same invoice together; afterwards each key is
sent once more, alone. It counts, per key, the payments in the database (must be exactly
1), the different payment ids the 201 answers named (must be 1), the answers by status
(201 only: a retry waits for the request in flight and is answered with its payment),
and checks the till entries and the invoices' ``paid``.

The run exits 1 when part 2 or part 3 finds a key posted twice (or any other of their
checks fails).
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
from run_org import Scenario, approx_rows, arguments, logged_in, report  # noqa: E402

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
    approx = {m._meta.db_table: n
              for m, n in approx_rows(Invoice, Payment, TillEntry, TillSession).items()}
    return ", ".join(f"≈{approx.get(m._meta.db_table, 0):,} {label}" for m, label in (
        (Invoice, "invoices"), (Payment, "payments"), (TillEntry, "till entries"),
        (TillSession, "tills")))


# --- Part 2: sustained posting from many clients -------------------------------------------

class Phases:
    """Shared clock of part 2 (time.time() stamps): warm-up until ``reads``, the reference
    reads until ``payments``, the timed payments until ``end``."""

    def __init__(self, warmup: float, reads: float, payments: float) -> None:
        now = time.time()
        self.reads = now + warmup
        self.payments = self.reads + reads
        self.end = self.payments + payments


def client_loop(args: tuple[str, list[int], Phases, int]) -> dict[str, Any]:
    """One client (a forked process with its own connection, the cashier of its own
    branch): until ``reads`` it warms up (payments and reads, not timed), then sends the
    reference read (GET one invoice through the API, same token and middleware) until
    ``payments``, then pays 1 zł into random invoices of the shared pool until ``end``.
    Every 10th payment is sent a second time WITH THE SAME KEY AT THE SAME MOMENT from a
    second thread (its own connection), as a client that timed out and retried."""
    from concurrent.futures import ThreadPoolExecutor

    secret, pool, phases, seed = args
    connection.close()
    rng = random.Random(seed)
    c, twin_client = Client(), Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = json.dumps({"amount": "1.00", "method": "card"})
    twin = ThreadPoolExecutor(1)  # one thread: its connection is kept between retries
    out: dict[str, Any] = {"made": 0, "warm_made": 0, "reads": 0, "twins": 0, "same": 0,
                           "twin_answers": {}, "refused": {}, "keys": []}

    def post(client: Any, url: str, key: str) -> tuple[int, int | None]:
        r = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key,
                        **bearer)
        return r.status_code, r.json().get("id") if r.status_code == 201 else None

    n = 0
    while (now := time.time()) < phases.end:
        if phases.reads <= now < phases.payments:  # the reference read, timed
            r = c.get(f"/api/v1/invoices/{rng.choice(pool)}", **bearer)
            if r.status_code == 200:
                out["reads"] += 1
            continue
        warm = now < phases.reads
        if warm and n % 2:  # warm the read path too
            c.get(f"/api/v1/invoices/{rng.choice(pool)}", **bearer)
        n += 1
        key = f"load-{uuid.uuid4().hex}"
        url = f"/api/v1/invoices/{rng.choice(pool)}/payments"
        if n % 10 == 0:  # the same key from two connections at once
            other = twin.submit(post, twin_client, url, key)
            status, pid = post(c, url, key)
            status2, pid2 = other.result()
            out["twins"] += 1
            out["twin_answers"][status2] = out["twin_answers"].get(status2, 0) + 1
            if status == 201 and status2 == 201 and pid == pid2:
                out["same"] += 1
            if status != 201 and status2 == 201:  # the twin posted it
                status, pid = status2, pid2
        else:
            status, pid = post(c, url, key)
        if status != 201:
            out["refused"][status] = out["refused"].get(status, 0) + 1
            continue
        out["warm_made" if warm else "made"] += 1
        out["keys"].append(key)
    twin.submit(lambda: connection.close()).result()  # the thread's own connection
    twin.shutdown()
    connection.close()
    return out


def sustained(clients: int, seconds: int, bench: Branch, *, warmup: float,
              reads: float) -> bool:
    """Part 2 (see the module text); True when nothing posted twice and every invoice's
    ``paid`` equals its payments."""
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
    last = Payment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # One request here first, so that the forked clients inherit the API's modules loaded
    # (16 first requests at once would spend the warm-up importing).
    Client().get(f"/api/v1/invoices/{pool[0]}", HTTP_AUTHORIZATION=f"Bearer {secrets[0]}")
    connection.close()
    load_before = os.getloadavg()[0]
    with mp.get_context("fork").Pool(clients) as p:
        phases = Phases(warmup, reads, seconds)
        results = p.map(client_loop, [(s, pool, phases, i) for i, s in enumerate(secrets)])
    made = sum(r["made"] for r in results)
    warm_made = sum(r["warm_made"] for r in results)
    read_count = sum(r["reads"] for r in results)
    twins = sum(r["twins"] for r in results)
    same = sum(r["same"] for r in results)
    twin_answers: dict[int, int] = {}
    refused: dict[int, int] = {}
    for r in results:
        for st, k in r["twin_answers"].items():
            twin_answers[st] = twin_answers.get(st, 0) + k
        for st, k in r["refused"].items():
            refused[st] = refused.get(st, 0) + k
    keys = [k for r in results for k in r["keys"]]
    posted = Payment.objects.filter(pk__gt=last).count()  # (an exact count of 20M takes s)
    doubles = len(keys) - len(set(keys)) + (posted - made - warm_made)
    # Each key's row must name one payment, and no payment of the run may lack its key.
    keyed = IdempotencyKey.objects.filter(key__in=keys, payment__isnull=False).count()
    drift = []
    for inv in Invoice.objects.filter(pk__in=pool):
        taken = Payment.objects.filter(invoice=inv).aggregate(s=Sum("allocated"))["s"] or 0
        if inv.paid != Decimal(taken) or inv.paid > inv.gross:
            drift.append(inv.number)
    rate = made / seconds
    read_rate = read_count / reads if reads else 0.0
    print(f"\nsustained posting: {clients} clients against 200 shared invoices (load avg "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs)")
    print(f"  warm-up {warmup:.0f} s: {warm_made:,} payments, not counted")
    if reads:
        print(f"  reference: GET /api/v1/invoices/{{id}} (token): {read_count:,} in {reads:.0f} s"
              f" = {read_rate:.1f} reads/s")
    print(f"  payments: {made:,} in {seconds} s = {rate:.1f} payments/s"
          + (f" ({rate / read_rate:.2f} × the reference read rate)" if read_rate else ""))
    print(f"  same key from two connections at once: {twins:,} pairs, both answered with the "
          f"same payment {same:,} times; the twins' answers {dict(sorted(twin_answers.items()))}")
    print(f"  refused (no payment for the key): {dict(sorted(refused.items()))}; payments in "
          f"the database {posted:,} for {len(keys):,} keys ({keyed:,} keys linked); "
          f"double posts: {doubles}; invoices whose paid ≠ their payments: {len(drift)}")
    ok = doubles == 0 and not drift and keyed == len(keys)
    print(f"  {'OK: no key posted twice' if ok else 'FAILED'}")
    return ok


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
    others = sum(n for st, n in statuses.items() if st != 201)
    lat = sorted(a[3] for a in answers)
    print(f"\nsame key from {clients} clients at once (load avg {os.getloadavg()[0]:.2f}, "
          f"{dataset()}): {keys} keys × {clients} = "
          f"{len(answers)} requests in {elapsed:.1f} s (racing requests p50 "
          f"{lat[len(lat) // 2]:.1f} ms, p95 {lat[int(len(lat) * 0.95)]:.1f} ms, "
          f"max {lat[-1]:.1f} ms)")
    print(f"  answers: {dict(sorted(statuses.items()))} (201 = the payment; a retry waits "
          f"for the request in flight, so anything else — 409 included — fails); other "
          f"statuses: {others}")
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
    ap.add_argument("--seconds", type=int, default=20, help="part 2: timed payments")
    ap.add_argument("--warmup-seconds", type=float, default=5,
                    help="part 2: untimed payments and reads before the timing")
    ap.add_argument("--reference-seconds", type=float, default=5,
                    help="part 2: the reference read from the same clients (0: none)")
    ap.add_argument("--retry-keys", type=int, default=200,
                    help="part 3: keys each sent by --retry-clients clients at once")
    ap.add_argument("--retry-clients", type=int, default=8)
    args = ap.parse_args()
    bench = busiest_branch()
    ok = True
    if not args.only or args.only not in ("sustained", "retries"):
        report(build_scenarios(bench), args, dataset())
    if args.clients and (not args.only or "sustained" in args.only):
        ok &= sustained(args.clients, args.seconds, bench, warmup=args.warmup_seconds,
                        reads=args.reference_seconds)
    if args.retry_keys and (not args.only or "retries" in args.only):
        ok &= retries(args.retry_keys, args.retry_clients, bench)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
