#!/usr/bin/env python
"""Load a realistic organisation into the database named by DATABASE_URL (benchmark data).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/gen_org.py --reset [--branches 500] [--employees 20000]

One HQ, N branches in Polish cities (codes KRK-001, WAW-014, …), employees with
memberships (≈40 per branch: managers, customer service, retention, cashiers; a few HQ
experts and administrators at HQ), weekly working hours, opening hours, absences with
substitutes. Everything goes in with bulk_create; one Argon2 hash is computed once and
shared by every account.

Well-known accounts (password --password, default below):
    admin@punkt-bench.pl      administrator at HQ
    ekspert@punkt-bench.pl    HQ expert
    kierownik@punkt-bench.pl  branch manager of the first branch
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from punkt.core.dbguards import truncate_for_maintenance  # noqa: E402
from punkt.core.roles import Role  # noqa: E402
from punkt.organization.models import (  # noqa: E402
    Absence,
    AbsenceKind,
    ApiToken,
    Branch,
    BranchDayOff,
    BranchKind,
    Employee,
    Membership,
    OpeningHours,
    WorkingHours,
)

DOMAIN = "punkt-bench.pl"
DEFAULT_PASSWORD = "Bench-Haslo-2026!"
BATCH = 5000

# (code, city, postal prefixes separated by |, weight ≈ population in thousands)
CITIES = [
    ("WAW", "Warszawa", "00|01|02|03|04", 1860), ("KRK", "Kraków", "30|31", 800),
    ("WRO", "Wrocław", "50|51|52|53|54", 670), ("LOD", "Łódź", "90|91|92|93|94", 660),
    ("POZ", "Poznań", "60|61", 540), ("GDA", "Gdańsk", "80", 490),
    ("SZC", "Szczecin", "70|71", 390), ("BYD", "Bydgoszcz", "85", 330),
    ("LUB", "Lublin", "20", 330),
    ("BIA", "Białystok", "15", 290), ("KAT", "Katowice", "40", 280), ("GDY", "Gdynia", "81", 240),
    ("CZE", "Częstochowa", "42", 210), ("RAD", "Radom", "26", 200), ("TOR", "Toruń", "87", 195),
    ("SOS", "Sosnowiec", "41", 190), ("KIE", "Kielce", "25", 185), ("RZE", "Rzeszów", "35", 197),
    ("GLI", "Gliwice", "44", 175), ("ZAB", "Zabrze", "41", 170), ("OLS", "Olsztyn", "10", 170),
    ("BIB", "Bielsko-Biała", "43", 168), ("BYT", "Bytom", "41", 162),
    ("ZGO", "Zielona Góra", "65", 140), ("RYB", "Rybnik", "44", 135),
    ("RSL", "Ruda Śląska", "41", 135), ("OPO", "Opole", "45", 127), ("TYC", "Tychy", "43", 126),
    ("GOR", "Gorzów Wielkopolski", "66", 120), ("ELB", "Elbląg", "82", 118),
    ("PLO", "Płock", "09", 117), ("DAB", "Dąbrowa Górnicza", "41", 117),
    ("WLO", "Włocławek", "87", 108), ("TAR", "Tarnów", "33", 107), ("CHO", "Chorzów", "41", 106),
    ("KOS", "Koszalin", "75", 106), ("KAL", "Kalisz", "62", 99), ("LEG", "Legnica", "59", 98),
    ("GRU", "Grudziądz", "86", 94), ("SLU", "Słupsk", "76", 90),
]

STREETS = [
    "ul. Marszałkowska", "ul. Piotrkowska", "ul. Długa", "ul. Mickiewicza", "ul. Słowackiego",
    "ul. Kościuszki", "ul. Sienkiewicza", "al. Jana Pawła II", "ul. Grunwaldzka",
    "ul. Wojska Polskiego", "ul. Piłsudskiego", "ul. Kopernika", "ul. Żeromskiego",
    "ul. Reymonta", "ul. Konopnickiej", "ul. Prusa", "ul. Chopina", "ul. Polna", "ul. Leśna",
    "ul. Ogrodowa", "ul. Lipowa", "ul. Szkolna", "ul. Kolejowa", "ul. Dworcowa", "ul. 3 Maja",
    "ul. Armii Krajowej", "ul. Narutowicza", "ul. Batorego", "ul. Legionów",
    "al. Niepodległości", "ul. Zwycięstwa", "ul. Staromiejska", "ul. Rynek", "ul. Głogowska",
    "ul. Krakowska", "ul. Warszawska", "ul. Świętokrzyska", "al. Solidarności",
]

MALE = ["Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin",
        "Grzegorz", "Jakub", "Adam", "Łukasz", "Mateusz", "Kamil", "Wojciech", "Marek",
        "Rafał", "Dariusz", "Sebastian", "Bartosz", "Szymon", "Filip", "Maciej", "Artur"]
FEMALE = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa",
          "Magdalena", "Joanna", "Monika", "Aleksandra", "Zofia", "Natalia", "Karolina",
          "Paulina", "Justyna", "Beata", "Dorota", "Marta", "Julia", "Weronika", "Iwona"]
# Surnames: (masculine, feminine)
SURNAMES = [
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"), ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"),
    ("Nowicki", "Nowicka"), ("Adamczyk", "Adamczyk"), ("Dudek", "Dudek"),
    ("Zając", "Zając"), ("Wieczorek", "Wieczorek"), ("Jabłoński", "Jabłońska"),
    ("Król", "Król"), ("Majewski", "Majewska"), ("Olszewski", "Olszewska"),
    ("Jaworski", "Jaworska"), ("Wróbel", "Wróbel"), ("Malinowski", "Malinowska"),
    ("Pawlak", "Pawlak"), ("Witkowski", "Witkowska"), ("Walczak", "Walczak"),
    ("Stępień", "Stępień"), ("Górski", "Górska"), ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"), ("Sikora", "Sikora"), ("Ostrowski", "Ostrowska"),
    ("Baran", "Baran"), ("Duda", "Duda"), ("Szewczyk", "Szewczyk"), ("Tomaszewski", "Tomaszewska"),
    ("Pietrzak", "Pietrzak"), ("Marciniak", "Marciniak"), ("Wróblewski", "Wróblewska"),
    ("Zalewski", "Zalewska"), ("Jakubowski", "Jakubowska"), ("Jasiński", "Jasińska"),
    ("Zawadzki", "Zawadzka"), ("Sadowski", "Sadowska"), ("Bąk", "Bąk"), ("Chmielewski",
                                                                        "Chmielewska"),
    ("Włodarczyk", "Włodarczyk"), ("Borkowski", "Borkowska"), ("Czarnecki", "Czarnecka"),
    ("Sawicki", "Sawicka"), ("Sokołowski", "Sokołowska"), ("Urbański", "Urbańska"),
    ("Kubiak", "Kubiak"), ("Maciejewski", "Maciejewska"), ("Szczepański", "Szczepańska"),
    ("Kucharski", "Kucharska"), ("Wilk", "Wilk"), ("Kalinowski", "Kalinowska"),
    ("Lis", "Lis"), ("Mazurek", "Mazurek"), ("Wysocki", "Wysocka"), ("Adamski", "Adamska"),
]

# Role mix of a branch of ~40 people (the first ones of the branch's slice).
BRANCH_ROLE_SHARES = [(Role.MANAGER, 0.05), (Role.CASHIER, 0.15), (Role.RETENTION, 0.20),
                      (Role.SERVICE, 0.60)]
HQ_ADMINS = 5
HQ_EXPERTS = 15


def ascii_slug(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def pick_cities(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """n (code, city, postal prefix) tuples, spread by population, codes numbered per city."""
    total = sum(c[3] for c in CITIES)
    counts = {c[0]: max(1, round(n * c[3] / total)) for c in CITIES}
    order = sorted(CITIES, key=lambda c: -c[3])
    # Trim or pad (largest cities first) until the counts add up to n.
    i = 0
    while sum(counts.values()) > n:
        code = order[-1 - (i % len(order))][0]
        if counts[code] > 0:
            counts[code] -= 1
        i += 1
    i = 0
    while sum(counts.values()) < n:
        counts[order[i % len(order)][0]] += 1
        i += 1
    out = []
    for code, city, postal, _w in CITIES:
        out.extend((code, city, postal) for _ in range(counts[code]))
    rng.shuffle(out)
    return out


def postal_code(rng: random.Random, prefixes: str) -> str:
    prefix = rng.choice(prefixes.split("|"))
    digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(5 - len(prefix)))
    return f"{digits[:2]}-{digits[2:]}"


def db_guard(force: bool) -> None:
    db = settings.DATABASES["default"]
    name = str(db.get("NAME", ""))
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/punkt_bench).")
    if "bench" not in name and not force:
        sys.exit(f"Refusing to load benchmark data into {name!r}: the database name should "
                 "contain 'bench' (or pass --force).")


def reset() -> None:
    """Empty the organisation tables (and what hangs off employees: sessions, MFA, axes)."""
    if connection.vendor == "postgresql":
        tables = ["organization_absence", "organization_workinghours",
                  "organization_openinghours", "organization_branchdayoff",
                  "organization_membership", "organization_apitoken",
                  "organization_employee_groups", "organization_employee_user_permissions",
                  "account_emailconfirmation", "account_emailaddress", "mfa_authenticator",
                  "core_jobprogress", "django_admin_log", "django_session",
                  "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
                  "organization_employee", "organization_branch"]
        existing = set(connection.introspection.table_names())
        tables = [t for t in tables if t in existing]
        truncate_for_maintenance(tables)  # past the append-only guards
        return
    from django.contrib.sessions.models import Session

    with transaction.atomic():
        for model in (Absence, WorkingHours, OpeningHours, BranchDayOff, Membership, ApiToken):
            model.objects.all().delete()
        Session.objects.all().delete()
        Employee.objects.all().delete()
        Branch.objects.all().delete()


def make_employee(rng: random.Random, i: int, pw_hash: str, now: datetime.datetime,
                  email: str | None = None, first: str | None = None,
                  last: str | None = None) -> Employee:
    female = rng.random() < 0.55
    if first is None:
        first = rng.choice(FEMALE if female else MALE)
    if last is None:
        pair = rng.choice(SURNAMES)
        last = pair[1] if female else pair[0]
    if email is None:
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@{DOMAIN}"
    return Employee(
        email=email, first_name=first, last_name=last, password=pw_hash,
        phone=f"+48 {rng.randint(500, 899)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        is_active=rng.random() > 0.02, is_staff=False, is_superuser=False,
        date_joined=now - datetime.timedelta(days=rng.randint(0, 3650)),
        language="en" if rng.random() < 0.03 else "pl",
    )


def bulk(model: type, objs: list, label: str) -> list:
    t = time.perf_counter()
    out = model.objects.bulk_create(objs, batch_size=BATCH)
    print(f"  {label:<16} {len(out):>8}  {time.perf_counter() - t:6.2f} s", flush=True)
    return out


def generate(n_branches: int, n_employees: int, password: str, seed: int) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    t0 = time.perf_counter()
    pw_hash = make_password(password)  # once: Argon2 is deliberately slow

    # --- Branches ----------------------------------------------------------------
    hq = Branch(kind=BranchKind.HQ, code="HQ", name="Centrala", street="ul. Prosta 20",
                postal_code="00-850", city="Warszawa", phone="+48 22 100 00 00",
                email=f"centrala@{DOMAIN}")
    branches: list[Branch] = []
    per_code: dict[str, int] = {}
    for code, city, postal in pick_cities(rng, n_branches):
        per_code[code] = per_code.get(code, 0) + 1
        street = rng.choice(STREETS)
        number = rng.randint(1, 180)
        bcode = f"{code}-{per_code[code]:03d}"
        branches.append(Branch(
            kind=BranchKind.BRANCH, code=bcode,
            name=f"{city} {street.split(' ', 1)[1]} {number}",
            street=f"{street} {number}" + (f"/{rng.randint(1, 12)}" if rng.random() < .3 else ""),
            postal_code=postal_code(rng, postal), city=city,
            phone=f"+48 {rng.randint(12, 95)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
                  f"{rng.randint(10, 99)}",
            email=f"{bcode.lower()}@{DOMAIN}", is_active=rng.random() > 0.02))
    branches.sort(key=lambda b: b.code)
    branches[0].is_active = True
    with transaction.atomic():
        hq, *branches = bulk(Branch, [hq, *branches], "branches")

        # --- Employees ---------------------------------------------------------------
        employees: list[Employee] = [
            make_employee(rng, 0, pw_hash, now, f"admin@{DOMAIN}", "Adam", "Administrator"),
            make_employee(rng, 0, pw_hash, now, f"ekspert@{DOMAIN}", "Ewa", "Ekspert"),
            make_employee(rng, 0, pw_hash, now, f"kierownik@{DOMAIN}", "Karol", "Kierownik"),
        ]
        for e in employees:
            e.is_active = True
        n_hq = HQ_ADMINS + HQ_EXPERTS
        for i in range(len(employees), max(n_employees, n_hq + n_branches + 3)):
            employees.append(make_employee(rng, i, pw_hash, now))
        employees = bulk(Employee, employees, "employees")

        # --- Memberships: HQ --------------------------------------------------------
        mships: list[Membership] = [
            Membership(employee=employees[0], branch=hq, role=Role.ADMIN),
            Membership(employee=employees[1], branch=hq, role=Role.HQ_EXPERT),
        ]
        hq_staff = employees[3:3 + n_hq - 2]
        for k, e in enumerate(hq_staff):
            mships.append(Membership(employee=e, branch=hq,
                                     role=Role.ADMIN if k < HQ_ADMINS - 1 else Role.HQ_EXPERT))
        # --- Memberships: branches (the bench manager heads branch 0) ----------------
        staff = [employees[2], *employees[3 + len(hq_staff):]]
        per_branch: dict[int, list[tuple[Employee, str]]] = {b.pk: [] for b in branches}
        size, extra = divmod(len(staff), len(branches))
        pos = 0
        for bi, branch in enumerate(branches):
            chunk = staff[pos:pos + size + (1 if bi < extra else 0)]
            pos += len(chunk)
            bounds, acc = [], 0.0
            for role, share in BRANCH_ROLE_SHARES:
                acc += share
                bounds.append((role, max(1, round(acc * len(chunk)))))
            for k, e in enumerate(chunk):
                role = next(r for r, b in bounds if k < b)
                per_branch[branch.pk].append((e, role))
                mships.append(Membership(employee=e, branch=branch, role=role,
                                         is_active=rng.random() > 0.01 or role == Role.MANAGER))
                if role == Role.SERVICE and rng.random() < 0.10:  # also works the till
                    mships.append(Membership(employee=e, branch=branch, role=Role.CASHIER))
                elif rng.random() < 0.03:  # helps out in another branch
                    other = rng.choice(branches)
                    if other.pk != branch.pk:
                        mships.append(Membership(employee=e, branch=other, role=Role.SERVICE))
        bulk(Membership, mships, "memberships")

        # --- Opening hours ----------------------------------------------------------
        t = datetime.time
        opening: list[OpeningHours] = [OpeningHours(branch=hq, weekday=d, opens=t(8),
                                                    closes=t(16)) for d in range(5)]
        for b in branches:
            if rng.random() < 0.01:
                continue  # a few branches still lack opening hours (dashboard counts them)
            mall = rng.random() < 0.25
            for d in range(5):
                opening.append(OpeningHours(branch=b, weekday=d, opens=t(10 if mall else 9),
                                            closes=t(21 if mall else 18)))
            if mall or rng.random() < 0.7:
                opening.append(OpeningHours(branch=b, weekday=5, opens=t(10 if mall else 9),
                                            closes=t(21 if mall else 14)))
            if mall:
                opening.append(OpeningHours(branch=b, weekday=6, opens=t(10), closes=t(20)))
        bulk(OpeningHours, opening, "opening hours")

        # --- Working hours: a weekly pattern per branch employee ---------------------
        hours: list[WorkingHours] = []
        for branch_pk, people in per_branch.items():
            for e, _role in people:
                early = rng.random() < 0.5
                for d in range(5):
                    if rng.random() < 0.08:
                        continue  # part-time day off
                    hours.append(WorkingHours(employee=e, branch_id=branch_pk, weekday=d,
                                              starts=t(8 if early else 10),
                                              ends=t(16 if early else 18)))
                if rng.random() < 0.35:
                    hours.append(WorkingHours(employee=e, branch_id=branch_pk, weekday=5,
                                              starts=t(9), ends=t(14)))
        bulk(WorkingHours, hours, "working hours")

        # --- Absences (≈5 % of branch staff), most with a substitute ------------------
        kinds = [AbsenceKind.LEAVE] * 6 + [AbsenceKind.SICK] * 3 + [AbsenceKind.TRAINING,
                                                                    AbsenceKind.OTHER]
        absences: list[Absence] = []
        for bi, (branch_pk, people) in enumerate(per_branch.items()):
            manager = people[0][0]
            n_abs = max(1, round(len(people) * 0.05)) if bi else 3
            for k, (e, _role) in enumerate(rng.sample(people[1:], min(n_abs, len(people) - 1))):
                start = today + datetime.timedelta(days=rng.randint(-30, 40))
                if bi == 0 or k == 0:
                    start = today - datetime.timedelta(days=rng.randint(0, 3))  # current
                end = start + datetime.timedelta(days=rng.randint(0, 13))
                sub = None
                if rng.random() < 0.8:
                    cands = [p for p, _r in people if p.pk != e.pk and p.pk != manager.pk]
                    sub = rng.choice(cands) if cands else None
                absences.append(Absence(employee=e, branch_id=branch_pk, kind=rng.choice(kinds),
                                        starts_on=start, ends_on=end, substitute=sub,
                                        created_by=manager, note=""))
        bulk(Absence, absences, "absences")

        days_off = [BranchDayOff(branch=None, date=datetime.date(today.year, 12, 31),
                                 name="Sylwester (dzień wolny firmy)"),
                    BranchDayOff(branch=branches[0], date=today + datetime.timedelta(days=20),
                                 name="Remont oddziału")]
        bulk(BranchDayOff, days_off, "days off")

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"done in {time.perf_counter() - t0:.1f} s — password for every account: {password}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--branches", type=int, default=500)
    ap.add_argument("--employees", type=int, default=20000)
    ap.add_argument("--password", default=DEFAULT_PASSWORD)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reset", action="store_true", help="empty the organisation tables first")
    ap.add_argument("--no-migrate", action="store_true")
    ap.add_argument("--force", action="store_true",
                    help="allow a database whose name does not contain 'bench'")
    args = ap.parse_args()
    db_guard(args.force)
    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if args.reset:
        reset()
    elif Branch.objects.exists() or Employee.objects.exists():
        sys.exit("The database already holds an organisation; run with --reset to replace it.")
    print(f"loading {args.branches} branches, {args.employees} employees into "
          f"{settings.DATABASES['default']['NAME']} ({connection.vendor})")
    generate(args.branches, args.employees, args.password, args.seed)


if __name__ == "__main__":
    main()
