#!/usr/bin/env python
"""Load service-desk tickets and their messages on top of the customer benchmark database
named by DATABASE_URL (issue 16's speed goals: 2M tickets, 10M messages).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset           # 1,000,000 customers
    .venv/bin/python bench/gen_servicedesk.py --reset [--tickets 2000000]

What it writes:

- A branch office team per open branch (its service staff members, its manager the
  lead, Mon–Fri 8:00–16:00) and an HQ call centre (60 HQ-side members from the branches'
  service staff); three ticket types with SLA targets per priority.
- ``--tickets`` tickets over the last two years, numbered ``ZG/<year>/<n>`` in the order
  they were opened (the counters are left at the last number). 75 % belong to a branch
  office (its customers), 25 % to the call centre (any customer); ≈2 % are still open,
  most of them recent (the agents' queues), the rest resolved (≈10 %) or closed.
  Deadlines are the opening time plus the targets in calendar time (the generator does
  not walk working calendars; the service does for real tickets).
- ``--messages-per-ticket`` messages on average (the customer's first message, replies,
  internal notes; 1–9 per ticket), append-only as the service writes them.

Rows go through COPY with every concrete column of the models (fields the generator does
not set get the model's default), so a column added later needs no change here. Audit
and timeline rows are not written. Ends with VACUUM (ANALYZE).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.organization.models import Branch, BranchKind, Membership  # noqa: E402
from punkt.servicedesk.models import (  # noqa: E402
    SlaCheck,
    SlaTarget,
    Team,
    TeamKind,
    TeamMember,
    Ticket,
    TicketCounter,
    TicketMessage,
    TicketStatus,
    TicketType,
)

OFFICE = {d: "8:00-16:00" for d in ("mon", "tue", "wed", "thu", "fri")}
TYPES = {  # name → {priority: (first response, resolution) in minutes}
    "Awaria usługi (benchmark)": {"low": (480, 4800), "normal": (240, 1440),
                                  "high": (120, 960), "urgent": (60, 480)},
    "Pytanie o fakturę (benchmark)": {"low": (960, 4800), "normal": (480, 2400),
                                      "high": (240, 1440), "urgent": (120, 960)},
    "Zmiana danych lub umowy (benchmark)": {"low": (960, 7200), "normal": (480, 4800),
                                            "high": (240, 2400), "urgent": (120, 1440)},
}
SUBJECTS = ["Brak internetu", "Nie doszła faktura", "Zmiana adresu", "Telewizja nie działa",
            "Pytanie o ratę", "Wolny internet", "Reklamacja naliczenia", "Zmiana pakietu",
            "Przeniesienie numeru", "Router nie działa", "Korekta faktury", "Duplikat umowy"]
BODIES = ["Klient zgłasza problem od rana.", "Proszę o kontakt telefoniczny.",
          "Sprawdziłem konfigurację, bez zmian.", "Przekazano do działu technicznego.",
          "Klient potwierdził, że działa.", "Wysłano korektę faktury e-mailem.",
          "Czekamy na odpowiedź klienta.", "Notatka: klient prosił o kontakt po 16:00."]
CHANNELS = ["counter"] * 30 + ["phone"] * 45 + ["email"] * 15 + ["web"] * 7 + ["chat"] * 3
PRIORITIES = ["low"] * 15 + ["normal"] * 65 + ["high"] * 15 + ["urgent"] * 5


def _copy_value(value: Any) -> Any:
    if isinstance(value, datetime.timedelta):
        return f"{value.total_seconds()} seconds"
    return value


class Copier:
    """COPY rows of ``model`` with every concrete column; ``row(**values)`` fills the rest
    from the fields' defaults."""

    def __init__(self, cursor: Any, model: Any) -> None:
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: _copy_value(f.get_default()) for f in self.fields}
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.copy = cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN")
        self.stream = self.copy.__enter__()
        self.names = [f.attname for f in self.fields]
        self.count = 0

    def row(self, **values: Any) -> None:
        self.stream.write_row([_copy_value(values[n]) if n in values else self.defaults[n]
                               for n in self.names])
        self.count += 1

    def close(self) -> None:
        self.copy.__exit__(None, None, None)


