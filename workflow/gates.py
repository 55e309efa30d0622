"""The gates of WORKFLOWS.md: one function each, returning a Check with the gate's code and
a sentence for the person (what holds, or what to do). The same checks feed the filing
form's checklist, the API's `unmet` and every refusal.

Gates read the objects they are given; a caller that prefetched `epic.documents`,
`epic.stories` or `team.epics` saves the queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from epics.models import IL245, Document, Pipeline, Story
from workflow.permissions import CLASSIFIED_OPS, has_classified_access, has_role


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def unmet(checks) -> list[Check]:
    return [check for check in checks if not check.passed]


def _check(code: str, passed: bool, yes: str, no: str) -> Check:
    return Check(code, bool(passed), yes if passed else no)


def _today() -> dt.date:
    return timezone.localdate()


# The validity gate --------------------------------------------------------------------


def team_funded(team) -> Check:
    return _check(
        "team_funded",
        team.funded,
        f"{team.name} is funded.",
        f"{team.name} is not funded: ask your MDO PM to record the team's funding.",
    )


def team_onboarded(team) -> Check:
    return _check(
        "team_onboarded",
        team.onboarded,
        f"{team.name} is onboarded to Party Bus.",
        f"{team.name} is not onboarded to Party Bus: finish onboarding with your MDO PM first.",
    )


def team_has_epic(team) -> Check:
    return _check(
        "team_has_epic",
        team.epics.all().exists() if not _prefetched(team, "epics") else bool(team.epics.all()),
        f"{team.name} has an epic on the Product Team Epic Board.",
        f"{team.name} has no epic on the Product Team Epic Board: ask your MDO PM to create one.",
    )


def validity(team) -> list[Check]:
    return [team_funded(team), team_onboarded(team), team_has_epic(team)]


# Epics, documents and pipelines ---------------------------------------------------------


def epic_of_team(epic, team) -> Check:
    return _check(
        "epic_of_team",
        epic.team_id == team.pk,
        f"Epic “{epic}” belongs to {team.name}.",
        f"Epic “{epic}” does not belong to {team.name}: choose one of {team.name}'s epics.",
    )


def _valid_ctf_letters(epic, today: dt.date):
    return [
        doc
        for doc in epic.documents.all()
        if doc.kind == Document.Kind.CTF_LETTER and doc.valid_on(today)
    ]


def signed_ctf_letter(epic, impact_level: str, today: dt.date | None = None) -> Check:
    letters = _valid_ctf_letters(epic, today or _today())
    return _check(
        "signed_ctf_letter",
        any(letter.covers(impact_level) for letter in letters),
        f"Epic “{epic}” has a verified, signed CtF letter covering {impact_level}.",
        f"Upload a signed CtF letter covering {impact_level} to epic “{epic}” and have it "
        "verified: none that is verified and less than a year old covers it.",
    )


def ctf_approves_il6(epic, today: dt.date | None = None) -> Check:
    letters = _valid_ctf_letters(epic, today or _today())
    return _check(
        "ctf_approves_il6",
        any(letter.covers("IL6") for letter in letters),
        f"Epic “{epic}” has a verified CtF letter that approves IL6.",
        f"Upload a signed CtF letter approving IL6 to epic “{epic}” and have it verified: "
        "none that is verified and unexpired approves IL6.",
    )


def pipeline_at_level(epic, impact_level: str) -> Check:
    """A production deployment at a level needs the epic's completed pipeline at that level."""
    levels = sorted({pipeline.impact_level for pipeline in epic.pipelines.all()})
    has = f" (it has {', '.join(levels)})" if levels else " (it has none yet)"
    return _check(
        "pipeline_at_level",
        impact_level in levels,
        f"Epic “{epic}” has a completed {impact_level} pipeline.",
        f"Epic “{epic}” has no completed {impact_level} pipeline{has}: request an "
        f"{impact_level} pipeline on this epic first.",
    )


