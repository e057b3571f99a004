#!/usr/bin/env python
"""Server-side timings of the customer registry: lists, searches, profile and API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_customers.py [--n 200] [--warmup 5] [--only search]

Load the data first with bench/gen_org.py --reset and bench/gen_customers.py --reset.
The harness is run_org.py's: in-process django.test.Client, --warmup untimed requests,
then --n timed ones; p50/p95/max wall time, SQL time and statements per request.

Each scenario walks through different rows (other customers, identifiers, names, branches
request by request), so the figures are not those of one row cached over and over.
Searches sample their terms from the data: PESEL and phone numbers of existing
customers, frequent and rare surnames, and surnames misspelt by one letter.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from run_org import (  # noqa: E402  (run_org sets Django up)
    ADMIN,
    MANAGER,
    Scenario,
    approx_rows,
    arguments,
    logged_in,
)

from punkt.customers.models import (  # noqa: E402
    Consent,
    ConsentEvent,
    Customer,
    CustomerContact,
    SearchWord,
    TimelineEntry,
)
from punkt.organization import services as org_services  # noqa: E402
from punkt.organization.models import (  # noqa: E402
    ApiToken,
    Branch,
    BranchKind,
    Employee,
    Membership,
)

SAMPLE = 400
LIST = "/customers/"


def misspell(word: str, rng: random.Random) -> str:
    """One letter changed (never the first), as people mistype a name they heard."""
    i = rng.randrange(1, len(word))
    options = [c for c in "aeioukrnstwyz" if c != word[i]]
    return word[:i] + rng.choice(options) + word[i + 1:]


def build_scenarios() -> list[Scenario]:
    rng = random.Random(20261124)
    try:
        admin = Employee.objects.get(email=ADMIN)
        manager = Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    home = Membership.objects.filter(employee=manager).values_list("branch_id", flat=True)[0]
    own = list(Customer.objects.filter(branch_id=home, status="active")
               .order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    if not own:
        sys.exit("No customers here: run bench/gen_customers.py --reset first.")
    # Identifiers of customers spread over the whole table (every ≈2,500th row).
    step = max(1, Customer.objects.order_by("-pk").values_list("pk", flat=True)[0] // SAMPLE)
    spread = Customer.objects.filter(pk__in=range(1, step * SAMPLE, step))
    pesels = [p for p in spread.exclude(pesel="").values_list("pesel", flat=True)]
    phones = [p for p in spread.exclude(phone="").values_list("phone", flat=True)]
    # Surnames as typed: frequent ones (many matches) and rare ones (a handful).
    surnames = list(Customer.objects.filter(pk__in=range(1, step * SAMPLE, step), kind="person")
                    .values_list("last_name", flat=True))
    rng.shuffle(surnames)
    typos = [misspell(s.lower(), rng) for s in surnames if len(s) >= 5]
    branches = list(Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
                    .order_by("code").values_list("pk", flat=True))

    ApiToken.objects.filter(employee=admin, name="bench-customers").delete()
    _token, secret = org_services.api_token_create(actor=admin, name="bench-customers")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    admin_c, manager_c, api_c = logged_in(ADMIN), logged_in(MANAGER), Client()

    def at(items: list, i: int):  # type: ignore[no-untyped-def,type-arg]
        return items[(i * 7919) % len(items)]

    def get(c: Client, path: str, params: dict | None = None) -> HttpResponse:  # type: ignore[type-arg]
        return c.get(path, params or {})

    return [
        # The reference: the cheapest signed-in request, so a slow host shows in every run.
        Scenario("reference: GET /api/v1/me (session) — branch manager",
                 lambda i: get(manager_c, "/api/v1/me"), 200),
        Scenario("dashboard — branch manager", lambda i: get(manager_c, "/"), 200),
        Scenario("list first page — HQ admin (all customers)", lambda i: get(admin_c, LIST), 200),
        Scenario("list first page — branch manager", lambda i: get(manager_c, LIST), 200),
        Scenario("list — admin, branch filter, sort=name",
                 lambda i: get(admin_c, LIST, {"branch": at(branches, i), "sort": "name"}),
                 200),
        Scenario("list — admin, newest first, page 3",
                 lambda i: get(admin_c, LIST, {"sort": "newest", "page": 3}), 200),
        Scenario("list — admin, page 40 (deep)",
                 lambda i: get(admin_c, LIST, {"page": 40}), 200),
        Scenario("list — admin, sort=name, page 40 (deep)",
                 lambda i: get(admin_c, LIST, {"sort": "name", "page": 40}), 200),
        Scenario("search 'Nowak' (> 10,000 hits) — admin",
                 lambda i: get(admin_c, LIST, {"q": "Nowak"}), 200),
        Scenario("search prefix 'kow' — admin",
                 lambda i: get(admin_c, LIST, {"q": "kow"}), 200),
        Scenario("search PESEL — admin",
                 lambda i: get(admin_c, LIST, {"q": at(pesels, i)}), 200),
        Scenario("search phone (as typed: 6xx xxx xxx) — admin",
                 lambda i: get(admin_c, LIST, {"q": _typed_phone(at(phones, i))}), 200),
        Scenario("search surname — admin",
                 lambda i: get(admin_c, LIST, {"q": at(surnames, i)}), 200),
        Scenario("search surname — branch manager",
                 lambda i: get(manager_c, LIST, {"q": at(surnames, i)}), 200),
        Scenario("search misspelt surname — admin",
                 lambda i: get(admin_c, LIST, {"q": at(typos, i)}), 200),
        Scenario("profile with timeline — branch manager",
                 lambda i: get(manager_c, f"{LIST}{at(own, i)}/"), 200),
        Scenario("profile tab: contracts (htmx) — branch manager",
                 lambda i: manager_c.get(f"{LIST}{at(own, i)}/tabs/contracts/",
                                         HTTP_HX_REQUEST="true"), 200),
        Scenario("profile timeline: contacts only (htmx) — branch manager",
                 lambda i: manager_c.get(f"{LIST}{at(own, i)}/",
                                         {"fragment": "timeline", "kind": "contacts"},
                                         HTTP_HX_REQUEST="true"), 200),
        Scenario("contract list by customer surname — branch manager",
                 lambda i: get(manager_c, "/contracts/", {"q": at(surnames, i)}), 200),
        Scenario("API GET /api/v1/customers (token)",
                 lambda i: api_c.get("/api/v1/customers", **bearer), 200),
        Scenario("API search surname (token)",
                 lambda i: api_c.get("/api/v1/customers", {"q": at(surnames, i)}, **bearer),
                 200),
        Scenario("API search PESEL (token)",
                 lambda i: api_c.get("/api/v1/customers", {"q": at(pesels, i)}, **bearer),
                 200),
        Scenario("API GET /api/v1/customers/{id} (token)",
                 lambda i: api_c.get(f"/api/v1/customers/{at(own, i)}", **bearer), 200),
        Scenario("API GET /api/v1/customers/{id}/timeline (token)",
                 lambda i: api_c.get(f"/api/v1/customers/{at(own, i)}/timeline", **bearer),
                 200),
    ]


def _typed_phone(e164: str) -> str:
    national = e164.removeprefix("+48")
    return f"{national[:3]} {national[3:6]} {national[6:]}"


def dataset() -> str:
    approx = {m._meta.db_table: n for m, n in approx_rows(
        ConsentEvent, TimelineEntry, CustomerContact, Consent).items()}
    top = (Customer.objects.values("branch_id").annotate(n=Count("pk")).order_by("-n")
           .values_list("n", flat=True)[:1])
    return (f"{Customer.objects.count():,} customers in "
            f"{Branch.objects.filter(kind=BranchKind.BRANCH).count()} branches (largest "
            f"{top[0] if top else 0:,}), ≈{approx.get(ConsentEvent._meta.db_table, 0):,} "
            f"consent events, ≈{approx.get(TimelineEntry._meta.db_table, 0):,} timeline "
            f"entries, ≈{approx.get(CustomerContact._meta.db_table, 0):,} extra contacts, "
            f"{SearchWord.objects.count():,} lexicon words")


def main() -> None:
    from run_org import report

    args = arguments(__doc__, password=False).parse_args()
    report(build_scenarios(), args, dataset())


if __name__ == "__main__":
    main()
