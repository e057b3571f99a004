import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from punkt.core import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_bars_are_proportional_linked_and_escaped():
    svg = charts.bars(
        [
            charts.Bar("Prezentacja", 200, url="/p/?stage=1"),
            charts.Bar("<script>alert(1)</script>", 50, tone="err"),
            charts.Bar("Brak danych", None),
        ],
        title="Lejek & straty",
        testid="funnel",
    )
    root = parse(svg)
    assert root.get("aria-label") == "Lejek & straty"
    assert root.get("data-testid") == "funnel"
    widths = [float(r.get("width", "0")) for r in root.iter(f"{NS}rect")]
    assert widths[0] == pytest.approx(widths[1] * 4)
    assert widths[2] == 0
    assert "<script>" not in svg
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "–" in texts
    assert [a.get("href") for a in root.iter(f"{NS}a")] == ["/p/?stage=1"]
    assert "tone-err" in [r.get("class") for r in root.iter(f"{NS}rect")]


def test_columns_put_the_goal_line_at_its_value():
    svg = charts.columns(
        ["lis", "gru"], [Decimal("10"), Decimal("20")], title="Nowi", goal=15, goal_label="Cel"
    )
    root = parse(svg)
    rects = list(root.iter(f"{NS}rect"))
    assert float(rects[1].get("height", "0")) == pytest.approx(150)
    assert float(rects[0].get("height", "0")) == pytest.approx(75)
    line = next(root.iter(f"{NS}line"))
    assert float(line.get("y1", "0")) == pytest.approx(18 + 150 - 150 * 15 / 20)


def test_lines_break_on_missing_values_and_format_in_polish():
    with translation.override("pl"):
        svg = charts.lines(
            ["sty", "lut", "mar", "kwi"],
            [charts.Series("Udział", [Decimal("12.5"), None, Decimal("1234.25"), 3])],
            title="Trend",
            fmt=charts.default_format,
        )
    root = parse(svg)
    polylines = list(root.iter(f"{NS}polyline"))
    assert len(polylines) == 1  # the run after the gap; the lone first point is a dot only
    assert len(list(root.iter(f"{NS}circle"))) == 3
    assert "12,50" in svg and "1\xa0234,25" in svg


def test_mismatched_lengths_and_unknown_tones_are_refused():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        charts.columns(["a", "b", "c"], [1, 2], title="x")
    with pytest.raises(ValueError, match="unknown chart tone"):
        charts.bars([charts.Bar("a", 1, tone="pink")], title="x")
    assert charts.bars([], title="x") == ""
    assert charts.lines([], [], title="x") == ""


def test_percent_format():
    with translation.override("pl"):
        assert charts.percent_format(Decimal("33.333")) == "33,3 %"


def test_crowded_period_labels_are_thinned_from_the_newest():
    labels = [f"{m:02}.2026" for m in range(1, 13)]
    many = parse(charts.columns(labels, list(range(12)), title="x"))
    shown = [t.text for t in many.iter(f"{NS}text") if t.text and t.text.endswith(".2026")]
    assert shown[-1] == "12.2026" and 2 < len(shown) < 12
    few = parse(charts.columns(labels[:3], [1, 2, 3], title="x"))
    assert [t.text for t in few.iter(f"{NS}text") if t.text and "2026" in t.text] == labels[:3]