def reset() -> None:
    tables = [m._meta.db_table for m in (TicketMessage, Ticket, TicketCounter, SlaTarget,
                                         TicketType, TeamMember, Team)]
    with connection.cursor() as cur:  # other areas' tables that point at tickets
        cur.execute("SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                    "AND confrelid = %s::regclass", [Ticket._meta.db_table])
        tables += [r[0].strip('"') for r in cur.fetchall() if r[0].strip('"') not in tables]
    truncate_for_maintenance(tables)


def teams(rng: random.Random) -> tuple[list[tuple[Team, list[int], list[int]]], Team]:
    """Branch office teams (with their branch's customers to draw from) and the call
    centre."""
    hq = Branch.objects.filter(kind=BranchKind.HQ).order_by("pk").first()
    if hq is None:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    staff: dict[int, list[int]] = {}
    leads: dict[int, int] = {}
    for branch_id, employee_id, role in (Membership.objects.filter(
            is_active=True, branch__kind=BranchKind.BRANCH, branch__is_active=True,
            role__in=[Role.SERVICE, Role.MANAGER]).values_list("branch_id", "employee_id",
                                                                "role")):
        if role == Role.SERVICE:
            staff.setdefault(branch_id, []).append(employee_id)
        else:
            leads.setdefault(branch_id, employee_id)
    customers: dict[int, list[int]] = {}
    for pk, branch_id in Customer.objects.filter(status="active").values_list("pk",
                                                                              "branch_id"):
        customers.setdefault(branch_id, []).append(pk)
    if not customers:
        sys.exit("No customers here: run bench/gen_customers.py --reset first.")
    made = []
    for branch in Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True).order_by("code"):
        members = staff.get(branch.pk, [])
        if not members or not customers.get(branch.pk):
            continue
        team = Team.objects.create(name=f"Biuro obsługi {branch.code}",
                                   kind=TeamKind.BRANCH_OFFICE, branch=branch, hours=OFFICE)
        lead = leads.get(branch.pk)
        roster = {e: e == lead for e in members} | ({lead: True} if lead else {})
        TeamMember.objects.bulk_create([TeamMember(team=team, employee_id=e, is_lead=is_lead)
                                        for e, is_lead in roster.items()])
        made.append((team, members, customers[branch.pk]))
    centre = Team.objects.create(name="Centrum telefoniczne (benchmark)",
                                 kind=TeamKind.HQ_OFFICE, branch=hq, hours=OFFICE)
    pool = sorted({e for _t, members, _c in made for e in members})
    agents = rng.sample(pool, min(60, len(pool)))
    TeamMember.objects.bulk_create([TeamMember(team=centre, employee_id=e) for e in agents])
    return made, centre


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=2_000_000)
    ap.add_argument("--messages-per-ticket", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true", help="empty the service-desk tables first")
    args = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL bench database (punkt_bench).")
    rng = random.Random(args.seed)
    started = time.monotonic()
    if args.reset:
        reset()
    elif Ticket.objects.exists():
        sys.exit("There are tickets already: add --reset to load from scratch.")
    with transaction.atomic():
        made, centre = teams(rng)
        types = []
        for name, targets in TYPES.items():
            t = TicketType.objects.create(name=name, default_team=None)
            SlaTarget.objects.bulk_create([
                SlaTarget(type=t, priority=p, first_response_minutes=f, resolution_minutes=r)
                for p, (f, r) in targets.items()])
            types.append((t.pk, targets))
    print(f"teams: {len(made)} branch offices + the call centre "
          f"({time.monotonic() - started:.1f} s)", flush=True)
    all_customers = [c for _t, _m, cs in made for c in cs]
    centre_members = list(TeamMember.objects.filter(team=centre)
                          .values_list("employee_id", flat=True))
    now = timezone.now().replace(microsecond=0)
    span = 2 * 365 * 86400
    # Opening times sorted, so the numbers grow with them (as the counter gives them).
    moments = sorted(now - datetime.timedelta(seconds=span * (1 - rng.random() ** 0.8))
                     for _ in range(args.tickets))
    counters: dict[int, int] = {}
    first_ticket_id = 1 + (Ticket.objects.order_by("-pk").values_list("pk", flat=True)
                           .first() or 0)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                    [Ticket._meta.db_table, first_ticket_id])
    tickets = Copier(connection.cursor().cursor, Ticket)
    plan: list[tuple[int, datetime.datetime, int | None, str, datetime.datetime | None]] = []
    for i, opened in enumerate(moments):
        if rng.random() < 0.25:
            team, members, pool = centre, centre_members, all_customers
        else:
            team, members, pool = made[rng.randrange(len(made))]
        year = opened.astimezone(timezone.get_current_timezone()).year
        counters[year] = counters.get(year, 0) + 1
        type_id, targets = types[rng.randrange(len(types))]
        priority = rng.choice(PRIORITIES)
        first_m, resolve_m = targets[priority]
        age_days = (now - opened).total_seconds() / 86400
        open_chance = 0.5 if age_days < 3 else 0.1 if age_days < 30 else 0.002
        assignee = rng.choice(members)
        if rng.random() < open_chance:
            status = rng.choice([TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.OPEN,
                                 TicketStatus.WAITING_CUSTOMER, TicketStatus.WAITING_TEAM])
            if status == TicketStatus.NEW and rng.random() < 0.3:
                assignee = None
        else:
            status = TicketStatus.RESOLVED if age_days < 14 else TicketStatus.CLOSED
        answered = (None if status == TicketStatus.NEW
                    else opened + datetime.timedelta(minutes=rng.randint(5, first_m * 2)))
        resolved = (opened + datetime.timedelta(minutes=rng.randint(30, resolve_m * 2))
                    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) else None)
        if resolved and answered and resolved < answered:
            resolved = answered
        paused = opened if status == TicketStatus.WAITING_CUSTOMER else None
        tickets.row(
            number=f"ZG/{year}/{counters[year]:06d}", branch_id=team.branch_id,
            team_id=team.pk, assignee_id=assignee,
            customer_id=pool[rng.randrange(len(pool))] if rng.random() < 0.97 else None,
            subject=rng.choice(SUBJECTS), channel=rng.choice(CHANNELS), type_id=type_id,
            priority=priority, status=status, created_by_id=assignee, created_at=opened,
            first_response_due=opened + datetime.timedelta(minutes=first_m),
            resolve_due=opened + datetime.timedelta(minutes=resolve_m),
            first_responded_at=answered, resolved_at=resolved,
            closed_at=resolved + datetime.timedelta(days=7)
            if status == TicketStatus.CLOSED and resolved else None,
            paused_since=paused, updated_at=resolved or answered or opened)
        plan.append((first_ticket_id + i, opened, assignee, status, answered))
        if (i + 1) % 500_000 == 0:
            print(f"  {i + 1:,} tickets ({time.monotonic() - started:.0f} s)", flush=True)
    tickets.close()
    # the SLA job computes the open ones on its first run; the done never change
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {SlaCheck._meta.db_table} (ticket_id, due) "  # noqa: S608
                    f"SELECT id, created_at FROM {Ticket._meta.db_table} "
                    "WHERE resolved_at IS NULL")
    TicketCounter.objects.bulk_create(
        [TicketCounter(year=y, last=n) for y, n in counters.items()],
        update_conflicts=True, unique_fields=["year"], update_fields=["last"])
    print(f"tickets: {tickets.count:,} ({time.monotonic() - started:.0f} s)", flush=True)
    messages = Copier(connection.cursor().cursor, TicketMessage)
    next_report = 2_000_000
    for ticket_id, opened, assignee, _status, answered in plan:
        n = max(1, min(9, round(rng.expovariate(1 / args.messages_per_ticket))))
        at = opened
        messages.row(ticket_id=ticket_id, author_id=None, author_label="Klient",
                     body=rng.choice(BODIES), internal=False, created_at=at)
        for k in range(1, n):
            at = (answered if k == 1 and answered else at + datetime.timedelta(
                minutes=rng.randint(10, 600)))
            staff = k % 2 == 1 or rng.random() < 0.3
            messages.row(ticket_id=ticket_id, author_id=assignee if staff else None,
                         author_label="" if staff else "Klient", body=rng.choice(BODIES),
                         internal=staff and rng.random() < 0.25, created_at=at)
        if messages.count >= next_report:
            next_report += 2_000_000
            print(f"  {messages.count:,} messages ({time.monotonic() - started:.0f} s)",
                  flush=True)
    messages.close()
    print(f"messages: {messages.count:,} ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cur:
        for model in (Ticket, TicketMessage, TeamMember, Team):
            cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    print(f"done in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
