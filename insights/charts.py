"""Server-rendered SVG charts: ranked bars, small multiples of lines, a stacked area (the
cumulative flow), columns and stacked bars.

Each chart is one self-contained <svg> with a <title> and <desc>, labelled axes, and direct
labels on the marks, so it reads without colour (print, colour blindness): emphasis is
also said in words ("Slowest"), and fills that mean something carry a pattern too. The
functions take figures already in the chart's unit and words already chosen; what the
figures mean is insights/dashboard.py's business. No style attributes (the portal plans a
strict Content Security Policy): colours are presentation attributes, fonts come from
static/css/insights.css.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#17202c"
SOFT = "#4a5566"
GRID = "#e2e7ee"
AXIS = "#8a96a8"
BAR = "#8fa8c9"
HIGHLIGHT = "#b45309"
MEDIAN = "#1d4ed8"
P90 = "#4a5566"
FONT = 13
SMALL = 11.5


# Units ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    name: str  # plural, for axes and table headings: "days"
    singular: str
    abbr: str
    seconds: int

    def of(self, seconds: float | None) -> float | None:
        return None if seconds is None else seconds / self.seconds

    def say(self, seconds: float | None) -> str:
        """ "6.2 days", "1 day", "under a second"."""
        if seconds is None:
            return "–"
        value = seconds / self.seconds
        if self.seconds == 1 and value < 1:
            return "under a second"
        text = number(value)
        return f"{text} {self.singular if text == '1' else self.name}"

    def short(self, seconds: float | None) -> str:
        return "–" if seconds is None else f"{number(seconds / self.seconds)} {self.abbr}"


UNITS = (
    Unit("seconds", "second", "s", 1),
    Unit("minutes", "minute", "min", 60),
    Unit("hours", "hour", "h", 3600),
    Unit("days", "day", "d", 86400),
)


def unit_for(largest_seconds: float | None) -> Unit:
    """The largest unit in which the largest value is at least 2 (36 hours, not 1.5 days)."""
    largest = largest_seconds or 0
    return next((u for u in reversed(UNITS) if largest / u.seconds >= 2), UNITS[0])


def say_duration(seconds: float | None) -> str:
    return unit_for(seconds).say(seconds)


def short_duration(seconds: float | None) -> str:
    """ "6.2 d", "36 h", "<1 s": each value in the unit that fits it."""
    if seconds is not None and seconds < 1:
        return "<1 s"
    return unit_for(seconds).short(seconds)


def number(value: float) -> str:
    """No decimals from 10 up, one from 1, two significant digits below; no trailing ".0"."""
    if value == 0:
        return "0"
    if abs(value) < 1:
        text = f"{value:.2g}"
        return text if "e" not in text else f"{value:.6f}".rstrip("0")
    text = f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"
    return text[:-2] if text.endswith(".0") else text


def tick_text(ticks: Sequence[float]):
    """A formatter that gives every tick the decimals its step needs (0.005, 0.010, ...)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    decimals = 0
    while decimals < 6 and abs(round(step * 10**decimals) - step * 10**decimals) > 1e-6:
        decimals += 1
    return lambda v: f"{v:.{decimals}f}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


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


def text_width(text: str, size: float = FONT) -> float:
    """About how wide a line of system-ui text is (for placing labels, not for typesetting)."""
    return len(text) * size * 0.56


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# Patterns: what a fill means, also without colour ------------------------------------------


@dataclass(frozen=True)
class Fill:
    colour: str
    pattern: str = "solid"  # solid, hatch (diagonal lines), cross, dots


# Writing SVG ---------------------------------------------------------------------------------


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = _n(value)
        elif isinstance(value, int):
            value = str(value)
        else:
            value = escape(value)
        out.append(f' {name}="{value}"')
    return "".join(out)


