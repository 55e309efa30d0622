"""Each request type's sequence of statuses, drawn from the state machines themselves.

The django-fsm-2 transitions on Ticket and Epic give every status, its label, where each
transition starts and ends, and who may take it (its `permission`). What the machines do
not say is which of them a request type uses: each type's declaration says so
(workflow/request_types.py), and the services call them from it. `ROUTES` names those
transitions, in order, per type; everything drawn is read from the
machines, and a route that stops matching them (a renamed transition, a moved source or
target) fails loudly instead of drawing a stale picture. The tests also drive each type
through the services and compare the audit trail with its picture.

Side exits (reject, withdraw, an epic put back) are every other transition leaving a
status on the path, read from the machines too: a transition added to a model shows up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.safestring import SafeString

from epics.models import Epic
from insights.workflow_drawing import draw
from insights.workflow_machines import Exit, Lane, Move, Step, labels_of, moves_of, statuses_of
from requests_app.models import RequestType, Ticket
from workflow import request_types
from workflow.request_types import CREATED  # the lane starts with the object being born


@dataclass(frozen=True)
class Route:
    """The transitions a request type takes, in order, on each machine (as the services
    call them)."""

    ticket: tuple[str, ...]
    epic: tuple[str, ...] = ()


# Each request type's route, as workflow/request_types.py declares it.
ROUTES: dict[str, Route] = {
    kind.value: Route(ticket=kind.ticket_route, epic=kind.epic_route)
    for kind in request_types.KINDS
}


@dataclass(frozen=True)
class Picture:
    request_type: str
    label: str
    lanes: tuple[Lane, ...]

    def lane(self, machine: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.machine == machine), None)

    @property
    def svg(self) -> SafeString:
        return draw(
            f"workflow-{self.request_type.replace('_', '-')}",
            self.lanes,
            title=f"How a request for {self.label} flows",
            desc=self.summary,
        )

    @property
    def summary(self) -> str:
        parts = []
        for lane in self.lanes:
            start = " or ".join(lane.start_labels)
            path = " → ".join([start, *(step.label for step in lane.steps)])
            parts.append(f"{lane.title}: {path}.")
        return " ".join(parts)


# Building the lanes ----------------------------------------------------------------------------


def _lane(model, machine: str, title: str, route: tuple[str, ...], request_type: str) -> Lane:
    moves = moves_of(model, request_type)
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
    steps = _steps(model, [moves[name] for name in names], starts, request_type)
    labels = labels_of(model)
    return Lane(
        machine,
        title,
        starts,
        tuple(labels[s] for s in starts),
        born,
        steps,
        _exits(model, moves, starts if born else (), [step.status for step in steps]),
    )


def _steps(
    model, route: list[Move], starts: tuple[str, ...], request_type: str
) -> tuple[Step, ...]:
    """The route's moves in order, each leading on to one status from where the last ended."""
    labels = labels_of(model)
    steps: list[Step] = []
    here = set(starts)
    for move in route:
        if not here & set(move.sources) or len(move.targets) != 1:
            raise ImproperlyConfigured(
                f"{request_type}: {model.__name__}.{move.name} does not lead on from "
                f"{', '.join(sorted(here))} to one status."
            )
        steps.append(Step(move.targets[0], labels[move.targets[0]], move))
        here = {move.targets[0]}
    return tuple(steps)


def _exits(
    model, moves: dict[str, Move], born_in: tuple[str, ...], path: list[str]
) -> tuple[Exit, ...]:
    """Exits leave a status on the path by a transition no request type goes forward by
    (reject, withdraw, revert, or one added later). An epic's route starts from wherever
    it rests, and what else can happen there belongs to other requests: only a born
    object's first status counts (`born_in`)."""
    labels, statuses = labels_of(model), statuses_of(model)
    leaving = [*born_in, *path[:-1]]
    forward = _forward_moves()
    found = (_exit(move, leaving, path, labels) for move in moves.values())
    exits = [exit_ for exit_ in found if exit_ is not None and exit_.move.name not in forward]
    # Left to right under the middle of their sources, so their arrows do not cross.
    exits.sort(
        key=lambda e: (
            sum(leaving.index(s) for s in e.sources) / len(e.sources),
            statuses.index(e.targets[0]),
        )
    )
    return tuple(exits)


def _forward_moves() -> set[str]:
    """The transitions some request type goes forward by (read when drawn: tests patch
    ROUTES)."""
    return {name for route in ROUTES.values() for name in (*route.ticket, *route.epic)}


def _exit(move: Move, leaving: list[str], path: list[str], labels: dict[str, str]) -> Exit | None:
    """The move as an exit from the path, if it leaves a status on it for one off it."""
    froms = tuple(s for s in leaving if s in move.sources)
    if not froms or set(move.targets) <= set(path):
        return None
    return Exit(move, froms, move.targets, tuple(labels[t] for t in move.targets))


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
