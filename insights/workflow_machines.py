"""What the workflow pictures are made of, read from the django-fsm-2 status machines: each
transition that changes a status, as a picture tells it (a Move: its label, who may take
it, where it starts and ends, what its docstring says), and the parts of a lane: the Steps
a request type goes forward by and the Exits that leave its path."""

from __future__ import annotations

from dataclasses import dataclass

from requests_app.models import Ticket
from workflow.actions import action_named
from workflow.permissions import (
    CLASSIFIED_OPS,
    CYBER,
    DEVOPS,
    MDO_PM,
    PRODUCT_TEAM,
    team_member_permission,
)

ROLE_NAMES = {
    MDO_PM: "MDO PM",
    CYBER: "Cyber",
    DEVOPS: "DevOps",
    CLASSIFIED_OPS: "Classified Ops",
    PRODUCT_TEAM: "Product team",
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


# Reading the machines ---------------------------------------------------------------------------


def statuses_of(model) -> list[str]:
    return [value for value, _ in model._meta.get_field("status").choices]


def labels_of(model) -> dict[str, str]:
    return dict(model._meta.get_field("status").choices)


def _targets_of(transition) -> tuple[str, ...]:
    target = transition.target
    if target is None:
        return ()
    if hasattr(target, "allowed_states"):  # RETURN_VALUE / GET_STATE: one of these
        return tuple(str(s) for s in target.allowed_states)
    return (str(target),)


def _sources_of(transition, statuses: list[str], targets: tuple[str, ...]) -> list[str]:
    if transition.source == "*":
        return statuses
    if transition.source == "+":
        return [s for s in statuses if s not in targets]
    return [str(transition.source)]


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


def _note(transition) -> str:
    """The first line of the transition's docstring, without its full stop."""
    return (transition.method.__doc__ or "").strip().split("\n")[0].rstrip(".")


def moves_of(model, request_type: str = "") -> dict[str, Move]:
    """Every transition of the model's status machine that changes the status, by name."""
    statuses = statuses_of(model)
    field = model._meta.get_field("status")
    sources: dict[str, list[str]] = {}
    targets: dict[str, list[str]] = {}
    permissions, notes = {}, {}
    for transition in field.get_all_transitions(model):
        ends = _targets_of(transition)
        if not ends:
            continue
        sources.setdefault(transition.name, []).extend(_sources_of(transition, statuses, ends))
        targets.setdefault(transition.name, []).extend(ends)
        permissions[transition.name] = transition.permission
        notes[transition.name] = _note(transition)
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
