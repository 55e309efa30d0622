"""A stacked area (the cumulative flow): bands stacked bottom first, as steps (a count holds
for the whole day), each labelled at its right end with its last value, and a legend in
stacking order."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts.axes import nice_ticks, swatch, x_name, y_axis
from insights.charts.svg import AXIS, INK, SMALL, SOFT, Fill, Svg, coordinate
from insights.units import day_label

WIDTH, LEFT, RIGHT, TOP = 900, 64, 690, 16
LEGEND_PER_ROW = 4


@dataclass(frozen=True)
class Band:
    label: str
    values: Sequence[int]
    fill: Fill


@dataclass(frozen=True)
class _Plot:
    """How days and counts map onto the plot."""

    days: int
    height: float
    top_tick: float

    @property
    def bottom(self) -> float:
        return TOP + self.height

    def x_of(self, i: int) -> float:
        return LEFT + (RIGHT - LEFT) * i / self.days

    def y_of(self, value: float) -> float:
        return self.bottom - self.height * value / self.top_tick


def stacked_area(
    bands: Sequence[Band],
    days: Sequence[dt.date],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_label: str,
    x_label: str = "",
    plot_height: int = 280,
) -> SafeString:
    """Bands stacked bottom first, as steps (a count holds for the whole day), each labelled
    at its right end with its last value, and a legend in stacking order."""
    bottom = TOP + plot_height
    legend_rows = math.ceil(len(bands) / LEGEND_PER_ROW)
    svg = Svg(chart_id, WIDTH, bottom + 56 + legend_rows * 20, title=title, desc=desc)
    n = max(len(days), 1)
    totals = [sum(max(band.values[i], 0) for band in bands) for i in range(n)]
    ticks = nice_ticks(max(totals + [0]), whole=True)
    plot = _Plot(n, plot_height, ticks[-1])
    y_axis(
        svg, LEFT, TOP, bottom, RIGHT, ticks, lambda v: plot_height * v / ticks[-1], label=y_label
    )
    _bands(svg, bands, plot)
    _days(svg, days, plot)
    if x_label:
        x_name(svg, LEFT, RIGHT, bottom + 36, x_label)
    _legend(svg, bands, bottom + 62)
    return svg.render("flow")


def _bands(svg: Svg, bands: Sequence[Band], plot: _Plot) -> None:
    """Each band on the ones below it, then the labels of their last values."""
    lower = [0] * plot.days
    ends: list[tuple[float, str]] = []
    for band in bands:
        upper = [lower[i] + max(band.values[i], 0) for i in range(plot.days)]
        if any(band.values):
            svg.add(
                "path",
                d=_step_area(lower, upper, plot.x_of, plot.y_of),
                fill=svg.paint(band.fill),
                stroke=INK,
                stroke_width=0.5,
                stroke_opacity=0.6,
            )
        last = band.values[-1] if band.values else 0
        if last > 0:
            ends.append(((plot.y_of(lower[-1]) + plot.y_of(upper[-1])) / 2, f"{band.label} {last}"))
        lower = upper
    for y, label, target in _spread_labels(ends, TOP + 6, plot.bottom):
        svg.line(RIGHT, target, RIGHT + 8, y, stroke=AXIS)
        svg.text(RIGHT + 11, y + 4, label, size=SMALL)


def _days(svg: Svg, days: Sequence[dt.date], plot: _Plot) -> None:
    """The time axis, with its ticks on Mondays (at most about eight of them named)."""
    bottom = plot.bottom
    weeks = [i for i, day in enumerate(days) if day.weekday() == 0]
    every = max(1, math.ceil(len(weeks) / 8))
    svg.line(LEFT, bottom, RIGHT, bottom)
    for k, i in enumerate(weeks):
        if k % every == 0:
            x = plot.x_of(i)
            svg.line(x, bottom, x, bottom + 4)
            svg.text(x, bottom + 17, day_label(days[i]), size=SMALL, anchor="middle", fill=SOFT)


def _legend(svg: Svg, bands: Sequence[Band], y: float) -> None:
    x = LEFT
    for k, band in enumerate(bands):
        if k and k % LEGEND_PER_ROW == 0:
            x, y = LEFT, y + 20
        x = swatch(svg, x, y, band.fill, band.label)


def _step_area(lower, upper, x_of, y_of) -> str:
    """A closed path: along the top of the band left to right, back along its bottom."""

    def edge(values, forwards):
        points = []
        order = range(len(values)) if forwards else range(len(values) - 1, -1, -1)
        for i in order:
            a, b = (x_of(i), x_of(i + 1)) if forwards else (x_of(i + 1), x_of(i))
            y = y_of(values[i])
            if points and points[-1][1] == y:
                points[-1] = (b, y)
            else:
                points.extend([(a, y), (b, y)])
        return points

    points = edge(upper, True) + edge(lower, False)
    return "M" + " L".join(f"{coordinate(x)} {coordinate(y)}" for x, y in points) + " Z"


def _spread_labels(labels, top, bottom, gap=14):
    """Label positions near their targets that do not overlap: (y, text, target y)."""
    placed: list[list] = []
    for target, text in sorted(labels):
        y = max(target, top, placed[-1][0] + gap if placed else top)
        placed.append([y, text, target])
    if placed and placed[-1][0] > bottom:  # pushed past the bottom: stack up from there
        placed[-1][0] = bottom
        for k in range(len(placed) - 2, -1, -1):
            placed[k][0] = min(placed[k][0], placed[k + 1][0] - gap)
    return [tuple(item) for item in placed]
