"""The import writes in bulk (plain rows, COPY on PostgreSQL) what registering the same
rows one by one at the counter (``services.customer_create``) writes: the customer with
its derived columns, consents and their history, the word index and the lexicon. Only
what is meant to differ may: the timeline entry's subject (the file, not the branch),
the audit (one row per batch) and the times."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from punkt.customers import imports as customer_io
from punkt.customers import services
from punkt.customers.models import (
    Consent,
    ConsentEvent,
    ConsentSource,
    ConsentText,
    Customer,
    CustomerWord,
    SearchWord,
    TimelineEntry,
)

pytestmark = pytest.mark.django_db

HEADER = ["kind", "first_name", "last_name", "company_name", "consumer_like", "pesel",
          "birth_date", "nip", "regon", "bank_account", "phone", "email", "street",
          "postal_code", "city", "country", "corr_street", "corr_postal_code", "corr_city",
          "corr_country", "industry", "activity", "has_branches", "company_size",
          "main_customer_type", "founding_year", "age_band", "education", "income_band",
          "vehicle", "employer", "consent_marketing_email", "consent_marketing_sms",
          "consent_marketing_phone", "consent_profiling"]
ROWS = [
    # person: PESEL (date of birth and age band from it), Polish letters everywhere
    ["osoba", "Żaneta", "Łęcka-Śliwińska", "", "", "85010112345", "", "", "", "",
     "601 234 567", "Zaneta.Lecka@Example.PL", "ul. Świętokrzyska 1/2", "00950",
     "Łódź", "", "Pl. Grunwaldzki 3", "50-384", "Wrocław", "", "", "", "", "", "", "",
     "", "higher", "middle", "car", "Huta Łaziska", "tak", "", "x", ""],
    # company: NIP, REGON, IBAN written the Polish way, segmentation
    ["firma", "", "", "Zakład Usług „Żuraw” sp. z o.o.", "", "", "", "PL 526-025-02-74",
     "123456785", "61 1090 1014 0000 0712 1981 2874", "+48 22 123 45 67", "biuro@zuraw.pl",
     "Al. Jerozolimskie 100", "00-807", "Warszawa", "PL", "", "", "", "", "Budownictwo",
     "Dźwigi", "tak", "small", "b2b", "1998", "", "", "", "", "", "", "1", "", "tak"],
    # sole trader with consumer protection, foreign correspondence address
    ["jdg", "Jan", "Kowalski", "FHU Jan Kowalski", "tak", "90020312344", "1990-02-03",
     "9519981902", "", "", "0048 512 345 678", "", "Rynek 1", "31-042", "Kraków", "",
     "Hauptstraße 5", "10115", "Berlin", "DE", "", "", "", "", "", "", "", "", "", "", "",
     "", "", "", ""],
    # person with nothing but names; another with a date of birth and no PESEL
    ["person", "Anna", "Nowak", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["individual", "Ørjan", "Ångström", "", "", "", "1950-12-31", "", "", "", "", "",
     "Straße 7", "", "Gdańsk", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "", "", "", "tak", "tak", "tak", "tak"],
]
#: Columns that may differ between the two ways (ids, times).
OWN = ("id", "created_at", "updated_at")


def _upload(world: Any, rows: list[list[str]]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([HEADER, *rows])
    return customer_io.import_upload(
        actor=world.manager_a, branch_id=world.a.pk, basis_confirmed=True,
        uploaded=SimpleUploadedFile("k.csv", out.getvalue().encode(), "text/csv"))


def _written(customer_id: int) -> dict[str, Any]:
    """Everything written for one customer, without ids and times."""
    row = Customer.objects.filter(pk=customer_id).values().get()
    return {
        "customer": {k: v for k, v in row.items() if k not in OWN},
        "words": sorted(CustomerWord.objects.filter(customer_id=customer_id)
                        .values_list("word", "branch_id", "sort_key")),
        "consents": sorted(Consent.objects.filter(customer_id=customer_id)
                           .values_list("purpose", "granted", "last_event__purpose")),
        "events": sorted(ConsentEvent.objects.filter(customer_id=customer_id).values_list(
            "purpose", "granted", "source", "text_id", "employee_id", "branch_id")),
        "timeline": list(TimelineEntry.objects.filter(customer_id=customer_id)
                         .values_list("kind", "actor_id", "branch_id")),
    }


def test_the_import_writes_what_registering_each_row_writes(world: Any, settings: Any,
                                                            tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    assert ConsentText.objects.filter(purpose="contract").exists()  # events name it
    job = _upload(world, ROWS)
    checked = customer_io.validate_file(job)
    assert job.errors == [] and len(checked) == len(ROWS)
    customer_io.import_write(job=job, actor=world.manager_a, rows=checked)
    imported = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    assert len(imported) == len(ROWS)

    by_hand = []
    for raw in customer_io.read_rows(tmp_path / "imports" / job.stored_name):
        data, marketing = customer_io._prepare(raw)
        by_hand.append(services.customer_create(
            actor=world.manager_a, branch_id=world.a.pk, data=data,
            consents=[{"purpose": p, "granted": True} for p in ["contract", *marketing]],
            source=ConsentSource.IMPORT, confirm_duplicate=True).pk)

    for bulk_id, single_id in zip(imported, by_hand, strict=True):
        assert _written(bulk_id) == _written(single_id)
    words = set(CustomerWord.objects.values_list("word", flat=True))
    assert words <= set(SearchWord.objects.values_list("word", flat=True))
    assert {"lecka", "sliwinska", "swietokrzyska", "zuraw", "angstrom", "orjan"} <= words
    # what is meant to differ: the entry names the file, the audit one row per batch
    assert TimelineEntry.objects.filter(customer_id=imported[0]).get().subject \
        == "Zaimportowano z pliku k.csv"
