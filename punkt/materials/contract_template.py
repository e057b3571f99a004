"""Contract templates: text or HTML with ``{{ pole }}`` placeholders and ``[[podpis: …]]``
signature places.

HQ writes the template; contracts fill it with the customer's and the offer's data and
render a PDF (``core.pdf``). Placeholders come from a fixed list (:data:`FIELDS`) — an
unknown one is refused at upload, so a typo never reaches a customer. Every filled value
is escaped: a customer called ``<script>`` or ``{{7*7}}`` is printed as typed (C22).
The template is never run through Django's template engine.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.core.errors import ValidationFailed

#: Placeholder → what it is filled with.
FIELDS: dict[str, Any] = {
    "numer": gettext_lazy("contract number"),
    "data": gettext_lazy("date of the contract"),
    "miejscowosc": gettext_lazy("town where it is signed (the branch's)"),
    "klient": gettext_lazy("customer's name or company"),
    "identyfikator": gettext_lazy("PESEL or NIP"),
    "adres": gettext_lazy("customer's registered address"),
    "adres_korespondencyjny": gettext_lazy("correspondence address"),
    "telefon": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "oddzial": gettext_lazy("branch"),
    "pracownik": gettext_lazy("employee preparing the contract"),
    "pozycje": gettext_lazy("table of the offered services and prices"),
    "razem": gettext_lazy("total gross price"),
    "okres": gettext_lazy("term in months"),
    "data_poczatku": gettext_lazy("start date"),
    "data_konca": gettext_lazy("end date"),
}
#: Placeholder → what it is filled with, in the templates of a sale's documents (the
#: commercial offer, the meeting minutes, the acceptance act, the questionnaire; R11.4).
SALES_FIELDS: dict[str, Any] = {
    "numer": gettext_lazy("document number"),
    "wersja": gettext_lazy("version of the offer"),
    "data": gettext_lazy("date of the document"),
    "miejscowosc": gettext_lazy("town (the branch's)"),
    "klient": gettext_lazy("customer's name or company"),
    "adres": gettext_lazy("customer's registered address"),
    "telefon": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "oddzial": gettext_lazy("branch"),
    "pracownik": gettext_lazy("the seller"),
    "sprzedaz": gettext_lazy("number of the sales opportunity"),
    "przedmiot": gettext_lazy("what is sold"),
    "pozycje": gettext_lazy("table of the offered services and prices"),
    "razem": gettext_lazy("total gross price"),
    "wazna_do": gettext_lazy("the offer is valid until"),
    "tresc": gettext_lazy("text written by the seller (minutes, notes)"),
    "faktura": gettext_lazy("invoice number"),
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]+)\s*\}\}")
SIGNATURE = re.compile(r"\[\[\s*podpis\s*:\s*([^\]\n]{1,60})\]\]", re.IGNORECASE)
ALIASES = {"miejscowość": "miejscowosc", "oddział": "oddzial"}


def _name(raw: str) -> str:
    name = raw.lower()
    return ALIASES.get(name, name)


def parse(text: str, *, fields: dict[str, Any] | None = None,
          signature_required: bool = True) -> dict[str, list[str]]:
    """The template's fields and signature places, or ValidationFailed on ``file``.
    ``fields``: the placeholders known (a contract's by default)."""
    known = FIELDS if fields is None else fields
    found = [_name(m.group(1)) for m in PLACEHOLDER.finditer(text)]
    unknown = sorted({f for f in found if f not in known})
    if unknown:
        raise ValidationFailed("invalid_template", _(
            "Unknown fields in the template: %(unknown)s. Known fields: %(known)s.") % {
            "unknown": ", ".join(f"{{{{ {f} }}}}" for f in unknown),
            "known": ", ".join(known)}, field="file")
    signatures = [" ".join(m.group(1).split()) for m in SIGNATURE.finditer(text)]
    if not signatures and signature_required:
        raise ValidationFailed("invalid_template", _(
            "The template has no signature place: add e.g. [[podpis: Klient]] and "
            "[[podpis: Pracownik]]."), field="file")
    if "{%" in text or "{#" in text:
        raise ValidationFailed("invalid_template", _(
            "Only {{ field }} placeholders are allowed in a template, no other tags."),
            field="file")
    return {"fields": list(dict.fromkeys(found)), "signatures": signatures}


def to_html(text: str, values: dict[str, str], *, title: str = "") -> str:
    """The filled document as HTML. Values are escaped; ``pozycje`` may be given as
    ready HTML by the caller under the key ``pozycje_html`` (built from escaped parts)."""
    is_html = bool(re.search(r"<(p|div|h[1-6]|table|br|section|strong)\b", text, re.I))
    body = text if is_html else "".join(
        f"<p>{escape(line)}</p>" if line.strip() else "" for line in text.splitlines())

    def fill(m: re.Match[str]) -> str:
        name = _name(m.group(1))
        if name == "pozycje" and "pozycje_html" in values:
            return values["pozycje_html"]
        return str(escape(values.get(name, "")))

    def signature(m: re.Match[str]) -> str:
        return f'<span class="signature">{escape(" ".join(m.group(1).split()))}</span>'

    # Signature places first: a value cannot add one ("Jan [[podpis: Dyrektor]]").
    body = PLACEHOLDER.sub(fill, SIGNATURE.sub(signature, body))
    return (f'<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body>{body}</body></html>")


def sample_values() -> dict[str, str]:
    """What HQ's preview fills the template with."""
    return {"numer": "U/2026/000123", "data": "24.11.2026", "miejscowosc": "Kraków",
            "klient": "Jan Kowalski", "identyfikator": "850101*****",
            "adres": "ul. Floriańska 1, 31-042 Kraków", "adres_korespondencyjny": "",
            "telefon": "+48 601 234 567", "email": "jan.kowalski@example.pl",
            "oddzial": "Kraków Centrum", "pracownik": "Olga Obsługowa",
            "pozycje": "Internet światłowodowy 600 Mb/s × 1 — 69,99 zł",
            "razem": "69,99 zł", "okres": "24", "data_poczatku": "24.11.2026",
            "data_konca": "23.11.2028", "wersja": "2", "sprzedaz": "SZ/2026/17",
            "przedmiot": "Internet światłowodowy dla domu", "wazna_do": "08.12.2026",
            "tresc": "Klient zainteresowany pakietem z telewizją.",
            "faktura": "FV/2026/11/0042"}
