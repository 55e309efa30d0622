"""Columns: one vertical bar per x position (a week), its value said above it; where there
is no value, the text says why."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts.axes import nice_ticks, x_name, y_axis
from insights.charts.svg import BAR, HIGHLIGHT, INK, SMALL, SOFT, Svg

WIDTH = 900
LEFT, RIGHT = 64, 880
TOP, PLOT_H = 22, 200
BOTTOM = TOP + PLOT_H


@dataclass(frozen=True)
class Column:
    label: str  # under the column
    value: float | None  # None: nothing to show (the text says why)
    text: str = ""  # above the column
    highlight: bool = False


@dataclass(frozen=True)
class _Slots:
    """One slot per x position across the plot; where slots are narrow, fewer labels."""

    count: int

    @property
    def width(self) -> float:
        return (RIGHT - LEFT) / self.count

    def centre(self, i: int) -> float:
        return LEFT + self.width * (i + 0.5)

    @property
    def bar_width(self) -> float:
        return min(44, self.width * 0.7)

    @property
    def text_size(self) -> float:
        return SMALL if self.width > 34 else 9.5

    def labelled(self, i: int) -> bool:
        return i % max(1, math.ceil(self.count / 13)) == 0

    def says_text(self, i: int) -> bool:
        return self.width > 24 or self.labelled(i)


def columns(
    cols: Sequence[Column],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_label: str,
    x_label: str = "",
    y_max: float | None = None,
    fmt=None,
) -> SafeString:
    """One column per x position with its value said above it."""
    svg = Svg(chart_id, WIDTH, BOTTOM + (56 if x_label else 34), title=title, desc=desc)
    ticks = _ticks(cols, y_max)

    def h_of(v):
        return PLOT_H * v / ticks[-1]

    y_axis(svg, LEFT, TOP, BOTTOM, RIGHT, ticks, h_of, label=y_label, fmt=fmt)
    slots = _Slots(max(len(cols), 1))
    for i, col in enumerate(cols):
        _column(svg, col, i, slots, h_of)
    svg.line(LEFT, BOTTOM, RIGHT, BOTTOM)
    if x_label:
        x_name(svg, LEFT, RIGHT, BOTTOM + 38, x_label)
    return svg.render("columns")


def _ticks(cols: Sequence[Column], y_max: float | None) -> list[float]:
    """Whole counts up to the tallest column, or a fixed scale up to `y_max` (a share)."""
    if y_max is None:
        return nice_ticks(max([c.value or 0 for c in cols] + [0]), whole=True)
    return [t for t in nice_ticks(y_max) if t <= y_max] or [0, y_max]


def _column(svg: Svg, col: Column, i: int, slots: _Slots, h_of) -> None:
    cx = slots.centre(i)
    text_y = BOTTOM - 5
    if col.value is not None:
        h = h_of(col.value)
        svg.add(
            "rect",
            x=float(cx - slots.bar_width / 2),
            y=float(BOTTOM - h),
            width=float(slots.bar_width),
            height=float(max(h, 0)),
            fill=HIGHLIGHT if col.highlight else BAR,
        )
        text_y = BOTTOM - h - 5
    if col.text and slots.says_text(i):
        fill = INK if col.value is not None else SOFT
        svg.text(cx, text_y, col.text, size=slots.text_size, anchor="middle", fill=fill)
    if slots.labelled(i):
        svg.text(cx, BOTTOM + 16, col.label, size=SMALL, anchor="middle", fill=SOFT)
