#!/usr/bin/env python
"""A mass mailing at scale (issue 20 item 6): "a campaign to 500,000 consenting customers
queued in ≤ 60 s and sent through the queue at the gateway's rate".

    BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/punkt_bench_mass make bench-mailing
    # or, on a database that already holds gen_org + gen_customers:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench_mass \\
        .venv/bin/python bench/run_mailing.py [--send 2000] [--min-recipients 500000]

Needs the customers of ``bench/gen_org.py`` + ``bench/gen_customers.py``: of 1M, ≈710k
have an e-mail address and ≈345k the e-mail marketing consent now; when that is fewer
than ``--min-recipients`` the script gives the consent (source "import", in SQL) to
enough customers with an address who were never asked. Prints, each measured in this
run:

* reference: the same segment read once (``COUNT(*)`` of active customers with an address
  and the consent, not suppressed) and written once into a temporary table
  (``CREATE TEMP TABLE … AS SELECT``) — the bare cost of the set-based queue on this host;
* the preview counts of the form (``segment_counts``: total / consenting / reachable);
* queueing: the job's first step for an HQ e-mail mailing to every branch (one
  ``INSERT … SELECT`` of Message rows) — the issue's ≤ 60 s;
* sending: ``--send`` messages through the job's steps (claim under the mailing's lock,
  consent re-check, SMTP via Django's in-memory backend, mark sent, timeline entry) with
  the rate set high, so the figure is what one worker can do; and the same number of
  bare single-row UPDATEs as a reference.

Each run deletes the previous run's bench mailings and their messages first.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
os.environ.setdefault("PUNKT_SEAL_KEY", "bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

NAME = "Bench: wysyłka"


def reference() -> tuple[int, float, float]:
    from punkt.customers.models import Customer
    from punkt.messaging import mass

    qs = mass.recipients(Customer.objects.all(), "email")
    started = time.perf_counter()
    n = qs.count()
    read = time.perf_counter() - started
    sql, params = qs.order_by().values("pk", "branch_id", "email").query.sql_with_params()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(f"CREATE TEMP TABLE bench_recipients AS {sql}", params)
        written = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_recipients")
    return n, read, written


def top_up(missing: int) -> int:
    """Give the e-mail marketing consent (history row and current state, source "import",
    as if a consent list had been imported) to ``missing`` more customers with an e-mail
    address who were never asked; set-based, in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH picked AS (
                SELECT c.id, c.branch_id FROM customers_customer c
                WHERE c.status = 'active' AND c.email <> ''
                  AND NOT EXISTS (SELECT 1 FROM customers_consent k WHERE k.customer_id = c.id
                                  AND k.purpose = 'marketing_email')
                ORDER BY c.id LIMIT %s),
            events AS (
                INSERT INTO customers_consentevent (customer_id, purpose, granted, at, source,
                                                    branch_id)
                SELECT id, 'marketing_email', true, now(), 'import', branch_id FROM picked
                RETURNING id, customer_id)
            INSERT INTO customers_consent (customer_id, purpose, granted, changed_at,
                                           last_event_id)
            SELECT customer_id, 'marketing_email', true, now(), id FROM events
            """, [missing])
        made = cursor.rowcount
        cursor.execute("ANALYZE customers_consent; ANALYZE customers_consentevent")
    return made


def clean() -> None:
    from punkt.campaigns.models import Mailing

    ids = [str(pk) for pk in Mailing.objects.filter(name__startswith=NAME)
           .values_list("pk", flat=True)]
    with connection.cursor() as cursor:
        if ids:
            cursor.execute("DELETE FROM customers_timelineentry WHERE source_type = "
                           "'campaigns.mailing' AND source_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM messaging_message WHERE source_type = "
                           "'campaigns.mailing' AND source_id = ANY(%s)", [ids])
        Mailing.objects.filter(name__startswith=NAME).delete()
        cursor.execute("ANALYZE messaging_message")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--send", type=int, default=2000, help="messages to send and time")
    ap.add_argument("--min-recipients", type=int, default=500_000)
    ap.add_argument("--check", action="store_true",
                    help="only say (exit status 0/1) whether the data is there")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("run_mailing.py measures the PostgreSQL path (FOR UPDATE SKIP LOCKED).")
    call_command("migrate", verbosity=0, interactive=False)
    if args.check:
        from punkt.customers.models import Customer

        n = Customer.objects.exclude(email="").count()
        print(f"{n} customers with an e-mail address")
        sys.exit(0 if n >= args.min_recipients else 1)

    from punkt.campaigns.models import Mailing, MailingStatus
    from punkt.campaigns.services import mailing as svc
    from punkt.core.access import SystemActor
    from punkt.messaging.models import Message, MessageStatus
    from punkt.organization.models import Branch, BranchKind

    clean()
    n, read, written = reference()
    print(f"reference: {n} recipients (active, e-mail, consent, not suppressed): "
          f"read {read:.2f} s, written to a temp table {written:.2f} s")
    if n < args.min_recipients:
        started = time.perf_counter()
        made = top_up(args.min_recipients - n + 5_000)
        print(f"top-up: e-mail consent given to {made} more customers in "
              f"{time.perf_counter() - started:.1f} s (gen_customers gives ≈34 % of 1M)")
        n, read, written = reference()
        print(f"reference: {n} recipients: read {read:.2f} s, written to a temp table "
              f"{written:.2f} s")
    if n < args.min_recipients:
        sys.exit(f"only {n} consenting customers: load more with bench/gen_customers.py")

    actor = SystemActor("bench")
    hq = Branch.objects.get(kind=BranchKind.HQ)
    started = time.perf_counter()
    counts = svc.segment_counts(actor=actor, channel="email", segment={}, branch_id=hq.pk)
    print(f"preview counts: {counts} in {time.perf_counter() - started:.2f} s")

    mailing = svc.mailing_create(actor=actor, data={
        "name": NAME, "channel": "email", "subject": "Wiosenna oferta dla {{ klient }}",
        "body": "Dzień dobry {{ klient }},\nzapraszamy do {{ oddzial }} "
                "(tel. {{ telefon_oddzialu }}).", "branch": hq.pk})
    svc.mailing_move(actor=actor, mailing_id=mailing.pk, action="send")
    started = time.perf_counter()
    step = svc.step(mailing.pk)
    queue_s = time.perf_counter() - started
    mailing.refresh_from_db()
    assert step.status == MailingStatus.SENDING, step
    print(f"queue: {mailing.queued} messages queued in {queue_s:.2f} s "
          f"({mailing.queued / queue_s:,.0f}/s; target ≤ 60 s for 500,000)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_message")

    settings.PUNKT_MAILING_RATE_EMAIL = 1_000_000
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    sent = 0
    started = time.perf_counter()
    while sent < args.send:
        result = svc.step(mailing.pk)
        sent += result.sent
        if result.next_at is None:
            break
    send_s = time.perf_counter() - started
    done = Message.objects.filter(source_type=svc.SOURCE, source_id=str(mailing.pk),
                                  status=MessageStatus.SENT).count()
    print(f"send: {done} sent through the job's steps in {send_s:.2f} s "
          f"({done / send_s:,.0f}/s, {done / send_s * 60:,.0f}/min for one worker)")
    ids = list(Message.objects.filter(source_type=svc.SOURCE, source_id=str(mailing.pk),
                                      status=MessageStatus.QUEUED)
               .values_list("pk", flat=True)[:args.send])
    started = time.perf_counter()
    for pk in ids:
        Message.objects.filter(pk=pk).update(error="")
    bare = time.perf_counter() - started
    print(f"reference: {len(ids)} bare single-row UPDATEs in {bare:.2f} s "
          f"({len(ids) / bare:,.0f}/s)")
    started = time.perf_counter()
    svc.mailing_move(actor=actor, mailing_id=mailing.pk, action="cancel")
    print(f"cancel: the rest marked cancelled in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    progress = svc.progress(Mailing.objects.get(pk=mailing.pk))
    print(f"progress: {progress} in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
