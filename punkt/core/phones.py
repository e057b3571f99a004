"""One way to show a phone number: ``+48 601 234 567`` on every page and document.

Customers' numbers are stored in E.164 (``+48601234567``); branches' and employees' as
typed (``601 234 567``, ``(12) 345-67-89``). Both read the same on screen; a text that is
no phone number is shown as it was typed.
"""

from __future__ import annotations

import phonenumbers

#: Numbers without a country code are Polish.
DEFAULT_REGION = "PL"


def format_phone(value: str | None) -> str:
    """``"+48601234567"`` or ``"601-234-567"`` → ``"+48 601 234 567"``; ``""`` stays ``""``."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def tel_uri(value: str | None) -> str:
    """The ``tel:`` link target (E.164), or ``""`` for a text that is no phone number."""
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
