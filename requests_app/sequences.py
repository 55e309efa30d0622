"""Each request type as the product team sees it: what it is for, and its whole sequence of
steps (WORKFLOWS.md), who acts at each, and where a ticket stands.

This is the one place the pages take these from: the new-request form's explanations and
the request page's stepper. Whether a step is behind a ticket is read from the ticket's
status, its epic and its stories; it decides nothing (the services do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from epics.models import Story
from requests_app.models import RequestType, Ticket

# What each request type is for, in a sentence or two (the new-request form shows them).
EXPLANATIONS = {
    RequestType.PIPELINE: (
        "Another IL2, IL4 or IL5 pipeline on one of your team's existing epics. An MDO PM "
        "triages it, then a DevOps engineer builds the pipeline."
    ),
    RequestType.NEW_PIPELINE_CTF: (
        "A new application that needs its own Certificate to Field (CtF). Triage opens a new "
        "epic named after the application; once it is verified cyber compliant, its pipeline "
        "is built and deployed to staging."
    ),
    RequestType.PROD_DEPLOY: (
        "Deploy an epic with a completed pipeline to production at IL2, IL4 or IL5. The epic "
        "needs a verified, signed CtF letter covering that level; afterwards your team "
        "releases on demand with release tags."
    ),
    RequestType.IL6_PROD_DEPLOY: (
        "A production deploy at IL6, performed by the Classified Ops team. Your team needs a "
        "completed IL2/IL4/IL5 pipeline and the epic a verified CtF letter approving IL6 "
        "(and, before triage, a verified CISSO document)."
    ),
}

YOUR_TEAM = "Your team"
MDO_PM = "MDO PM"
DEVOPS = "DevOps engineer"


def _product_story(ticket: Ticket) -> Story | None:
    return next((s for s in ticket.stories.all() if s.board == Story.Board.PRODUCT), None)


def _filed(ticket: Ticket) -> bool:
    return True


def _triaged(ticket: Ticket) -> bool:
    return _product_story(ticket) is not None


def _work_started(ticket: Ticket) -> bool:
    story = _product_story(ticket)
    return story is not None and story.status in (Story.Status.IN_PROGRESS, Story.Status.DONE)


def _pipeline_started(ticket: Ticket) -> bool:
    # The pipeline's start records where the epic was, on the ticket it started for.
    return bool(ticket.epic_status_before) or _work_started(ticket)


def _cyber_compliant(ticket: Ticket) -> bool:
    return ticket.epic is not None and ticket.epic.cyber_compliant


def _story_done(ticket: Ticket) -> bool:
    story = _product_story(ticket)
    return story is not None and story.status == Story.Status.DONE


def _classified_story_opened(ticket: Ticket) -> bool:
    return ticket.status in (Ticket.Status.IN_PROGRESS, Ticket.Status.DONE)


def _done(ticket: Ticket) -> bool:
    return ticket.status == Ticket.Status.DONE


def _never(ticket: Ticket) -> bool:
    return False


@dataclass(frozen=True)
class Step:
    label: str
    actor: str
    # What happens at this step, told to the team while it is the next one.
    happens: str
    reached: Callable[[Ticket], bool]
    # An ongoing step (releases): current once the steps before it are behind, never done.
    ongoing: bool = False
    # The transition that takes this step, as (ticket or epic, action name): the request page
    # asks its check (workflow.actions) what stands in the way while it is the next step.
    transition: tuple[str, str] | None = None


_FILED = Step("Request filed", YOUR_TEAM, "Your team files the request.", _filed)

# The pipeline steps both pipeline request types share.
_PIPELINE_STARTED = Step(
    "Pipeline started",
    MDO_PM,
    "An MDO PM starts the pipeline: the epic moves to Pipeline In Progress.",
    _pipeline_started,
    transition=("epic", "start_pipeline"),
)
_BEING_BUILT = Step(
    "Being built",
    DEVOPS,
    "A DevOps engineer is assigned and starts building: the epic moves to Pipeline "
    "Being Built and the request to In Progress.",
    _work_started,
)

SEQUENCES: dict[str, tuple[Step, ...]] = {
    RequestType.PIPELINE: (
        _FILED,
        Step(
            "Triaged",
            MDO_PM,
            "An MDO PM reviews the request and opens a story for it on the Product Team "
            "Epic Board.",
            _triaged,
            transition=("ticket", "triage"),
        ),
        _PIPELINE_STARTED,
        _BEING_BUILT,
        Step(
            "Pipeline complete",
            DEVOPS,
            "The engineer finishes the pipeline: the epic becomes Pipeline Complete and the "
            "request Done.",
            _done,
        ),
    ),
    RequestType.NEW_PIPELINE_CTF: (
        _FILED,
        Step(
            "Triaged, epic opened",
            MDO_PM,
            "An MDO PM opens a new epic named after the application, with a story on the "
            "Product Team Epic Board.",
            _triaged,
            transition=("ticket", "triage"),
        ),
        Step(
            "Cyber compliance verified",
            "MDO PM or Cyber team",
            "An MDO PM or the Cyber team verifies the new epic is cyber compliant (it needs its "
            "own CtF).",
            _cyber_compliant,
        ),
        _PIPELINE_STARTED,
        _BEING_BUILT,
        Step(
            "Deployed to staging",
            DEVOPS,
            "The engineer finishes the pipeline: the epic becomes Deployed - Staging and the "
            "request Done.",
            _done,
        ),
    ),
    RequestType.PROD_DEPLOY: (
        _FILED,
        Step(
            "Triaged, deploy queued",
            MDO_PM,
            "An MDO PM checks the CtF letter, opens a story and queues the epic: Prod Deploy "
            "- Queued.",
            _triaged,
            transition=("ticket", "triage"),
        ),
        Step(
            "Deployment started",
            DEVOPS,
            "A DevOps engineer picks up the story when ready: the epic moves to Prod Deploy - "
            "In Progress and the request to In Progress.",
            _work_started,
        ),
        Step(
            "In production",
            DEVOPS,
            "The engineer completes the deployment: the epic becomes Prod Deploy - Complete "
            "and the request Done.",
            _done,
        ),
        Step(
            "Releases on demand",
            YOUR_TEAM,
            "Your team deploys on demand: record a release tag on the epic page for each release.",
            _never,
            ongoing=True,
        ),
    ),
    RequestType.IL6_PROD_DEPLOY: (
        _FILED,
        Step(
            "Converted to story",
            MDO_PM,
            "An MDO PM checks that the CtF letter approves IL6 and that a signed CISSO "
            "document is on the epic, then converts the request to a story.",
            _triaged,
            transition=("ticket", "triage"),
        ),
        Step(
            "Structure prepared",
            DEVOPS,
            "A DevOps engineer prepares the structure for the production deploy and "
            "completes the story.",
            _story_done,
        ),
        Step(
            "Classified Ops story opened",
            "MDO PM with Classified Ops access",
            "An MDO PM opens the Production Deploy story on the Classified Ops board and links "
            "it to this request: the request moves to In Progress.",
            _classified_story_opened,
        ),
        Step(
            "Deployed at IL6",
            "Classified Ops team",
            "The Classified Ops team performs the IL6 production deploy: the request becomes Done.",
            _done,
        ),
    ),
}

_ENDED = (Ticket.Status.REJECTED, Ticket.Status.WITHDRAWN)


@dataclass(frozen=True)
class StepState:
    number: int
    step: Step
    # done, current (what happens next), upcoming, stopped (where a rejected or withdrawn
    # request ended) or skipped (after that).
    state: str

    @property
    def label(self) -> str:
        return self.step.label

    @property
    def actor(self) -> str:
        return self.step.actor

    @property
    def happens(self) -> str:
        return self.step.happens


@dataclass(frozen=True)
class Progress:
    steps: list[StepState]
    ended: bool

    @property
    def current(self) -> StepState | None:
        return next((s for s in self.steps if s.state in ("current", "stopped")), None)

    @property
    def complete(self) -> bool:
        return all(s.state == "done" for s in self.steps)


def progress(ticket: Ticket) -> Progress:
    """Where the ticket stands in its type's sequence (reads `ticket.stories` and its epic)."""
    ended = ticket.status in _ENDED
    states: list[StepState] = []
    behind = True  # every step so far is behind the ticket
    for number, step in enumerate(SEQUENCES[ticket.request_type], start=1):
        if behind and step.reached(ticket):
            state = "done"
        elif behind:
            state = "stopped" if ended else "current"
            behind = False
        else:
            state = "skipped" if ended else "upcoming"
        states.append(StepState(number, step, state))
    return Progress(states, ended)
