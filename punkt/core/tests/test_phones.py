"""Phone numbers read the same on every page: ``+48 601 234 567``."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from punkt.core.phones import format_phone, tel_uri


@pytest.mark.parametrize(("stored", "shown"), [
    ("+48601234567", "+48 601 234 567"),         # a customer's (E.164)
    ("601 234 567", "+48 601 234 567"),          # a branch's or employee's, as typed
    ("601-234-567", "+48 601 234 567"),
    ("0048 601 234 567", "+48 601 234 567"),
    ("(12) 345-67-89", "+48 12 345 67 89"),      # a landline
    ("+49 30 1234567", "+49 30 1234567"),        # abroad keeps its own grouping
    ("", ""),
    (None, ""),
    ("wew. 12", "wew. 12"),                      # not a number: as typed
    ("12", "12"),
])
def test_one_format_for_every_number(stored: str | None, shown: str) -> None:
    assert format_phone(stored) == shown


def test_tel_links_dial_the_full_number() -> None:
    assert tel_uri("601 234 567") == "tel:+48601234567"
    assert tel_uri("wew. 12") == ""
    assert tel_uri("") == ""


def test_template_filters() -> None:
    html = Template('<a href="{{ p|tel }}">{{ p|phone }}</a>{{ none|phone|default:"—" }}').render(
        Context({"p": "+48601234567", "none": ""}))
    assert html == '<a href="tel:+48601234567">+48 601 234 567</a>—'