class Svg:
    def __init__(self, chart_id: str, width: float, height: float, *, title: str, desc: str):
        self.id, self.width, self.height = chart_id, width, height
        self.title, self.desc = title, desc
        self.defs: dict[str, str] = {}
        self.body: list[str] = []

    def add(self, tag: str, text: str | None = None, **attrs) -> None:
        if text is None:
            self.body.append(f"<{tag}{_attrs(attrs)}/>")
        else:
            self.body.append(f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>")

    def raw(self, markup: str) -> None:
        self.body.append(markup)

    def text(self, x, y, words: str, *, size=FONT, anchor="start", weight=None, fill=INK, **kw):
        self.add(
            "text",
            words,
            x=float(x),
            y=float(y),
            font_size=size,
            text_anchor=anchor if anchor != "start" else None,
            font_weight=weight,
            fill=fill,
            **kw,
        )

    def line(self, x1, y1, x2, y2, *, stroke=AXIS, width=1, **kw):
        self.add(
            "line",
            x1=float(x1),
            y1=float(y1),
            x2=float(x2),
            y2=float(y2),
            stroke=stroke,
            stroke_width=width,
            **kw,
        )

    def paint(self, fill: Fill) -> str:
        """The fill attribute for `fill`: its colour, or its pattern over the colour."""
        if fill.pattern == "solid":
            return fill.colour
        key = f"{self.id}-{fill.pattern}-{fill.colour.lstrip('#')}"
        if key not in self.defs:
            marks = {
                "hatch": '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6" stroke="{ink}" '
                'stroke-width="1.4" stroke-opacity="0.55"/>',
                "cross": '<path d="M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6 M0 0 L8 8 M-2 6 L2 10 '
                'M6 -2 L10 2" stroke="{ink}" stroke-width="1.2" stroke-opacity="0.55"/>',
                "dots": '<circle cx="4" cy="4" r="1.3" fill="{ink}" fill-opacity="0.55"/>',
            }[fill.pattern].format(ink=INK)
            self.defs[key] = (
                f'<pattern id="{key}" width="8" height="8" patternUnits="userSpaceOnUse">'
                f'<rect width="8" height="8" fill="{fill.colour}"/>{marks}</pattern>'
            )
        return f"url(#{key})"

    def render(self, kind: str) -> SafeString:
        defs = f"<defs>{''.join(self.defs.values())}</defs>" if self.defs else ""
        return mark_safe(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} '
            f'{_n(self.height)}" class="chart chart--{kind}" role="img" '
            f'aria-labelledby="{self.id}-title {self.id}-desc" id="{self.id}">'
            f'<title id="{self.id}-title">{escape(self.title)}</title>'
            f'<desc id="{self.id}-desc">{escape(self.desc)}</desc>'
            f"{defs}{''.join(self.body)}</svg>"
        )


def _swatch(svg: Svg, x, y, fill: Fill, label: str, size=12) -> float:
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


def _x_axis(svg: Svg, left, right, y, ticks, scale, *, label="", fmt=None):
    fmt = fmt or tick_text(ticks)
    svg.line(left, y, right, y)
    for tick in ticks:
        x = left + scale(tick)
        svg.line(x, y, x, y + 4)
        svg.text(x, y + 17, fmt(tick), size=SMALL, anchor="middle", fill=SOFT)
    if label:
        svg.text((left + right) / 2, y + 36, label, size=FONT, anchor="middle", fill=SOFT)


def _y_axis(svg: Svg, x, top, bottom, right, ticks, scale, *, label="", fmt=None):
    fmt = fmt or tick_text(ticks)
    for tick in ticks:
        y = bottom - scale(tick)
        svg.line(x, y, right, y, stroke=GRID)
        svg.text(x - 6, y + 4, fmt(tick), size=SMALL, anchor="end", fill=SOFT)
    svg.line(x, top, x, bottom)
    if label:
        middle = (top + bottom) / 2
        svg.text(
            14,
            middle,
            label,
            size=FONT,
            anchor="middle",
            fill=SOFT,
            transform=f"rotate(-90 14 {_n(middle)})",
        )


