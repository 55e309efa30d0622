"""Small multiples of lines: one panel per request type, side by side on one shared scale,
the median solid and the 90th percentile dashed, broken where a week has no point."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts.axes import nice_ticks, tick_text, y_name
from insights.charts.svg import GRID, MEDIAN, P90, SMALL, SOFT, Svg, coordinate

WIDTH, PER_ROW = 900, 2
PANEL_W, PANEL_H, GAP_X, GAP_Y = 380, 150, 70, 78
ORIGIN_X, ORIGIN_Y = 70, 46
# How each line is drawn, the 90th percentile first so the median lies on top:
# (its index in a point, colour, dashes, width).
LINES = ((1, P90, "5 3", 1.5), (0, MEDIAN, None, 2.5))


@dataclass(frozen=True)
class Panel:
    label: str
    # Per x position: (median, 90th percentile), or None where there is nothing to show.
    points: Sequence[tuple[float, float] | None]
    note: str = ""


@dataclass(frozen=True)
class _Frame:
    """Where one panel sits, and how its positions and values map onto it."""

    left: float
    top: float
    positions: int
    ticks: Sequence[float]

    @property
    def bottom(self) -> float:
        return self.top + PANEL_H

    def x_of(self, i: int) -> float:
        return self.left + (i + 0.5) * PANEL_W / self.positions

    def y_of(self, value: float) -> float:
        return self.bottom - PANEL_H * value / self.ticks[-1]


def small_multiples(
    panels: Sequence[Panel],
    x_labels: Sequence[str],
    *,
    chart_id: str,
    title: str,
    desc: str,
    y_label: str,
    empty_text: str = "none finished",
) -> SafeString:
    """Panels side by side (two a row) on one shared scale: median solid, 90th dashed."""
    rows = math.ceil(len(panels) / PER_ROW)
    height = ORIGIN_Y + rows * (PANEL_H + GAP_Y) - 10
    svg = Svg(chart_id, WIDTH, height, title=title, desc=desc)
    ticks = nice_ticks(max([p[1] for panel in panels for p in panel.points if p] + [0]))
    _key(svg)
    for index, panel in enumerate(panels):
        frame = _Frame(
            ORIGIN_X + (index % PER_ROW) * (PANEL_W + GAP_X),
            ORIGIN_Y + (index // PER_ROW) * (PANEL_H + GAP_Y) + 18,
            max(len(x_labels), 1),
            ticks,
        )
        _panel_axes(svg, panel, frame, x_labels)
        if not any(panel.points):
            middle = frame.top + PANEL_H / 2
            svg.text(frame.left + PANEL_W / 2, middle, empty_text, anchor="middle", fill=SOFT)
            continue
        for line in LINES:
            _line(svg, panel.points, frame, *line)
    y_name(svg, ORIGIN_Y + (height - ORIGIN_Y) / 2, y_label)
    return svg.render("multiples")


def _key(svg: Svg) -> None:
    svg.line(ORIGIN_X, 14, ORIGIN_X + 26, 14, stroke=MEDIAN, width=2.5)
    svg.add("circle", cx=float(ORIGIN_X + 13), cy=14.0, r=3.5, fill=MEDIAN)
    svg.text(ORIGIN_X + 32, 18, "median", size=SMALL, fill=SOFT)
    kx = ORIGIN_X + 100
    svg.line(kx, 14, kx + 26, 14, stroke=P90, width=1.5, stroke_dasharray="5 3")
    svg.add("rect", x=float(kx + 10), y=11.0, width=6, height=6, fill=P90)
    svg.text(kx + 32, 18, "90th percentile", size=SMALL, fill=SOFT)


def _panel_axes(svg: Svg, panel: Panel, frame: _Frame, x_labels: Sequence[str]) -> None:
    """The panel's name and note, its grid and value ticks, its axes and position labels."""
    left, top, bottom = frame.left, frame.top, frame.bottom
    svg.text(left, top - 8, panel.label, weight="700")
    if panel.note:
        svg.text(left + PANEL_W, top - 8, panel.note, size=SMALL, anchor="end", fill=SOFT)
    fmt = tick_text(frame.ticks)
    for tick in frame.ticks:
        y = bottom - PANEL_H * tick / frame.ticks[-1]
        svg.line(left, y, left + PANEL_W, y, stroke=GRID)
        svg.text(left - 6, y + 4, fmt(tick), size=SMALL, anchor="end", fill=SOFT)
    svg.line(left, top, left, bottom)
    svg.line(left, bottom, left + PANEL_W, bottom)
    every = max(1, math.ceil(frame.positions / 6))
    for i, text in enumerate(x_labels):
        if i % every == 0:
            x = frame.x_of(i)
            svg.line(x, bottom, x, bottom + 4)
            svg.text(x, bottom + 16, text, size=SMALL, anchor="middle", fill=SOFT)


def _line(svg: Svg, points, frame: _Frame, which: int, colour: str, dash, width) -> None:
    """One of the panel's lines (`which`: 0 the median, 1 the 90th percentile) and its
    points: a circle for the median, a square for the 90th percentile."""
    n = coordinate
    for run in _runs(points):
        if len(run) > 1:
            d = " ".join(
                f"{'M' if k == 0 else 'L'}{n(frame.x_of(i))} {n(frame.y_of(p[which]))}"
                for k, (i, p) in enumerate(run)
            )
            svg.add(
                "path", d=d, fill="none", stroke=colour, stroke_width=width, stroke_dasharray=dash
            )
    for i, point in enumerate(points):
        if point is None:
            continue
        x, y = frame.x_of(i), frame.y_of(point[which])
        if which == 0:
            svg.add("circle", cx=float(x), cy=float(y), r=3.5, fill=MEDIAN)
        else:
            svg.add("rect", x=float(x - 3), y=float(y - 3), width=6, height=6, fill=P90)


def _runs(points):
    """Consecutive positions that have a point: lines break where a week has none."""
    run: list = []
    for i, point in enumerate(points):
        if point is None:
            if run:
                yield run
            run = []
        else:
            run.append((i, point))
    if run:
        yield run
