#!/usr/bin/env python
"""Time a CSV import of customers end to end, as the background worker runs it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/punkt_bench \\
        .venv/bin/python bench/run_import.py [--rows 100000]

Needs the organisation from gen_org.py (customers from gen_customers.py make the duplicate
checks realistic). The script writes a CSV file of --rows customers the way a branch would
export them from an old system (Polish headers, national phone numbers, a few bad rows),
uploads it as the manager of the first branch would, then runs the two background tasks
in this process, one after the other: the dry run (import_check_task) and, after the
confirmation, the import (import_run_task, which checks the file once more and writes).
It prints each phase's time, then checks that the rows arrived (customers, consents,
timeline entries, search words). The imported customers stay in the database.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from run_org import MANAGER  # noqa: E402  (run_org sets Django up)

from punkt.customers import imports as customer_io  # noqa: E402
from punkt.customers.models import (  # noqa: E402
    ConsentEvent,
    Customer,
    CustomerImport,
    CustomerWord,
    TimelineEntry,
)
from punkt.customers.tasks import import_check_task, import_run_task  # noqa: E402
from punkt.organization.models import Employee, Membership  # noqa: E402

FIRST = ["Jan", "Anna", "Piotr", "Katarzyna", "Krzysztof", "Małgorzata", "Andrzej",
         "Agnieszka", "Tomasz", "Barbara", "Paweł", "Ewa", "Michał", "Magdalena", "Łukasz",
         "Zofia", "Grzegorz", "Joanna", "Jakub", "Aleksandra"]
LAST = ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
        "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
        "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski",
        "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Majewski", "Olszewski",
        "Stępień", "Malinowski", "Jaworski", "Adamczyk", "Dudek", "Nowicki", "Pawlak"]
STREETS = ["Długa", "Krótka", "Polna", "Leśna", "Słoneczna", "Kościuszki", "Mickiewicza",
           "Sienkiewicza", "3 Maja", "Ogrodowa", "Lipowa", "Brzozowa", "Łąkowa", "Kwiatowa"]
CITIES = [("Kraków", "31"), ("Łódź", "90"), ("Wrocław", "50"), ("Poznań", "60"),
          ("Gdańsk", "80"), ("Szczecin", "70"), ("Lublin", "20"), ("Białystok", "15"),
          ("Rzeszów", "35"), ("Toruń", "87"), ("Kielce", "25"), ("Olsztyn", "10")]
HEADER = ["Typ", "Imię", "Nazwisko", "PESEL", "Telefon", "E-mail", "Ulica", "Kod pocztowy",
          "Miasto", "consent_marketing_email", "consent_marketing_sms"]
MOBILE = ["50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"]
FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def pesel(rng: random.Random) -> str:
    year, month, day = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    mm = month + (20 if year >= 2000 else 0)
    body = f"{year % 100:02d}{mm:02d}{day:02d}{rng.randint(0, 9999):04d}"
    check = (10 - sum(int(d) * w for d, w in zip(body, [1, 3, 7, 9] * 3, strict=False))
             % 10) % 10
    return body + str(check)


def make_csv(rows: int, seed: int) -> tuple[bytes, int]:
    """The file, and how many rows were spoilt on purpose (bad PESEL or postal code)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    spoilt = 0
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if first.endswith("a") and last.endswith("ski"):
            last = last[:-1] + "a"
        city, prefix = rng.choice(CITIES)
        postal = f"{prefix}-{rng.randint(0, 999):03d}"
        number = pesel(rng)
        if i % 200 == 7:  # 0.5 % typed wrong
            spoilt += 1
            if rng.random() < 0.5:
                number = number[:-1] + str((int(number[-1]) + 1) % 10)
            else:
                postal = postal.replace("-", "")[:4]
        phone = f"{rng.choice(MOBILE)}{rng.randint(0, 9_999_999):07d}"
        email = f"{first}.{last}{i}@example.pl".lower().translate(FOLD)
        writer.writerow(["osoba", first, last, number, f"{phone[:3]} {phone[3:6]} {phone[6:]}",
                         email, f"ul. {rng.choice(STREETS)} {rng.randint(1, 150)}", postal,
                         city, "tak" if rng.random() < 0.4 else "",
                         "tak" if rng.random() < 0.2 else ""])
    return out.getvalue().encode("utf-8"), spoilt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()
    try:
        manager = Employee.objects.get(email=MANAGER)
    except Employee.DoesNotExist:
        sys.exit("No benchmark organisation here: run bench/gen_org.py --reset first.")
    branch_id = Membership.objects.filter(employee=manager).values_list(
        "branch_id", flat=True)[0]
    before = Customer.objects.count()
    last_pk = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    t0 = time.perf_counter()
    data, spoilt = make_csv(args.rows, args.seed + before)
    t_file = time.perf_counter() - t0
    print(f"file: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, {spoilt} spoilt on purpose "
          f"({t_file:.1f} s to write)  |  customers already in the database: {before:,}")

    t = time.perf_counter()
    job = customer_io.import_upload(
        actor=manager, branch_id=branch_id, basis_confirmed=True,
        uploaded=SimpleUploadedFile("klienci.csv", data, content_type="text/csv"))
    t_upload = time.perf_counter() - t
    t = time.perf_counter()
    import_check_task.call(job.pk)
    t_check = time.perf_counter() - t
    job.refresh_from_db()
    print(f"dry run: {job.rows_valid:,} of {job.rows_total:,} rows can be imported, "
          f"{len(job.errors)} errors listed")
    t = time.perf_counter()
    customer_io.import_confirm(actor=manager, import_id=job.pk)
    written = import_run_task.call(job.pk)
    t_run = time.perf_counter() - t
    job.refresh_from_db()

    new = Customer.objects.filter(pk__gt=last_pk)
    checks = {
        "customers": new.count(),
        "consent events": ConsentEvent.objects.filter(customer__in=new).count(),
        "timeline entries": TimelineEntry.objects.filter(customer__in=new).count(),
        "customers with search words": CustomerWord.objects.filter(customer__in=new)
        .values("customer_id").distinct().count(),
    }
    total = t_upload + t_check + t_run
    print(f"\n| phase                                   | seconds |\n|{'-' * 41}|{'-' * 9}|")
    for label, secs in (("upload (store the file, queue the check)", t_upload),
                        ("dry run (import_check_task)", t_check),
                        ("import (import_run_task: check + write)", t_run),
                        ("total, upload to last row written", total)):
        print(f"| {label:<39} | {secs:>7.1f} |")
    print(f"\nstatus {job.status}, {written:,} customers written, {written / t_run:,.0f} rows/s "
          "in the import task")
    print("arrived: " + ", ".join(f"{k} {v:,}" for k, v in checks.items()))
    ok = (job.status == "done" and checks["customers"] == written == job.rows_valid
          and checks["customers with search words"] == written
          and checks["timeline entries"] == written
          and job.rows_total - job.rows_valid >= spoilt)
    if not ok:
        sys.exit("the import did not write what the dry run promised")
    assert CustomerImport.objects.filter(pk=job.pk, rows_imported=written).exists()


if __name__ == "__main__":
    main()
