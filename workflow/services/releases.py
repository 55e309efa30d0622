"""Release tags of an epic in production: recorded by its team in the portal, or by a tag
pushed to the epic's GitLab project (workflow/hooks.py)."""

from __future__ import annotations

from epics.models import Epic, Release
from requests_app.models import Ticket
from workflow import gates, request_types
from workflow.audit import SystemActor, record
from workflow.errors import GatesUnmet, InvalidInput, NotPermitted
from workflow.permissions import may_record_releases
from workflow.services.runner import Verdict, audited, locked, require_fit, require_text


def production_levels(epic: Epic) -> list[str]:
    """The levels the epic is in production at: those of its production requests done."""
    kinds = request_types.where(lambda kind: kind.to_production)
    done = Ticket.objects.filter(epic=epic, status=Ticket.Status.DONE, request_type__in=kinds)
    return sorted(set(done.values_list("impact_level", flat=True)))


def release_gates(epic: Epic) -> list[gates.Check]:
    """What a release of the epic needs, on every path (portal, API, GitLab): production,
    and a CtF in force for each level of it."""
    checks = [gates.epic_has_production(epic)]
    if epic.has_production:
        checks.append(gates.ctf_in_force(epic, production_levels(epic)))
    return checks


@audited("create", model=Release)
def release_create(*, by, epic: Epic, tag: str, source: str = Release.Source.PORTAL) -> Release:
    """Record a release tag of an epic that has production."""
    if not may_record_releases(by, epic):
        raise NotPermitted(f"Only members of {epic.team.name} record its releases.")
    tag = require_text(tag, "tag", "Give the release tag.")
    require_fit(Release, tag=tag)
    epic = locked(Epic, epic.pk)
    Verdict(unmet=gates.unmet(release_gates(epic))).enforce()
    if epic.releases.filter(tag=tag).exists():
        raise InvalidInput({"tag": [f"Tag “{tag}” is already recorded for epic “{epic}”."]})
    release = Release.objects.create(epic=epic, tag=tag, source=source, created_by=by)
    record(by=by, obj=release, action="create", detail={"epic": epic.pk, "tag": tag})
    return release


def gitlab_actor(pushed_by: str = "") -> SystemActor:
    return SystemActor(f"gitlab:{pushed_by}"[:150] if pushed_by else "gitlab")


@audited("record_release", subject="epic")
def _release_record_from_gitlab(*, by, epic: Epic, tag: str, detail: dict):
    tag = require_text(tag, "tag", "The tag push names no tag.")
    require_fit(Release, tag=tag)
    epic = locked(Epic, epic.pk)
    # The epic's row lock makes a second delivery of the same push wait, then find this one.
    if (existing := epic.releases.filter(tag=tag).first()) is not None:
        return existing, False
    if unmet := gates.unmet(release_gates(epic)):
        raise GatesUnmet(
            unmet, detail=f"Tag “{tag}” pushed to GitLab is not a release yet: {unmet[0].message}"
        )
    release = Release.objects.create(epic=epic, tag=tag, source=Release.Source.GITLAB)
    record(by=by, obj=release, action="create", detail={"epic": epic.pk, "tag": tag, **detail})
    return release, True


def release_record_from_gitlab(
    *, epic: Epic, tag: str, pushed_by: str = "", detail: dict | None = None
) -> tuple[Release, bool]:
    """Record a tag pushed to the epic's GitLab project (workflow/hooks.py): the system path
    of `release_create`, whose actor is GitLab rather than a team member.

    Returns the release and whether it is new: a tag already recorded for the epic (GitLab
    delivering the same push again) records nothing. An epic without production refuses it
    (gate `epic_has_production`), and the refusal is audited on the epic, naming the pusher.
    """
    return _release_record_from_gitlab(
        by=gitlab_actor(pushed_by), epic=epic, tag=tag, detail=detail or {}
    )
