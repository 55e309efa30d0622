"""Each request type's sequence of statuses, drawn from the state machines themselves.

The django-fsm-2 transitions on Ticket and Epic give every status, its label, where each
transition starts and ends, and who may take it (its `permission`). What the machines do
not say is which of them a request type uses: that is in workflow/services.py, as calls.
`ROUTES` names those transitions, in order, per type; everything drawn is read from the
machines, and a route that stops matching them (a renamed transition, a moved source or
target) fails loudly instead of drawing a stale picture. The tests also drive each type
through the services and compare the audit trail with its picture.

Side exits (reject, withdraw, an epic put back) are every other transition leaving a
status on the path, read from the machines too: a transition added to a model shows up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.safestring import SafeString

from epics.models import Epic
from insights.charts import INK, SMALL, SOFT, Svg, wrap
from requests_app.models import RequestType, Ticket
from workflow.actions import action_named
from workflow.permissions import (
    CLASSIFIED_OPS,
    CYBER,
    DEVOPS,
    MDO_PM,
    PRODUCT_TEAM,
    team_member_permission,
)

# The lane starts with the object being born, in its machine's initial status.
CREATED = "(created)"

ROLE_NAMES = {
    MDO_PM: "MDO PM",
    CYBER: "Cyber",
    DEVOPS: "DevOps",
    CLASSIFIED_OPS: "Classified Ops",
    PRODUCT_TEAM: "Product team",
}


@dataclass(frozen=True)
class Route:
    """The transitions a request type takes, in order, on each machine (as the services
    call them)."""

    ticket: tuple[str, ...]
    epic: tuple[str, ...] = ()


_TICKET = (CREATED, "triage", "start_work", "finish")
ROUTES: dict[str, Route] = {
    RequestType.PIPELINE: Route(
        ticket=_TICKET, epic=("start_pipeline", "build_pipeline", "complete_pipeline")
    ),
    RequestType.NEW_PIPELINE_CTF: Route(
        ticket=_TICKET, epic=(CREATED, "start_pipeline", "build_pipeline", "deploy_staging")
    ),
    RequestType.PROD_DEPLOY: Route(
        ticket=_TICKET, epic=("queue_prod_deploy", "deploy_prod", "complete_prod_deploy")
    ),
    # The IL6 flow does not move the epic (WORKFLOWS.md).
    RequestType.IL6_PROD_DEPLOY: Route(
        ticket=(CREATED, "triage", "open_classified_story", "finish")
    ),
}


@dataclass(frozen=True)
class Move:
    """A transition, as the picture tells it."""

    name: str
    label: str  # what the pages call it ("Start the pipeline"), or its name in words
    who: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    note: str = ""  # the first line of the transition's docstring


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    via: Move


@dataclass(frozen=True)
class Exit:
    move: Move
    sources: tuple[str, ...]  # the path's statuses it leaves from
    targets: tuple[str, ...]
    target_labels: tuple[str, ...]

    @property
    def box_text(self) -> str:
        """The status it leads to; for a move that picks one of several (an epic put back),
        what its transition's docstring says it does."""
        if len(self.targets) > 1 and self.move.note:
            return self.move.note
        return " or ".join(self.target_labels)


@dataclass(frozen=True)
class Lane:
    machine: str  # "ticket" or "epic"
    title: str
    starts: tuple[str, ...]
    start_labels: tuple[str, ...]
    born: bool  # the lane starts with the object's creation
    steps: tuple[Step, ...]
    exits: tuple[Exit, ...]

    @property
    def statuses(self) -> set[str]:
        """Every status this lane can reach: where it starts, its steps, its exits."""
        reached = set(self.starts) | {step.status for step in self.steps}
        return reached | {t for exit_ in self.exits for t in exit_.targets}


@dataclass(frozen=True)
class Picture:
    request_type: str
    label: str
    lanes: tuple[Lane, ...]

    def lane(self, machine: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.machine == machine), None)

    @property
    def svg(self) -> SafeString:
        return draw(self)

    @property
    def summary(self) -> str:
        parts = []
        for lane in self.lanes:
            start = " or ".join(lane.start_labels)
            path = " → ".join([start, *(step.label for step in lane.steps)])
            parts.append(f"{lane.title}: {path}.")
        return " ".join(parts)


# Reading the machines ---------------------------------------------------------------------------


def _statuses(model) -> list[str]:
    return [value for value, _ in model._meta.get_field("status").choices]


def _labels(model) -> dict[str, str]:
    return dict(model._meta.get_field("status").choices)


def _targets_of(transition) -> tuple[str, ...]:
    target = transition.target
    if target is None:
        return ()
    if hasattr(target, "allowed_states"):  # RETURN_VALUE / GET_STATE: one of these
        return tuple(str(s) for s in target.allowed_states)
    return (str(target),)


def _who(permission) -> str:
    if permission is None:
        return "follows the work"
    if permission is team_member_permission:
        return ROLE_NAMES[PRODUCT_TEAM]
    roles = getattr(permission, "roles", None)
    if roles:
        return " or ".join(ROLE_NAMES.get(role, role) for role in roles)
    return "its worker"


