#!/usr/bin/env python
"""Load realistic contracts (and their workflow history and retention work) on top of the
customer benchmark database named by DATABASE_URL.

Needs the organisation and the customers first:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench
    .venv/bin/python bench/gen_org.py --reset
    .venv/bin/python bench/gen_customers.py --reset          # 1,000,000 customers
    .venv/bin/python bench/gen_contracts.py --reset [--contracts 5000000]

What it writes:

- One contract template (material "Umowa o świadczenie usług — wzór (benchmark)") and one
  price list ("Cennik usług (benchmark)"), made, published and delivered to every open
  branch through the services of punkt.materials (reused when they are there already).
  Every contract points at the template.
- --contracts contracts spread over the active customers (skewed: most have a few, some
  businesses many) and their branches (contract.branch = customer.branch). Numbers grow
  with the day the contract was prepared, as the sequence would have numbered them, so
  "newest first" shows the newest. ≈96.6 % were activated, their end dates spread over the
  past year and the next two (12- or 24-month terms; ≈70 % of those that ended were
  renewed by the customer's next contract, ``renews``); those whose term is over are
  "ended", as the daily job (contracts_end_due) would have left them, with ``left_on``
  where the customer was left with nothing (churn); the rest are in the workflow now
  (prepared, signed, with the manager, returned, approved at HQ: the last days) or were
  cancelled or rejected (any time). ≈3 % went through a return and a correction
  (revision 2). Values are what documents.values_for stores (customer's data, branch,
  employee, positions of a telecom price list, total, dates); total_gross is their sum.
  Offers are generated only for retention (below); otherwise contract.offer stays empty.
  The PDF: one document rendered from the template is shared by all contracts
  (pdf_revision = revision), so the contract page shows the document as ready.
- The signed contracts' end-of-day batches (one per branch and day, by the scheduler).
- ContractEvents (prepare, sign, submit, approve, finalise, return, fix, reject, cancel)
  for every --events-every'th contract and for every contract of the benchmark branch
  (the open branch with the most customers; bench/run_contracts.py works there).
- RetentionCases with their contact attempts for part of the active contracts that end
  between 45 days ago and 120 days ahead (more of them the sooner the end); closed
  (declined, or renewed) or open with callbacks. A renewal agreed on the phone is an
  offer that ``renews`` the contract (lines from the price list, confirmation link);
  most accepted ones have their renewal contract prepared from that offer.

How it loads: a first pass over the customer chunks decides every contract's day (to
number the contracts by day across chunks) and keeps the plan in a temporary file; a
second pass builds the rows from it and sends them with COPY, in worker processes.
Secondary indexes, unique and foreign keys of the loaded tables are dropped first and
re-created afterwards (keys NOT VALID, then validated); the terms that are over are ended
in one statement (end_past_terms), then VACUUM (ANALYZE), and the monthly figures of the
HQ reports are rebuilt (punkt rebuild_contract_figures). A sample is re-checked against
documents.values_for at the end. Audit-log and timeline rows are
not written.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import random
import shutil
import sys
import tempfile
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from gen_customers import NULL, Layout, conninfo, copy_text, run_parallel  # noqa: E402
from gen_org import DOMAIN, db_guard  # noqa: E402

from punkt.contracts import documents, figures  # noqa: E402
from punkt.contracts.models import (  # noqa: E402
    Contract,
    ContractBatch,
    ContractEvent,
    MonthlyFigures,
    Offer,
    OfferLine,
)
from punkt.core import files  # noqa: E402
from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.customers.identifiers import format_nip, format_phone  # noqa: E402
from punkt.customers.models import Customer  # noqa: E402
from punkt.materials import services as materials  # noqa: E402
from punkt.materials.models import (  # noqa: E402
    Delivery,
    Material,
    MaterialKind,
    MaterialVersion,
    PriceItem,
    VersionStatus,
)
from punkt.organization.models import Branch, BranchKind, Employee, Membership  # noqa: E402
from punkt.retention.models import (  # noqa: E402
    ContactAttempt,
    RenewalConfirmation,
    RetentionCase,
)

TEMPLATE_TITLE = "Umowa o świadczenie usług — wzór (benchmark)"
PRICE_LIST_TITLE = "Cennik usług (benchmark)"
TEMPLATE = """UMOWA O ŚWIADCZENIE USŁUG TELEKOMUNIKACYJNYCH nr {{ numer }}
zawarta w dniu {{ data }} w miejscowości {{ miejscowość }} pomiędzy Punkt S.A.
a {{ klient }}, PESEL/NIP {{ identyfikator }}, adres: {{ adres }},
adres do korespondencji: {{ adres_korespondencyjny }}, tel. {{ telefon }}, e-mail {{ email }}.
§1. Przedmiot umowy: {{ pozycje }}.
§2. Łączna opłata miesięczna: {{ razem }}.
§3. Umowa zawarta na {{ okres }} miesięcy, od {{ data_poczatku }} do {{ data_konca }}.
§4. Umowę przygotował(a): {{ pracownik }}, oddział {{ oddział }}.
[[podpis: Klient]] [[podpis: Pracownik Punkt S.A.]]
"""
EXPERT = f"ekspert@{DOMAIN}"

# --- The price list the positions come from ----------------------------------------------
# code, name, unit, gross price in grosze, is a mobile line (quantity may be > 1), VAT
CATALOGUE = [
    ("INT-300", "Internet światłowodowy 300 Mb/s", "mies.", 5999, False, "23"),
    ("INT-600", "Internet światłowodowy 600 Mb/s", "mies.", 6999, False, "23"),
    ("INT-1000", "Internet światłowodowy 1 Gb/s", "mies.", 8999, False, "23"),
    ("INT-LTE", "Internet mobilny 5G bez limitu", "mies.", 4999, False, "23"),
    ("TV-START", "Telewizja Start (80 kanałów)", "mies.", 3999, False, "8"),
    ("TV-PLUS", "Telewizja Plus (140 kanałów)", "mies.", 5999, False, "8"),
    ("TV-SPORT", "Pakiet Sport", "mies.", 2499, False, "8"),
    ("MOB-S", "Abonament komórkowy S", "mies.", 2999, True, "23"),
    ("MOB-M", "Abonament komórkowy M", "mies.", 3999, True, "23"),
    ("MOB-L", "Abonament komórkowy L", "mies.", 5999, True, "23"),
    ("ROUTER", "Router Wi-Fi 6 (dzierżawa)", "mies.", 500, False, "23"),
    ("DEK-4K", "Dekoder 4K (dzierżawa)", "mies.", 999, False, "8"),
    ("TEL-STAC", "Telefon stacjonarny", "mies.", 1999, False, "23"),
    ("INST", "Instalacja i aktywacja", "szt.", 9900, False, "23"),
]
CODE_INDEX = {c[0]: i for i, c in enumerate(CATALOGUE)}
BUNDLES = [  # (codes, weight for people, weight for businesses)
    (("INT-300",), 8, 2), (("INT-600",), 10, 4), (("INT-1000",), 5, 5),
    (("INT-600", "ROUTER"), 8, 3), (("INT-300", "ROUTER", "INST"), 4, 1),
    (("INT-600", "TV-START", "DEK-4K"), 9, 1), (("INT-1000", "TV-PLUS", "DEK-4K"), 6, 1),
    (("INT-600", "TV-PLUS", "TV-SPORT", "DEK-4K"), 3, 0), (("TV-START", "DEK-4K"), 4, 0),
    (("MOB-S",), 10, 3), (("MOB-M",), 10, 8), (("MOB-L",), 5, 8), (("INT-LTE",), 3, 3),
    (("MOB-M", "INT-LTE"), 3, 4), (("INT-600", "MOB-M"), 6, 4),
    (("INT-1000", "TEL-STAC", "ROUTER"), 1, 6), (("MOB-L", "MOB-M"), 1, 6),
]


def cum(weights: list[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


BUNDLE_CUM = {"person": cum([b[1] for b in BUNDLES]), "business": cum([b[2] for b in BUNDLES])}

# --- States -----------------------------------------------------------------------------
STATES = [("active", 0.9662), ("prepared", 0.0015), ("signed", 0.0005), ("in_review", 0.001),
          ("returned", 0.0003), ("approved", 0.001), ("cancelled", 0.0235),
          ("rejected", 0.0060)]
STATE_CUM = cum([w for _s, w in STATES])
PENDING = frozenset({"prepared", "signed", "in_review", "returned", "approved"})
RENEW_SHARE = 0.55  # chance that a customer's active contract renews one that has ended
FIXED_SHARE = 0.03  # reviewed contracts that were returned and corrected once (revision 2)
RETURN_REASONS = [
    "Brak podpisu klienta na drugiej stronie", "Brak podpisu pracownika",
    "Błędny adres do korespondencji", "Nieczytelny skan umowy",
    "Niezgodny numer PESEL z dokumentem", "Błędna data rozpoczęcia umowy",
]
REJECT_REASONS = [
    "Negatywna weryfikacja w BIK", "Zaległości na koncie klienta",
    "Adres poza zasięgiem sieci światłowodowej", "Niekompletna dokumentacja firmy",
    "Podejrzenie użycia cudzych danych",
]
CANCEL_REASONS = [
    "Klient zrezygnował przed podpisaniem", "Klient wybrał inną ofertę",
    "Błędnie wybrany pakiet — przygotowano nową umowę", "Klient nie przyszedł podpisać umowy",
    "Brak możliwości technicznych instalacji",
]
DECLINE_REASONS = [
    "Przechodzi do konkurencji — tańsza oferta", "Za wysoka cena",
    "Niezadowolony z jakości łącza", "Wyprowadzka, brak zasięgu pod nowym adresem",
    "Likwidacja działalności", "Nie korzysta z usługi", "Wyjazd za granicę",
]
CALL_NOTES = [
    "", "", "", "Prosi o kontakt po 16:00.", "Nie odbiera, poczta głosowa.",
    "Rozważa ofertę konkurencji, decyzja w przyszłym tygodniu.",
    "Zainteresowany szybszym internetem.", "Prosi o przesłanie oferty e-mailem.",
    "Zaproponowano rabat 10 % na 12 miesięcy.", "Numer zajęty.",
]
MESSAGE_NOTES = [("sms", "Przypomnienie o końcu umowy (SMS)"),
                 ("email", "Oferta przedłużenia umowy (e-mail)"),
                 ("sms", "Prośba o kontakt z oddziałem (SMS)")]

DAY0_BACK = 1300  # day 0 of the day index is this many days before today
NDAYS = 1400  # days per branch in the batch id space (id = branch * NDAYS + day + 1)

CONTRACT_COLS = [
    "id", "created_at", "updated_at", "customer_id", "branch_id", "offer_id", "renews_id",
    "template_id", "status", "revision", "values", "term_months", "starts_on", "ends_on",
    "total_gross", "prepared_by_id", "signed_at", "batch_id", "approved_at", "approved_by_id",
    "finalised_at", "finalised_by_id", "reasons", "pdf_stored", "pdf_revision", "scan_stored",
    "scan_name", "scan_type"]
EVENT_COLS = ["contract_id", "action", "from_status", "to_status", "actor_id", "actor_label",
              "at", "note"]
CASE_COLS = ["id", "contract_id", "branch_id", "customer_id", "status", "last_outcome",
             "callback_on", "reason", "attempts", "renewal_offer_id", "updated_at",
             "updated_by_id"]
ATTEMPT_COLS = ["case_id", "channel", "outcome", "reason", "callback_on", "note",
                "message_id", "actor_id", "at"]
OFFER_COLS = ["id", "created_at", "updated_at", "customer_id", "branch_id", "created_by_id",
              "status", "promo_id", "note", "total_gross", "decided_at", "decided_by_id",
              "decline_reason", "renews_id"]
LINE_COLS = ["offer_id", "price_item_id", "code", "name", "unit", "price_gross", "vat_rate",
             "quantity", "total_gross"]
CONFIRMATION_COLS = ["offer_id", "case_id", "token_hash", "expires_at", "created_at",
                     "pdf_stored", "accepted_at", "accepted_ip", "accepted_agent"]
AGENTS = ["Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 Chrome/130.0 Mobile",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "Version/18.1 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 "
          "Safari/537.36"]
BATCH_COLS = ["id", "branch_id", "created_at", "created_by_id", "size"]
LOADED = [Contract, ContractEvent, RetentionCase, ContactAttempt, Offer, OfferLine,
          RenewalConfirmation]

# Set in the parent before the workers are forked.
PLAN: dict[str, Any] = {}
_conn: Any = None


# --- Helpers -----------------------------------------------------------------------------

def esc(text: str) -> str:
    """Text for COPY's text format."""
    return copy_text(text) if text else ""


