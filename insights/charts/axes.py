"""What the charts share around their marks: round tick values and their labels, the axes
with their names, grid lines, and legend swatches."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from insights.charts.svg import FONT, GRID, INK, SMALL, SOFT, Fill, Svg, coordinate, text_width


def nice_ticks(largest: float, *, count: int = 5, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least `largest`."""
    if largest <= 0:
        return [0, 1]
    raw = largest / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    top = math.ceil(largest / step - 1e-9)
    return [round(i * step, 10) for i in range(top + 1)]


def tick_text(ticks: Sequence[float]) -> Callable[[float], str]:
    """A formatter that gives every tick the decimals its step needs (0.005, 0.010, ...)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    decimals = 0
    while decimals < 6 and abs(round(step * 10**decimals) - step * 10**decimals) > 1e-6:
        decimals += 1
    return lambda v: f"{v:.{decimals}f}"


def x_axis(svg: Svg, left, right, y, ticks, scale, *, label="", fmt=None) -> None:
    fmt = fmt or tick_text(ticks)
    svg.line(left, y, right, y)
    for tick in ticks:
        x = left + scale(tick)
        svg.line(x, y, x, y + 4)
        svg.text(x, y + 17, fmt(tick), size=SMALL, anchor="middle", fill=SOFT)
    if label:
        x_name(svg, left, right, y + 36, label)


def x_name(svg: Svg, left, right, y, label: str) -> None:
    """The x axis's name, centred under it."""
    svg.text((left + right) / 2, y, label, size=FONT, anchor="middle", fill=SOFT)


def y_axis(svg: Svg, x, top, bottom, right, ticks, scale, *, label="", fmt=None) -> None:
    fmt = fmt or tick_text(ticks)
    for tick in ticks:
        y = bottom - scale(tick)
        svg.line(x, y, right, y, stroke=GRID)
        svg.text(x - 6, y + 4, fmt(tick), size=SMALL, anchor="end", fill=SOFT)
    svg.line(x, top, x, bottom)
    if label:
        y_name(svg, (top + bottom) / 2, label)


def y_name(svg: Svg, middle: float, label: str) -> None:
    """The y axis's name, turned to read upwards along the left edge."""
    svg.text(
        14,
        middle,
        label,
        size=FONT,
        anchor="middle",
        fill=SOFT,
        transform=f"rotate(-90 14 {coordinate(middle)})",
    )


def vertical_grid(svg: Svg, left, top, bottom, ticks, scale) -> None:
    """A grid line at each tick, across the rows of a horizontal chart."""
    for tick in ticks:
        x = left + scale(tick)
        svg.line(x, top - 4, x, bottom, stroke=GRID)


def swatch(svg: Svg, x, y, fill: Fill, label: str, size=12) -> float:
    """A legend entry; returns the x after it."""
    svg.add(
        "rect",
        x=float(x),
        y=float(y - size + 2),
        width=size,
        height=size,
        fill=svg.paint(fill),
        stroke=INK,
        stroke_width=0.6,
    )
    svg.text(x + size + 5, y, label, size=SMALL)
    return x + size + 5 + text_width(label, SMALL) + 16