def _label(model, name: str, request_type: str) -> str:
    action = action_named(model, name)
    if action is None:
        return name.replace("_", " ").capitalize()
    return action.label_for(model(request_type=request_type)) if model is Ticket else action.label


def moves_of(model, request_type: str = "") -> dict[str, Move]:
    """Every transition of the model's status machine that changes the status, by name."""
    statuses = _statuses(model)
    field = model._meta.get_field("status")
    sources: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    permissions, notes = {}, {}
    for transition in field.get_all_transitions(model):
        ends = _targets_of(transition)
        if not ends:
            continue
        if transition.source == "*":
            starts = statuses
        elif transition.source == "+":
            starts = [s for s in statuses if s not in ends]
        else:
            starts = [str(transition.source)]
        sources.setdefault(transition.name, []).extend(starts)
        targets.setdefault(transition.name, []).extend(ends)
        permissions[transition.name] = transition.permission
        notes[transition.name] = (transition.method.__doc__ or "").strip().split("\n")[0]
        notes[transition.name] = notes[transition.name].rstrip(".")
    return {
        name: Move(
            name,
            _label(model, name, request_type),
            _who(permissions[name]),
            tuple(s for s in statuses if s in sources[name]),
            tuple(s for s in statuses if s in targets[name]),
            notes[name],
        )
        for name in sources
    }


def _lane(model, machine: str, title: str, route: tuple[str, ...], request_type: str) -> Lane:
    moves = moves_of(model, request_type)
    statuses, labels = _statuses(model), _labels(model)
    born = route[0] == CREATED
    names = route[1:] if born else route
    unknown = [name for name in names if name not in moves]
    if unknown:
        raise ImproperlyConfigured(
            f"{request_type}: {model.__name__} has no status transition {', '.join(unknown)}."
        )
    if born:
        starts: tuple[str, ...] = (str(model._meta.get_field("status").default),)
    else:
        starts = moves[names[0]].sources
    steps: list[Step] = []
    here = set(starts)
    for name in names:
        move = moves[name]
        if not here & set(move.sources) or len(move.targets) != 1:
            raise ImproperlyConfigured(
                f"{request_type}: {model.__name__}.{name} does not lead on from "
                f"{', '.join(sorted(here))} to one status."
            )
        steps.append(Step(move.targets[0], labels[move.targets[0]], move))
        here = {move.targets[0]}
    path = [step.status for step in steps]
    # Exits leave a status on the path by a transition no request type goes forward by
    # (reject, withdraw, revert, or one added later). An epic's route starts from wherever
    # it rests, and what else can happen there belongs to other requests: only a born
    # object's first status counts.
    leaving = ([*starts] if born else []) + path[:-1]
    forward = {name for r in ROUTES.values() for name in (*r.ticket, *r.epic)}
    exits = []
    for name, move in moves.items():
        froms = tuple(s for s in leaving if s in move.sources)
        if name in forward or not froms or set(move.targets) <= set(path):
            continue
        exits.append(Exit(move, froms, move.targets, tuple(labels[t] for t in move.targets)))
    # Left to right under the middle of their sources, so their arrows do not cross.
    exits.sort(
        key=lambda e: (
            sum(leaving.index(s) for s in e.sources) / len(e.sources),
            statuses.index(e.targets[0]),
        )
    )
    return Lane(
        machine,
        title,
        starts,
        tuple(labels[s] for s in starts),
        born,
        tuple(steps),
        tuple(exits),
    )


@cache
def picture(request_type: str) -> Picture:
    """The picture of one request type (read from the machines once per process)."""
    route = ROUTES[request_type]
    lanes = [_lane(Ticket, "ticket", "The request", route.ticket, request_type)]
    if route.epic:
        lanes.append(
            _lane(
                Epic, "epic", "Its epic, on the Product Team Epic Board", route.epic, request_type
            )
        )
    return Picture(request_type, RequestType(request_type).label, tuple(lanes))


def pictures() -> list[Picture]:
    return [picture(t) for t in RequestType.values]


# Drawing ----------------------------------------------------------------------------------------

BOX_W, GAP, FONT_BOX = 150, 48, 13
LINE = 15


def _box_lines(lane: Lane) -> list[list[str]]:
    first = [lane.start_labels[0]] if len(lane.starts) == 1 else list(lane.start_labels)
    wrapped = [wrap(label, BOX_W - 16, FONT_BOX) for label in first]
    return [[line for label in wrapped for line in label]] + [
        wrap(step.label, BOX_W - 16, FONT_BOX) for step in lane.steps
    ]


