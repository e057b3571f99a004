"""Polish identifiers and contact data: validate, normalise, explain what is wrong."""

from __future__ import annotations

import datetime

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel
from stdnum.pl import regon as stdnum_regon

from punkt.core.errors import ValidationFailed
from punkt.customers.normalize import digits


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("invalid", message, field=field)


def clean_pesel(value: str, *, field: str = "pesel") -> str:
    return pesel_checked(value, field=field)[0]


def pesel_checked(value: str, *, field: str = "pesel") -> tuple[str, datetime.date | None]:
    """The PESEL cleaned (as :func:`clean_pesel_reference`) and the date of birth it
    holds (as :func:`pesel_birth_date`), read once. Eleven ASCII digits — nearly every
    PESEL typed or imported — are checked here directly; anything else goes the reference
    way. Same results, same errors (``test_identifiers``)."""
    raw = "".join((value or "").split())
    if len(raw) != 11 or not raw.isascii() or not raw.isdigit():
        clean = clean_pesel_reference(value, field=field)
        return clean, pesel_birth_date(clean)
    d = [ord(ch) - 48 for ch in raw]
    check = (10 - (d[0] + 3 * d[1] + 7 * d[2] + 9 * d[3] + d[4] + 3 * d[5] + 7 * d[6]
                   + 9 * d[7] + d[8] + 3 * d[9])) % 10
    if d[10] != check:
        raise _fail(field, _("PESEL check digit does not match — check for a typo."))
    month = d[2] * 10 + d[3]
    century = _PESEL_CENTURY.get(month // 20)
    try:
        if century is None:
            raise ValueError
        born = datetime.date(century + d[0] * 10 + d[1], month % 20, d[4] * 10 + d[5])
    except ValueError:
        raise _fail(field, _("PESEL does not encode a valid date of birth.")) from None
    return raw, born


#: The PESEL month's twenties: 01–12 the 1900s, 21–32 the 2000s, 81–92 the 1800s …
_PESEL_CENTURY = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}


def clean_pesel_reference(value: str, *, field: str = "pesel") -> str:
    """The PESEL check through python-stdnum (the definition :func:`pesel_checked` is
    tested against)."""
    raw = "".join((value or "").split())
    if not raw:
        return ""
    if not raw.isdigit():
        raise _fail(field, _("PESEL may contain digits only."))
    if len(raw) != 11:
        raise _fail(field, _("PESEL has 11 digits; this one has %(n)d.") % {"n": len(raw)})
    try:
        stdnum_pesel.validate(raw)
    except InvalidChecksum:
        raise _fail(field, _("PESEL check digit does not match — check for a typo.")) from None
    except (InvalidComponent, InvalidFormat, InvalidLength):
        raise _fail(field, _("PESEL does not encode a valid date of birth.")) from None
    return raw


def pesel_birth_date(pesel: str) -> datetime.date | None:
    if not pesel:
        return None
    return stdnum_pesel.get_birth_date(pesel)


def mask_pesel(pesel: str) -> str:
    """``85010112345`` → ``850101*****``: enough to tell two people apart at the counter."""
    if not pesel:
        return ""
    return pesel[:6] + "*" * (len(pesel) - 6)


def clean_nip(value: str, *, field: str = "nip") -> str:
    raw = (value or "").strip().upper()
    if raw.startswith("PL"):
        raw = raw[2:]
    compact = raw.replace("-", "").replace(" ", "")
    if not compact:
        return ""
    if not compact.isdigit():
        raise _fail(field, _("NIP may contain digits, dashes and spaces only."))
    if len(compact) != 10:
        raise _fail(field, _("NIP has 10 digits; this one has %(n)d.") % {"n": len(compact)})
    if not stdnum_nip.is_valid(compact):
        raise _fail(field, _("NIP check digit does not match — check for a typo."))
    return compact


def format_nip(nip: str) -> str:
    return f"{nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}" if len(nip) == 10 else nip