def pl_date(d: datetime.date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def busiest_branch() -> Branch:
    """The benchmark branch: the open branch with the most customers (ties: lowest id)."""
    row = (Customer.objects.filter(branch__is_active=True).values("branch_id")
           .annotate(n=Count("pk"))
           .order_by("-n", "branch_id").first())
    if row is None:
        sys.exit("No customers here: run bench/gen_customers.py --reset first.")
    return Branch.objects.get(pk=row["branch_id"])


def staff_of(branch_id: int, role: str) -> list[Employee]:
    """Active employees holding ``role`` at the branch only (no second branch), by id."""
    return list(Employee.objects.filter(
        is_active=True, memberships__branch_id=branch_id, memberships__role=role,
        memberships__is_active=True).exclude(
        memberships__branch_id__in=Branch.objects.exclude(pk=branch_id).values("pk"))
        .order_by("pk").distinct())


# --- Template --------------------------------------------------------------------------

def ensure_template(today: datetime.date) -> MaterialVersion:
    """The benchmark's contract template, published to every open branch (the services
    create the material, the version with its parsed fields, and the deliveries)."""
    version = (MaterialVersion.objects.filter(material__title=TEMPLATE_TITLE,
                                              material__kind=MaterialKind.CONTRACT_TEMPLATE,
                                              status=VersionStatus.PUBLISHED)
               .order_by("-number").first())
    if version is not None:
        print(f"template: reusing {version} (id {version.pk}, "
              f"{Delivery.objects.filter(version=version).count()} deliveries)")
        return version
    expert = Employee.objects.filter(email=EXPERT).first()
    if expert is None:
        sys.exit(f"No {EXPERT}: run bench/gen_org.py --reset first.")
    material = (Material.objects.filter(title=TEMPLATE_TITLE).first()
                or materials.material_create(actor=expert, kind=MaterialKind.CONTRACT_TEMPLATE,
                                             title=TEMPLATE_TITLE))
    version = materials.version_create(
        actor=expert, material_id=material.pk,
        uploaded=SimpleUploadedFile("wzor-umowy.txt", TEMPLATE.encode()),
        valid_from=today - datetime.timedelta(days=DAY0_BACK), note="benchmark")
    version = materials.version_publish(actor=expert, version_id=version.pk)
    print(f"template: created {version} (id {version.pk}, "
          f"{Delivery.objects.filter(version=version).count()} deliveries)")
    return version


def ensure_price_list(today: datetime.date) -> dict[str, int]:
    """The price list the renewal offers take their positions from (CATALOGUE), published
    to every open branch like the template; its positions' ids by code."""
    version = (MaterialVersion.objects.filter(material__title=PRICE_LIST_TITLE,
                                              material__kind=MaterialKind.PRICE_LIST,
                                              status=VersionStatus.PUBLISHED)
               .order_by("-number").first())
    if version is None:
        expert = Employee.objects.get(email=EXPERT)
        material = (Material.objects.filter(title=PRICE_LIST_TITLE).first()
                    or materials.material_create(actor=expert, kind=MaterialKind.PRICE_LIST,
                                                 title=PRICE_LIST_TITLE))
        csv = "kod;nazwa;jednostka;cena brutto;VAT\n" + "".join(
            f"{code};{name};{unit};{cents // 100},{cents % 100:02d};{vat}\n"
            for code, name, unit, cents, _m, vat in CATALOGUE)
        version = materials.version_create(
            actor=expert, material_id=material.pk,
            uploaded=SimpleUploadedFile("cennik-uslug.csv", csv.encode()),
            valid_from=today - datetime.timedelta(days=DAY0_BACK), note="benchmark")
        version = materials.version_publish(actor=expert, version_id=version.pk)
    items = dict(PriceItem.objects.filter(version=version).values_list("code", "pk"))
    if set(items) != set(CODE_INDEX):
        sys.exit(f"The price list {version} does not hold the benchmark's positions.")
    print(f"price list: {version} (id {version.pk}, {len(items)} positions)")
    return items


def shared_pdf(version: MaterialVersion) -> str:
    """One contract document rendered from the template, stored once for all contracts."""
    existing = Contract.objects.exclude(pdf_stored="").values_list("pdf_stored", flat=True)[:1]
    for name in existing:
        if files.path_of(name, area=documents.AREA).exists():
            return name
    sample = Contract(pk=1, template=version, values=documents.values_for(
        number="U00000001", customer=Customer.objects.exclude(street="").order_by("pk").first(),
        branch=Branch.objects.filter(kind=BranchKind.BRANCH).order_by("code").first(),
        employee=None, lines=[SimpleNamespace(code="INT-600", name=CATALOGUE[1][1],
                                              unit="mies.", price_gross=Decimal("69.99"),
                                              quantity=1, total_gross=Decimal("69.99"))],
        total=Decimal("69.99"), term_months=24, starts_on=timezone.localdate(),
        ends_on=documents.end_of_term(timezone.localdate(), 24), today=timezone.localdate()))
    return files.write(documents.render(sample), area=documents.AREA, ext="pdf")


# --- Plan (parent) ---------------------------------------------------------------------

def make_plan(args: argparse.Namespace, version: MaterialVersion, pdf: str, bench: Branch,
              price_items: dict[str, int]) -> dict[str, Any]:
    today = timezone.localdate()
    now = timezone.now().timestamp()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    day0 = today - datetime.timedelta(days=DAY0_BACK)
    days = [day0 + datetime.timedelta(days=i) for i in range(DAY0_BACK + 800)]
    midnight = [int(datetime.datetime.combine(d, datetime.time(), tzinfo=tz).timestamp())
                for d in days]
    branches = {b["id"]: b for b in Branch.objects.filter(kind=BranchKind.BRANCH)
                .order_by("code").values("id", "name", "city", "is_active")}
    for i, b in enumerate(branches.values()):
        b["index"] = i
        b["frag"] = esc(json.dumps({"miejscowosc": b["city"], "oddzial": b["name"]},
                                   ensure_ascii=False)[1:-1])
    staff: dict[int, dict[str, list[int]]] = {bid: {"prep": [], "manager": [], "retention": []}
                                              for bid in branches}
    names: dict[int, str] = {}
    for bid, eid, role, first, last in (
            Membership.objects.filter(is_active=True, employee__is_active=True,
                                      branch__kind=BranchKind.BRANCH)
            .order_by("branch_id", "employee_id", "role")
            .values_list("branch_id", "employee_id", "role", "employee__first_name",
                         "employee__last_name")):
        names[eid] = f"{first} {last}".strip()
        s = staff[bid]
        if role == Role.MANAGER:
            s["manager"].append(eid)
        elif role == Role.RETENTION:
            s["retention"].append(eid)
            s["prep"].append(eid)
        elif role == Role.SERVICE:
            s["prep"].append(eid)
    for s in staff.values():
        s["prep"] = sorted(set(s["prep"])) or s["manager"]
        s["retention"] = s["retention"] or s["manager"]
    experts = list(Membership.objects.filter(role=Role.HQ_EXPERT, is_active=True,
                                             employee__is_active=True)
                   .order_by("employee_id").values_list("employee_id", flat=True))
    if not experts:
        sys.exit("No HQ experts: run bench/gen_org.py --reset first.")
    emp_frag = {eid: esc(json.dumps({"pracownik": n}, ensure_ascii=False)[1:-1])
                for eid, n in names.items()}
    with translation.override(settings.LANGUAGE_CODE):
        renewal_note = gettext("Renewal of %(number)s")
    # Customer chunks by id (ids need not be contiguous) and each chunk's share.
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM customers_customer ORDER BY id")
        ids = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT COALESCE(max(id), 0) FROM contracts_contract")
        first_id = cur.fetchone()[0] + 1
    bounds = [(ids[i], ids[min(i + args.chunk, len(ids)) - 1], min(args.chunk, len(ids) - i))
              for i in range(0, len(ids), args.chunk)]
    chunks, given = [], 0
    for k, (lo, hi, _n) in enumerate(bounds):
        share = round(args.contracts * (sum(b[2] for b in bounds[:k + 1])) / len(ids)) - given
        given += share
        chunks.append((lo, hi, share))
    return {
        "seed": args.seed, "today": today, "today_i": DAY0_BACK, "now": now, "day0": day0,
        "midnight": midnight, "iso": [d.isoformat() for d in days],
        "pl": [pl_date(d) for d in days], "tmp": tempfile.mkdtemp(prefix="gen_contracts-"),
        "branches": branches, "staff": staff, "experts": experts,
        "emp_frag": emp_frag, "chunks": chunks, "first_id": first_id,
        "template": version.pk, "pdf": pdf, "bench": bench.pk, "price_items": price_items,
        "renewal_note": renewal_note,
        "events_every": args.events_every, "conninfo": conninfo(),
        "layouts": {"contract": Layout(Contract, CONTRACT_COLS),
                    "event": Layout(ContractEvent, EVENT_COLS),
                    "case": Layout(RetentionCase, CASE_COLS),
                    "attempt": Layout(ContactAttempt, ATTEMPT_COLS),
                    "offer": Layout(Offer, OFFER_COLS), "line": Layout(OfferLine, LINE_COLS),
                    "confirmation": Layout(RenewalConfirmation, CONFIRMATION_COLS)},
    }


# --- Generation (workers) --------------------------------------------------------------
# Days are indexes from PLAN["day0"]; times are whole seconds since the epoch.

def worker_init() -> None:
    global _conn
    _conn = psycopg.connect(**PLAN["conninfo"], autocommit=True)
    _conn.execute("SET synchronous_commit = off")


CUSTOMER_SQL = """
    SELECT id, branch_id, kind, status, display_name, pesel, nip, street, postal_code, city,
           corr_street, corr_postal_code, corr_city, phone, email,
           (created_at AT TIME ZONE %s)::date
    FROM customers_customer WHERE id BETWEEN %s AND %s ORDER BY id"""


def customers_of(c: int) -> list[tuple[Any, ...]]:
    lo, hi, _n = PLAN["chunks"][c]
    return _conn.execute(CUSTOMER_SQL, [settings.TIME_ZONE, lo, hi]).fetchall()


def day_of(d: datetime.date) -> int:
    return (d - PLAN["day0"]).days


_utc_days: dict[int, str] = {}
_HMS = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]


