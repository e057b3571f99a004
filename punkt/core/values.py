"""Values services read from forms, the API and files, refused with the field named."""

from __future__ import annotations

import datetime
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
