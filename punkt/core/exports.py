"""Spreadsheet exports: CSV as Polish Excel opens it (semicolons, UTF-8 with a BOM,
decimal commas), every text cell neutralised against formula injection (C25)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (C25)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly (Polish letters)
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return neutralise(value)


def csv_response(filename: str, header: list[Any],
                 rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    """A download of ``rows`` under ``header``; amounts with a decimal comma."""
    def lines() -> Iterator[list[Any]]:
        yield [str(h) for h in header]
        for row in rows:
            yield [_cell(v) for v in row]

    response = StreamingHttpResponse(csv_stream(lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
