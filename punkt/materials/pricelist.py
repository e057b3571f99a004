"""A price-list version's positions, read from its CSV/XLSX file.

Columns (Polish or English names, any order): ``kod``/``code``, ``nazwa``/``name``,
``cena brutto``/``cena``/``price``, ``vat``/``stawka vat``, optionally
``jednostka``/``unit``. Prices as people type them (``1 234,56``); VAT as ``23``,
``23%``, ``8``, ``5``, ``0``, ``zw`` or ``np``. Any error names its row and column, and
nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed
from punkt.core.money import parse_amount
from punkt.core.tabular import read_rows
from punkt.materials.models import PriceItem, VatRate

ALIASES = {"kod": "code", "symbol": "code", "nazwa": "name", "cena brutto": "price",
           "cena": "price", "price": "price", "gross price": "price", "vat": "vat",
           "stawka vat": "vat", "vat rate": "vat", "jednostka": "unit", "j.m.": "unit",
           "unit": "unit"}
REQUIRED = {"code": "kod", "name": "nazwa", "price": "cena brutto", "vat": "VAT"}
MAX_ITEMS = 5000
MAX_PRICE = Decimal("100000000")  # 100 mln zł: beyond that a typo, not a price
MAX_ERRORS = 5


def read_items(path: Path) -> list[PriceItem]:
    """Unsaved positions (without their version), or ValidationFailed on ``file``."""
    items: list[PriceItem] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(read_rows(path, ALIASES), start=2):
        if line == 2:
            missing = [label for key, label in REQUIRED.items() if key not in row]
            if missing:
                raise ValidationFailed("invalid_file", _(
                    "The price list needs the columns: %(missing)s.")
                    % {"missing": ", ".join(missing)}, field="file")
        if len(items) >= MAX_ITEMS:
            raise ValidationFailed("invalid_file", _("At most %(n)d positions per price list.")
                                   % {"n": MAX_ITEMS}, field="file")
        code = " ".join(str(row.get("code") or "").split())[:40]
        name = " ".join(str(row.get("name") or "").split())
        problem = None
        if not code:
            problem = _("row %(row)d: the code is empty") % {"row": line}
        elif code in seen:
            problem = _("row %(row)d: code %(code)s repeats row %(first)d") % {
                "row": line, "code": code, "first": seen[code]}
        elif not name or len(name) > 200:
            problem = _("row %(row)d: the name is empty or longer than 200 characters") % {
                "row": line}
        price = vat = None
        if problem is None:
            try:
                price = parse_amount(row.get("price"))
                if price >= MAX_PRICE:
                    raise ValueError("too large")
            except ValueError:
                problem = _("row %(row)d, column “cena brutto”: “%(value)s” is not a price") % {
                    "row": line, "value": str(row.get("price") or "")[:30]}
        if problem is None:
            vat = str(row.get("vat") or "").strip().lower().removesuffix("%").strip()
            vat = {"0.23": "23", "0.08": "8", "0.05": "5"}.get(vat, vat)
            if vat not in VatRate.values:
                problem = _("row %(row)d, column “VAT”: “%(value)s” is not a Polish VAT rate "
                            "(23, 8, 5, 0, zw, np)") % {"row": line,
                                                        "value": str(row.get("vat"))[:10]}
        if problem is not None:
            errors.append(problem)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        assert price is not None and vat is not None  # no problem: both were read
        seen[code] = line
        items.append(PriceItem(position=len(items) + 1, code=code, name=name,
                               unit=" ".join(str(row.get("unit") or "").split())[:20],
                               price_gross=price, vat_rate=vat))
    if errors:
        raise ValidationFailed("invalid_file", _("The price list has errors: %(errors)s.")
                               % {"errors": "; ".join(errors)}, field="file")
    if not items:
        raise ValidationFailed("invalid_file", _("The price list has no positions."),
                               field="file")
    return items
