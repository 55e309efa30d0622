"""What a caller may not see is absent from lists and answers 404 everywhere else, so its
existence does not leak (WORKFLOWS.md, "Who uses it")."""

import pytest

from tests.api.helpers import ids, rows, transition, url
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    ReleaseFactory,
    StoryFactory,
    TicketFactory,
)
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_work(epic):
    """One of each of Team Alpha's objects."""
    ticket = TicketFactory(epic=epic, status="triaged")
    return {
        "tickets": ticket,
        "epics": epic,
        "stories": StoryFactory(ticket=ticket),
        "documents": DocumentFactory(epic=epic, status="uploaded"),
        "releases": ReleaseFactory(epic=epic),
        "teams": epic.team,
    }


@pytest.mark.parametrize("resource", ["tickets", "epics", "stories", "documents", "releases"])
def test_another_teams_objects_are_absent_and_answer_404(
    api, outsider, bravo_epic, alpha_work, resource
):
    bob = api(outsider)
    obj = alpha_work[resource]
    listed = bob.get(url(resource))
    assert listed.status_code == 200
    assert obj.pk not in ids(listed)
    assert listed.json()["count"] == (1 if resource == "epics" else 0)  # only Bravo's epic

    for path in (url(resource, obj.pk), url(resource, obj.pk, "history")):
        response = bob.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "detail": f"No {obj._meta.verbose_name} {obj.pk} that you can see."
        }


@pytest.mark.parametrize(
    "resource, name",
    [
        ("tickets", "withdraw"),
        ("epics", "start_pipeline"),
        ("stories", "pick_up"),
        ("documents", "verify"),
    ],
)
def test_another_teams_objects_cannot_be_moved(api, outsider, alpha_work, resource, name):
    before = rows()
    response = api(outsider).post(transition(resource, alpha_work[resource].pk, name))
    assert response.status_code == 404
    assert rows() == before


def test_another_teams_document_file_answers_404(api, outsider, alpha_work):
    document = alpha_work["documents"]
    response = api(outsider).get(url("documents", document.pk, "file"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_team_member_sees_only_their_teams(api, member, outsider, alpha_work):
    assert ids(api(member).get(url("teams"))) == [alpha_work["teams"].pk]
    assert api(outsider).get(url("teams", alpha_work["teams"].pk)).status_code == 404


def test_staff_roles_see_every_team(api, pm, devops, cyber, bravo_epic, alpha_work):
    for user in (pm, devops, cyber):
        assert sorted(ids(api(user).get(url("epics")))) == sorted(
            [alpha_work["epics"].pk, bravo_epic.pk]
        )


@pytest.fixture
def classified_story(epic):
    ticket = TicketFactory(
        epic=epic, request_type="il6_prod_deploy", impact_level="IL6", status="in_progress"
    )
    return StoryFactory(ticket=ticket, board="classified_ops")


def test_classified_ops_stories_are_invisible_without_access(
    api, devops, member, pm, classified_story
):
    for user in (devops, member, pm):
        client = api(user)
        assert classified_story.pk not in ids(client.get(url("stories")))
        assert client.get(url("stories"), {"board": "classified_ops"}).json()["count"] == 0
        assert client.get(url("stories", classified_story.pk)).status_code == 404
        assert client.get(url("stories", classified_story.pk, "history")).status_code == 404
        assert client.post(transition("stories", classified_story.pk, "pick_up")).status_code == 404


def test_classified_ops_and_approved_holders_see_them(api, classified, pm, classified_story):
    assert classified_story.pk in ids(api(classified).get(url("stories")))
    AccessRequestFactory(user=pm, status="approved")
    assert api(pm).get(url("stories", classified_story.pk)).status_code == 200


def test_a_ticket_names_its_classified_story_to_its_team(api, member, classified_story):
    """The ticket shows its link (WORKFLOWS.md, IL6 step 4); the story itself stays hidden."""
    ticket = api(member).get(url("tickets", classified_story.ticket_id)).json()
    assert ticket["classified_story"] == classified_story.pk
    assert api(member).get(url("stories", classified_story.pk)).status_code == 404


def test_access_requests_own_or_all_for_classified_ops(api, member, devops, classified):
    own = AccessRequestFactory(user=member)
    other = AccessRequestFactory(user=devops)
    assert ids(api(member).get(url("access-requests"))) == [own.pk]
    assert api(member).get(url("access-requests", other.pk)).status_code == 404
    assert sorted(ids(api(classified).get(url("access-requests")))) == sorted([own.pk, other.pk])


def open_events(story):
    return list(
        AuditEvent.objects.for_object(story)
        .filter(action="open")
        .values_list("actor_name", "outcome")
        .order_by("pk")
    )


def test_every_attempt_to_open_a_classified_ops_story_is_audited(
    api, devops, classified, classified_story
):
    assert api(devops).get(url("stories", classified_story.pk)).status_code == 404
    assert api(classified).get(url("stories", classified_story.pk)).status_code == 200
    assert api(classified).get(url("stories", classified_story.pk, "history")).status_code == 200
    assert open_events(classified_story) == [
        ("dana", "refused"),
        ("cleo", "done"),
        ("cleo", "done"),
    ]


def test_opening_a_product_story_is_not_an_audited_access(api, devops, epic):
    story = StoryFactory(epic=epic)
    assert api(devops).get(url("stories", story.pk)).status_code == 200
    assert open_events(story) == []
