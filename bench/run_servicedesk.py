#!/usr/bin/env python
"""Server-side timings of the service desk's pages and API, in-process (as run_org.py):
the agent's queue, a ticket page, "My work", the call screen, the report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_servicedesk.py [--n 100] [--warmup 5] [--only queue] [--sql]

Load the data first: bench/gen_org.py, bench/gen_customers.py, bench/gen_servicedesk.py.
The agent is the service employee with the most open tickets in the benchmark manager's
branch office; the ticket pages are its team's open tickets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from run_org import (  # noqa: E402  (sets up Django)
    ADMIN,
    MANAGER,
    Scenario,
    approx_rows,
    arguments,
    logged_in,
    report,
)

from punkt.customers.models import Customer  # noqa: E402
from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import ApiToken, Employee, Membership  # noqa: E402
from punkt.servicedesk.models import OPEN_STATES, Team, Ticket, TicketMessage  # noqa: E402

SAMPLE = 200


def build_scenarios() -> list[Scenario]:
    try:
        admin = Employee.objects.get(email=ADMIN)
        manager = Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    home = Membership.objects.filter(employee=manager).values_list("branch_id", flat=True)[0]
    team = Team.objects.filter(branch_id=home, kind="branch").first()
    if team is None:
        sys.exit("No tickets here: run bench/gen_servicedesk.py --reset first.")
    busiest = (Ticket.objects.filter(team=team, status__in=OPEN_STATES,
                                     assignee__isnull=False)
               .values("assignee_id").annotate(n=Count("pk")).order_by("-n").first())
    if busiest is None:
        sys.exit(f"No open tickets in {team.name}: generate more tickets.")
    agent = Employee.objects.get(pk=busiest["assignee_id"])
    open_ids = list(Ticket.objects.filter(team=team, status__in=OPEN_STATES)
                    .order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    phones = list(Customer.objects.filter(branch_id=home).exclude(phone="")
                  .values_list("phone", flat=True)[:SAMPLE])
    ApiToken.objects.filter(employee=agent, name="bench-desk").delete()
    _token, secret = org_services.api_token_create(actor=agent, name="bench-desk")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    agent_c, manager_c, admin_c, api_c = (logged_in(agent.email), logged_in(MANAGER),
                                          logged_in(admin.email), Client())

    def at(items: list, i: int):  # type: ignore[no-untyped-def,type-arg]
        return items[(i * 7919) % len(items)]

    return [
        Scenario("reference: GET /api/v1/me (session) — agent",
                 lambda i: agent_c.get("/api/v1/me"), 200),
        Scenario("queue: mine — agent", lambda i: agent_c.get("/servicedesk/"), 200),
        Scenario("queue: my teams' — agent",
                 lambda i: agent_c.get("/servicedesk/", {"queue": "team"}), 200),
        Scenario("queue: unassigned — agent",
                 lambda i: agent_c.get("/servicedesk/", {"queue": "unassigned"}), 200),
        Scenario("queue: all open — HQ admin",
                 lambda i: admin_c.get("/servicedesk/", {"queue": "all"}), 200),
        Scenario("queue: all open, page 20 — HQ admin",
                 lambda i: admin_c.get("/servicedesk/", {"queue": "all", "page": 20}), 200),
        Scenario("ticket page — agent",
                 lambda i: agent_c.get(f"/servicedesk/tickets/{at(open_ids, i)}/"), 200),
        Scenario("My work — agent", lambda i: agent_c.get("/work/"), 200),
        Scenario("call screen (known number) — agent",
                 lambda i: agent_c.get("/servicedesk/call/", {"number": at(phones, i)}), 200),
        Scenario("dashboard — branch manager", lambda i: manager_c.get("/"), 200),
        Scenario("report, this month — branch manager",
                 lambda i: manager_c.get("/servicedesk/report/"), 200),
        Scenario("API ticket list (token) — agent",
                 lambda i: api_c.get("/api/v1/servicedesk/tickets", {"queue": "mine"},
                                     **bearer), 200),
        Scenario("API ticket (token) — agent",
                 lambda i: api_c.get(f"/api/v1/servicedesk/tickets/{at(open_ids, i)}",
                                     **bearer), 200),
        Scenario("API caller id (token) — agent",
                 lambda i: api_c.get("/api/v1/callerid", {"number": at(phones, i)},
                                     **bearer), 200),
    ]


def dataset() -> str:
    approx = approx_rows(Ticket, TicketMessage, Customer)
    return (f"≈{approx[Customer]:,} customers, "
            f"≈{approx[Ticket]:,} tickets "
            f"({Ticket.objects.filter(status__in=OPEN_STATES).count():,} open), "
            f"≈{approx[TicketMessage]:,} messages, "
            f"{Team.objects.count()} teams")


def main() -> None:
    args = arguments(__doc__, password=False).parse_args()
    report(build_scenarios(), args, dataset())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    main()
