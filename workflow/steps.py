"""The building blocks of a request's stepper: a step, who takes it, and how to tell from a
ticket (its status, its epic, its stories) that the step is behind it.

The steps of each request type are declared in workflow/request_types.py; the request page
reads where a ticket stands with requests_app/sequences.py. Nothing here decides anything:
the services do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from epics.models import Story

YOUR_TEAM = "Your team"
MDO_PM = "MDO PM"
DEVOPS = "DevOps engineer"


@dataclass(frozen=True)
class Step:
    label: str
    actor: str
    # What happens at this step, told to the team while it is the next one.
    happens: str
    reached: Callable[[object], bool]
    # An ongoing step (releases): current once the steps before it are behind, never done.
    ongoing: bool = False
    # The transition that takes this step, as (ticket or epic, action name): the request page
    # asks its check (workflow.actions) what stands in the way while it is the next step.
    transition: tuple[str, str] | None = None


def _product_story(ticket) -> Story | None:
    return next((s for s in ticket.stories.all() if s.board == Story.Board.PRODUCT), None)


def filed(ticket) -> bool:
    return True


def triaged(ticket) -> bool:
    return _product_story(ticket) is not None


def work_started(ticket) -> bool:
    story = _product_story(ticket)
    return story is not None and story.status in (Story.Status.IN_PROGRESS, Story.Status.DONE)


def pipeline_started(ticket) -> bool:
    # The pipeline's start records where the epic was, on the ticket it started for.
    return bool(ticket.epic_status_before) or work_started(ticket)


def cyber_compliant(ticket) -> bool:
    return ticket.epic is not None and ticket.epic.cyber_compliant


def story_done(ticket) -> bool:
    story = _product_story(ticket)
    return story is not None and story.status == Story.Status.DONE


def classified_story_opened(ticket) -> bool:
    return ticket.status in (ticket.Status.IN_PROGRESS, ticket.Status.DONE)


def done(ticket) -> bool:
    return ticket.status == ticket.Status.DONE


def never(ticket) -> bool:
    return False


FILED = Step("Request filed", YOUR_TEAM, "Your team files the request.", filed)

# The pipeline steps both pipeline request types share.
PIPELINE_STARTED = Step(
    "Pipeline started",
    MDO_PM,
    "An MDO PM starts the pipeline: the epic moves to Pipeline In Progress.",
    pipeline_started,
    transition=("epic", "start_pipeline"),
)
BEING_BUILT = Step(
    "Being built",
    DEVOPS,
    "A DevOps engineer is assigned and starts building: the epic moves to Pipeline "
    "Being Built and the request to In Progress.",
    work_started,
)


def triage(label: str, happens: str) -> Step:
    """The MDO PM's triage step, in the words of a request type."""
    return Step(label, MDO_PM, happens, triaged, transition=("ticket", "triage"))
