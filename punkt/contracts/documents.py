"""The contract document: the values a template is filled with and the PDF.

Values are taken once, when the contract is prepared (or corrected), and stored on the
contract: the PDF of a revision always prints what the customer signed, even if the
customer's record changes later. The PDF carries the contract number in its header and
as a QR code, so a paper copy leads back to the record.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.utils.html import escape

from punkt.core import files
from punkt.core.money import format_pln
from punkt.core.pdf import qr_svg, render_pdf
from punkt.customers.identifiers import format_nip, format_phone
from punkt.materials import contract_template

AREA = "contracts"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def end_of_term(starts_on: datetime.date, months: int) -> datetime.date:
    """The last day of a term of ``months`` starting on ``starts_on``: the day before the
    same date ``months`` later (1.12 + 24 → 30.11), or the last day of that month when it
    has no such date (31.01 + 1 → 28.02; Civil Code art. 112)."""
    same = add_months(starts_on, months)
    if same.day != starts_on.day:  # clamped to the month's end
        return same
    return same - datetime.timedelta(days=1)


def money(value: Decimal) -> str:
    return format_pln(value)


def _address(street: str, postal_code: str, city: str) -> str:
    return ", ".join(p for p in (street, f"{postal_code} {city}".strip()) if p)


def values_for(*, number: str, customer: Any, branch: Any, employee: Any, lines: list[Any],
               total: Decimal, term_months: int, starts_on: datetime.date,
               ends_on: datetime.date, today: datetime.date) -> dict[str, Any]:
    """What the template's placeholders are filled with (``pozycje`` as rows)."""
    if customer.is_person:
        identifier = customer.pesel
    else:
        identifier = f"NIP {format_nip(customer.nip)}" if customer.nip else ""
    address = _address(customer.street, customer.postal_code, customer.city)
    corr = _address(customer.corr_street, customer.corr_postal_code, customer.corr_city)
    return {
        "numer": number, "data": today.strftime("%d.%m.%Y"), "miejscowosc": branch.city,
        "klient": customer.display_name, "identyfikator": identifier, "adres": address,
        "adres_korespondencyjny": corr or address, "telefon": format_phone(customer.phone),
        "email": customer.email, "oddzial": branch.name,
        "pracownik": getattr(employee, "full_name", "") or str(employee or ""),
        "pozycje": [[line.code, line.name, line.unit, money(line.price_gross),
                     str(line.quantity), money(line.total_gross)] for line in lines],
        "razem": money(total), "okres": str(term_months),
        "data_konca": ends_on.strftime("%d.%m.%Y"), "data_poczatku":
            starts_on.strftime("%d.%m.%Y"),
    }


def missing(values: dict[str, Any], fields: list[str]) -> list[str]:
    """The template's fields left empty (the template says which data are required)."""
    return [f for f in fields if not values.get(f)]


def _rows_html(rows: list[list[str]]) -> str:
    head = ("<table class=\"lines\"><thead><tr><th>Kod</th><th>Usługa / produkt</th>"
            "<th>J.m.</th><th class=\"num\">Cena brutto</th><th class=\"num\">Ilość</th>"
            "<th class=\"num\">Wartość brutto</th></tr></thead><tbody>")
    body = "".join("<tr>" + "".join(
        f'<td{" class=\"num\"" if i >= 3 else ""}>{escape(cell)}</td>'
        for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return head + body + "</tbody></table>"


EXTRA_CSS = """
.doc-head { display: flex; justify-content: space-between; align-items: flex-start;
            border-bottom: 0.5pt solid #999; margin-bottom: 6mm; padding-bottom: 2mm; }
.doc-head .no { font-size: 9pt; } .lines { margin: 3mm 0; font-size: 9pt; }
"""


def file_name(contract: Any) -> str:
    suffix = f"-wersja-{contract.revision}" if contract.revision > 1 else ""
    return f"umowa-{contract.number}{suffix}.pdf"


def html_for(template_text: str, values: dict[str, Any], *, number: str, title: str,
             revision: int = 1) -> str:
    filled = {k: v for k, v in values.items() if k != "pozycje"}
    rows = values.get("pozycje") or []
    filled["pozycje"] = "; ".join(f"{r[1]} × {r[4]}" for r in rows)
    filled["pozycje_html"] = _rows_html(rows)
    document = contract_template.to_html(template_text, filled, title=title)
    version = f" (wersja {revision})" if revision > 1 else ""
    head = (f'<div class="doc-head"><div class="no">Umowa nr <strong>{escape(number)}</strong>'
            f"{version}<br>{escape(values.get('oddzial', ''))}, "
            f"{escape(values.get('data', ''))}</div>{qr_svg(f'{number}/{revision}')}</div>")
    return document.replace("<body>", "<body>" + head, 1)


def render(contract: Any) -> bytes:
    """The PDF of the contract's current revision."""
    text = files.path_of(contract.template.stored_name).read_bytes().decode("utf-8-sig")
    html = html_for(text, contract.values, number=contract.number,
                    title=f"Umowa {contract.number}", revision=contract.revision)
    return render_pdf(html, extra_css=EXTRA_CSS)
