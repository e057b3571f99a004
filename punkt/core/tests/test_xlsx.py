"""The XLSX export: numbers stay numbers, dates dates, and no text is ever a formula."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook

from punkt.core.exports import XLSX_TYPE, table_response


def _rows(response: object) -> list[tuple[object, ...]]:
    sheet = load_workbook(BytesIO(response.content)).active  # type: ignore[attr-defined]
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_keeps_types_and_never_runs_a_formula() -> None:
    moment = timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 30))
    request = RequestFactory().get("/x/export.csv", {"format": "xlsx"})
    response = table_response(request, "raport.csv", ["Nazwa", "Kwota", "Dzień", "Chwila", "Ile"], [
        ["=HYPERLINK(\"http://zły.example\")", Decimal("1234.50"), datetime.date(2026, 12, 1),
         moment, 7],
        ["Żółć", Decimal("0.00"), None, None, 0]])
    assert isinstance(response, HttpResponse) and response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="raport.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A2"].data_type == "s"  # a text, not a formula (C25)
    assert sheet["A2"].value == "=HYPERLINK(\"http://zły.example\")"
    head, first, second = _rows(response)
    assert head == ("Nazwa", "Kwota", "Dzień", "Chwila", "Ile")
    assert first[1] == 1234.5 and first[4] == 7
    assert first[2] == datetime.datetime(2026, 12, 1, 0, 0)
    assert first[3] == timezone.localtime(moment).replace(tzinfo=None)
    assert second == ("Żółć", 0, None, None, 0)


def test_without_the_format_the_export_stays_csv() -> None:
    request = RequestFactory().get("/x/export.csv")
    response = table_response(request, "raport.csv", ["A"], [["=1+1"]])
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv") and "'=1+1" in text