def clean_regon(value: str, *, field: str = "regon") -> str:
    compact = "".join((value or "").replace("-", "").split())
    if not compact:
        return ""
    if not compact.isdigit():
        raise _fail(field, _("REGON may contain digits only."))
    if len(compact) not in (9, 14):
        raise _fail(field, _("REGON has 9 or 14 digits; this one has %(n)d.")
                    % {"n": len(compact)})
    if not stdnum_regon.is_valid(compact):
        raise _fail(field, _("REGON check digit does not match — check for a typo."))
    return compact


def clean_iban(value: str, *, field: str = "bank_account") -> str:
    compact = "".join((value or "").upper().split()).replace("-", "")
    if not compact:
        return ""
    if compact.isdigit() and len(compact) == 26:
        compact = "PL" + compact  # Polish account numbers are written without the prefix
    if not stdnum_iban.is_valid(compact):
        if compact.startswith("PL") and len(compact) != 28:
            raise _fail(field, _("A Polish account number has 26 digits."))
        raise _fail(field, _("Bank account number (IBAN) check digits do not match — "
                             "check for a typo."))
    return compact


def format_iban(iban: str) -> str:
    if iban.startswith("PL"):
        body = iban[2:]
        return body[:2] + " " + " ".join(body[i:i + 4] for i in range(2, len(body), 4))
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def clean_phone(value: str, *, field: str = "phone") -> str:
    """Any way a person writes a phone number → E.164 (``+48601234567``); Poland default.

    A Polish number written as nine digits (spaces and dashes between them, ``+48`` in
    front or not) — nearly every number typed or imported — is checked without parsing
    the text; anything else, and any number that is not valid, goes the reference way
    (:func:`clean_phone_reference`, which also words the error). Same results
    (``test_fast_paths``)."""
    compact = (value or "").replace(" ", "").replace("-", "")
    if compact.startswith("+48"):
        compact = compact[3:]
    if (len(compact) == 9 and compact.isascii() and compact.isdigit()
            and compact[0] != "0"):
        number = phonenumbers.PhoneNumber(country_code=48, national_number=int(compact))
        if phonenumbers.is_valid_number(number):
            return "+48" + compact
    return clean_phone_reference(value, field=field)


def clean_phone_reference(value: str, *, field: str = "phone") -> str:
    """:func:`clean_phone` by parsing the text with phonenumbers (the definition)."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, "PL")
    except phonenumbers.NumberParseException:
        raise _fail(field, _("Enter a phone number, e.g. 601 234 567 or +49 30 1234567."))\
            from None
    if not phonenumbers.is_valid_number(number):
        if len(digits(raw)) < 9:
            raise _fail(field, _("Phone number is too short: a Polish number has 9 digits."))
        raise _fail(field, _("This is not a valid phone number for its country."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """As every page shows a phone: :func:`punkt.core.phones.format_phone`."""
    from punkt.core.phones import format_phone as shown

    return shown(e164)


def phone_query(text: str) -> str | None:
    """A search term that looks like a phone number, as E.164; None otherwise."""
    d = digits(text)
    if len(d) < 9 or len(d) > 15:
        return None
    try:
        number = phonenumbers.parse(text.strip() if text.strip().startswith("+") else d, "PL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_email(value: str, *, field: str = "email") -> str:
    email = (value or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        raise _fail(field, _("Enter a valid e-mail address, e.g. jan.kowalski@example.pl."))\
            from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_postal_code(value: str, *, field: str, country: str = "PL") -> str:
    code = (value or "").strip()
    if not code:
        return ""
    if country == "PL":
        compact = code.replace(" ", "")
        if len(compact) == 5 and compact.isdigit():
            compact = compact[:2] + "-" + compact[2:]
        if not (len(compact) == 6 and compact[2] == "-" and (compact[:2] + compact[3:]).isdigit()):
            raise _fail(field, _("Postal code must look like 00-950."))
        return compact
    return code[:12]