# Ranked horizontal bars ------------------------------------------------------------------------


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
    label_w, text_w, row_h = 250, 190, 38
    width = 900
    left, right = label_w + 10, width - text_w
    top = 34
    height = top + row_h * len(bars) + 50
    svg = Svg(chart_id, width, height, title=title, desc=desc)
    largest = max([max(b.value, b.whisker or 0, b.marker or 0) for b in bars] + [0])
    ticks = nice_ticks(largest)

    def scale(v):
        return (right - left) * v / ticks[-1]

    # Key: what the bar and the whisker are.
    svg.add("rect", x=float(left), y=8.0, width=26, height=10, fill=BAR)
    svg.text(left + 32, 17, value_name, size=SMALL, fill=SOFT)
    kx = left + 44 + text_width(value_name, SMALL)
    svg.line(kx, 13, kx + 26, 13, stroke=INK, width=1.5)
    svg.line(kx + 26, 8, kx + 26, 18, stroke=INK, width=1.5)
    svg.text(kx + 32, 17, whisker_name, size=SMALL, fill=SOFT)
    if marker_name:
        mx = kx + 44 + text_width(whisker_name, SMALL)
        _diamond(svg, mx + 6, 13)
        svg.text(mx + 16, 17, marker_name, size=SMALL, fill=SOFT)
    for tick in ticks:
        x = left + scale(tick)
        svg.line(x, top - 4, x, top + row_h * len(bars), stroke=GRID)
    for i, bar in enumerate(bars):
        y = top + i * row_h
        mid = y + row_h / 2 - 3
        weight = "700" if bar.highlight else None
        label = f"{bar.label}"
        svg.text(label_w, mid + 1, label, anchor="end", weight=weight)
        if bar.note or bar.flag:
            note = " · ".join(p for p in (bar.flag, bar.note) if p)
            svg.text(
                label_w,
                mid + 15,
                note,
                size=SMALL,
                anchor="end",
                fill=HIGHLIGHT if bar.highlight else SOFT,
                weight=weight,
            )
        svg.add(
            "rect",
            x=float(left),
            y=float(mid - 9),
            width=float(max(scale(bar.value), 1.5)),
            height=16,
            fill=HIGHLIGHT if bar.highlight else BAR,
        )
        if bar.whisker is not None and bar.whisker > bar.value:
            x1, x2 = left + scale(bar.value), left + scale(bar.whisker)
            svg.line(x1, mid - 1, x2, mid - 1, stroke=INK, width=1.5)
            svg.line(x2, mid - 7, x2, mid + 5, stroke=INK, width=1.5)
        if bar.marker is not None:
            _diamond(svg, left + scale(bar.marker), mid - 1)
        svg.text(right + 12, mid + 3, bar.value_text, size=SMALL, weight=weight)
        if bar.marker_text:
            svg.text(right + 12, mid + 17, bar.marker_text, size=SMALL, fill=SOFT)
    _x_axis(svg, left, right, top + row_h * len(bars), ticks, scale, label=axis_label)
    return svg.render("bars")


def _diamond(svg: Svg, x: float, y: float, r: float = 6) -> None:
    svg.add(
        "path",
        d=f"M{_n(x)} {_n(y - r)} L{_n(x + r)} {_n(y)} L{_n(x)} {_n(y + r)} L{_n(x - r)} {_n(y)} Z",
        fill="#ffffff",
        stroke=INK,
        stroke_width=1.6,
    )


