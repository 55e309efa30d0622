"""Stacked horizontal bars: one bar per row (an impact level), its segments in series order
(the statuses), each numbered where the number fits, the row's total at its end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts.axes import nice_ticks, swatch, vertical_grid, x_axis
from insights.charts.svg import INK, SMALL, Fill, Svg, text_width

WIDTH = 900
LABEL_RIGHT = 110  # where the row labels end
LEFT, RIGHT = LABEL_RIGHT + 10, WIDTH - 90  # the plot; the totals follow the bars
TOP = 34
ROW_H = 40


@dataclass(frozen=True)
class Series:
    label: str
    fill: Fill


@dataclass(frozen=True)
class StackedRow:
    label: str
    values: Sequence[int]
    note: str = ""
    highlight: bool = False


def stacked_bars(
    rows: Sequence[StackedRow],
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_label: str,
) -> SafeString:
    """One bar per row, its segments in series order, each numbered where it fits."""
    bottom = TOP + ROW_H * len(rows)
    svg = Svg(chart_id, WIDTH, bottom + 50, title=title, desc=desc)
    ticks = nice_ticks(max([sum(r.values) for r in rows] + [0]), whole=True)

    def scale(v):
        return (RIGHT - LEFT) * v / ticks[-1]

    x = LEFT
    for s in series:
        x = swatch(svg, x, 18, s.fill, s.label)
    vertical_grid(svg, LEFT, TOP, bottom, ticks, scale)
    for i, row in enumerate(rows):
        _row(svg, row, series, TOP + i * ROW_H + ROW_H / 2, scale)
    x_axis(svg, LEFT, RIGHT, bottom, ticks, scale, label=x_label)
    return svg.render("stacked")


def _row(svg: Svg, row: StackedRow, series: Sequence[Series], mid: float, scale) -> None:
    weight = "700" if row.highlight else None
    svg.text(LABEL_RIGHT, mid + 4, row.label, anchor="end", weight=weight)
    x = LEFT
    for value, s in zip(row.values, series, strict=True):
        w = scale(value)
        if value:
            _segment(svg, x, w, mid, value, s.fill)
        x += w
    total = f"{sum(row.values)}" + (f" {row.note}" if row.note else "")
    svg.text(x + 8, mid + 4, total, size=SMALL, weight="700")


def _segment(svg: Svg, x: float, w: float, mid: float, value: int, fill: Fill) -> None:
    """One status's part of the bar, numbered on a light ground where the number fits."""
    svg.add(
        "rect",
        x=float(x),
        y=float(mid - 11),
        width=float(w),
        height=22,
        fill=svg.paint(fill),
        stroke=INK,
        stroke_width=0.6,
    )
    said = str(value)
    if w >= text_width(said, SMALL) + 10:
        svg.add(
            "rect",
            x=float(x + w / 2 - text_width(said, SMALL) / 2 - 3),
            y=float(mid - 8),
            width=float(text_width(said, SMALL) + 6),
            height=15,
            fill="#ffffff",
            fill_opacity=0.85,
            rx=2,
        )
        svg.text(x + w / 2, mid + 4, said, size=SMALL, anchor="middle")
