"""Money as people type it in Poland: ``1 234,56 zł``, ``1234.56``, ``59,99``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_PLAIN = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})+(?:([.,])\d{1,2})?$")
#: The largest amount any parser takes: ten digits of złoty (every money column holds at
#: least 12 digits, 2 of them grosz). A longer number is refused, never quantized (past
#: 28 digits ``Decimal.quantize`` raises InvalidOperation).
MAX_AMOUNT = Decimal("9999999999.99")


class AmountTooLarge(ValueError):
    """An amount above :data:`MAX_AMOUNT`."""


def parse_amount(value: object) -> Decimal:
    """A non-negative amount with at most two decimals; ValueError when it is not one.
    Numbers (a spreadsheet's cells) are taken as they are, never as thousands groups.
    Only ASCII digits; at most :data:`MAX_AMOUNT`."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(str(value)) from None
        if amount.is_finite() and amount > MAX_AMOUNT:
            raise AmountTooLarge(str(value))
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(str(value))
        return amount.quantize(Decimal("0.01"))
    text = str(value or "")
    text = _SPACES.sub("", text).lower().removesuffix("zł").removesuffix("pln")
    if not text.isascii():  # \d takes any script's digits ("١٢")
        raise ValueError(text)
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
    if amount > MAX_AMOUNT:
        raise AmountTooLarge(text)
    return amount.quantize(Decimal("0.01"))


CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Rounded to the grosz, halves up (the rule for VAT amounts, VAT Act art. 106e(11))."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rate_percent(vat_rate: str) -> Decimal:
    """``"23"`` → 23; the exempt and not-subject markers (``zw``, ``np``) → 0."""
    return Decimal(vat_rate) if vat_rate.isdecimal() else Decimal(0)


@dataclass(frozen=True)
class VatLine:
    vat_rate: str
    gross: Decimal
    net: Decimal
    vat: Decimal


def vat_from_gross(pairs: Iterable[tuple[str, Decimal]]) -> list[VatLine]:
    """A gross-priced document's VAT per rate: gross values summed per rate, the tax taken
    out of each sum once (VAT Act art. 106e(7)–(8): from the total per rate, not per line)."""
    sums: dict[str, Decimal] = {}
    for rate, gross in pairs:
        sums[rate] = sums.get(rate, Decimal(0)) + gross
    out = []
    for rate, gross in sorted(sums.items(), key=lambda kv: (-rate_percent(kv[0]), kv[0])):
        pct = rate_percent(rate)
        vat = cents(gross * pct / (100 + pct))
        out.append(VatLine(rate, gross, gross - vat, vat))
    return out


_UNITS = ("", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem",
          "dziewięć", "dziesięć", "jedenaście", "dwanaście", "trzynaście", "czternaście",
          "piętnaście", "szesnaście", "siedemnaście", "osiemnaście", "dziewiętnaście")
_TENS = ("", "", "dwadzieścia", "trzydzieści", "czterdzieści", "pięćdziesiąt",
         "sześćdziesiąt", "siedemdziesiąt", "osiemdziesiąt", "dziewięćdziesiąt")
_HUNDREDS = ("", "sto", "dwieście", "trzysta", "czterysta", "pięćset", "sześćset",
             "siedemset", "osiemset", "dziewięćset")
_GROUPS = (("", "", ""), ("tysiąc", "tysiące", "tysięcy"), ("milion", "miliony", "milionów"))


def _plural(n: int, forms: tuple[str, str, str]) -> str:
    if n == 1:
        return forms[0]
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return forms[1]
    return forms[2]


def _below_thousand(n: int) -> list[str]:
    words = [_HUNDREDS[n // 100]]
    rest = n % 100
    words += [_UNITS[rest]] if rest < 20 else [_TENS[rest // 10], _UNITS[rest % 10]]
    return [w for w in words if w]


def amount_in_words(amount: Decimal) -> str:
    """Polish words for a złoty amount, as cash documents print it:
    ``123.50`` → ``"sto dwadzieścia trzy złote 50/100"``."""
    value = cents(abs(amount))
    zloty, grosz = int(value), int((value * 100) % 100)
    if zloty >= 10**9:
        raise ValueError(str(amount))
    words: list[str] = []
    for power in (2, 1, 0):
        group = zloty // 1000**power % 1000
        if not group:
            continue
        if power and group == 1:
            words.append(_GROUPS[power][0])
        else:
            words += _below_thousand(group) + ([_plural(group, _GROUPS[power])] if power
                                               else [])
    text = " ".join(words) or "zero"
    return f"{text} {_plural(zloty, ('złoty', 'złote', 'złotych'))} {grosz:02d}/100"


def format_pln(value: Decimal) -> str:
    """``1234.5`` → ``1 234,50 zł`` (non-breaking spaces), as documents print money."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0zł"
