"""Teams, epics, releases and access requests: creation, changes and the list filters."""

import pytest

from epics.models import Epic, Team
from tests.api.helpers import ids, rows, transition, url
from tests.factories import EpicFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


# Teams ------------------------------------------------------------------------------------------


def test_a_pm_creates_a_team_with_members(api, pm, member):
    response = api(pm).post(
        url("teams"),
        {"name": "Team Delta", "funded": True, "members": ["alice"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json() | {"id": None} == {
        "id": None,
        "name": "Team Delta",
        "funded": True,
        "onboarded": False,
        "members": ["alice"],
    }


def test_a_team_member_may_not_create_a_team(api, member):
    before = rows()
    response = api(member).post(url("teams"), {"name": "Team Delta"}, format="json")
    assert response.status_code == 403
    assert rows() == before


def test_unknown_member_and_duplicate_name(api, pm, team):
    response = api(pm).post(
        url("teams"), {"name": "Team Delta", "members": ["ghost"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["members"] == ["No user named “ghost”."]
    duplicate = api(pm).post(url("teams"), {"name": "team alpha"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["name"] == ["A team named “team alpha” already exists."]
    assert Team.objects.count() == 1


def test_a_pm_changes_a_team_and_only_what_is_sent(api, pm, member, team):
    UserFactory(username="zoe")
    response = api(pm).patch(
        url("teams", team.pk), {"funded": False, "members": ["alice", "zoe"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["funded"], body["onboarded"]) == ("Team Alpha", False, True)
    assert sorted(body["members"]) == ["alice", "zoe"]
    history = api(pm).get(url("teams", team.pk, "history")).json()["results"]
    assert [(e["action"], e["actor"]) for e in history] == [("update", "pat")]


def test_a_member_may_not_change_their_team_and_put_is_not_offered(api, member, pm, team):
    assert (
        api(member).patch(url("teams", team.pk), {"funded": False}, format="json").status_code
        == 403
    )
    assert api(pm).put(url("teams", team.pk), {"name": "X"}, format="json").status_code == 405
    assert Team.objects.get(pk=team.pk).funded is True


# Epics ------------------------------------------------------------------------------------------


def test_a_pm_creates_an_epic(api, pm, team):
    response = api(pm).post(url("epics"), {"team": team.pk, "title": "Orbit"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["team"], body["title"], body["status"], body["status_display"]) == (
        team.pk,
        "Orbit",
        "new",
        "New",
    )
    assert (body["requires_new_ctf"], body["cyber_compliant"], body["has_production"]) == (
        False,
        False,
        False,
    )
    assert [t["name"] for t in body["transitions"]] == ["start_pipeline", "verify_cyber_compliance"]


def test_a_team_member_may_not_create_an_epic(api, member, team):
    response = api(member).post(url("epics"), {"team": team.pk, "title": "Orbit"}, format="json")
    assert response.status_code == 403
    assert not Epic.objects.exists()


def test_epic_filters(api, pm, team, bravo):
    alpha = EpicFactory(team=team, status="pipeline_complete")
    EpicFactory(team=team)
    EpicFactory(team=bravo, status="pipeline_complete")
    pat = api(pm)
    assert pat.get(url("epics"), {"team": team.pk}).json()["count"] == 2
    assert ids(pat.get(url("epics"), {"team": team.pk, "status": "pipeline_complete"})) == [
        alpha.pk
    ]


# Tickets: filters and pagination -----------------------------------------------------------------


def test_ticket_filters(api, pm, epic, bravo_epic):
    pipeline = TicketFactory(epic=epic)
    prod = TicketFactory(epic=epic, request_type="prod_deploy", impact_level="IL5")
    triaged = TicketFactory(epic=epic, status="triaged")
    bravo_ticket = TicketFactory(epic=bravo_epic)
    pat = api(pm)

    def listed(**params):
        response = pat.get(url("tickets"), params)
        assert response.status_code == 200, response.json()
        return sorted(ids(response))

    assert listed() == sorted([pipeline.pk, prod.pk, triaged.pk, bravo_ticket.pk])
    assert listed(team=epic.team_id) == sorted([pipeline.pk, prod.pk, triaged.pk])
    assert listed(epic=bravo_epic.pk) == [bravo_ticket.pk]
    assert listed(status="triaged") == [triaged.pk]
    assert listed(request_type="prod_deploy") == [prod.pk]
    assert listed(impact_level="IL5") == [prod.pk]
    assert listed(team=epic.team_id, status="submitted", request_type="pipeline") == [pipeline.pk]
    bad = pat.get(url("tickets"), {"request_type": "teleport", "impact_level": "IL9"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"detail", "request_type", "impact_level"}


def test_lists_are_paginated(api, pm, epic):
    TicketFactory.create_batch(3, epic=epic)
    first = api(pm).get(url("tickets"), {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = api(pm).get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None


def test_story_filters(api, devops, epic):
    from tests.factories import StoryFactory

    todo = StoryFactory(epic=epic)
    StoryFactory(epic=epic, status="cancelled")
    dana = api(devops)
    assert ids(dana.get(url("stories"), {"status": "to_do", "board": "product"})) == [todo.pk]
    assert ids(dana.get(url("stories"), {"ticket": todo.ticket_id})) == [todo.pk]
    assert dana.get(url("stories"), {"board": "secret"}).status_code == 400


# Releases ---------------------------------------------------------------------------------------


def test_only_the_team_records_releases(api, pm, outsider, team):
    epic = EpicFactory(team=team, status="prod_deploy_complete", production_at="2026-01-01T00:00Z")
    assert (
        api(pm).post(url("releases"), {"epic": epic.pk, "tag": "v1"}, format="json").status_code
        == 403
    )
    response = api(outsider).post(url("releases"), {"epic": epic.pk, "tag": "v1"}, format="json")
    assert response.status_code == 400
    assert response.json()["epic"] == [f"No epic {epic.pk} that you can see."]
    assert not epic.releases.exists()


# Access requests --------------------------------------------------------------------------------


def test_access_request_lifecycle(api, member, classified):
    alice, cleo = api(member), api(classified)
    missing = alice.post(url("access-requests"), {"justification": " "}, format="json")
    assert missing.status_code == 400
    assert missing.json()["justification"] == ["Say why you need Classified Ops access."]

    created = alice.post(url("access-requests"), {"justification": "IL6 deploys"}, format="json")
    assert created.status_code == 201
    access = created.json()
    assert (access["user"], access["status_display"], access["decided_by"]) == (
        "alice",
        "Pending",
        None,
    )
    again = alice.post(url("access-requests"), {"justification": "Again"}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You already have a pending access request.",
        "status": "pending",
    }

    assert alice.post(transition("access-requests", access["id"], "approve")).status_code == 403
    decided = cleo.post(transition("access-requests", access["id"], "approve"))
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_by"]) == ("approved", "cleo")
    assert [t["name"] for t in decided.json()["transitions"]] == ["revoke"]
