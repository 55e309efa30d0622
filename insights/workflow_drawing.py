"""How a workflow picture is drawn: per lane, a row of status boxes joined by arrows (the
step above each arrow, and who takes it), and under the row, dashed, the exits that leave
the path, placed left to right under the statuses they leave from without overlapping."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from insights.charts import INK, SMALL, SOFT, Svg, wrap
from insights.workflow_machines import Exit, Lane

BOX_W, GAP, FONT_BOX = 150, 48, 13
LINE = 15
LEFT = 20
WIDTH = LEFT + 4 * BOX_W + 3 * GAP + 20
TITLE_H, CAPTION_H = 26, 34  # a lane's title, then the step captions above its row
EXIT_GAP = 40  # between the row and the exits under it


@dataclass(frozen=True)
class _Row:
    """Where one lane is drawn: its boxes' lines (where it starts, then each step)."""

    lane: Lane
    boxes: list[list[str]]
    top: float
    box_h: float

    @property
    def y(self) -> float:
        return self.top + TITLE_H + CAPTION_H

    @property
    def middle(self) -> float:
        return self.y + self.box_h / 2

    def x_of(self, i: int) -> float:
        return LEFT + i * (BOX_W + GAP)


def draw(chart_id: str, lanes: Sequence[Lane], *, title: str, desc: str) -> SafeString:
    rows, height = _rows(lanes)
    svg = Svg(chart_id, WIDTH, height, title=title, desc=desc)
    for marker, colour in (("arrow", INK), ("exit", SOFT)):
        svg.defs[f"{chart_id}-{marker}"] = (
            f'<marker id="{chart_id}-{marker}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0 0 L10 5 L0 10 z" fill="{colour}"/></marker>'
        )
    for row in rows:
        _draw_lane(svg, chart_id, row)
    return svg.render("workflow")


def _rows(lanes: Sequence[Lane]) -> tuple[list[_Row], float]:
    """Each lane's row, one under the other, and the height of them all."""
    rows, y = [], 0
    for lane in lanes:
        boxes = _box_lines(lane)
        box_h = max(len(lines) for lines in boxes) * LINE + 16
        rows.append(_Row(lane, boxes, y, box_h))
        y += TITLE_H + CAPTION_H + box_h + _exits_height(lane) + 14
    return rows, y


def _box_lines(lane: Lane) -> list[list[str]]:
    first = [lane.start_labels[0]] if len(lane.starts) == 1 else list(lane.start_labels)
    wrapped = [wrap(label, BOX_W - 16, FONT_BOX) for label in first]
    return [[line for label in wrapped for line in label]] + [
        wrap(step.label, BOX_W - 16, FONT_BOX) for step in lane.steps
    ]


def _exit_lines(exit_: Exit) -> list[str]:
    return wrap(exit_.box_text, BOX_W - 16, SMALL)


def _exits_height(lane: Lane) -> float:
    if not lane.exits:
        return 0
    lines = max(len(_exit_lines(e)) for e in lane.exits)
    return EXIT_GAP + lines * 14 + 12 + 34


def _draw_lane(svg: Svg, chart_id: str, row: _Row) -> None:
    lane = row.lane
    svg.text(LEFT, row.top + 18, lane.title, weight="700")
    for i, lines in enumerate(row.boxes):
        _draw_box(svg, row, i, lines)
        if i:
            _draw_step(svg, chart_id, row, i)
    caption = "created" if lane.born else ("in" if len(lane.starts) == 1 else "in one of")
    svg.text(row.x_of(0) + BOX_W / 2, row.y - 8, caption, size=SMALL, anchor="middle", fill=SOFT)
    _draw_exits(svg, chart_id, row)


