#!/usr/bin/env python
"""Load HQ invoices, the payments taken for them at the branches' tills, and the tills
themselves, on top of the customer benchmark database named by DATABASE_URL.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset           # 1,000,000 customers
    .venv/bin/python bench/gen_cashdesk.py --reset [--months 20]

What it writes (defaults: 1,000,000 active customers × 20 months):

- One invoice per active customer and month (issued on the 5th, due on the 19th; numbered
  ``FV/yyyy/mm/nnnnnnn``), with the buyer's data as invoice_create takes it (name, NIP,
  address, the folded search keys). Amounts are a customer's plan: 39.99–199.99 zł gross
  for people, more for businesses (a few above the 15,000 zł cash limit). From April 2026
  businesses' invoices carry a KSeF number. Older months are paid (98 %), last month 80 %
  paid and 10 % in part, this month 30 % paid.
- One payment per paid or partly paid invoice, taken at the customer's branch between the
  issue day and the due day (never after today): 70 % by card, 30 % in cash; the KP is
  the payment's number. 6.6 % of the older paid invoices were paid in two instalments
  (≈ 20,000,000 payments at the defaults). Each payment has its till entry.
- One till per branch and day with payments (the branch's first cashier), opened with a
  300 zł float (its entry), closed with the count matching, acknowledged by the manager
  (today's are left open... none: the benchmark opens its own).

Indexes and keys of the loaded tables are dropped first and re-created after, then
VACUUM (ANALYZE), as in gen_contracts.py. Audit-log and timeline rows are not written.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing as mp
import os
import random
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_contracts import Writer, drop_schema, restore_schema  # noqa: E402
from gen_customers import NULL, Layout, conninfo, copy_text, run_parallel  # noqa: E402
from gen_org import db_guard  # noqa: E402

from punkt.cashdesk.models import Invoice, Payment, TillEntry, TillSession  # noqa: E402
from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.customers.normalize import fold  # noqa: E402
from punkt.organization.models import Membership  # noqa: E402

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
FLOAT = 30000  # grosze: the tills' opening float
SPLIT = 0.09  # of older paid invoices: paid in two instalments (≈ 20.1M payments in all)
LINES = ('[{"name": "Usługi telekomunikacyjne — abonament", "quantity": "1", '
         '"vat_rate": "23", "net": "%s"}]')
INVOICE_COLS = [
    "id", "number", "customer_id", "buyer_name", "buyer_nip", "buyer_street",
    "buyer_postal_code", "buyer_city", "buyer_lookup", "buyer_place", "buyer_street_key",
    "is_business", "issued_on", "sale_date", "due_on", "period", "lines", "net", "vat",
    "gross", "paid", "status", "ksef_number", "ksef_status", "verification_url",
    "delivery_channel", "created_at", "created_by_id"]
PAYMENT_COLS = [
    "id", "invoice_id", "customer_id", "session_id", "branch_id", "cashier_id", "method",
    "amount", "allocated", "to_credit", "reverses_id", "reason", "key", "created_at"]
ENTRY_COLS = ["id", "session_id", "kind", "amount", "cash", "payment_id", "reason", "actor_id",
              "created_at"]
SESSION_COLS = [
    "id", "branch_id", "cashier_id", "business_day", "status", "opening_float", "opened_at",
    "closed_at", "counted", "counted_total", "expected_cash", "difference", "close_note",
    "acknowledged_by_id", "acknowledged_at", "acknowledge_note"]
LOADED = [Invoice, Payment, TillEntry, TillSession]
PLAN: dict[str, Any] = {}


def money(grosze: int) -> str:
    return f"{grosze // 100}.{grosze % 100:02d}"


def month_start(today: datetime.date, back: int) -> datetime.date:
    y, m = today.year, today.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return datetime.date(y, m, 1)


def worker_init() -> None:
    connection.close()


def session_id(branch_index: int, day: int) -> int:
    return branch_index * PLAN["ndays"] + day + 1


def stamp(day: datetime.date, minute: int) -> str:
    at = datetime.datetime.combine(day, datetime.time(9), tzinfo=WARSAW) + \
        datetime.timedelta(minutes=minute)
    return at.isoformat()


def gen_chunk(c: int) -> tuple[int, int, dict[int, int]]:
    """Invoices, payments and their till entries of one chunk of customers; returns the
    counts and the cash each till took (session id → grosze)."""
    rng = random.Random(PLAN["seed"] * 1_000_003 + c)
    custs = PLAN["chunks"][c]
    months, today, first_day = PLAN["months"], PLAN["today"], PLAN["first_day"]
    cash: dict[int, int] = {}
    n_inv = n_pay = 0
    with psycopg.connect(**conninfo()) as conn, conn.cursor() as cur:
        w_inv = Writer(cur, PLAN["layouts"]["invoice"])
        w_pay = Writer(cur, PLAN["layouts"]["payment"])
        w_ent = Writer(cur, PLAN["layouts"]["entry"])
        for ci, cu in custs:
            (cid, branch_id, kind, first, last, display, nip, street, postal, city,
             consumer_like) = cu
            person = kind == "person"
            business = not person and not consumer_like
            plan = rng.choice(PLAN["plans_person"] if person else PLAN["plans_business"])
            lookup = copy_text(fold(f"{last} {first}")) if person else ""
            place, street_key = copy_text(fold(city)[:100]), copy_text(fold(street)[:200])
            b_index = PLAN["branch_index"].get(branch_id)
            buyer = "\t".join((copy_text(display), copy_text(nip), copy_text(street),
                               copy_text(postal[:6]), copy_text(city), lookup, place,
                               street_key, "t" if business else "f"))
            for back in range(months):
                # invoices go out on the 5th; before the 5th this month's went out today
                issued = min(month_start(today, back).replace(day=5), today)
                due = issued + datetime.timedelta(days=14)
                # the VAT from the net amount, as invoice_create computes it
                net = round(plan * 100 / 123)
                vat = (net * 23 + 50) // 100
                gross = net + vat
                r = rng.random()
                share = 1.0 if back >= 2 and r < 0.98 else (
                    1.0 if back == 1 and r < 0.8 else 0.5 if back == 1 and r < 0.9 else
                    1.0 if back == 0 and r < 0.3 else 0.0)
                if issued == today:
                    share = 0.0  # issued this morning: nobody has paid it yet
                paid = gross if share == 1.0 else gross // 2 if share else 0
                status = "paid" if paid == gross else "partial" if paid else "open"
                inv_id = ci * months + back + 1
                ksef = business and issued >= datetime.date(2026, 4, 1)
                ksef_no = f"{nip or '0000000000'}-{issued:%Y%m%d}-{inv_id:012X}-{inv_id % 97:02d}" \
                    if ksef else ""
                w_inv.add((str(inv_id), f"FV/{issued:%Y/%m}/{ci + 1:07d}", str(cid), buyer,
                           issued.isoformat(), issued.isoformat(), due.isoformat(),
                           f"{issued:%m.%Y}", LINES % money(net), money(net), money(vat),
                           money(gross), money(paid), status, ksef_no,
                           "accepted" if ksef else "",
                           f"https://ksef.mf.gov.pl/client-app/invoice/check/{inv_id}"
                           if ksef else "", "e-mail",
                           stamp(issued, 0), NULL))
                n_inv += 1
                if not paid or b_index is None:
                    continue
                day = min(issued + datetime.timedelta(days=rng.randint(0, 14)),
                          today - datetime.timedelta(days=1))
                if (day - first_day).days < 0:
                    continue
                method = "cash" if rng.random() < 0.3 and not (business and gross > 1_500_000) \
                    else "card"
                # Some older invoices were paid in two instalments, the second a few days
                # after the first (with the one-instalment ones: ≈ 20M payments at 1M × 20).
                parts = [(inv_id, day, paid)]
                if back >= 2 and paid == gross and gross >= 200 and rng.random() < SPLIT:
                    first_part = gross * rng.randint(30, 70) // 100
                    later = min(day + datetime.timedelta(days=rng.randint(1, 10)),
                                today - datetime.timedelta(days=1))
                    parts = [(inv_id, day, first_part),
                             (PLAN["second_base"] + inv_id, later, gross - first_part)]
                for pay_id, on, amount in parts:
                    sid = session_id(b_index, (on - first_day).days)
                    at = stamp(on, rng.randint(1, 480))
                    w_pay.add((str(pay_id), str(inv_id), str(cid), str(sid), str(branch_id),
                               str(PLAN["cashiers"][branch_id]), method, money(amount),
                               money(amount), "0.00", NULL, "", NULL, at))
                    in_cash = amount if method == "cash" else 0
                    w_ent.add((str(PLAN["entry_base"] + pay_id), str(sid), "payment",
                               money(amount), money(in_cash), str(pay_id), "",
                               str(PLAN["cashiers"][branch_id]), at))
                    if in_cash:
                        cash[sid] = cash.get(sid, 0) + in_cash
                    n_pay += 1
        for w in (w_inv, w_pay, w_ent):
            w.flush()
        conn.commit()
    return n_inv, n_pay, cash


def make_plan(args: argparse.Namespace) -> dict[str, Any]:
    today = timezone.localdate()
    custs = list(Customer.objects.filter(status="active").order_by("pk").values_list(
        "id", "branch_id", "kind", "first_name", "last_name", "display_name", "nip", "street",
        "postal_code", "city", "consumer_like"))
    cashiers: dict[int, int] = {}
    for branch_id, employee_id in (Membership.objects.filter(role=Role.CASHIER, is_active=True)
                                   .order_by("branch_id", "employee_id")
                                   .values_list("branch_id", "employee_id")):
        cashiers.setdefault(branch_id, employee_id)
    managers: dict[int, int] = {}
    for branch_id, employee_id in (Membership.objects.filter(role=Role.MANAGER, is_active=True)
                                   .order_by("branch_id", "employee_id")
                                   .values_list("branch_id", "employee_id")):
        managers.setdefault(branch_id, employee_id)
    branches = sorted(b for b in cashiers if b in managers)
    first_day = month_start(today, args.months - 1).replace(day=5)
    ndays = (today - first_day).days + 1
    rng = random.Random(args.seed)
    indexed = list(enumerate(custs))
    size = args.chunk
    return {
        "seed": args.seed, "today": today, "months": args.months, "first_day": first_day,
        "ndays": ndays, "cashiers": cashiers, "managers": managers, "branches": branches,
        "branch_index": {b: i for i, b in enumerate(branches)},
        "chunks": [indexed[i:i + size] for i in range(0, len(indexed), size)],
        "second_base": len(custs) * args.months + 10,
        "entry_base": 2 * (len(custs) * args.months + 10),
        "plans_person": [rng.choice([3999, 4999, 5999, 6999, 8999, 12999, 19999])
                         for _ in range(50)],
        "plans_business": [rng.choice([14999, 29999, 59999, 120000, 350000, 1600000])
                           for _ in range(50)],
        "layouts": {"invoice": Layout(Invoice, INVOICE_COLS),
                    "payment": Layout(Payment, PAYMENT_COLS),
                    "entry": Layout(TillEntry, ENTRY_COLS)},
        "customers": len(custs),
    }


def write_sessions(cash: dict[int, int]) -> int:
    """One till per branch and day that took payments, plus its float entry."""
    s_layout, e_layout = Layout(TillSession, SESSION_COLS), Layout(TillEntry, ENTRY_COLS)
    first_day, branches = PLAN["first_day"], PLAN["branches"]
    entry_id = PLAN["entry_base"] + 2 * (PLAN["customers"] * PLAN["months"] + 10)
    n = 0
    with psycopg.connect(**conninfo()) as conn, conn.cursor() as cur:
        ws, we = Writer(cur, s_layout), Writer(cur, e_layout)
        for b_index, branch_id in enumerate(branches):
            for day_index in range(PLAN["ndays"] - 1):  # up to yesterday
                sid = session_id(b_index, day_index)
                day = first_day + datetime.timedelta(days=day_index)
                expected = FLOAT + cash.get(sid, 0)
                cashier = PLAN["cashiers"][branch_id]
                ws.add((str(sid), str(branch_id), str(cashier), day.isoformat(),
                        "acknowledged", money(FLOAT), stamp(day, 0), stamp(day, 540), "{}",
                        money(expected), money(expected), "0.00", "",
                        str(PLAN["managers"][branch_id]), stamp(day, 560), ""))
                entry_id += 1
                we.add((str(entry_id), str(sid), "float", money(FLOAT), money(FLOAT), NULL,
                        "", str(cashier), stamp(day, 0)))
                n += 1
        ws.flush()
        we.flush()
        conn.commit()
    return n


def reset() -> None:
    truncate_for_maintenance([  # past the append-only guards
        "cashdesk_duplicateissue", "cashdesk_idempotencykey", "cashdesk_tillentry",
        "cashdesk_payment", "cashdesk_tillsession", "cashdesk_invoice"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--months", type=int, default=20, help="invoices per customer")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true", help="empty the cashier's tables first")
    ap.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2) + 1))
    ap.add_argument("--chunk", type=int, default=10_000, help="customers per worker task")
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--force", action="store_true",
                    help="allow a database whose name does not contain 'bench'")
    args = ap.parse_args()
    db_guard(args.force)
    if connection.vendor != "postgresql":
        sys.exit("gen_cashdesk.py loads with COPY: it needs PostgreSQL.")
    if not 1 <= args.months <= 60:
        sys.exit("--months must be between 1 and 60.")
    t0 = time.perf_counter()
    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if not Customer.objects.exists():
        sys.exit("No customers here: load them first with bench/gen_customers.py --reset.")
    if args.reset:
        reset()
    elif Invoice.objects.exists():
        sys.exit("The database already holds invoices; run with --reset to replace them.")
    PLAN.update(make_plan(args))
    print(f"loading {PLAN['customers']:,} customers × {args.months} months of invoices into "
          f"{settings.DATABASES['default']['NAME']}; {len(PLAN['branches'])} branches with "
          f"tills, {len(PLAN['chunks'])} chunks, {args.workers} workers", flush=True)
    tables = [m._meta.db_table for m in LOADED]
    with connection.cursor() as cur:  # the loaded rows bypass the append-only guards
        for table in ("cashdesk_payment", "cashdesk_tillentry"):
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    saved = drop_schema(tables)
    connection.close()
    t = time.perf_counter()
    n_inv = n_pay = 0
    cash: dict[int, int] = {}
    try:
        done, step = 0, max(1, len(PLAN["chunks"]) // 10)
        with mp.get_context("fork").Pool(args.workers, initializer=worker_init) as pool:
            for i, p, c in pool.imap_unordered(gen_chunk, range(len(PLAN["chunks"]))):
                n_inv, n_pay = n_inv + i, n_pay + p
                for sid, g in c.items():
                    cash[sid] = cash.get(sid, 0) + g
                done += 1
                if done % step == 0 or done == len(PLAN["chunks"]):
                    print(f"  {done}/{len(PLAN['chunks'])} chunks: {n_inv:,} invoices, "
                          f"{n_pay:,} payments, {time.perf_counter() - t:.0f} s", flush=True)
        n_tills = write_sessions(cash)
        print(f"[generate + COPY] {time.perf_counter() - t:.1f} s; {n_tills:,} tills",
              flush=True)
        with connection.cursor() as cur:
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(max(id), 1) FROM {table}))")
    finally:
        t = time.perf_counter()
        restore_schema(saved, tables)
        with connection.cursor() as cur:
            for table in ("cashdesk_payment", "cashdesk_tillentry"):
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        print(f"[re-create indexes and keys] {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    run_parallel([f"VACUUM (ANALYZE) {table}" for table in tables], 2, "")
    print(f"[vacuum + analyze] {time.perf_counter() - t:.1f} s")
    print(f"loaded in {time.perf_counter() - t0:.1f} s: {n_inv:,} invoices, {n_pay:,} "
          f"payments and till entries, {n_tills:,} tills")


if __name__ == "__main__":
    main()
