"""What dragging a card from one column to another means: the one table of board moves.

A move names the action of workflow/actions.py it runs, on the epic itself or on the epic's
open story of the request types it concerns. The table is read from the Epic state machine
and the request types' epic routes (workflow/request_types.py). The services decide
everything else (who may, from which status, which gates): a move the table does not know,
or that the services refuse, leaves the card where it is and says why. Either refusal is in
the audit trail: the services record theirs, and `plan_*_move` the drops that are no move
(action `move`, from the card's status to the column it was dropped on).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from epics.models import Epic, Story
from workflow import request_types
from workflow.actions import action_named, not_yours, offer, offer_named
from workflow.audit import record
from workflow.errors import Conflict
from workflow.fsm import may_take, transition_named
from workflow.permissions import with_roles

S = Epic.Status


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    # "start_pipeline" acts on the epic; "start" (assign or pick up) and "complete" act on
    # the epic's open story of `request_types`.
    kind: str
    request_types: tuple[str, ...] = ()

    @property
    def target_label(self) -> str:
        return _label(self.target)


def _epic_moves() -> dict[tuple[str, str], Move]:
    """Dropping an epic: from each status the pipeline starts from, into Pipeline In Progress;
    then, per request type that moves the epic, its story's start and its completion, from
    where the route's transition starts to where it leads. Request types whose story takes
    the same transition share the move."""
    sources, target = transition_named(Epic, "start_pipeline")
    moves = {(source, target): Move(source, target, "start_pipeline") for source in sources}
    for kind in request_types.KINDS:
        for move_kind, name in (("start", kind.epic.on_start), ("complete", kind.epic.on_complete)):
            if not name:
                continue
            (source, *_), target = transition_named(Epic, name)
            known = moves.get((source, target))
            types = (*(known.request_types if known else ()), kind.value)
            moves[(source, target)] = Move(source, target, move_kind, types)
    return moves


EPIC_MOVES: dict[tuple[str, str], Move] = _epic_moves()

# The Classified Ops board moves its stories themselves.
STORY_MOVES: dict[tuple[str, str], Move] = {
    (Story.Status.TO_DO, Story.Status.IN_PROGRESS): Move(
        Story.Status.TO_DO, Story.Status.IN_PROGRESS, "start"
    ),
    (Story.Status.IN_PROGRESS, Story.Status.DONE): Move(
        Story.Status.IN_PROGRESS, Story.Status.DONE, "complete"
    ),
}


def targets(source: str, *, stories: bool = False) -> list[str]:
    """Where a card leaving `source` may land (the board highlights these while dragging)."""
    return [target for start, target in (STORY_MOVES if stories else EPIC_MOVES) if start == source]


def _label(status: str) -> str:
    for choices in (Epic.Status, Story.Status):
        if status in choices.values:
            return choices(status).label
    return status


class AssigneeNeeded(Exception):
    """An MDO PM starts a story by assigning it: the board asks which engineer."""

    def __init__(self, story: Story):
        super().__init__(story)
        self.story = story


class Moved(Conflict):
    """The card is no longer where the person saw it: someone else moved it."""


@dataclass(frozen=True)
class Step:
    """What a move does now: an action on an object (the epic or one of its stories)."""

    move: Move
    action: object  # workflow.actions.Action
    obj: object
    needs_assignee: bool = False

    @property
    def story(self) -> Story | None:
        return self.obj if isinstance(self.obj, Story) else None


def _starts_story_action(story: Story, user):
    """Assign (an MDO PM, who chooses the engineer) or pick up (the engineer)."""
    if may_take(story.assign, user):
        return action_named(Story, "assign"), True
    return action_named(Story, "pick_up"), False


def _stories(epic: Epic) -> list[Story]:
    stories = getattr(epic, "open_stories", None)
    if stories is None:
        stories = list(
            epic.stories.filter(board=Story.Board.PRODUCT, status__in=["to_do", "in_progress"])
            .select_related("ticket", "assignee")
            .order_by("status", "status_changed_at", "pk")
        )
    return stories


def epic_step(epic: Epic, move: Move, user) -> Step:
    """The action `move` runs on `epic` now, or a Conflict saying why there is none."""
    if move.kind == "start_pipeline":
        return Step(move, action_named(Epic, "start_pipeline"), epic)
    wanted = Story.Status.TO_DO if move.kind == "start" else Story.Status.IN_PROGRESS
    stories = [s for s in _stories(epic) if s.status == wanted]
    story = next((s for s in stories if s.ticket.request_type in move.request_types), None)
    if story is None:
        raise Conflict(_no_story(epic, move, stories), status=epic.status)
    if move.kind == "complete":
        return Step(move, action_named(Story, "complete"), story)
    action, needs_assignee = _starts_story_action(story, user)
    return Step(move, action, story, needs_assignee)


def _no_story(epic: Epic, move: Move, stories: list[Story]) -> str:
    for story in stories:  # a story of another request type: its own column is elsewhere
        for other in EPIC_MOVES.values():
            if (
                other.source == move.source
                and other.kind == move.kind
                and story.ticket.request_type in other.request_types
            ):
                verb = "Completing" if move.kind == "complete" else "Starting"
                return (
                    f"{verb} “{story}” moves epic “{epic}” to {other.target_label}, "
                    f"not {move.target_label}: drop it there."
                )
    what = "waiting to be started" if move.kind == "start" else "in progress"
    return f"Epic “{epic}” has no story {what} that moves it to {move.target_label}."


def _audited(plan):
    """A planner whose refusal (a Conflict: no such move, someone moved the card meanwhile,
    no story for it) is recorded against the card's object before it is raised."""

    @functools.wraps(plan)
    def planned(obj, source: str, target: str, user) -> Step:
        try:
            return plan(obj, source, target, user)
        except Conflict as refused:
            detail = {"status_code": refused.status_code, "to": target[:60]}
            if source != obj.status:
                detail["seen"] = source[:60]  # the column the person saw it in
            record(
                by=user,
                obj=obj,
                action="move",
                from_status=obj.status,
                to_status=target[:30],
                refused=True,
                reason=refused.detail,
                detail=detail,
            )
            raise

    return planned


