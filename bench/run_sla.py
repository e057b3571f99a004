#!/usr/bin/env python
"""The SLA job at full size: every open ticket's SLA state recomputed at once (the
issue's "≤ 10 s" figure for 2M tickets), as ``servicedesk.sla.recompute_due`` does every
minute for the tickets whose moment has come.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_sla.py [--runs 2]

Each run marks every open ticket due now (one UPDATE — the reference row: the bare cost
of touching those rows once) and times the job over them: working-time clocks per
ticket, the state written where it changed, warnings and breaches notified and escalated
(the first run on fresh data does most of those). Needs bench/gen_servicedesk.py.
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

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from punkt.servicedesk import sla  # noqa: E402
from punkt.servicedesk.models import OPEN_STATES, Ticket  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    total = Ticket.objects.count()
    print(f"{total:,} tickets, {Ticket.objects.filter(status__in=OPEN_STATES).count():,} open")
    print(f"{'run':4} {'reference: mark due (s)':>24} {'job (s)':>9} {'tickets/s':>10}  counts")
    for run in range(1, args.runs + 1):
        now = timezone.now()
        started = time.perf_counter()
        marked = (Ticket.objects.filter(status__in=OPEN_STATES, paused_since__isnull=True)
                  .exclude(sla_state="breached").update(sla_next_check=now))
        reference = time.perf_counter() - started
        started = time.perf_counter()
        counts = sla.recompute_due(now=now)
        took = time.perf_counter() - started
        print(f"{run:<4} {reference:24.2f} {took:9.2f} {counts['checked'] / took:10.0f}  "
              f"{marked:,} marked; {counts}   goal ≤ 10 s")


if __name__ == "__main__":
    main()
