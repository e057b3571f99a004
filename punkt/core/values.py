"""Values services read from forms, the API and files, refused with the field named."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from punkt.core.errors import ValidationFailed


def iso_date(value: Any, *, field: str, message: str) -> datetime.date:
    """A date as given (``datetime.date``) or written ``YYYY-MM-DD``; anything else is
    refused with ``message`` on ``field``. Empty values are the caller's to handle."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed("invalid", message, field=field) from None


def text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    """A text as written, stripped; refused when required and empty or longer than
    ``limit``."""
    from django.utils.translation import gettext as _

    written = str(value if value is not None else "").strip()
    if required and not written:
        raise ValidationFailed("required", _("This field is required."), field=field)
    if len(written) > limit:
        raise ValidationFailed("too_long", _("At most %(n)d characters.") % {"n": limit},
                               field=field)
    return written


def record_id(value: Any, *, field: str, message: str) -> int | None:
    """A database id as given (a positive whole number, not a bool); empty → None."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("invalid", message, field=field) from None
    if isinstance(value, bool) or not 0 < number < 2**62:
        raise ValidationFailed("invalid", message, field=field)
    return number


def amount(value: Any, *, field: str = "amount") -> Decimal | None:
    """A money amount (``1250,00``, ``1 250.5``, a number); empty → None."""
    from django.utils.translation import gettext as _

    from punkt.core.money import AmountTooLarge, parse_amount

    if value in (None, ""):
        return None
    try:
        return parse_amount(value)
    except AmountTooLarge:
        raise ValidationFailed("too_large", _("The amount is too large."),
                               field=field) from None
    except ValueError:
        raise ValidationFailed("invalid", _("Write the amount as 1250,00."),
                               field=field) from None