@_audited
def plan_epic_move(epic: Epic, source: str, target: str, user) -> Step:
    """The step a drop from `source` to `target` takes, or a Conflict."""
    if epic.status != source:
        raise Moved(
            f"Someone else moved “{epic}” to {epic.get_status_display()} meanwhile: "
            "it is shown where it is now.",
            status=epic.status,
        )
    move = EPIC_MOVES.get((source, target))
    if move is None:
        raise Conflict(_not_a_move(f"epic “{epic}”", source, target), status=epic.status)
    return epic_step(epic, move, user)


@_audited
def plan_story_move(story: Story, source: str, target: str, user) -> Step:
    if story.status != source:
        raise Moved(
            f"Someone else moved “{story}” to {story.get_status_display()} meanwhile: "
            "it is shown where it is now.",
            status=story.status,
        )
    move = STORY_MOVES.get((source, target))
    if move is None:
        raise Conflict(_not_a_move(f"story “{story}”", source, target), status=story.status)
    return _story_step(story, move, user)


def _story_step(story: Story, move: Move, user) -> Step:
    if move.kind == "complete":
        return Step(move, action_named(Story, "complete"), story)
    action, needs_assignee = _starts_story_action(story, user)
    return Step(move, action, story, needs_assignee)


def _not_a_move(what: str, source: str, target: str) -> str:
    open_to = targets(source, stories=not what.startswith("epic"))
    if target == S.PROD_DEPLOY_QUEUED:
        hint = "An epic is queued for production when its request is triaged: see the Triage queue."
    elif target == S.NEW:
        hint = "An epic goes back only when the request that moved it is rejected."
    elif open_to:
        hint = f"From {_label(source)} it moves to " + " or ".join(map(_label, open_to)) + "."
    else:
        hint = f"Nothing on the board moves it on from {_label(source)}."
    return f"Nothing moves {what} from {_label(source)} to {_label(target)}. {hint}"


def perform(step: Step, user, assignee=None, *, chosen: bool = False):
    """Run the step's action through the services (every gate checked there). `chosen`: the
    person sent an engineer, though none that could be found (the service refuses it)."""
    if step.needs_assignee:
        if assignee is None and not chosen:
            raise AssigneeNeeded(step.story)
        return step.action.perform(step.obj, user, assignee=assignee)
    return step.action.perform(step.obj, user)


def assignee_from(value) -> object | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return with_roles(get_user_model().objects.filter(pk=pk, is_active=True)).first()


def epic_options(epic: Epic, user) -> list[dict]:
    """The moves open from the card's column, as buttons: what each does and what stands
    in its way now (the services' own checks)."""
    options = []
    for move in EPIC_MOVES.values():
        if move.source != epic.status:
            continue
        try:
            step = epic_step(epic, move, user)
        except Conflict:
            continue  # no story for this move: another move of the column is the one
        options.append(_option(step, user))
    return options


def story_options(story: Story, user) -> list[dict]:
    options = []
    for move in STORY_MOVES.values():
        if move.source != story.status:
            continue
        options.append(_option(_story_step(story, move, user), user))
    return options


def _option(step: Step, user) -> dict:
    found = offer(step.action, step.obj, user)
    who = [found.who]
    if step.move.kind == "start":  # an MDO PM assigns it, or an engineer picks it up
        who = [offer_named(step.obj, name, user).who for name in ("assign", "pick_up")]
    return {
        "move": step.move,
        "action": found.name,
        "label": found.label,
        "story": step.story,
        "needs_assignee": step.needs_assignee,
        "permitted": step.action.offered_to(step.obj, user) or step.needs_assignee,
        "not_yours": not_yours(*who),
        "allowed": found.verdict.allowed,
        "conflict": found.conflict,
        "unmet": found.unmet,
    }
