"""Server-rendered SVG charts: ranked bars, small multiples of lines, a stacked area (the
cumulative flow), columns and stacked bars; a module each, on what they share (svg.py
writes the SVG, axes.py draws ticks, axes and legends).

Each chart is one self-contained <svg> with a <title> and <desc>, labelled axes, and direct
labels on the marks, so it reads without colour (print, colour blindness): emphasis is
also said in words ("Slowest"), and fills that mean something carry a pattern too. The
functions take figures already in the chart's unit and words already chosen: what the
figures are and what they are called is the business of insights/panels/. Fonts come from
static/css/insights.css.
"""

from insights.charts.areas import Band, stacked_area
from insights.charts.axes import nice_ticks, tick_text
from insights.charts.bars import Bar, ranked_bars
from insights.charts.lines import Panel, small_multiples
from insights.charts.stacks import Series, StackedRow, stacked_bars
from insights.charts.svg import INK, SMALL, SOFT, Fill, Svg, wrap
from insights.charts.vertical_bars import Column, columns

# How durations and numbers are said is insights/units.py's; these two were said here first.
from insights.units import number, say_duration

__all__ = [
    "INK",
    "SMALL",
    "SOFT",
    "Band",
    "Bar",
    "Column",
    "Fill",
    "Panel",
    "Series",
    "StackedRow",
    "Svg",
    "columns",
    "nice_ticks",
    "number",
    "ranked_bars",
    "say_duration",
    "small_multiples",
    "stacked_area",
    "stacked_bars",
    "tick_text",
    "wrap",
]
