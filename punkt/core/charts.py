"""Charts drawn on the server as inline SVG: no JavaScript, printable, readable by a screen reader.

Three shapes cover the reports: ``bars`` (one horizontal bar per label — a funnel, counts per
cause), ``columns`` (one vertical bar per period, an optional goal line) and ``lines`` (one or
more series over periods, an optional goal line). Each returns markup ready for a template
(``{{ chart }}``); the page keeps its table beside the chart, which is the accessible copy of
the figures. Colours come from CSS classes (``tone-ok``, ``tone-warn``, ``tone-err``,
``tone-muted``, ``tone-1`` … ``tone-4`` for series) in ``punkt.css``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

TONES = ("", "ok", "warn", "err", "muted", "1", "2", "3", "4")

_WIDTH = 640
_ROW = 26
_PLOT_RIGHT = _WIDTH - 110  # the right margin holds the goal's label
_FONT = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: Number | None
    url: str = ""
    tone: str = ""
    note: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    tone: str = "1"
    urls: Sequence[str] = field(default_factory=tuple)


def default_format(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), decimal_pos=1, use_l10n=True, force_grouping=True)
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def percent_format(value: Number) -> str:
    return number_format(round(float(value), 1), decimal_pos=1, use_l10n=True) + " %"


def _tone(tone: str) -> str:
    if tone not in TONES:
        raise ValueError(f"unknown chart tone {tone!r}; use one of {TONES}")
    return f"tone-{tone}" if tone else ""


def _scale_max(values: Sequence[Number | None], goal: Number | None = None) -> float:
    top = max([float(v) for v in values if v is not None] + [0.0])
    if goal is not None:
        top = max(top, float(goal))
    return top or 1.0


def _open(title: str, height: int, testid: str) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%"'
        ' preserveAspectRatio="xMinYMin meet"{}><title>{}</title>',
        title,
        _WIDTH,
        height,
        format_html(' data-testid="{}"', testid) if testid else "",
        title,
    )


def _linked(url: str, inner: SafeString) -> SafeString:
    if not url:
        return inner
    return format_html('<a href="{}">{}</a>', url, inner)


def bars(
    items: Sequence[Bar],
    *,
    title: str,
    fmt: Callable[[Number], str] = default_format,
    label_width: int = 200,
    testid: str = "",
) -> SafeString:
    """One horizontal bar per item, the label on the left and the figure after the bar."""
    if label_width < 40 or label_width > _WIDTH // 2:
        raise ValueError("label_width must be between 40 and half the chart's width")
    if not items:
        return SafeString("")
    top = _scale_max([b.value for b in items])
    room = _WIDTH - label_width - 90
    rows = []
    for i, bar in enumerate(items):
        y = i * _ROW
        value = 0.0 if bar.value is None else float(bar.value)
        width = max(0.0, value) / top * room
        shown = "–" if bar.value is None else fmt(bar.value)
        if bar.note:
            shown = f"{shown} {bar.note}"
        inner = format_html(
            '<g transform="translate(0,{})"><text x="{}" y="{}" text-anchor="end"'
            ' font-size="{}">{}</text><rect x="{}" y="4" height="{}" width="{}" rx="2"'
            ' class="{}"></rect><text x="{}" y="{}" font-size="{}">{}</text></g>',
            y,
            label_width - 6,
            _ROW - 9,
            _FONT,
            _clip(bar.label, label_width),
            label_width,
            _ROW - 8,
            _n(width),
            _tone(bar.tone),
            _n(label_width + width + 6),
            _ROW - 9,
            _FONT,
            shown,
        )
        rows.append(_linked(bar.url, inner))
    return _join(_open(title, len(items) * _ROW + 4, testid), rows)


def columns(
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    title: str,
    goal: Number | None = None,
    goal_label: str = "",
    fmt: Callable[[Number], str] = default_format,
    urls: Sequence[str] = (),
    tone: str = "",
    testid: str = "",
) -> SafeString:
    """One vertical bar per period (oldest first); a dashed line marks the goal if given."""
    _same_length(labels, values, urls)
    if not labels:
        return SafeString("")
    plot_top, plot_height, left = 18, 150, 8
    top = _scale_max(values, goal)
    step = (_PLOT_RIGHT - left) / len(labels)
    width = max(4.0, step * 0.6)
    every = _label_every(labels, step)
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * step + (step - width) / 2
        height = 0.0 if value is None else max(0.0, float(value)) / top * plot_height
        y = plot_top + plot_height - height
        inner = format_html(
            '<g><rect x="{}" y="{}" width="{}" height="{}" rx="2" class="{}">'
            "<title>{}: {}</title></rect>"
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}">{}</text>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}">{}</text></g>',
            _n(x),
            _n(y),
            _n(width),
            _n(height),
            _tone(tone),
            label,
            "–" if value is None else fmt(value),
            _n(x + width / 2),
            _n(y - 4),
            _FONT - 1,
            "" if value is None else fmt(value),
            _n(x + width / 2),
            plot_top + plot_height + 16,
            _FONT - 1,
            label if _shown(i, len(labels), every) else "",
        )
        parts.append(_linked(urls[i] if urls else "", inner))
    if goal is not None:
        parts.append(_goal_line(goal, top, plot_top, plot_height, left, goal_label, fmt))
    return _join(_open(title, plot_top + plot_height + 24, testid), parts)


def lines(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    goal: Number | None = None,
    goal_label: str = "",
    fmt: Callable[[Number], str] = default_format,
    testid: str = "",
) -> SafeString:
    """Series over periods (oldest first); a missing value breaks the line; a legend below."""
    if not labels or not series:
        return SafeString("")
    for s in series:
        _same_length(labels, s.values, s.urls)
    plot_top, plot_height, left = 16, 150, 56
    top = _scale_max([v for s in series for v in s.values], goal)
    step = (_PLOT_RIGHT - left - 12) / max(1, len(labels) - 1)

    def point(i: int, value: Number) -> tuple[float, float]:
        return left + 12 + i * step, plot_top + plot_height - max(
            0.0, float(value)
        ) / top * plot_height

    parts = _grid(top, plot_top, plot_height, left, fmt)
    parts += [
        format_html(
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}">{}</text>',
            _n(left + 12 + i * step),
            plot_top + plot_height + 16,
            _FONT - 1,
            label,
        )
        for i, label in enumerate(labels)
        if _shown(i, len(labels), _label_every(labels, step))
    ]
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(point(i, value))
            dot = format_html(
                '<circle cx="{}" cy="{}" r="3.5" class="{}"><title>{} · {}: {}</title></circle>',
                *map(_n, point(i, value)),
                _tone(s.tone),
                s.name,
                labels[i],
                fmt(value),
            )
            parts.append(_linked(s.urls[i] if s.urls else "", dot))
        for run in runs:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline fill="none" class="line {}" points="{}"></polyline>',
                        _tone(s.tone),
                        " ".join(f"{x:.1f},{y:.1f}" for x, y in run),
                    )
                )
    if goal is not None:
        parts.append(_goal_line(goal, top, plot_top, plot_height, left, goal_label, fmt))
    legend_y = plot_top + plot_height + 36
    x = float(left)
    for s in series:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="4" class="{}"></rect>'
                '<text x="{}" y="{}" font-size="{}">{}</text>',
                _n(x),
                legend_y - 4,
                _tone(s.tone),
                _n(x + 16),
                legend_y,
                _FONT - 1,
                s.name,
            )
        )
        x += 24 + 7 * len(s.name)
    return _join(_open(title, legend_y + 8, testid), parts)


def _goal_line(
    goal: Number,
    top: float,
    plot_top: int,
    plot_height: int,
    left: int,
    label: str,
    fmt: Callable[[Number], str],
) -> SafeString:
    """A dashed line across the plot, its label in the right margin (never over the bars)."""
    y = plot_top + plot_height - max(0.0, float(goal)) / top * plot_height
    text = f"{label} {fmt(goal)}".strip()
    return format_html(
        '<g class="goal"><line x1="{}" x2="{}" y1="{}" y2="{}" stroke-dasharray="5 4">'
        '</line><text x="{}" y="{}" font-size="{}">{}</text></g>',
        left,
        _PLOT_RIGHT,
        _n(y),
        _n(y),
        _PLOT_RIGHT + 6,
        _n(y + 4),
        _FONT - 1,
        text,
    )


def _grid(
    top: float, plot_top: int, plot_height: int, left: int, fmt: Callable[[Number], str]
) -> list[SafeString]:
    lines = []
    for share in (0.0, 0.5, 1.0):
        y = plot_top + plot_height - share * plot_height
        value: Number = top * share
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        lines.append(
            format_html(
                '<g class="grid"><line x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text x="{}" y="{}" text-anchor="end" font-size="{}">{}</text></g>',
                left,
                _PLOT_RIGHT,
                _n(y),
                _n(y),
                left - 6,
                _n(y + 4),
                _FONT - 2,
                fmt(value),
            )
        )
    return lines


def _label_every(labels: Sequence[str], step: float) -> int:
    """Every how many periods a label fits under the axis without touching the next."""
    widest = max(len(label) for label in labels) * (_FONT - 1) * 0.62 + 6
    return max(1, math.ceil(widest / step)) if step > 0 else 1


def _shown(i: int, count: int, every: int) -> bool:
    """Labels counted back from the last period (the newest is always named)."""
    return (count - 1 - i) % every == 0


def _n(value: float) -> str:
    return f"{value:.1f}"


def _clip(text: str, width: int) -> str:
    most = max(4, int(width / (_FONT * 0.55)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _same_length(labels: Sequence[str], values: Sequence[object], urls: Sequence[str]) -> None:
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    if urls and len(urls) != len(labels):
        raise ValueError(f"{len(urls)} links for {len(labels)} labels")


def _join(head: SafeString, parts: Sequence[SafeString]) -> SafeString:
    return mark_safe(head + format_html_join("", "{}", ((p,) for p in parts)) + "</svg>")  # noqa: S308