def ts(epoch: int) -> str:
    """A UTC timestamp for COPY (much faster than datetime.isoformat)."""
    d, sec = divmod(epoch, 86400)
    day = _utc_days.get(d)
    if day is None:
        day = _utc_days[d] = (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()
    return f"{day} {_HMS[sec]}"


_ends: dict[tuple[int, int], int] = {}


def end_day(start: int, term: int) -> int:
    """documents.end_of_term on day indexes (memoised)."""
    e = _ends.get((start, term))
    if e is None:
        e = _ends[(start, term)] = day_of(documents.end_of_term(
            PLAN["day0"] + datetime.timedelta(days=start), term))
    return e


def plan_chunk(c: int, custs: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Every contract of the chunk: [customer index, state, term, start day, end day,
    created day, renews (index in this list) or None, revision, lines]."""
    p = PLAN
    rng = random.Random(f"{p['seed']}/{c}/plan")
    rnd, expo = rng.random, rng.expovariate
    k = p["chunks"][c][2]
    today_i = p["today_i"]
    weights = [0.0 if cu[3] != "active" else
               expo(1.0) * (1.0 if cu[2] == "person" else 3.0) for cu in custs]
    if not any(weights):
        weights = [1.0] * len(custs)
    total_w = sum(weights)
    counts = [int(k * w / total_w) for w in weights]
    for i in rng.choices(range(len(custs)), weights=weights, k=k - sum(counts)):
        counts[i] += 1
    state_cum, state_top = STATE_CUM, STATE_CUM[-1]
    bisect_ = bisect.bisect
    out: list[list[Any]] = []
    for ci, n in enumerate(counts):
        if not n:
            continue
        cu = custs[ci]
        reg = max(0, min(today_i, day_of(cu[15])))
        business = cu[2] != "person"
        b_cum = BUNDLE_CUM["business" if business else "person"]
        ended: list[int] = []  # active contracts of this customer that ended, not renewed
        closed = not p["branches"][cu[1]]["is_active"]
        for _j in range(n):
            state = STATES[bisect_(state_cum, rnd() * state_top)][0]
            if closed and state in PENDING:  # a closed branch prepares nothing new
                state = "active"
            term = 24 if rnd() < 0.65 else 12
            renews = None
            if state == "active":
                if ended and rnd() < RENEW_SHARE:
                    renews = ended.pop(int(rnd() * len(ended)))
                    start = out[renews][4] + 1
                    created = max(reg, start - 3 - int(rnd() * 23))
                else:
                    lowest = min(today_i, max(reg, today_i - 365 - round(term * 30.44)))
                    start = lowest + int(rnd() * (today_i - lowest + 1))
                    created = max(reg, start - int(rnd() * 11))
                    if created > today_i - 3:
                        created = max(reg, start - 3 - int(rnd() * 10))
            elif state in ("cancelled", "rejected"):
                lowest = min(today_i, max(reg, today_i - 1095))
                created = lowest + int(rnd() * (today_i - lowest + 1))
                start = created + int(rnd() * 15)
            else:
                if state == "prepared":
                    back = 0 if rnd() < 0.6 else 1 + int(rnd() * 20)
                elif state == "signed":
                    back = 0
                elif state == "in_review":
                    back = 1 if rnd() < 0.7 else 2 + int(rnd() * 2)
                elif state == "returned":
                    back = 1 + int(rnd() * 12)
                else:  # approved
                    back = 1 + int(rnd() * 4)
                created = max(reg, today_i - back)
                start = created + int(rnd() * 15)
            end = end_day(start, term)
            if state == "active" and end < today_i:
                ended.append(len(out))
            revision = 2 if state in ("active", "approved", "rejected") and \
                rnd() < FIXED_SHARE else 1
            lines = []
            for code in BUNDLES[bisect_(b_cum, rnd() * b_cum[-1])][0]:
                item = CODE_INDEX[code]
                qty = 1
                if CATALOGUE[item][4]:
                    if business:
                        qty = 1 + min(29, int(expo(1 / 3)))
                    elif rnd() < 0.2:
                        qty = (2, 2, 2, 3, 4)[int(rnd() * 5)]
                lines.append((item, qty))
            out.append([ci, state, term, start, end, created, renews, revision, lines])
    return out


def plan_file(c: int) -> Path:
    return Path(PLAN["tmp"]) / f"plan-{c}.pickle"


def plan_days(c: int) -> dict[int, int]:
    """First pass: plan the chunk (kept for the second pass) and count its contracts per
    day of preparation, so that contracts can be numbered by day across chunks."""
    plan = plan_chunk(c, customers_of(c))
    plan_file(c).write_bytes(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
    hist: dict[int, int] = {}
    for row in plan:
        hist[row[5]] = hist.get(row[5], 0) + 1
    return hist


class Writer:
    """COPY rows to one table in batches."""

    def __init__(self, cur: Any, layout: Layout) -> None:
        self.cur, self.layout, self.lines, self.n = cur, layout, [], 0

    def add(self, row: tuple[str, ...]) -> None:
        self.lines.append(self.layout.line(row))
        self.n += 1
        if len(self.lines) >= 5000:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            with self.cur.copy(self.layout.sql) as cp:
                cp.write("".join(self.lines))
            self.lines = []


def customer_frag(cu: tuple[Any, ...]) -> str:
    """The customer's part of the contract values, as documents.values_for takes it."""
    (_id, _b, kind, _s, display_name, pesel, nip, street, postal, city, c_street, c_postal,
     c_city, phone, email, _reg) = cu
    identifier = pesel if kind == "person" else f"NIP {format_nip(nip)}" if nip else ""
    address = ", ".join(x for x in (street, f"{postal} {city}".strip()) if x)
    corr = ", ".join(x for x in (c_street, f"{c_postal} {c_city}".strip()) if x)
    tel = format_phone(phone)  # as the contract shows it (landlines group differently)
    return esc(json.dumps({"klient": display_name, "identyfikator": identifier,
                           "adres": address, "adres_korespondencyjny": corr or address,
                           "telefon": tel, "email": email}, ensure_ascii=False)[1:-1])


NO_EMPLOYEE = '"pracownik": ""'
_money: dict[int, str] = {}
_line_json: dict[tuple[int, int], str] = {}


def money(cents: int) -> str:
    m = _money.get(cents)
    if m is None:
        m = _money[cents] = esc(json.dumps(documents.money(Decimal(cents) / 100),
                                           ensure_ascii=False))
    return m


def line_json(item: int, qty: int) -> str:
    key = (item, qty)
    s = _line_json.get(key)
    if s is None:
        code, name, unit, cents, _m, _v = CATALOGUE[item]
        s = _line_json[key] = esc(json.dumps(
            [code, name, unit, documents.money(Decimal(cents) / 100), str(qty),
             documents.money(Decimal(cents * qty) / 100)], ensure_ascii=False))
    return s


def gen_chunk(task: tuple[int, dict[int, int]]) -> tuple[dict[str, int], dict[int, int]]:
    """Second pass: the chunk's contracts with their numbers, events, retention cases."""
    c, offsets = task
    p = PLAN
    custs = customers_of(c)
    path = plan_file(c)
    plan = pickle.loads(path.read_bytes())
    path.unlink()
    rng = random.Random(f"{p['seed']}/{c}/rows")
    rnd = rng.random
    today_i, midnight, iso, pl = p["today_i"], p["midnight"], p["iso"], p["pl"]
    latest = int(p["now"]) - 120
    branches, staff, experts = p["branches"], p["staff"], p["experts"]
    emp_frag, template, pdf = p["emp_frag"], str(p["template"]), p["pdf"]
    bench, every = p["bench"], p["events_every"]
    # Creation times, then numbers in order of creation within each day.
    created_at = [midnight[row[5]] + 32400 + int(rnd() * 30600) for row in plan]
    order = sorted(range(len(plan)), key=created_at.__getitem__)
    ids = [0] * len(plan)
    next_id = dict(offsets)
    for j in order:
        day = plan[j][5]
        ids[j] = next_id[day]
        next_id[day] += 1
    renewal_of = {row[6]: j for j, row in enumerate(plan) if row[6] is not None}
    offer_for: dict[int, int] = {}  # renewal contract → the accepted offer it came from
    frags: dict[int, str] = {}
    batch_sizes: dict[int, int] = {}  # the end-of-day batches: id → contracts in it
    with _conn.transaction(), _conn.cursor() as cur:
        writers = {name: Writer(cur, layout) for name, layout in p["layouts"].items()}
        add_contract, add_event = writers["contract"].add, writers["event"].add
        for j in order:
            ci, state, term, start, end, cday, renews, revision, lines = plan[j]
            cu = custs[ci]
            cid, branch_id = ids[j], cu[1]
            branch = branches[branch_id]
            s = staff[branch_id]
            frag = frags.get(ci)
            if frag is None:
                frag = frags[ci] = customer_frag(cu)
            prep, managers = s["prep"], s["manager"]
            preparer = prep[int(rnd() * len(prep))] if prep else None
            manager = managers[int(rnd() * len(managers))] if managers else None
            expert = experts[int(rnd() * len(experts))]
            t = t_created = min(created_at[j], latest - 3600)
            # The workflow the contract went through, step by step (CONTRACT_FLOW).
            if state == "cancelled":  # cancelled before signing, after it, or once returned
                r = rnd()
                path_ = "prepared" if r < 0.45 else "signed" if r < 0.8 else "returned"
            else:
                path_ = state
            events = [("prepare", "", "prepared", preparer, "", t, "")]
            ev = events.append
            signed_at = batch_day = approved_at = finalised_at = None
            approved_by = finalised_by = None
            reasons = ""
            if path_ != "prepared":
                t = signed_at = min(t + 300 + int(rnd() * 2100), latest)
                ev(("sign", "prepared", "signed", preparer, "", t, ""))
            if path_ not in ("prepared", "signed"):  # in the end-of-day batch
                batch_day = cday
                t = min(midnight[batch_day] + 64800, latest)
                ev(("submit", "signed", "in_review", None, "scheduler", t, ""))
                if revision == 2 or path_ == "returned":
                    t = min(midnight[min(batch_day + 1, today_i)] + 30600 + int(rnd() * 12600),
                            latest)
                    reasons = RETURN_REASONS[int(rnd() * len(RETURN_REASONS))]
                    ev(("return", "in_review", "returned", manager, "", t, reasons))
                    if revision == 2:  # corrected, signed again, next day's batch
                        t = min(t + 1800 + int(rnd() * 12600), latest)
                        ev(("fix", "returned", "prepared", preparer, "", t, ""))
                        t = signed_at = min(t + 600 + int(rnd() * 3000), latest)
                        ev(("sign", "prepared", "signed", preparer, "", t, ""))
                        batch_day = min(batch_day + 1, today_i)
                        t = min(midnight[batch_day] + 64800, latest)
                        ev(("submit", "signed", "in_review", None, "scheduler", t, ""))
                        reasons = ""
                if path_ in ("approved", "active", "rejected"):
                    t = approved_at = min(midnight[min(batch_day + 1, today_i)] + 30600
                                          + int(rnd() * 12600), latest)
                    approved_by = manager
                    ev(("approve", "in_review", "approved", manager, "", t, ""))
                    t = min(t + 7200 + int(rnd() * 172800), latest)
                    if path_ == "active":
                        finalised_at, finalised_by = t, expert
                        ev(("finalise", "approved", "active", expert, "", t, ""))
                    elif path_ == "rejected":
                        finalised_at, finalised_by = t, expert
                        reasons = REJECT_REASONS[int(rnd() * len(REJECT_REASONS))]
                        ev(("reject", "approved", "rejected", expert, "", t, reasons))
            if state == "cancelled":
                t = min(t + 600 + int(rnd() * 258600), latest)
                reasons = CANCEL_REASONS[int(rnd() * len(CANCEL_REASONS))]
                ev(("cancel", events[-1][2], "cancelled", preparer, "", t, reasons))
            total = 0
            for i, q in lines:
                total += CATALOGUE[i][3] * q
            values = (f'{{"numer": "U{cid:08d}", "data": "{pl[cday]}", {branch["frag"]}, '
                      f'{frag}, {emp_frag.get(preparer, NO_EMPLOYEE)}, "pozycje": ['
                      f'{", ".join([line_json(i, q) for i, q in lines])}], '
                      f'"razem": {money(total)}, "okres": "{term}", '
                      f'"data_konca": "{pl[end]}", "data_poczatku": "{pl[start]}"}}')
            batch_id = NULL
            if batch_day is not None:
                batch = branch["index"] * NDAYS + batch_day + 1
                batch_sizes[batch] = batch_sizes.get(batch, 0) + 1
                batch_id = str(batch)
            add_contract((
                str(cid), ts(t_created), ts(t), str(cu[0]), str(branch_id),
                str(offer_for[j]) if j in offer_for else NULL,
                str(ids[renews]) if renews is not None else NULL, template, state,
                str(revision), values, str(term), iso[start], iso[end],
                f"{total // 100}.{total % 100:02d}", str(preparer) if preparer else NULL,
                ts(signed_at) if signed_at else NULL,
                batch_id,
                ts(approved_at) if approved_at else NULL,
                str(approved_by) if approved_by else NULL,
                ts(finalised_at) if finalised_at else NULL,
                str(finalised_by) if finalised_by else NULL, esc(reasons), pdf, str(revision),
                "", "", ""))
            if branch_id == bench or cid % every == 0:
                for action, src, dst, actor, label, at, note in events:
                    add_event((str(cid), action, src, dst, str(actor) if actor else NULL,
                               label, ts(at), esc(note)))
            # Retention: active contracts ending from 45 days ago to 120 days ahead.
            if state == "active" and today_i - 45 <= end <= today_i + 120:
                ahead = end - today_i
                chance = (0.7 if ahead < 0 else 0.6 if ahead <= 30 else 0.35 if ahead <= 60
                          else 0.1)
                if rnd() < chance:
                    new = renewal_of.get(j)
                    renewal = (plan[new][5], plan[new][8]) if new is not None else None
                    retention_case(rng, writers, cid, cu, s, cday, end, lines, renewal)
                    if new is not None:
                        offer_for[new] = cid
        for w in writers.values():
            w.flush()
    return {name: w.n for name, w in writers.items()}, batch_sizes


def retention_case(rng: random.Random, w: dict[str, Writer], cid: int, cu: tuple[Any, ...],
                   s: dict[str, list[int]], cday: int, end: int, lines: list[tuple[int, int]],
                   renewal: tuple[int, list[tuple[int, int]]] | None) -> None:
    """The contract's retention case (id = the contract's) and its contact attempts. A
    renewal agreed on the phone is an offer (id = the contract's, ``renews`` it) with its
    confirmation link; once accepted, the renewal contract (``renewal``: its day of
    preparation and lines) is prepared from that offer."""
    p = PLAN
    today_i, midnight, iso = p["today_i"], p["midnight"], p["iso"]
    latest = int(p["now"]) - 120
    if renewal is not None:
        status = "renewed"
    elif end < today_i:
        status = rng.choices(["declined", "open", "offer_sent"], [0.7, 0.25, 0.05])[0]
    else:  # a few accepted renewals wait for their contract ("to prepare")
        status = rng.choices(["open", "declined", "offer_sent", "renewed"],
                             [0.69, 0.24, 0.05, 0.02])[0]
    actor = rng.choice(s["retention"]) if s["retention"] else None
    n = rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0]
    first = max(cday + 1, end - 120)
    last = min(today_i, end + 10)
    if renewal is not None:  # agreed before the renewal contract was prepared
        last = min(last, renewal[0] - 1)
    first = min(first, last)
    days = sorted(rng.randint(first, last) for _ in range(n))
    outcomes = [rng.choices(["unreachable", "callback", "message"], [45, 30, 25])[0]
                for _ in range(n - 1)]
    if status == "declined":
        outcomes.append("declined")
    elif status in ("renewed", "offer_sent"):
        outcomes.append("renewed")
    else:
        outcomes.append(rng.choices(["unreachable", "callback", "message"], [35, 45, 20])[0])
    reason = rng.choice(DECLINE_REASONS) if status == "declined" else ""
    at = 0
    callback = None
    for k, (day, outcome) in enumerate(zip(days, outcomes, strict=True)):
        at = max(at + 600, midnight[day] + rng.randint(9 * 3600, 17 * 3600))
        at = min(at, latest - (n - k) * 60)
        callback = min(day + rng.randint(1, 10), today_i + 14) if outcome == "callback" \
            else None
        if outcome == "message":
            channel, note = rng.choice(MESSAGE_NOTES)
        else:
            channel, note = "phone", rng.choice(CALL_NOTES)
        w["attempt"].add((str(cid), channel, outcome,
                          esc(reason) if outcome == "declined" else "",
                          iso[callback] if callback is not None else NULL, esc(note), NULL,
                          str(actor) if actor else NULL, ts(at)))
    offer = NULL
    if status in ("renewed", "offer_sent"):
        offer = str(cid)
        offered = renewal[1] if renewal is not None else lines
        total = 0
        for item, qty in offered:
            code, name, unit, cents, _m, vat = CATALOGUE[item]
            total += cents * qty
            w["line"].add((offer, str(p["price_items"][code]), code, esc(name), unit,
                           f"{cents // 100}.{cents % 100:02d}", vat, str(qty),
                           f"{cents * qty // 100}.{cents * qty % 100:02d}"))
        accepted = None
        if status == "renewed":
            accepted = at + rng.randint(1800, 36 * 3600)
            if renewal is not None:
                accepted = min(accepted, midnight[renewal[0]] + 9 * 3600 - 60)
            accepted = min(accepted, latest)
        w["offer"].add((offer, ts(at), ts(accepted or at), str(cu[0]), str(cu[1]),
                        str(actor) if actor else NULL,
                        "accepted" if accepted else "presented", NULL,
                        esc(p["renewal_note"] % {"number": f"U{cid:08d}"}),
                        f"{total // 100}.{total % 100:02d}",
                        ts(accepted) if accepted else NULL, NULL, "", str(cid)))
        token = hashlib.sha256(f"{p['seed']}/{cid}".encode()).hexdigest()
        w["confirmation"].add((offer, str(cid), token, ts(at + 14 * 86400), ts(at), "",
                               ts(accepted) if accepted else NULL,
                               f"83.{cid % 250}.{cid // 250 % 250}.{cid % 199 + 1}"
                               if accepted else NULL,
                               rng.choice(AGENTS) if accepted else ""))
    w["case"].add((str(cid), str(cid), str(cu[1]), str(cu[0]), status, outcomes[-1],
                   iso[callback] if callback is not None and status == "open" else NULL,
                   esc(reason), str(n), offer, ts(at), str(actor) if actor else NULL))


# --- Schema: drop and re-create indexes and keys -----------------------------------------

def drop_schema(tables: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """As gen_customers.drop_schema, for these tables."""
    saved: dict[str, list[tuple[str, str, str]]] = {"index": [], "unique": [], "fk": []}
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.conname, c.contype, c.conrelid::regclass::text, pg_get_constraintdef(c.oid),
                   CASE WHEN c.contype = 'u' THEN pg_get_indexdef(c.conindid) END
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
            ORDER BY c.contype, c.conname""", [tables])
        constraints = cur.fetchall()
        cur.execute("""
            SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text,
                   pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1""", [tables])
        indexes = cur.fetchall()
        for name, ctype, table, definition, index_def in constraints:
            if ctype == "u":
                tail = definition[definition.index(")") + 1:].strip()
                saved["index"].append((table, name, index_def))
                saved["unique"].append((table, name, f'ALTER TABLE {table} ADD CONSTRAINT '
                                                     f'"{name}" UNIQUE USING INDEX "{name}" '
                                                     f"{tail}".strip()))
            else:
                saved["fk"].append((table, name, f'ALTER TABLE {table} ADD CONSTRAINT '
                                                 f'"{name}" {definition} NOT VALID'))
        saved["index"].extend(indexes)
        for table, name, _sql in saved["fk"] + saved["unique"]:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _table, _sql in indexes:
            cur.execute(f"DROP INDEX {name}")
    return saved


def restore_schema(saved: dict[str, list[tuple[str, str, str]]], tables: list[str]) -> None:
    order = {t: i for i, t in enumerate(tables)}
    run_parallel([sql for _t, _n, sql in sorted(saved["index"],
                                                key=lambda x: order.get(x[0], 9))], 2, "")
    with connection.cursor() as cur:
        for _t, _n, sql in saved["unique"] + saved["fk"]:
            cur.execute(sql)
    run_parallel([f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"' for table, name, _s in
                  sorted(saved["fk"], key=lambda x: order.get(x[0], 9))], 2, "")


# --- The daily job's work, in one statement ---------------------------------------------

END_SQL = """
    WITH due AS (
        SELECT id, customer_id, ends_on FROM contracts_contract
        WHERE status = 'active' AND ends_on < %(today)s),
    renewed AS (
        SELECT DISTINCT renews_id FROM contracts_contract
        WHERE renews_id IS NOT NULL AND status NOT IN ('cancelled', 'rejected')),
    kept AS (
        SELECT DISTINCT d.id FROM due d JOIN contracts_contract o
          ON o.customer_id = d.customer_id AND o.id <> d.id AND o.status = 'active'
         AND o.finalised_at < d.ends_on + 1
         AND (o.ends_on > d.ends_on OR (o.ends_on = d.ends_on AND o.id > d.id)))
    UPDATE contracts_contract c SET status = 'ended',
           left_on = CASE WHEN r.renews_id IS NULL AND k.id IS NULL THEN d.ends_on END
    FROM due d LEFT JOIN renewed r ON r.renews_id = d.id LEFT JOIN kept k ON k.id = d.id
    WHERE c.id = d.id"""
END_EVENTS_SQL = """
    INSERT INTO contracts_contractevent (contract_id, action, from_status, to_status,
                                         actor_id, actor_label, at, note)
    SELECT c.id, 'end', 'active', 'ended', NULL, 'scheduler',
           (c.ends_on + 1) + time '01:00', ''
    FROM contracts_contract c
    WHERE c.status = 'ended'
      AND EXISTS (SELECT 1 FROM contracts_contractevent e WHERE e.contract_id = c.id)"""


def end_past_terms(today: datetime.date) -> tuple[int, int]:
    """What contracts_end_due would have done day by day: every active contract whose
    term is over is ended; its customer left unless another contract of theirs was still
    active when the job reached this one (the job goes by end date, then number) or a
    renewal of it is on its way or in force. Contracts with a written history get the
    job's event."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE contracts_contract")  # fresh counts: hash joins, not loops
        cur.execute(END_SQL, {"today": today})
        cur.execute(END_EVENTS_SQL)
        cur.execute("SELECT count(*), count(left_on) FROM contracts_contract "
                    "WHERE status = 'ended'")
        ended, left = cur.fetchone()
    return ended, left


# --- Reset, checks, summary --------------------------------------------------------------

def reset() -> None:
    tables = [m._meta.db_table for m in (ContactAttempt, RenewalConfirmation, RetentionCase,
                                         ContractEvent, MonthlyFigures, Contract,
                                         ContractBatch, OfferLine, Offer)]
    truncate_for_maintenance(tables)  # past the append-only guards


def verify(sample: int, seed: int, bench: int) -> None:
    """Re-compute a sample's values with documents.values_for and check the workflow."""
    rng = random.Random(seed)
    hi = Contract.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    pks = {rng.randint(1, hi) for _ in range(sample)}
    pks |= set(Contract.objects.filter(branch_id=bench, status="active")
               .order_by("-pk").values_list("pk", flat=True)[:1])
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    problems = 0
    for c in (Contract.objects.filter(pk__in=pks).select_related("customer", "branch")
              .order_by("pk")):
        lines = []
        for row in c.values.get("pozycje", []):
            code, name, unit, cents, _m, _v = CATALOGUE[CODE_INDEX[row[0]]]
            qty = int(row[4])
            lines.append(SimpleNamespace(code=code, name=name, unit=unit, quantity=qty,
                                         price_gross=Decimal(cents) / 100,
                                         total_gross=Decimal(cents * qty) / 100))
        employee = Employee.objects.filter(pk=c.prepared_by_id).first()
        expected = documents.values_for(
            number=c.number, customer=c.customer, branch=c.branch, employee=employee,
            lines=lines, total=c.total_gross, term_months=c.term_months,
            starts_on=c.starts_on, ends_on=c.ends_on, today=c.created_at.astimezone(tz).date())
        ok = expected == c.values and sum(x.total_gross for x in lines) == c.total_gross
        ok &= c.ends_on == documents.end_of_term(c.starts_on, c.term_months)
        ok &= c.customer.branch_id == c.branch_id and c.template_id is not None
        events = list(ContractEvent.objects.filter(contract=c).order_by("at", "pk"))
        flow_ok = not events or (events[-1].to_status == c.status and all(
            a.to_status == b.from_status for a, b in zip(events, events[1:], strict=False)))
        flag = "ok" if ok and flow_ok else "MISMATCH"
        problems += flag != "ok"
        print(f"  {c.number} {c.status:<9} {c.branch.code:<8} {c.customer.display_name[:30]:<30} "
              f"{c.starts_on}–{c.ends_on} {c.total_gross:>8} zł events={len(events)} "
              f"values={'ok' if ok else 'DIFF'} workflow={'ok' if flow_ok else 'BAD'}")
        if not ok:
            diff = {k: (c.values.get(k), v) for k, v in expected.items() if c.values.get(k) != v}
            print(f"    differs: {diff}")
    if problems:
        sys.exit(f"verification failed for {problems} contract(s)")


def summary(bench: Branch) -> None:
    today = timezone.localdate()
    with connection.cursor() as cur:
        for model in (*LOADED, ContractBatch):
            cur.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            print(f"  {model._meta.db_table:<28} {cur.fetchone()[0]:>10,}")
        cur.execute("SELECT status, count(*) FROM contracts_contract GROUP BY 1 ORDER BY 2 DESC")
        print("  by status: " + ", ".join(f"{s} {n:,}" for s, n in cur.fetchall()))
        cur.execute("SELECT count(*) FILTER (WHERE renews_id IS NOT NULL), "
                    "count(*) FILTER (WHERE revision > 1), "
                    "count(*) FILTER (WHERE status = 'active' AND ends_on < %s), "
                    "count(left_on) FROM contracts_contract", [today])
        renewals, fixed, overdue, left = cur.fetchone()
        print(f"  renewals {renewals:,}, corrected (revision 2) {fixed:,}, active past their "
              f"term {overdue:,}, customers who left {left:,}")
        cur.execute("SELECT count(*), count(DISTINCT branch_id) FROM contracts_monthlyfigures")
        rows, branches = cur.fetchone()
        print(f"  monthly figures: {rows:,} branch-months of {branches:,} branches")
        cur.execute("SELECT status, count(*) FROM retention_retentioncase GROUP BY 1 "
                    "ORDER BY 2 DESC")
        print("  retention cases: " + ", ".join(f"{s} {n:,}" for s, n in cur.fetchall()))
        cur.execute("SELECT o.status, count(*), count(c.id) FROM contracts_offer o "
                    "LEFT JOIN contracts_contract c ON c.offer_id = o.id GROUP BY 1 ORDER BY 1")
        print("  renewal offers: " + ", ".join(f"{s} {n:,} ({k:,} with their contract)"
                                               for s, n, k in cur.fetchall()))
        cur.execute("""
            SELECT count(*), count(*) FILTER (WHERE status = 'active'),
                   count(*) FILTER (WHERE status = 'in_review'),
                   count(*) FILTER (WHERE status = 'active' AND ends_on BETWEEN %s AND %s
                     AND NOT EXISTS (SELECT 1 FROM retention_retentioncase r
                                     WHERE r.contract_id = c.id
                                       AND r.status IN ('renewed', 'declined')))
            FROM contracts_contract c WHERE branch_id = %s""",
                    [today, today + datetime.timedelta(days=60), bench.pk])
        n, active, review, worklist = cur.fetchone()
        print(f"  benchmark branch {bench.code} ({bench.name}): {n:,} contracts, {active:,} "
              f"active, {review} with the manager, {worklist:,} on the 60-day worklist")


def finish(args: argparse.Namespace) -> None:
    t = time.perf_counter()
    ended, left = end_past_terms(timezone.localdate())
    print(f"[end of term] {ended:,} ended, {left:,} customers left, "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    run_parallel([f"VACUUM (ANALYZE) {m._meta.db_table}" for m in LOADED], 2, "")
    rows = figures.rebuild()
    print(f"[vacuum + monthly figures] {rows:,} branch-months, "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    bench = busiest_branch()
    summary(bench)
    if args.check:
        verify(args.check, args.seed, bench.pk)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contracts", type=int, default=5_000_000)
    ap.add_argument("--events-every", type=int, default=10,
                    help="write the workflow events of every Nth contract (and of every "
                         "contract of the benchmark branch)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true",
                    help="delete the contracts, offers and retention data first")
    ap.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2) + 1),
                    help="generator processes (default: cores + 1)")
    ap.add_argument("--chunk", type=int, default=10_000, help="customers per COPY batch")
    ap.add_argument("--check", type=int, default=5,
                    help="random contracts to re-check at the end (0: skip)")
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--finish", action="store_true",
                    help="only the steps after loading (end of term, vacuum, monthly "
                         "figures, summary, checks), e.g. after an interrupted run")
    ap.add_argument("--force", action="store_true",
                    help="allow a database whose name does not contain 'bench'")
    args = ap.parse_args()
    db_guard(args.force)
    if args.finish:
        finish(args)
        return
    if connection.vendor != "postgresql":
        sys.exit("gen_contracts.py loads with COPY: it needs PostgreSQL.")
    if args.contracts < 1 or args.chunk < 1 or args.events_every < 1:
        sys.exit("--contracts, --chunk and --events-every must be positive.")
    t0 = time.perf_counter()
    phases: list[tuple[str, float]] = []

    def phase(label: str, since: float) -> float:
        now_ = time.perf_counter()
        phases.append((label, now_ - since))
        print(f"[{label}] {now_ - since:.1f} s", flush=True)
        return now_

    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if not Customer.objects.exists():
        sys.exit("No customers in this database: load them first with "
                 "bench/gen_customers.py --reset (it expects ~1,000,000).")
    if args.reset:
        reset()
    elif Contract.objects.exists():
        sys.exit("The database already holds contracts; run with --reset to replace them.")
    today = timezone.localdate()
    version = ensure_template(today)
    price_items = ensure_price_list(today)
    pdf = shared_pdf(version)
    bench = busiest_branch()
    PLAN.update(make_plan(args, version, pdf, bench, price_items))
    n_chunks = len(PLAN["chunks"])
    print(f"loading {args.contracts:,} contracts into {settings.DATABASES['default']['NAME']} "
          f"for {Customer.objects.count():,} customers in {len(PLAN['branches'])} branches; "
          f"benchmark branch {bench.code} ({bench.name}); {args.workers} workers, "
          f"{n_chunks} chunks", flush=True)
    t = phase("prepare (template, shared PDF, plan)", t0)

    connection.close()  # the workers are forked: none of them may share it
    with mp.get_context("fork").Pool(args.workers, initializer=worker_init) as pool:
        hists = pool.map(plan_days, range(n_chunks))
    per_day: dict[int, int] = {}
    for h in hists:
        for d, n in h.items():
            per_day[d] = per_day.get(d, 0) + n
    day_start, next_id = {}, PLAN["first_id"]
    for d in sorted(per_day):
        day_start[d] = next_id
        next_id += per_day[d]
    offsets = []
    for h in hists:
        mine = {}
        for d, n in h.items():
            mine[d] = day_start[d]
            day_start[d] += n
        offsets.append(mine)
    t = phase("pass 1: contract days", t)

    tables = [m._meta.db_table for m in LOADED]
    saved = drop_schema(tables)
    connection.close()
    t = phase("drop indexes and keys", t)
    totals = dict.fromkeys(PLAN["layouts"], 0)
    batch_sizes: dict[int, int] = {}
    try:
        step = max(1, n_chunks // 10)
        done = 0
        with mp.get_context("fork").Pool(args.workers, initializer=worker_init) as pool:
            for counts, sizes in pool.imap_unordered(gen_chunk, list(enumerate(offsets))):
                for key, value in counts.items():
                    totals[key] += value
                for batch, n in sizes.items():
                    batch_sizes[batch] = batch_sizes.get(batch, 0) + n
                done += 1
                if done % step == 0 or done == n_chunks:
                    print(f"  {done}/{n_chunks} chunks, {totals['contract']:,} contracts, "
                          f"{totals['event']:,} events, {totals['case']:,} cases, "
                          f"{time.perf_counter() - t:.0f} s", flush=True)
        t = phase("pass 2: generate + COPY", t)
        # The scheduler's end-of-day batches (18:00), one per branch and day with contracts.
        layout = Layout(ContractBatch, BATCH_COLS)
        branch_ids = list(PLAN["branches"])
        midnight = PLAN["midnight"]
        with connection.cursor() as cur:
            with cur.cursor.copy(layout.sql) as cp:
                for batch in sorted(batch_sizes):
                    index, day = divmod(batch - 1, NDAYS)
                    cp.write(layout.line((str(batch), str(branch_ids[index]),
                                          ts(midnight[day] + 18 * 3600), NULL,
                                          str(batch_sizes[batch]))))
            batches = len(batch_sizes)
            for table in ("contracts_contract", "contracts_contractbatch",
                          "retention_retentioncase", "contracts_offer"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(max(id), 1) FROM {table}))")
        t = phase(f"batches ({batches:,}) + sequences", t)
    finally:
        shutil.rmtree(PLAN["tmp"], ignore_errors=True)
        t = time.perf_counter()
        restore_schema(saved, tables)
        t = phase("re-create indexes and keys", t)
    ended, left = end_past_terms(PLAN["today"])
    t = phase(f"end of term, as the daily job ({ended:,} ended, {left:,} customers left)", t)
    run_parallel([f"VACUUM (ANALYZE) {table}" for table in
                  [*tables, "contracts_contractbatch"]], 2, "")
    t = phase("vacuum + analyze", t)
    rows = figures.rebuild()
    t = phase(f"monthly figures (rebuild_contract_figures: {rows:,} branch-months)", t)
    total = time.perf_counter() - t0
    print(f"loaded in {total:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
    summary(bench)
    if args.check:
        verify(args.check, args.seed, bench.pk)
        phase("verify", t)
    print("phases: " + ", ".join(f"{label} {secs:.1f} s" for label, secs in phases)
          + f"; load total {total:.1f} s")


if __name__ == "__main__":
    main()
