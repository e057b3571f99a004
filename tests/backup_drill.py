"""The backup drill's two halves (``scripts/backup-drill.sh`` runs them per database):

    python -m tests.backup_drill seed FILE       # migrate, seed a small data set, back up
    python -m tests.backup_drill restore FILE    # restore into DATABASE_URL, smoke test

Both use the database in ``DATABASE_URL`` and the files in ``PUNKT_VAR_DIR``. The seed is
small on purpose (the demo takes ~90 s): the test organisation, published HQ materials
(stored files), a few customers, an invoice and a prepared contract.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

SERVICE_EMAIL = "obsluga.a@test.pl"


def seed(target: Path) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts.tests.factories import customer, hq_materials, prepared
    from tests.world import make_world

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    migrated = time.monotonic()
    with transaction.atomic():
        world = make_world()
        hq_materials(world)
        for last in ("Nowak", "Wiśniewska", "Zając", "Kowalczyk", "Lewandowski"):
            customer(world, last_name=last)
        invoice(world)
        prepared(world, render=False)
    seeded = time.monotonic()
    call_command("backup", str(target))
    print(f"drill: migrate {migrated - started:.1f} s, seed {seeded - migrated:.1f} s, "
          f"backup {time.monotonic() - seeded:.1f} s")


def restore_and_smoke(source: Path) -> None:
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from punkt.customers.models import Customer
    from tests.world import PASSWORD

    started = time.monotonic()
    call_command("restore", str(source))
    restored = time.monotonic()
    call_command("check", verbosity=0)
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200, f"sign-in page: {page.status_code}"
    response = client.post("/accounts/login/", {"login": SERVICE_EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/", \
        f"sign-in with a restored password: {response.status_code}"
    assert client.get("/").status_code == 200, "dashboard"
    person = Customer.objects.filter(last_name="Nowak").get()
    page = client.get(reverse("customers:customer_detail", args=[person.pk]))
    assert page.status_code == 200 and "Nowak" in page.content.decode(), "customer page"
    print(f"drill: restore {restored - started:.1f} s, smoke {time.monotonic() - restored:.1f} s "
          "(sign-in, dashboard, customer page: ok)")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"seed", "restore"}:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    import django

    django.setup()
    path = Path(argv[1])
    if argv[0] == "seed":
        seed(path)
    else:
        restore_and_smoke(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
