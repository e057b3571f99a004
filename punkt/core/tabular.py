"""Reading spreadsheets people export from other systems: CSV (UTF-8 or Windows-1250,
comma or semicolon) and XLSX, first row = column names (matched through aliases)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("invalid_file", _("The CSV file is not UTF-8 or Windows-1250 text."),
                           field="file")


def _header(cells: list[Any], aliases: Mapping[str, str]) -> list[str]:
    out = []
    for cell in cells:
        key = " ".join(str(cell or "").strip().lower().split())
        out.append(aliases.get(key, key))
    return out


def read_rows(path: Path, aliases: Mapping[str, str] | None = None
              ) -> Iterator[dict[str, Any]]:
    """Rows of the file as dicts keyed by the (aliased, lower-case) header; empty rows
    skipped; raises a ValidationFailed on ``file`` for a file it cannot read."""
    aliases = aliases or {}
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any parse failure means "not a workbook"
            raise ValidationFailed("invalid_file", _("The XLSX file cannot be read."),
                                   field="file") from None
        try:
            if not wb.worksheets:
                raise ValidationFailed("invalid_file", _("The XLSX file has no sheet."),
                                       field="file")
            rows = wb.worksheets[0].iter_rows(values_only=True)
            header = _header(list(next(rows, [])), aliases)
            for row in rows:
                if row and any(v not in (None, "") for v in row):
                    yield dict(zip(header, ["" if v is None else v for v in row],
                                   strict=False))
        finally:
            wb.close()
        return
    text = _decode(path.read_bytes())
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = _header(next(reader, []), aliases)
        for row in reader:
            if any(v.strip() for v in row):
                yield dict(zip(header, row, strict=False))
    except csv.Error as exc:  # e.g. a field longer than the csv module allows
        raise ValidationFailed("invalid_file", _("The CSV file cannot be read: %(error)s.")
                               % {"error": exc}, field="file") from None