def ctf_in_force(epic, production_levels, today: dt.date | None = None) -> Check:
    """Releases are recorded only while a verified, unexpired CtF letter covers each level
    the epic is in production at (any such letter, when the levels are not known)."""
    letters = _valid_ctf_letters(epic, today or _today())
    levels = sorted(set(production_levels))
    if levels:
        missing = [level for level in levels if not any(x.covers(level) for x in letters)]
    else:
        missing = [] if letters else ["its production"]
    return _check(
        "ctf_in_force",
        not missing,
        f"Epic “{epic}” has a CtF in force for {', '.join(levels) or 'its production'}.",
        f"No CtF is in force on epic “{epic}” for {', '.join(missing)}: upload a newly signed "
        "CtF letter covering it and have it verified before recording releases.",
    )


def signed_cisso_document(epic) -> Check:
    return _check(
        "signed_cisso_document",
        any(
            doc.kind == Document.Kind.CISSO_DOCUMENT and doc.status == Document.Status.VERIFIED
            for doc in epic.documents.all()
        ),
        f"Epic “{epic}” has a verified CISSO document.",
        f"Upload the signed CISSO document to epic “{epic}” and have it verified.",
    )


def not_own_document(document, user) -> Check:
    """Two people handle every piece of evidence: whoever verifies or rejects a document did
    not upload it."""
    return _check(
        "not_own_document",
        document.uploaded_by_id != getattr(user, "pk", None),
        "Someone other than its uploader decides on this document.",
        "You uploaded this document: another MDO PM or Cyber member must verify it.",
    )


def has_il245_pipeline(team) -> Check:
    return _check(
        "has_il245_pipeline",
        Pipeline.objects.filter(epic__team=team, impact_level__in=IL245).exists(),
        f"{team.name} has a completed IL2/IL4/IL5 pipeline.",
        f"{team.name} has no completed IL2, IL4 or IL5 pipeline: request one and see it "
        "completed before an IL6 deploy.",
    )


def cyber_compliant(epic) -> Check:
    return _check(
        "cyber_compliant",
        epic.cyber_compliant or not epic.requires_new_ctf,
        f"Epic “{epic}” is cyber compliant.",
        f"Epic “{epic}” needs its own CtF and has not been verified cyber compliant: an MDO PM "
        "or the Cyber team must verify it first.",
    )


def epic_free(epic, story=None) -> Check:
    busy = [
        other
        for other in epic.stories.all()
        if other.status == Story.Status.IN_PROGRESS
        and other.board == Story.Board.PRODUCT
        and (story is None or other.pk != story.pk)
    ]
    return _check(
        "epic_free",
        not busy,
        f"Epic “{epic}” has no other story in progress.",
        f"Epic “{epic}” is busy with story “{busy[0]}” (in progress): an epic works one request "
        "at a time, so finish that story first."
        if busy
        else "",
    )


def epic_has_production(epic) -> Check:
    return _check(
        "epic_has_production",
        epic.has_production,
        f"Epic “{epic}” has a completed production deployment.",
        f"Epic “{epic}” has no completed production deployment yet: release tags are recorded "
        "once its production deployment is complete.",
    )


# Stories and people ---------------------------------------------------------------------


def structure_prepared(ticket) -> Check:
    product = [s for s in ticket.stories.all() if s.board == Story.Board.PRODUCT]
    return _check(
        "structure_prepared",
        any(s.status == Story.Status.DONE for s in product),
        "The structure for this IL6 deploy is prepared (its product-board story is done).",
        "The structure for this IL6 deploy is not prepared yet: a DevOps engineer must "
        "complete its product-board story first.",
    )


def assignee_is_devops(story, assignee) -> Check:
    role = story.worker_role
    team = "Classified Ops" if role == CLASSIFIED_OPS else "DevOps"
    return _check(
        "assignee_is_devops",
        has_role(assignee, role),
        f"{assignee.username} is in the {team} team.",
        f"{assignee.username} is not in the {team} team: assign a {team} engineer.",
    )


def classified_access(user) -> Check:
    return _check(
        "classified_access",
        has_classified_access(user),
        "You have Classified Ops access.",
        "You have no Classified Ops access: request it with a justification, and a Classified "
        "Ops member will decide.",
    )


def _prefetched(obj, name: str) -> bool:
    return name in getattr(obj, "_prefetched_objects_cache", {})
