from __future__ import annotations

from decimal import Decimal

import pytest

from punkt.core.money import parse_amount


@pytest.mark.parametrize(("text", "amount"), [
    ("59,99", "59.99"), ("59.99", "59.99"), ("1 234,56 zł", "1234.56"),
    ("1\u00a0234,5", "1234.50"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"),
    ("0", "0.00"), ("12 PLN", "12.00"), (Decimal("3.1"), "3.10"), (7, "7.00"),
    (19.99, "19.99"), (Decimal("12.30"), "12.30"), (1234.5, "1234.50"),
])
def test_amounts_as_typed(text: object, amount: str) -> None:
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,2,3", "59,999", "59.999", "1.234.5",
                                  "1e3", "1,234,56", True, Decimal("12.345"), 19.999, -1,
                                  float("nan")])
def test_not_amounts(text: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)