def _draw_box(svg: Svg, row: _Row, i: int, lines: list[str]) -> None:
    """A status: the first where the lane starts (shaded), the last where it ends (green)."""
    last = i == len(row.boxes) - 1
    fill, stroke = "#ffffff", INK
    if i == 0:
        fill = "#f3f5f8"
    if last:
        fill, stroke = "#e7f5ec", "#146c2e"
    x = row.x_of(i)
    svg.add(
        "rect",
        x=float(x),
        y=float(row.y),
        width=BOX_W,
        height=float(row.box_h),
        rx=6,
        fill=fill,
        stroke=stroke,
        stroke_width=1.4,
    )
    # Several statuses to start from share the first box, in smaller type.
    size = FONT_BOX if i or len(row.lane.starts) == 1 else SMALL
    first = row.middle - (len(lines) - 1) * LINE / 2 + 4
    weight = "700" if last else None
    for k, line in enumerate(lines):
        svg.text(x + BOX_W / 2, first + k * LINE, line, size=size, anchor="middle", weight=weight)


def _draw_step(svg: Svg, chart_id: str, row: _Row, i: int) -> None:
    """The arrow into the i-th box, with the step's name and who takes it above it."""
    via = row.lane.steps[i - 1].via
    x = row.x_of(i)
    svg.line(
        row.x_of(i - 1) + BOX_W,
        row.middle,
        x - 2,
        row.middle,
        stroke=INK,
        width=1.5,
        marker_end=f"url(#{chart_id}-arrow)",
    )
    cx = x - GAP / 2 + 24
    label = wrap(via.label, BOX_W + GAP - 10, SMALL)[:2]
    for k, line in enumerate(label):
        y = row.y - 22 + k * 13 - (len(label) - 1) * 13
        svg.text(cx, y, line, size=SMALL, anchor="middle", weight="600")
    svg.text(cx, row.y - 8, via.who, size=SMALL, anchor="middle", fill=SOFT)


def _draw_exits(svg: Svg, chart_id: str, row: _Row) -> None:
    """Each exit under the middle of the statuses it leaves, left to right, apart."""
    lane = row.lane
    status_x = {lane.starts[0]: row.x_of(0)} if len(lane.starts) == 1 else {}
    for i, step in enumerate(lane.steps, start=1):
        status_x[step.status] = row.x_of(i)
    placed_right = -math.inf
    for exit_ in lane.exits:
        froms = [status_x[s] + BOX_W / 2 for s in exit_.sources if s in status_x]
        if not froms:
            continue
        x = max(sum(froms) / len(froms) - BOX_W / 2, placed_right + 16, LEFT)
        placed_right = x + BOX_W
        _draw_exit(svg, chart_id, row, exit_, x, froms)


def _draw_exit(svg: Svg, chart_id: str, row: _Row, exit_: Exit, x: float, froms) -> None:
    """A dashed box with where the exit leads, dashed arrows to it, its move under it."""
    top = row.y + row.box_h + EXIT_GAP
    lines = _exit_lines(exit_)
    h = len(lines) * 14 + 12
    svg.add(
        "rect",
        x=float(x),
        y=float(top),
        width=BOX_W,
        height=float(h),
        rx=6,
        fill="#f8fafc",
        stroke=SOFT,
        stroke_width=1.2,
        stroke_dasharray="5 3",
    )
    for k, line in enumerate(lines):
        svg.text(x + BOX_W / 2, top + 18 + k * 14, line, size=SMALL, anchor="middle")
    for fx in froms:
        svg.line(
            fx,
            row.y + row.box_h,
            x + BOX_W / 2,
            top - 2,
            stroke=SOFT,
            width=1.2,
            stroke_dasharray="5 3",
            marker_end=f"url(#{chart_id}-exit)",
        )
    caption = f"{exit_.move.label} · {exit_.move.who}"
    for k, line in enumerate(wrap(caption, BOX_W + GAP - 8, SMALL)[:2]):
        y = top + h + 14 + k * 13
        svg.text(x + BOX_W / 2, y, line, size=SMALL, anchor="middle", fill=SOFT)