# Small multiples of lines ----------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    label: str
    # Per x position: (median, 90th percentile), or None where there is nothing to show.
    points: Sequence[tuple[float, float] | None]
    note: str = ""


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
    width, columns = 900, 2
    panel_w, panel_h, gap_x, gap_y = 380, 150, 70, 78
    origin_x, origin_y = 70, 46
    rows = math.ceil(len(panels) / columns)
    height = origin_y + rows * (panel_h + gap_y) - 10
    svg = Svg(chart_id, width, height, title=title, desc=desc)
    largest = max([p[1] for panel in panels for p in panel.points if p] + [0])
    ticks = nice_ticks(largest)
    fmt = tick_text(ticks)
    n = max(len(x_labels), 1)
    every = max(1, math.ceil(n / 6))

    def y_of(v):
        return panel_h * v / ticks[-1]

    # Key.
    svg.line(origin_x, 14, origin_x + 26, 14, stroke=MEDIAN, width=2.5)
    svg.add("circle", cx=float(origin_x + 13), cy=14.0, r=3.5, fill=MEDIAN)
    svg.text(origin_x + 32, 18, "median", size=SMALL, fill=SOFT)
    kx = origin_x + 100
    svg.line(kx, 14, kx + 26, 14, stroke=P90, width=1.5, stroke_dasharray="5 3")
    svg.add("rect", x=float(kx + 10), y=11.0, width=6, height=6, fill=P90)
    svg.text(kx + 32, 18, "90th percentile", size=SMALL, fill=SOFT)
    for index, panel in enumerate(panels):
        px = origin_x + (index % columns) * (panel_w + gap_x)
        py = origin_y + (index // columns) * (panel_h + gap_y) + 18
        bottom = py + panel_h
        svg.text(px, py - 8, panel.label, weight="700")
        if panel.note:
            svg.text(px + panel_w, py - 8, panel.note, size=SMALL, anchor="end", fill=SOFT)
        for tick in ticks:
            y = bottom - y_of(tick)
            svg.line(px, y, px + panel_w, y, stroke=GRID)
            svg.text(px - 6, y + 4, fmt(tick), size=SMALL, anchor="end", fill=SOFT)
        svg.line(px, py, px, bottom)
        svg.line(px, bottom, px + panel_w, bottom)

        def x_of(i, px=px):
            return px + (i + 0.5) * panel_w / n

        for i, text in enumerate(x_labels):
            if i % every == 0:
                svg.line(x_of(i), bottom, x_of(i), bottom + 4)
                svg.text(x_of(i), bottom + 16, text, size=SMALL, anchor="middle", fill=SOFT)
        if not any(panel.points):
            svg.text(px + panel_w / 2, py + panel_h / 2, empty_text, anchor="middle", fill=SOFT)
            continue
        for which, colour, dash, w in ((1, P90, "5 3", 1.5), (0, MEDIAN, None, 2.5)):
            for run in _runs(panel.points):
                if len(run) > 1:
                    d = " ".join(
                        f"{'M' if k == 0 else 'L'}{_n(x_of(i))} {_n(bottom - y_of(p[which]))}"
                        for k, (i, p) in enumerate(run)
                    )
                    svg.add(
                        "path",
                        d=d,
                        fill="none",
                        stroke=colour,
                        stroke_width=w,
                        stroke_dasharray=dash,
                    )
            for i, point in enumerate(panel.points):
                if point is None:
                    continue
                x, y = x_of(i), bottom - y_of(point[which])
                if which == 0:
                    svg.add("circle", cx=float(x), cy=float(y), r=3.5, fill=MEDIAN)
                else:
                    svg.add("rect", x=float(x - 3), y=float(y - 3), width=6, height=6, fill=P90)
    svg.text(
        14,
        origin_y + (height - origin_y) / 2,
        y_label,
        size=FONT,
        anchor="middle",
        fill=SOFT,
        transform=f"rotate(-90 14 {_n(origin_y + (height - origin_y) / 2)})",
    )
    return svg.render("multiples")


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


# Stacked area (the cumulative flow) ---------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    label: str
    values: Sequence[int]
    fill: Fill


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
    width, left, right, top, plot_h = 900, 64, 690, 16, plot_height
    bottom = top + plot_h
    legend_rows = math.ceil(len(bands) / 4)
    height = bottom + 56 + legend_rows * 20
    svg = Svg(chart_id, width, height, title=title, desc=desc)
    n = max(len(days), 1)
    totals = [sum(max(band.values[i], 0) for band in bands) for i in range(n)]
    ticks = nice_ticks(max(totals + [0]), whole=True)

    def x_of(i):
        return left + (right - left) * i / n

    def y_of(v):
        return bottom - plot_h * v / ticks[-1]

    _y_axis(svg, left, top, bottom, right, ticks, lambda v: plot_h * v / ticks[-1], label=y_label)
    lower = [0] * n
    ends: list[tuple[float, str]] = []
    for band in bands:
        upper = [lower[i] + max(band.values[i], 0) for i in range(n)]
        if any(band.values):
            svg.add(
                "path",
                d=_step_area(lower, upper, x_of, y_of),
                fill=svg.paint(band.fill),
                stroke=INK,
                stroke_width=0.5,
                stroke_opacity=0.6,
            )
        last = band.values[-1] if band.values else 0
        if last > 0:
            ends.append(((y_of(lower[-1]) + y_of(upper[-1])) / 2, f"{band.label} {last}"))
        lower = upper
    for y, label, target in _spread_labels(ends, top + 6, bottom):
        svg.line(right, target, right + 8, y, stroke=AXIS)
        svg.text(right + 11, y + 4, label, size=SMALL)
    weeks = [i for i, day in enumerate(days) if day.weekday() == 0]
    every = max(1, math.ceil(len(weeks) / 8))
    svg.line(left, bottom, right, bottom)
    for k, i in enumerate(weeks):
        if k % every == 0:
            svg.line(x_of(i), bottom, x_of(i), bottom + 4)
            svg.text(
                x_of(i), bottom + 17, day_label(days[i]), size=SMALL, anchor="middle", fill=SOFT
            )
    if x_label:
        svg.text((left + right) / 2, bottom + 36, x_label, anchor="middle", fill=SOFT)
    x, y = left, bottom + 62
    for k, band in enumerate(bands):
        if k and k % 4 == 0:
            x, y = left, y + 20
        x = _swatch(svg, x, y, band.fill, band.label)
    return svg.render("flow")


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
    return "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points) + " Z"


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


# Columns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str  # under the column
    value: float | None  # None: nothing to show (the text says why)
    text: str = ""  # above the column
    highlight: bool = False


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
    width, left, right, top, plot_h = 900, 64, 880, 22, 200
    bottom = top + plot_h
    height = bottom + (56 if x_label else 34)
    svg = Svg(chart_id, width, height, title=title, desc=desc)
    largest = y_max if y_max is not None else max([c.value or 0 for c in cols] + [0])
    ticks = nice_ticks(largest, whole=y_max is None)
    if y_max is not None:
        ticks = [t for t in ticks if t <= y_max] or [0, y_max]

    def h_of(v):
        return plot_h * v / ticks[-1]

    _y_axis(svg, left, top, bottom, right, ticks, h_of, label=y_label, fmt=fmt)
    n = max(len(cols), 1)
    slot = (right - left) / n
    bar_w = min(44, slot * 0.7)
    every = max(1, math.ceil(n / 13))
    small = SMALL if slot > 34 else 9.5
    for i, col in enumerate(cols):
        cx = left + slot * (i + 0.5)
        if col.value is not None:
            h = h_of(col.value)
            svg.add(
                "rect",
                x=float(cx - bar_w / 2),
                y=float(bottom - h),
                width=float(bar_w),
                height=float(max(h, 0)),
                fill=HIGHLIGHT if col.highlight else BAR,
            )
            ty = bottom - h - 5
        else:
            ty = bottom - 5
        if col.text and (slot > 24 or i % every == 0):
            svg.text(
                cx,
                ty,
                col.text,
                size=small,
                anchor="middle",
                fill=INK if col.value is not None else SOFT,
            )
        if i % every == 0:
            svg.text(cx, bottom + 16, col.label, size=SMALL, anchor="middle", fill=SOFT)
    svg.line(left, bottom, right, bottom)
    if x_label:
        svg.text((left + right) / 2, bottom + 38, x_label, anchor="middle", fill=SOFT)
    return svg.render("columns")


# Stacked horizontal bars ------------------------------------------------------------------------


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
    extra: dict = field(default_factory=dict)


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
    width, label_w, row_h, top = 900, 110, 40, 34
    left, right = label_w + 10, width - 90
    height = top + row_h * len(rows) + 50
    svg = Svg(chart_id, width, height, title=title, desc=desc)
    ticks = nice_ticks(max([sum(r.values) for r in rows] + [0]), whole=True)

    def scale(v):
        return (right - left) * v / ticks[-1]

    x = left
    for s in series:
        x = _swatch(svg, x, 18, s.fill, s.label)
    for tick in ticks:
        svg.line(
            left + scale(tick), top - 4, left + scale(tick), top + row_h * len(rows), stroke=GRID
        )
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        weight = "700" if row.highlight else None
        svg.text(label_w, mid + 4, row.label, anchor="end", weight=weight)
        x = left
        for value, s in zip(row.values, series, strict=True):
            w = scale(value)
            if value:
                svg.add(
                    "rect",
                    x=float(x),
                    y=float(mid - 11),
                    width=float(w),
                    height=22,
                    fill=svg.paint(s.fill),
                    stroke=INK,
                    stroke_width=0.6,
                )
                if w >= text_width(str(value), SMALL) + 10:
                    svg.add(
                        "rect",
                        x=float(x + w / 2 - text_width(str(value), SMALL) / 2 - 3),
                        y=float(mid - 8),
                        width=float(text_width(str(value), SMALL) + 6),
                        height=15,
                        fill="#ffffff",
                        fill_opacity=0.85,
                        rx=2,
                    )
                    svg.text(x + w / 2, mid + 4, str(value), size=SMALL, anchor="middle")
            x += w
        total = sum(row.values)
        svg.text(
            x + 8,
            mid + 4,
            f"{total}" + (f" {row.note}" if row.note else ""),
            size=SMALL,
            weight="700",
        )
    _x_axis(svg, left, right, top + row_h * len(rows), ticks, scale, label=x_label)
    return svg.render("stacked")
