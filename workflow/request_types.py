"""The request types of WORKFLOWS.md, one declaration each.

Everything the portal knows about a request type is written here once: the impact levels
it takes, the gates checked at filing and at triage, what triage opens, the epic's route
(the Epic transitions its triage, its story's start and its story's completion take), the
story's title, the short label of its cards, the explanation on the form and the steps of
the request page's stepper. The services, the new-request form, the boards, the stepper
and the workflow pictures read it; none of them names a request type. Adding a request
type is one more `Kind` in `KINDS` (and its tests); docs/workflow.md walks an example.

The statuses an epic must be in first are not written here: they are the sources of the
route's transitions on the Epic state machine (epics/models.py), read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db import models

from epics.models import IL245, Epic, ImpactLevel
from workflow import gates
from workflow import steps as s
from workflow.fsm import transition_named

# The first step of a picture's lane when the request creates the object (workflow pictures).
CREATED = "(created)"


@dataclass(frozen=True)
class Subject:
    """What a request's gates look at: the team filing it, its epic (None for a new CtF
    before triage, or before the form names one) and its impact level."""

    team: object
    epic: object
    impact_level: str


@dataclass(frozen=True)
class Gate:
    """A gate of WORKFLOWS.md as a request type checks it. `on_epic`: it reads the epic, so
    it is checked only once there is one."""

    check: Callable[[Subject], gates.Check]
    on_epic: bool = True

    def applies(self, subject: Subject) -> bool:
        return subject.epic is not None or not self.on_epic


CTF_COVERS_LEVEL = Gate(lambda r: gates.signed_ctf_letter(r.epic, r.impact_level))
CTF_APPROVES_IL6 = Gate(lambda r: gates.ctf_approves_il6(r.epic))
CISSO_DOCUMENT = Gate(lambda r: gates.signed_cisso_document(r.epic))
EPIC_FREE = Gate(lambda r: gates.epic_free(r.epic))
PIPELINE_AT_LEVEL = Gate(lambda r: gates.pipeline_at_level(r.epic, r.impact_level))
TEAM_HAS_PIPELINE = Gate(lambda r: gates.has_il245_pipeline(r.team), on_epic=False)


@dataclass(frozen=True)
class EpicRoute:
    """The Epic transitions a request takes, by name (empty: the request leaves the epic
    where it is)."""

    on_triage: str = ""  # triage moves the epic (and the epic must be where it starts from)
    starts_pipeline: bool = False  # an MDO PM starts the pipeline before work starts
    on_start: str = ""  # the story's assign or pick-up
    on_complete: str = ""  # the story's completion


@dataclass(frozen=True)
class Kind:
    value: str
    label: str
    short: str  # a card's line for its story: "{level}" is the impact level
    levels: tuple[str, ...]
    explanation: str
    story_title: str  # "{level}" is the impact level; the epic's name follows
    steps: tuple[s.Step, ...]
    filing_gates: tuple[Gate, ...] = ()
    triage_gates: tuple[Gate, ...] = ()
    triage_label: str = "Triage"
    # Triage opens a new epic named after the application, marked as needing its own CtF.
    opens_epic: bool = False
    epic: EpicRoute = EpicRoute()
    # Why triage cannot move the epic from where it is (when `epic.on_triage` is set).
    epic_not_ready: str = ""
    # Completing its story records a Pipeline (epic, impact level).
    records_pipeline: bool = False
    # Done, it puts the epic in production at its level: releases then need a CtF in force
    # covering that level (gate ctf_in_force).
    to_production: bool = False
    # After its product story, an MDO PM opens a story on the Classified Ops board, and the
    # ticket follows that story instead of the epic.
    classified: bool = False
    classified_story_title: str = ""

    def __str__(self) -> str:
        return self.value

    @property
    def moves_epic(self) -> bool:
        return bool(self.epic.on_start)

    @cached_property
    def ready_status(self) -> str | None:
        """The status the epic must be in before its story starts (None: any)."""
        if not self.moves_epic:
            return None
        sources, _ = transition_named(Epic, self.epic.on_start)
        return sources[0]

    @property
    def ready_action(self) -> str:
        """What an MDO PM does to bring the epic to `ready_status`."""
        return "starts the pipeline" if self.epic.starts_pipeline else "triages it"

    @cached_property
    def triage_sources(self) -> tuple[str, ...]:
        """The statuses triage may move the epic from (empty: triage leaves it)."""
        if not self.epic.on_triage:
            return ()
        return transition_named(Epic, self.epic.on_triage)[0]

    @property
    def ticket_route(self) -> tuple[str, ...]:
        """The Ticket transitions the request takes, in order."""
        follows = "open_classified_story" if self.classified else "start_work"
        return (CREATED, "triage", follows, "finish")

    @property
    def epic_route(self) -> tuple[str, ...]:
        """The Epic transitions the request takes, in order."""
        route = self.epic
        names = [
            CREATED if self.opens_epic else "",
            route.on_triage,
            "start_pipeline" if route.starts_pipeline else "",
            route.on_start,
            route.on_complete,
        ]
        return tuple(name for name in names if name) if self.moves_epic else ()

    def subject_of(self, *, application_name: str, epic) -> str:
        return application_name if self.opens_epic else str(epic)

    def story_title_for(self, ticket) -> str:
        subject = ticket.epic or ticket.application_name
        return f"{self.story_title.format(level=ticket.impact_level)}: {subject}"

    def short_for(self, impact_level: str) -> str:
        return self.short.format(level=impact_level)


_TRIAGED = "An MDO PM reviews the request and opens a story for it on the Product Team Epic Board."

KINDS: tuple[Kind, ...] = (
    Kind(
        value="pipeline",
        label="Additional IL2/IL4/IL5 pipeline",
        short="{level} pipeline",
        levels=IL245,
        explanation=(
            "Another IL2, IL4 or IL5 pipeline on one of your team's existing epics. An MDO PM "
            "triages it, then a DevOps engineer builds the pipeline."
        ),
        story_title="Build the {level} pipeline",
        epic=EpicRoute(
            starts_pipeline=True, on_start="build_pipeline", on_complete="complete_pipeline"
        ),
        records_pipeline=True,
        steps=(
            s.FILED,
            s.triage("Triaged", _TRIAGED),
            s.PIPELINE_STARTED,
            s.BEING_BUILT,
            s.Step(
                "Pipeline complete",
                s.DEVOPS,
                "The engineer finishes the pipeline: the epic becomes Pipeline Complete and "
                "the request Done.",
                s.done,
            ),
        ),
    ),
    Kind(
        value="new_pipeline_ctf",
        label="New pipeline with a new CtF",
        short="{level} pipeline, new CtF",
        levels=IL245,
        explanation=(
            "A new application that needs its own Certificate to Field (CtF). Triage opens a "
            "new epic named after the application; once it is verified cyber compliant, its "
            "pipeline is built and deployed to staging."
        ),
        story_title="Build the {level} pipeline (new CtF)",
        opens_epic=True,
        epic=EpicRoute(
            starts_pipeline=True, on_start="build_pipeline", on_complete="deploy_staging"
        ),
        records_pipeline=True,
        steps=(
            s.FILED,
            s.triage(
                "Triaged, epic opened",
                "An MDO PM opens a new epic named after the application, with a story on the "
                "Product Team Epic Board.",
            ),
            s.Step(
                "Cyber compliance verified",
                "MDO PM or Cyber team",
                "An MDO PM or the Cyber team verifies the new epic is cyber compliant (it "
                "needs its own CtF).",
                s.cyber_compliant,
            ),
            s.PIPELINE_STARTED,
            s.BEING_BUILT,
            s.Step(
                "Deployed to staging",
                s.DEVOPS,
                "The engineer finishes the pipeline: the epic becomes Deployed - Staging and "
                "the request Done.",
                s.done,
            ),
        ),
    ),
    Kind(
        value="prod_deploy",
        label="IL2/IL4/IL5 production deployment",
        short="{level} prod deploy",
        levels=IL245,
        explanation=(
            "Deploy an epic with a completed pipeline to production at IL2, IL4 or IL5. The "
            "epic needs a verified, signed CtF letter covering that level; afterwards your "
            "team releases on demand with release tags."
        ),
        story_title="{level} production deployment",
        filing_gates=(CTF_COVERS_LEVEL, PIPELINE_AT_LEVEL),
        triage_gates=(CTF_COVERS_LEVEL, PIPELINE_AT_LEVEL, EPIC_FREE),
        to_production=True,
        epic=EpicRoute(
            on_triage="queue_prod_deploy",
            on_start="deploy_prod",
            on_complete="complete_prod_deploy",
        ),
        epic_not_ready=(
            "a production deployment is queued only from Pipeline Complete, Deployed - "
            "Staging or Prod Deploy - Complete (the epic needs a pipeline first)"
        ),
        steps=(
            s.FILED,
            s.triage(
                "Triaged, deploy queued",
                "An MDO PM checks the CtF letter, opens a story and queues the epic: Prod "
                "Deploy - Queued.",
            ),
            s.Step(
                "Deployment started",
                s.DEVOPS,
                "A DevOps engineer picks up the story when ready: the epic moves to Prod "
                "Deploy - In Progress and the request to In Progress.",
                s.work_started,
            ),
            s.Step(
                "In production",
                s.DEVOPS,
                "The engineer completes the deployment: the epic becomes Prod Deploy - "
                "Complete and the request Done.",
                s.done,
            ),
            s.Step(
                "Releases on demand",
                s.YOUR_TEAM,
                "Your team deploys on demand: record a release tag on the epic page for each "
                "release.",
                s.never,
                ongoing=True,
            ),
        ),
    ),
    Kind(
        value="il6_prod_deploy",
        label="IL6 production deploy",
        short="IL6 structure",
        levels=(ImpactLevel.IL6,),
        explanation=(
            "A production deploy at IL6, performed by the Classified Ops team. Your team needs "
            "a completed IL2/IL4/IL5 pipeline and the epic a verified CtF letter approving IL6 "
            "(and, before triage, a verified CISSO document)."
        ),
        story_title="Prepare the structure for the IL6 production deploy",
        filing_gates=(CTF_APPROVES_IL6, TEAM_HAS_PIPELINE),
        triage_gates=(CTF_APPROVES_IL6, CISSO_DOCUMENT),
        triage_label="Convert to story",
        to_production=True,
        classified=True,
        classified_story_title="Production Deploy (IL6): {epic}",
        steps=(
            s.FILED,
            s.triage(
                "Converted to story",
                "An MDO PM checks that the CtF letter approves IL6 and that a signed CISSO "
                "document is on the epic, then converts the request to a story.",
            ),
            s.Step(
                "Structure prepared",
                s.DEVOPS,
                "A DevOps engineer prepares the structure for the production deploy and "
                "completes the story.",
                s.story_done,
            ),
            s.Step(
                "Classified Ops story opened",
                "MDO PM with Classified Ops access",
                "An MDO PM opens the Production Deploy story on the Classified Ops board and "
                "links it to this request: the request moves to In Progress.",
                s.classified_story_opened,
            ),
            s.Step(
                "Deployed at IL6",
                "Classified Ops team",
                "The Classified Ops team performs the IL6 production deploy: the request "
                "becomes Done.",
                s.done,
            ),
        ),
    ),
)

BY_VALUE: dict[str, Kind] = {kind.value: kind for kind in KINDS}

# The Ticket's `request_type` choices, in the declarations' order.
RequestType = models.TextChoices(
    "RequestType", [(kind.value.upper(), (kind.value, kind.label)) for kind in KINDS]
)


def of(value: str) -> Kind:
    """The declaration of request type `value` (KeyError for an unknown one)."""
    return BY_VALUE[value]


def where(predicate: Callable[[Kind], bool]) -> list[str]:
    """The values of the request types the predicate holds for (for queries)."""
    return [kind.value for kind in KINDS if predicate(kind)]


def adding_a_pipeline() -> Kind:
    """The request that adds a pipeline to an existing epic (a gate's fix links to it)."""
    return next(kind for kind in KINDS if kind.records_pipeline and not kind.opens_epic)


def filing_checks(kind: Kind | None, subject: Subject) -> list[gates.Check]:
    """Every gate filing a request of `kind` must pass, met or not, in the order the form's
    checklist shows them: the validity gate, the epic's team, then the type's own (none
    while no type is chosen)."""
    checks = gates.validity(subject.team)
    if subject.epic is not None:
        checks.append(gates.epic_of_team(subject.epic, subject.team))
    own = kind.filing_gates if kind is not None else ()
    return checks + [gate.check(subject) for gate in own if gate.applies(subject)]


def triage_checks(kind: Kind, subject: Subject) -> list[gates.Check]:
    """The gates triage checks for `kind`, met or not (the triage queue shows them all)."""
    return [gate.check(subject) for gate in kind.triage_gates if gate.applies(subject)]
