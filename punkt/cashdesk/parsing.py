"""Checking the values the cashier's desk is given (a form, the API, a row of an invoice
file): each refusal is a :class:`ValidationFailed` naming the field.

The services of this area share these; another area with the same needs (materials has
look-alike ``_text``/``_date`` helpers) would be the time to move them into ``core``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed
from punkt.core.money import AmountTooLarge, parse_amount

MAX_AMOUNT = Decimal("1000000.00")


def amount_value(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount in złoty (``120,50``), above 0 (or 0 with ``allow_zero``), at most
    1 000 000 zł."""
    too_large = ValidationFailed("invalid", _("The amount must be more than 0 and at most "
                                              "1 000 000 zł."), field=field)
    try:
        amount = parse_amount(value)
    except AmountTooLarge:  # 27 digits or more once crashed the till (issue 15)
        raise too_large from None
    except ValueError:
        raise ValidationFailed("invalid", _("Give the amount in złoty, e.g. 120,50."),
                               field=field) from None
    if (amount <= 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise too_large
    return amount


def text_value(value: Any, *, field: str, limit: int, required: bool,
               message: str = "") -> str:
    """The text with its whitespace collapsed; ``message`` when it is required and empty
    (default: "Give the reason.")."""
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("required", message or _("Give the reason."), field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return text


def date_value(value: Any, *, field: str, label: str) -> datetime.date:
    """A date given as ``YYYY-MM-DD`` or ``DD.MM.YYYY`` (or a spreadsheet's date cell)."""
    if isinstance(value, datetime.datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    try:
        if len(text) == 10 and text[2] == "." and text[5] == ".":  # 05.12.2026
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("invalid", _("%(label)s: give the date as YYYY-MM-DD or "
                                            "DD.MM.YYYY.") % {"label": label},
                               field=field) from None
