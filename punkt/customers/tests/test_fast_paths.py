"""The import's fast paths give exactly what their definitions give: folding for search
(``fold`` against ``fold_reference``) and the PESEL check with its date of birth
(``pesel_checked`` against python-stdnum through ``clean_pesel_reference``)."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from punkt.core.errors import ValidationFailed
from punkt.customers import identifiers as ids
from punkt.customers.normalize import fold, fold_reference

POLISH = "aąbcćdeęfghijklłmnńoóprsśtuwyzźżAĄBCĆDEĘFGHIJKLŁMNŃOÓPRSŚTUWYZŹŻ"
#: What people type into names and addresses, and what breaks naive folding.
TRICKY = (POLISH + " -./,@_+'\"0123456789\t\n\u00a0" + "ßẞæœøđıİǅǄﬁﬀ™½²ⅷ"
          + "\u0301\u0323\u0328\u0307\u200b\u0130" + "ÀÉÎÕÜÿŸĳΣσςΐЁёЙй한글")


@pytest.fixture(autouse=True)
def _english() -> object:
    from django.utils import translation

    with translation.override("en"):
        yield


@settings(max_examples=1000)
@given(st.text(alphabet=TRICKY, max_size=40) | st.text(max_size=40))
@example("Żółć  Łukasz")
@example("e\u0301\u0323\u0301x")
@example("ŁÓDŹ-ul. 3 Maja 1/2")
def test_fold_is_fold_reference(text: str) -> None:
    assert fold(text) == fold_reference(text)


def test_fold_is_fold_reference_for_every_character() -> None:
    """Each assigned code point, twice between letters (combining marks attach to them).
    Unassigned, private-use and surrogate code points fold to themselves either way."""
    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cn", "Co", "Cs"):
            continue
        text = f"a{ch}b{ch}"
        assert fold(text) == fold_reference(text), hex(code)
    assert fold(None) == fold_reference(None) == ""


def _outcome(check: object) -> object:
    try:
        return check()  # type: ignore[operator]
    except ValidationFailed as exc:
        return ("error", exc.code, exc.field, exc.message)


def _reference(value: str) -> object:
    clean = ids.clean_pesel_reference(value, field="p")
    return clean, ids.pesel_birth_date(clean)


def _pesel(year: int, month: int, day: int, serial: int) -> str:
    mm = month + {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[year // 100]
    body = f"{year % 100:02d}{mm:02d}{day:02d}{serial:04d}"
    check = (10 - sum(int(d) * w for d, w in zip(body, [1, 3, 7, 9] * 3, strict=False))
             % 10) % 10
    return body + str(check)


@settings(max_examples=2000)
@given(st.one_of(
    st.text(alphabet="0123456789", min_size=11, max_size=11),   # any digits: mostly bad
    st.builds(_pesel, st.integers(1800, 2299), st.integers(1, 12), st.integers(1, 31),
              st.integers(0, 9999)),                            # valid check digit
    st.text(alphabet="0123456789 -\t", max_size=14),
    st.text(alphabet="0123456789٠١٢³²a", max_size=12),          # non-ASCII digits
))
@example("85010112345")
@example("02270812343")
@example("85013212349")
@example("")
@example("8501011234 5")
@example("00000000000")
@example("99999999999")
def test_pesel_checked_is_the_reference(value: str) -> None:
    assert _outcome(lambda: ids.pesel_checked(value, field="p")) == _outcome(
        lambda: _reference(value))
    assert _outcome(lambda: ids.clean_pesel(value, field="p")) == _outcome(
        lambda: ids.clean_pesel_reference(value, field="p"))


def test_pesel_checked_every_day_of_five_centuries() -> None:
    """Every date a PESEL can hold (and the 29–31st of each month), one serial each."""
    for year in range(1800, 2300):
        for month in range(1, 13):
            for day in (1, 15, 28, 29, 30, 31):
                value = _pesel(year, month, day, (year * 37 + month * 7 + day) % 10_000)
                got = _outcome(lambda v=value: ids.pesel_checked(v, field="p"))
                assert got == _outcome(lambda v=value: _reference(v)), value
                if not isinstance(got, tuple) or got[0] != "error":
                    assert got == (value, datetime.date(year, month, day))


def _phone_text(prefix: str, digits: str, seps: list[str]) -> str:
    out = prefix
    for i, d in enumerate(digits):
        out += d + (seps[i % len(seps)] if seps else "")
    return out


PHONE_PREFIXES = ["", "+48", "+48 ", "0048", "48", "+", "+49", " ", "-", "+4 8", "-+48", "+-4-8 ",
                  "+ 48-", "--"]


@settings(max_examples=3000)
@given(st.one_of(
    st.builds(_phone_text, st.sampled_from(PHONE_PREFIXES),
              st.text(alphabet="0123456789", min_size=7, max_size=11),
              st.lists(st.sampled_from(["", " ", "-", "  ", " - ", "."]), max_size=3)),
    st.builds(lambda lead, rest: lead + rest, st.sampled_from("123456789"),
              st.text(alphabet="0123456789", min_size=8, max_size=8)),  # nine digits
    st.text(alphabet="0123456789 -+()", max_size=16),
    st.text(alphabet="0123456789٠١²+ ", max_size=12),
))
@example("601 234 567")
@example("+48 601-234-567")
@example("48601234567")
@example("0 601 234 567")
@example("221234567")
@example("123456789")
@example("")
def test_clean_phone_is_the_reference(value: str) -> None:
    assert _outcome(lambda: ids.clean_phone(value, field="p")) == _outcome(
        lambda: ids.clean_phone_reference(value, field="p"))


def test_clean_phone_every_polish_three_digit_prefix() -> None:
    """Each 1xx–9xx prefix of a nine-digit number, with a few endings, as people write it."""
    for prefix in range(100, 1000):
        for tail in ("000000", "123456", "999999", f"{prefix * 997 % 1_000_000:06d}"):
            digits = f"{prefix}{tail}"
            for text in (digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}",
                         f"+48 {digits}", f"+48-{digits[:3]}-{digits[3:]}"):
                assert _outcome(lambda t=text: ids.clean_phone(t, field="p")) == _outcome(
                    lambda t=text: ids.clean_phone_reference(t, field="p")), text
