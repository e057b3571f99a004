#!/usr/bin/env python
"""The SLA job at full size: every open ticket's SLA state recomputed at once (the
issue's "≤ 10 s" figure for 2M tickets), as ``servicedesk.sla.recompute_due`` does every
minute for the tickets whose moment has come.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_sla.py [--runs 2]

Each run marks every open ticket due now (``sla.mark_open_due``, one statement — the
reference row: the bare cost of touching those rows once) and times the job over them:
working-time clocks per ticket, the state written where it changed, warnings and
breaches notified and escalated (the first run on fresh data does most of those).
Needs bench/gen_servicedesk.py.

The generated open tickets are mostly long past their deadlines, and a breached ticket
never changes (it costs nothing to "recompute"). ``--open N`` first turns the newest N
tickets into open ones opened in the last 36 hours with clocks still running (deadlines
5 and 10 days after the opening) — the hard case, every one of them evaluated and its
next moment written. It changes the bench data (re-run the generator to undo it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from punkt.core.calendar import is_public_holiday  # noqa: E402
from punkt.servicedesk import sla  # noqa: E402
from punkt.servicedesk.models import OPEN_STATES, Ticket  # noqa: E402


def reopen(n: int) -> None:
    started = time.perf_counter()
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        # the names are the model's, the count a parameter
        cursor.execute(
            f"WITH c AS (SELECT id, now() - random() * interval '36 hours' AS at "  # noqa: S608
            f"FROM {table} ORDER BY id DESC LIMIT %s) "
            f"UPDATE {table} t SET status = 'open', created_at = c.at, "
            "first_response_due = c.at + interval '5 days', "
            "resolve_due = c.at + interval '10 days', first_responded_at = NULL, "
            "resolved_at = NULL, closed_at = NULL, paused_since = NULL, "
            "paused_total = interval '0', sla_state = 'ok', sla_warning_at = NULL, "
            "sla_breached_at = NULL, sla_escalated = false "
            "FROM c WHERE t.id = c.id", [n])
        changed = cursor.rowcount
        cursor.execute(f"ANALYZE {table}")
    print(f"{changed:,} tickets made open with running clocks "
          f"({time.perf_counter() - started:.1f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--open", type=int, default=0,
                    help="first make the newest N tickets open with running clocks")
    args = ap.parse_args()
    if args.open:
        reopen(args.open)
    # the worker imports the holiday tables once, not every minute
    is_public_holiday(datetime.date.today())
    total = Ticket.objects.count()
    print(f"{total:,} tickets, {Ticket.objects.filter(status__in=OPEN_STATES).count():,} open")
    print(f"{'run':4} {'reference: mark due (s)':>24} {'job (s)':>9} {'tickets/s':>10}  counts")
    for run in range(1, args.runs + 1):
        now = timezone.now()
        started = time.perf_counter()
        marked = sla.mark_open_due(now=now)
        reference = time.perf_counter() - started
        started = time.perf_counter()
        counts = sla.recompute_due(now=now)
        took = time.perf_counter() - started
        print(f"{run:<4} {reference:24.2f} {took:9.2f} {counts['checked'] / took:10.0f}  "
              f"{marked:,} marked; {counts}   goal ≤ 10 s")


if __name__ == "__main__":
    main()