def draw(pic: Picture) -> SafeString:
    chart_id = f"workflow-{pic.request_type.replace('_', '-')}"
    width = 20 + 4 * BOX_W + 3 * GAP + 20
    layouts, y = [], 0
    for lane in pic.lanes:
        boxes = _box_lines(lane)
        box_h = max(len(lines) for lines in boxes) * LINE + 16
        exit_h = 0
        if lane.exits:
            exit_lines = max(len(wrap(e.box_text, BOX_W - 16, SMALL)) for e in lane.exits)
            exit_h = 40 + exit_lines * 14 + 12 + 34
        layouts.append((lane, boxes, y, box_h))
        y += 26 + 34 + box_h + exit_h + 14
    svg = Svg(chart_id, width, y, title=f"How a request for {pic.label} flows", desc=pic.summary)
    for marker, colour in (("arrow", INK), ("exit", SOFT)):
        svg.defs[f"{chart_id}-{marker}"] = (
            f'<marker id="{chart_id}-{marker}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0 0 L10 5 L0 10 z" fill="{colour}"/></marker>'
        )
    for lane, boxes, top, box_h in layouts:
        _draw_lane(svg, chart_id, lane, boxes, top, box_h)
    return svg.render("workflow")


def _draw_lane(svg: Svg, chart_id: str, lane: Lane, boxes, top: float, box_h: float) -> None:
    svg.text(20, top + 18, lane.title, weight="700")
    row_y = top + 26 + 34
    xs = [20 + i * (BOX_W + GAP) for i in range(len(boxes))]
    last = len(boxes) - 1
    for i, lines in enumerate(boxes):
        x = xs[i]
        fill, stroke = "#ffffff", INK
        if i == 0:
            fill = "#f3f5f8"
        if i == last:
            fill, stroke = "#e7f5ec", "#146c2e"
        svg.add(
            "rect",
            x=float(x),
            y=float(row_y),
            width=BOX_W,
            height=float(box_h),
            rx=6,
            fill=fill,
            stroke=stroke,
            stroke_width=1.4,
        )
        size = FONT_BOX if i or len(lane.starts) == 1 else SMALL
        first = row_y + box_h / 2 - (len(lines) - 1) * LINE / 2 + 4
        for k, line in enumerate(lines):
            svg.text(
                x + BOX_W / 2,
                first + k * LINE,
                line,
                size=size,
                anchor="middle",
                weight="700" if i == last else None,
            )
        if i:
            step = lane.steps[i - 1]
            mid = row_y + box_h / 2
            svg.line(
                xs[i - 1] + BOX_W,
                mid,
                x - 2,
                mid,
                stroke=INK,
                width=1.5,
                marker_end=f"url(#{chart_id}-arrow)",
            )
            cx = x - GAP / 2
            label = wrap(step.via.label, BOX_W + GAP - 10, SMALL)[:2]
            for k, line in enumerate(label):
                svg.text(
                    cx + 24,
                    row_y - 22 + k * 13 - (len(label) - 1) * 13,
                    line,
                    size=SMALL,
                    anchor="middle",
                    weight="600",
                )
            svg.text(cx + 24, row_y - 8, step.via.who, size=SMALL, anchor="middle", fill=SOFT)
    start_caption = "created" if lane.born else ("in" if len(lane.starts) == 1 else "in one of")
    svg.text(xs[0] + BOX_W / 2, row_y - 8, start_caption, size=SMALL, anchor="middle", fill=SOFT)
    # Exits, under the path, placed left to right without overlapping.
    status_x = {lane.starts[0]: xs[0]} if len(lane.starts) == 1 else {}
    for i, step in enumerate(lane.steps, start=1):
        status_x[step.status] = xs[i]
    exit_top = row_y + box_h + 40
    placed_right = -math.inf
    for exit_ in lane.exits:
        froms = [status_x[s] + BOX_W / 2 for s in exit_.sources if s in status_x]
        if not froms:
            continue
        want = sum(froms) / len(froms) - BOX_W / 2
        x = max(want, placed_right + 16, 20)
        placed_right = x + BOX_W
        lines = wrap(exit_.box_text, BOX_W - 16, SMALL)
        h = len(lines) * 14 + 12
        svg.add(
            "rect",
            x=float(x),
            y=float(exit_top),
            width=BOX_W,
            height=float(h),
            rx=6,
            fill="#f8fafc",
            stroke=SOFT,
            stroke_width=1.2,
            stroke_dasharray="5 3",
        )
        for k, line in enumerate(lines):
            svg.text(x + BOX_W / 2, exit_top + 18 + k * 14, line, size=SMALL, anchor="middle")
        for fx in froms:
            svg.line(
                fx,
                row_y + box_h,
                x + BOX_W / 2,
                exit_top - 2,
                stroke=SOFT,
                width=1.2,
                stroke_dasharray="5 3",
                marker_end=f"url(#{chart_id}-exit)",
            )
        caption = f"{exit_.move.label} · {exit_.move.who}"
        for k, line in enumerate(wrap(caption, BOX_W + GAP - 8, SMALL)[:2]):
            svg.text(
                x + BOX_W / 2,
                exit_top + h + 14 + k * 13,
                line,
                size=SMALL,
                anchor="middle",
                fill=SOFT,
            )
