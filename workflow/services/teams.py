"""Teams and their epics: created and changed by MDO PMs."""

from __future__ import annotations

from epics.models import Epic, Team
from workflow.audit import record
from workflow.errors import InvalidInput
from workflow.services.runner import audited, locked, require_fit, require_pm, require_text


def _unique_name(name: str, *, other_than=None) -> str:
    name = require_text(name, "name", "Give the team a name.")
    require_fit(Team, name=name)
    if Team.objects.filter(name__iexact=name).exclude(pk=other_than).exists():
        raise InvalidInput({"name": [f"A team named “{name}” already exists."]})
    return name


@audited("create", model=Team)
def team_create(*, by, name: str, funded: bool = False, onboarded: bool = False, members=()):
    require_pm(by, "create teams")
    name = _unique_name(name)
    team = Team.objects.create(name=name, funded=funded, onboarded=onboarded)
    team.members.set(members)
    record(by=by, obj=team, action="create")
    return team


@audited("update", subject="team")
def team_update(*, by, team: Team, **changes):
    require_pm(by, "change teams")
    team = locked(Team, team.pk)
    if "name" in changes:
        team.name = _unique_name(changes["name"], other_than=team.pk)
    for flag in ("funded", "onboarded"):
        if flag in changes:
            setattr(team, flag, bool(changes[flag]))
    team.save()
    if "members" in changes:
        team.members.set(changes["members"])
    record(by=by, obj=team, action="update", detail={"changed": sorted(changes)})
    return team


def _unique_epic_title(team: Team, title: str, field_name: str) -> None:
    if Epic.objects.filter(team=team, title__iexact=title).exists():
        raise InvalidInput({field_name: [f"{team.name} already has an epic named “{title}”."]})


@audited("create", model=Epic)
def epic_create(*, by, team: Team, title: str, requires_new_ctf: bool = False):
    require_pm(by, "create epics")
    title = require_text(title, "title", "Give the epic a title.")
    require_fit(Epic, title=title)
    _unique_epic_title(team, title, "title")
    epic = Epic.objects.create(team=team, title=title, requires_new_ctf=requires_new_ctf)
    record(by=by, obj=epic, action="create", to_status=epic.status)
    return epic
