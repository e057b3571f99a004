"""Pure rules: folding, similarity (= pg_trgm), identifiers, query parsing, deadlines."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from punkt.core.errors import ValidationFailed
from punkt.customers import identifiers as ids
from punkt.customers.gdpr import add_months, request_due
from punkt.customers.normalize import fold, similarity
from punkt.customers.search import parse


@pytest.fixture(autouse=True)
def _english() -> object:
    """The messages below are checked in English (the catalogue translates them)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.parametrize(("text", "folded"), [
    ("Łódź", "lodz"), ("ŁÓDŹ", "lodz"), ("lodz", "lodz"), ("Żółć", "zolc"),
    ("Kowalski-Nowak", "kowalski-nowak"), ("  Jan   KOWALSKI ", "jan kowalski"),
    ("ul. Świętokrzyska 1/2", "ul. swietokrzyska 1 2"), ("", ""),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text(max_size=40))
def test_fold_is_idempotent_ascii(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once.isascii()


def test_similarity_matches_pg_trgm_values() -> None:
    # Values read from PostgreSQL 15 pg_trgm similarity().
    assert similarity("kowalsky", "kowalski") == pytest.approx(0.6363636, abs=1e-6)
    assert similarity("jan kowalsky", "kowalski") == pytest.approx(0.4666667, abs=1e-6)
    assert similarity("ab", "abc") == pytest.approx(0.4)
    assert similarity("a1b", "a1b2") == pytest.approx(0.5)
    assert similarity("", "abc") == 0.0


def test_pesel() -> None:
    assert ids.clean_pesel("850101 12345".replace(" ", "")) == "85010112345"
    assert ids.pesel_birth_date("85010112345") == datetime.date(1985, 1, 1)
    assert ids.pesel_birth_date("02270812343") == datetime.date(2002, 7, 8)
    assert ids.mask_pesel("85010112345") == "850101*****"
    for bad, fragment in [("8501011234", "11 digits"), ("85010112346", "check digit"),
                          ("8501011234a", "digits only")]:
        with pytest.raises(ValidationFailed) as exc:
            ids.clean_pesel(bad)
        assert exc.value.field == "pesel" and fragment in exc.value.message


def test_nip_regon_iban() -> None:
    assert ids.clean_nip("526-025-02-74") == "5260250274"
    assert ids.clean_nip("PL5260250274") == "5260250274"
    assert ids.format_nip("5260250274") == "526-025-02-74"
    with pytest.raises(ValidationFailed, match="check digit"):
        ids.clean_nip("5260250275")
    assert ids.clean_regon("123456785") == "123456785"
    with pytest.raises(ValidationFailed, match="9 or 14"):
        ids.clean_regon("1234")
    assert ids.clean_iban("61 1090 1014 0000 0712 1981 2874") == "PL61109010140000071219812874"
    with pytest.raises(ValidationFailed) as exc:
        ids.clean_iban("61 1090 1014 0000 0712 1981 2875")
    assert exc.value.field == "bank_account"


def test_phone_and_email() -> None:
    assert ids.clean_phone("601 234 567") == "+48601234567"
    assert ids.clean_phone("0048 601-234-567") == "+48601234567"
    assert ids.clean_phone("+49 30 1234567") == "+49301234567"
    assert ids.format_phone("+48601234567") == "+48 601 234 567"
    with pytest.raises(ValidationFailed, match="too short"):
        ids.clean_phone("60123")
    assert ids.clean_email("Jan.Kowalski@Example.PL") == "Jan.Kowalski@example.pl"
    with pytest.raises(ValidationFailed) as exc:
        ids.clean_email("jan@")
    assert exc.value.field == "email"
    assert ids.clean_postal_code("31042", field="postal_code") == "31-042"
    with pytest.raises(ValidationFailed, match="00-950"):
        ids.clean_postal_code("3104", field="postal_code")


@pytest.mark.parametrize(("text", "expected"), [
    ("K0000123", {"number": 123}), ("k123", {"number": 123}),
    ("jan@example.pl", {"email": "jan@example.pl"}),
    ("850101 12345", {"ids": "85010112345"}), ("601-234-567", {"phone": "+48601234567"}),
    ("Łódź Piotrkowska", {"words": ["lodz", "piotrkowska"]}),
])
def test_parse(text: str, expected: dict[str, object]) -> None:
    q = parse(text)
    for key, value in expected.items():
        assert getattr(q, key) == value


def test_request_deadlines() -> None:
    assert request_due(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert request_due(datetime.date(2026, 11, 24)) == datetime.date(2026, 12, 24)
    assert add_months(datetime.date(2026, 12, 15), 3) == datetime.date(2027, 3, 15)
