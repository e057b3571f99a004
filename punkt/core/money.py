"""Money as people type it in Poland: ``1 234,56 zł``, ``1234.56``, ``59,99``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_PLAIN = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})+(?:([.,])\d{1,2})?$")


def parse_amount(value: object) -> Decimal:
    """A non-negative amount with at most two decimals; ValueError when it is not one.
    Numbers (a spreadsheet's cells) are taken as they are, never as thousands groups."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(str(value)) from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(str(value))
        return amount.quantize(Decimal("0.01"))
    text = str(value or "")
    text = _SPACES.sub("", text).lower().removesuffix("zł").removesuffix("pln")
    if _PLAIN.match(text):
        number = text.replace(",", ".")
    elif ((m := _GROUPED.match(text)) and m.group(1) != m.group(2)
          and m.group(2) is not None):  # "59,999" / "59.999": 59.999 or 59999? Refused.
        thousands = m.group(1)
        number = text.replace(thousands, "").replace(",", ".")
    else:
        raise ValueError(text)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError(text) from None
    return amount.quantize(Decimal("0.01"))
