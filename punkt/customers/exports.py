"""Customer lists out, as CSV or XLSX: PESEL masked, formula cells neutralised (C25)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core.access import ensure
from punkt.core.audit import audit_record
from punkt.core.exports import neutralise
from punkt.customers import identifiers as ids
from punkt.customers import permissions as perms
from punkt.customers.models import Customer
from punkt.organization.actors import Actor

EXPORT_COLUMNS = [
    "number", "kind", "first_name", "last_name", "company_name", "pesel", "nip", "regon",
    "phone", "email", "street", "postal_code", "city", "country", "branch", "created_at",
    "industry", "company_size", "main_customer_type", "age_band",
]
EXPORT_LIMIT = 100_000


def _export_row(c: Customer) -> list[Any]:
    return [c.number, c.kind, c.first_name, c.last_name, c.company_name,
            ids.mask_pesel(c.pesel), c.nip, c.regon, c.phone, c.email, c.street,
            c.postal_code, c.city, c.country, c.branch.code,
            timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"), c.industry,
            c.company_size, c.main_customer_type, c.age_band]


def export_rows(qs: QuerySet[Customer]) -> Iterator[list[Any]]:
    """The header, then the customers of ``qs`` (at most ``EXPORT_LIMIT``)."""
    yield EXPORT_COLUMNS
    for c in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
        yield [neutralise(v) for v in _export_row(c)]


def audit_export(*, actor: Actor, fmt: str, params: dict[str, str]) -> None:
    ensure(actor, perms.CUSTOMER_EXPORT.code)
    audit_record(action="customers.customer.export", actor=actor,
                 message=f"format={fmt} filters={sorted(params.items())}"[:2000])


def xlsx_bytes(rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Customers"))
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
