"""Spreadsheet exports: CSV as Polish Excel opens it (semicolons, UTF-8 with a BOM,
decimal commas), every text cell neutralised against formula injection (C25); or an
Excel workbook (XLSX: numbers as numbers, texts never formulas)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

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


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import numbers

    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd.mm.yyyy hh:mm"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd.mm.yyyy"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = numbers.FORMAT_NUMBER_COMMA_SEPARATED1  # #,##0.00
        return cell
    if isinstance(value, bool | int | float) or value is None:
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # never a formula, whatever it starts with (C25)
    return cell


def xlsx_response(filename: str, header: list[Any], rows: Iterable[list[Any]]) -> HttpResponse:
    """``rows`` under ``header`` as an Excel workbook: amounts and counts as numbers,
    dates as dates, every text a text (never run as a formula)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([_xlsx_cell(sheet, str(h)) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(request: HttpRequest, filename: str, header: list[Any],
                   rows: Iterable[list[Any]]) -> HttpResponseBase:
    """The export a page's link asks for: CSV, or an Excel workbook with ``format=xlsx``
    (``filename`` is the CSV's; the workbook's ends in ``.xlsx``)."""
    if request.GET.get("format") == "xlsx":
        return xlsx_response(filename.removesuffix(".csv") + ".xlsx", header, rows)
    return csv_response(filename, header, rows)
