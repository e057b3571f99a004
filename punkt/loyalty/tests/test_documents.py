"""The card PDF for real (poppler's pdftotext and pdfinfo) and its EAN-13 bars."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from punkt.loyalty import documents
from punkt.loyalty.tests import factories as f


def test_ean13_bars_follow_the_standard() -> None:
    """5901234123457: guards, L/G parity of the first digit 5 (LGGLLG), R on the right."""
    bars = documents.ean13_modules("5901234123457")
    assert len(bars) == 95 and bars[:3] == "101" and bars[45:50] == "01010"
    assert bars[3:10] == "0001011"  # 9 in L
    assert bars[10:17] == "0100111"  # 0 in G
    assert bars[-10:] == "1000100101"  # 7 in R, the end guard
    svg = documents.ean13_svg("5901234123457")
    assert svg.startswith("<svg") and svg.count("<rect") == 1 + bars.count("01") + 1


@pytest.mark.django_db
def test_the_card_pdf_carries_the_number_and_the_holder(world: Any) -> None:
    card = f.card(world, f.programme(world, "personal", name="Karta <b>Plus</b>"))
    data = documents.card_pdf(card)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    assert card.number in text and "Karta <b>Plus</b>" in text
    assert card.customer.display_name in text
