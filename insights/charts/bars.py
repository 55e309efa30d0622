"""Ranked horizontal bars: one row per bar, in the order given (the lead time of each
request type, the wait in each status), a line beyond each bar (the 90th percentile) and a
diamond where something else stands (the longest still waiting)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts.axes import nice_ticks, vertical_grid, x_axis
from insights.charts.svg import BAR, HIGHLIGHT, INK, SMALL, SOFT, Svg, coordinate, text_width

WIDTH = 900
LABEL_RIGHT = 250  # where the row labels end
LEFT, RIGHT = LABEL_RIGHT + 10, WIDTH - 190  # the plot; the value texts follow it
TOP = 34
ROW_H = 38


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the bar (e.g. the median), in the chart's unit
    whisker: float | None = None  # a line beyond it (e.g. the 90th percentile)
    value_text: str = ""  # said at the end of the row
    note: str = ""  # small, under the label
    highlight: bool = False
    flag: str = ""  # said beside a highlighted label ("Slowest")
    marker: float | None = None  # a diamond on the row (e.g. the longest still waiting)
    marker_text: str = ""  # said under the value text


def ranked_bars(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    axis_label: str,
    value_name: str = "median",
    whisker_name: str = "90th percentile",
    marker_name: str = "",
) -> SafeString:
    """One row per bar, in the order given, the highlighted one in a strong colour and named."""
    bottom = TOP + ROW_H * len(bars)
    svg = Svg(chart_id, WIDTH, bottom + 50, title=title, desc=desc)
    largest = max([max(b.value, b.whisker or 0, b.marker or 0) for b in bars] + [0])
    ticks = nice_ticks(largest)

    def scale(v):
        return (RIGHT - LEFT) * v / ticks[-1]

    _key(svg, value_name, whisker_name, marker_name)
    vertical_grid(svg, LEFT, TOP, bottom, ticks, scale)
    for i, bar in enumerate(bars):
        _row(svg, bar, TOP + i * ROW_H + ROW_H / 2 - 3, scale)
    x_axis(svg, LEFT, RIGHT, bottom, ticks, scale, label=axis_label)
    return svg.render("bars")


def _key(svg: Svg, value_name: str, whisker_name: str, marker_name: str) -> None:
    """What the bar, the line beyond it and the diamond stand for."""
    svg.add("rect", x=float(LEFT), y=8.0, width=26, height=10, fill=BAR)
    svg.text(LEFT + 32, 17, value_name, size=SMALL, fill=SOFT)
    kx = LEFT + 44 + text_width(value_name, SMALL)
    svg.line(kx, 13, kx + 26, 13, stroke=INK, width=1.5)
    svg.line(kx + 26, 8, kx + 26, 18, stroke=INK, width=1.5)
    svg.text(kx + 32, 17, whisker_name, size=SMALL, fill=SOFT)
    if marker_name:
        mx = kx + 44 + text_width(whisker_name, SMALL)
        _diamond(svg, mx + 6, 13)
        svg.text(mx + 16, 17, marker_name, size=SMALL, fill=SOFT)


def _row(svg: Svg, bar: Bar, mid: float, scale) -> None:
    weight = "700" if bar.highlight else None
    _row_label(svg, bar, mid, weight)
    svg.add(
        "rect",
        x=float(LEFT),
        y=float(mid - 9),
        width=float(max(scale(bar.value), 1.5)),
        height=16,
        fill=HIGHLIGHT if bar.highlight else BAR,
    )
    if bar.whisker is not None and bar.whisker > bar.value:
        x1, x2 = LEFT + scale(bar.value), LEFT + scale(bar.whisker)
        svg.line(x1, mid - 1, x2, mid - 1, stroke=INK, width=1.5)
        svg.line(x2, mid - 7, x2, mid + 5, stroke=INK, width=1.5)
    if bar.marker is not None:
        _diamond(svg, LEFT + scale(bar.marker), mid - 1)
    svg.text(RIGHT + 12, mid + 3, bar.value_text, size=SMALL, weight=weight)
    if bar.marker_text:
        svg.text(RIGHT + 12, mid + 17, bar.marker_text, size=SMALL, fill=SOFT)


def _row_label(svg: Svg, bar: Bar, mid: float, weight: str | None) -> None:
    """The bar's label, and under it its flag and note."""
    svg.text(LABEL_RIGHT, mid + 1, bar.label, anchor="end", weight=weight)
    if bar.note or bar.flag:
        svg.text(
            LABEL_RIGHT,
            mid + 15,
            " · ".join(p for p in (bar.flag, bar.note) if p),
            size=SMALL,
            anchor="end",
            fill=HIGHLIGHT if bar.highlight else SOFT,
            weight=weight,
        )


def _diamond(svg: Svg, x: float, y: float, r: float = 6) -> None:
    n = coordinate
    svg.add(
        "path",
        d=f"M{n(x)} {n(y - r)} L{n(x + r)} {n(y)} L{n(x)} {n(y + r)} L{n(x - r)} {n(y)} Z",
        fill="#ffffff",
        stroke=INK,
        stroke_width=1.6,
    )
