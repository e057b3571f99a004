#!/usr/bin/env python
"""Load sales opportunities, their control dates and the sellers' tasks on top of the
customer benchmark database named by DATABASE_URL (issue 18's speed goals: 3M
opportunities, 10M tasks).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset           # 1,000,000 customers
    .venv/bin/python bench/gen_pipeline.py --reset [--opportunities 3000000]

What it writes:

- ``--opportunities`` opportunities over the last two years, numbered ``SZ/<year>/<n>``
  in the order they were opened (the counters left at the last number), each with a
  customer of a branch and one of the branch's sellers (service, retention staff or the
  manager). ≈8 % are open (most of them recent, spread over the stages), the rest won
  (≈35 %) or lost at a stage with a reason of that stage.
- About ``--controls`` control dates per opportunity (the minutes, the offer's validity,
  the invoice, the event, the survey, the next contact…), each with its ``work.Task`` of
  the seller: done for the past ones of closed sales, open for the open sales' (some
  overdue). With the defaults, ≈9M tasks.
- The history's first row ("open") per opportunity.
- Then every customer's kept next step (``pipeline.NextStep``, ``next_steps.rebuild``).

Rows go through COPY with every concrete column (``gen_servicedesk.Copier``). Audit and
timeline rows are not written. Ends with VACUUM (ANALYZE).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from gen_servicedesk import Copier  # noqa: E402  (sets up Django)

from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import BranchKind, Membership  # noqa: E402
from punkt.pipeline import defaults  # noqa: E402
from punkt.pipeline.models import (  # noqa: E402
    ControlDate,
    LossReason,
    Opportunity,
    OpportunityCounter,
    OpportunityEvent,
    Stage,
)
from punkt.work.models import Task  # noqa: E402

TITLES = ["Internet światłowodowy 600 Mb/s", "Telewizja z internetem", "Pakiet rodzinny",
          "Abonament firmowy", "Przedłużenie umowy z telefonem", "Ubezpieczenie sprzętu",
          "Internet dla biura", "Telefon stacjonarny", "Pakiet sportowy", "Router Wi-Fi 7"]
KINDS = ["minutes", "offer_valid", "change", "invoice_due", "event", "survey", "next_contact",
         "retry"]
KIND_LABELS = {"minutes": "wysłanie protokołu", "offer_valid": "ważność oferty",
               "change": "zmiana oferty", "invoice_due": "termin płatności faktury",
               "event": "wydarzenie", "survey": "ocena satysfakcji",
               "next_contact": "następny kontakt", "retry": "ponowna próba"}


def reset() -> None:
    truncate_for_maintenance([m._meta.db_table for m in (
        ControlDate, OpportunityEvent, Opportunity, OpportunityCounter)])
    Task.objects.filter(subject_type="pipeline.opportunity").delete()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--opportunities", type=int, default=3_000_000)
    ap.add_argument("--controls", type=float, default=3.0,
                    help="control dates (each a task) per opportunity, on average")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true", help="empty the pipeline tables first")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database (punkt_bench).")
    rng = random.Random(args.seed)
    started = time.monotonic()
    if args.reset:
        reset()
    elif Opportunity.objects.exists():
        sys.exit("There are opportunities already: add --reset to load from scratch.")
    defaults.install(Stage, LossReason)
    stages = list(Stage.objects.filter(active=True).order_by("position", "id"))
    reasons = {s.pk: list(LossReason.objects.filter(stage=s).values_list("pk", flat=True))
               or list(LossReason.objects.filter(stage__isnull=True)
                       .values_list("pk", flat=True)) for s in stages}
    sellers: dict[int, list[int]] = {}
    for branch_id, employee_id in Membership.objects.filter(
            is_active=True, branch__kind=BranchKind.BRANCH, branch__is_active=True,
            role__in=[Role.SERVICE, Role.RETENTION, Role.MANAGER]).values_list(
            "branch_id", "employee_id"):
        sellers.setdefault(branch_id, []).append(employee_id)
    customers: dict[int, list[int]] = {}
    for pk, branch_id in Customer.objects.filter(status="active").values_list("pk",
                                                                              "branch_id"):
        if branch_id in sellers:
            customers.setdefault(branch_id, []).append(pk)
    if not customers:
        sys.exit("No customers or sellers here: run bench/gen_org.py and "
                 "bench/gen_customers.py --reset first.")
    branches = sorted(customers)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    span = 2 * 365 * 86400
    moments = sorted(now - datetime.timedelta(seconds=span * (1 - rng.random() ** 0.8))
                     for _ in range(args.opportunities))
    first_id = 1 + (Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first()
                    or 0)
    first_task = 1 + (Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                    [Opportunity._meta.db_table, first_id])
    counters: dict[int, int] = {}
    raw = connection.cursor().cursor
    opportunities = Copier(raw, Opportunity)
    plan = []
    for i, opened in enumerate(moments):
        branch = branches[rng.randrange(len(branches))]
        pool = customers[branch]
        owner = rng.choice(sellers[branch])
        year = opened.astimezone(timezone.get_current_timezone()).year
        counters[year] = counters.get(year, 0) + 1
        age_days = (now - opened).total_seconds() / 86400
        open_chance = 0.6 if age_days < 30 else 0.15 if age_days < 120 else 0.01
        stage = stages[min(int(rng.expovariate(0.7)), len(stages) - 1)]
        if rng.random() < open_chance:
            status, closed, reason = "open", None, None
        elif rng.random() < 0.4:
            status, stage = "won", stages[-1]
            closed, reason = opened + datetime.timedelta(days=rng.randint(3, 60)), None
        else:
            status = "lost"
            closed = opened + datetime.timedelta(days=rng.randint(1, 45))
            reason = rng.choice(reasons[stage.pk])
        if closed and closed > now:
            closed = now
        opportunities.row(
            number=f"SZ/{year}/{counters[year]:06d}", branch_id=branch,
            customer_id=pool[rng.randrange(len(pool))], owner_id=owner,
            title=rng.choice(TITLES),
            amount=f"{rng.randint(50, 20000)}.{rng.randint(0, 99):02d}",
            expected_close=(opened + datetime.timedelta(days=rng.randint(10, 90))).date()
            .replace(day=1), stage_id=stage.pk, status=status, loss_reason_id=reason,
            created_by_id=owner, created_at=opened,
            stage_since=opened + datetime.timedelta(days=rng.randint(0, 10)),
            closed_at=closed, updated_at=closed or opened)
        plan.append((first_id + i, branch, owner, opened, status, stage.pk))
        if (i + 1) % 500_000 == 0:
            print(f"  {i + 1:,} opportunities ({time.monotonic() - started:.0f} s)", flush=True)
    opportunities.close()
    OpportunityCounter.objects.bulk_create(
        [OpportunityCounter(year=y, last=n) for y, n in counters.items()],
        update_conflicts=True, unique_fields=["year"], update_fields=["last"])
    print(f"opportunities: {opportunities.count:,} ({time.monotonic() - started:.0f} s)",
          flush=True)
    # one COPY at a time on the connection: the history, then the tasks, then the control
    # dates pointing at them (ids from the sequence set here)
    events = Copier(connection.cursor().cursor, OpportunityEvent)
    for opp_id, _branch, owner, opened, _status, stage_id in plan:
        events.row(opportunity_id=opp_id, action="open", to_stage_id=stage_id,
                   status="open", actor_id=owner, at=opened, note="")
    events.close()
    print(f"history: {events.count:,} ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                    [Task._meta.db_table, first_task])
    zone = timezone.get_current_timezone()
    points: list[tuple[int, int, datetime.date, bool]] = []  # opportunity, kind, day, done
    tasks = Copier(connection.cursor().cursor, Task)
    for opp_id, branch, owner, opened, status, _stage_id in plan:
        n = max(1, min(len(KINDS), round(rng.expovariate(1 / args.controls))))
        for k in rng.sample(range(len(KINDS)), n):
            on = (opened + datetime.timedelta(days=rng.randint(1, 60))).date()
            if status == "open" and rng.random() < 0.7:
                on = today + datetime.timedelta(days=rng.randint(-5, 30))
            done = status != "open" or (on < today and rng.random() < 0.8)
            due = datetime.datetime.combine(on, datetime.time(9), tzinfo=zone)
            tasks.row(branch_id=branch, assignee_id=owner, created_by_id=owner,
                      title=f"SZ: {KIND_LABELS[KINDS[k]]}",
                      subject_type="pipeline.opportunity", subject_id=str(opp_id),
                      due_at=due, remind_at=due, status="done" if done else "open",
                      done_at=due if done else None, progress=100 if done else 0,
                      created_at=opened, updated_at=opened)
            points.append((opp_id, k, on, done))
        if len(points) % 2_000_000 < n:
            print(f"  {len(points):,} tasks ({time.monotonic() - started:.0f} s)", flush=True)
    tasks.close()
    controls = Copier(connection.cursor().cursor, ControlDate)
    for offset, (opp_id, k, on, done) in enumerate(points):
        due = datetime.datetime.combine(on, datetime.time(9), tzinfo=zone)
        controls.row(opportunity_id=opp_id, kind=KINDS[k], on=on, task_id=first_task + offset,
                     done_at=due if done else None)
    controls.close()
    print(f"tasks and control dates: {controls.count:,} "
          f"({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cur:
        for model in (Opportunity, OpportunityEvent, ControlDate, Task):
            cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    # the customers' kept next step (R11.5) from what was loaded
    from punkt.pipeline import next_steps
    from punkt.pipeline.models import NextStep

    begun = time.monotonic()
    kept = next_steps.rebuild()
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(NextStep._meta.db_table)}")
    print(f"next steps: {kept:,} customers ({time.monotonic() - begun:.0f} s)", flush=True)
    print(f"done in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
