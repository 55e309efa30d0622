"""Where a ticket stands in its request type's sequence of steps (the request page's
stepper). The steps and explanations are declared in workflow/request_types.py; whether a
step is behind a ticket is read from the ticket's status, its epic and its stories
(workflow/steps.py). It decides nothing: the services do.
"""

from __future__ import annotations

from dataclasses import dataclass

from requests_app.models import Ticket
from workflow import request_types
from workflow.steps import Step

# What each request type is for, and its steps, as workflow/request_types.py declares them.
EXPLANATIONS = {kind.value: kind.explanation for kind in request_types.KINDS}
SEQUENCES: dict[str, tuple[Step, ...]] = {kind.value: kind.steps for kind in request_types.KINDS}

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
