"""A refused transition changes nothing, answers the documented code and names every unmet
gate; the refusal itself is audited."""

import pytest

from epics.models import Epic, Story
from requests_app.models import Ticket
from tests.api.helpers import rows, snapshot, transition, unmet_codes, url
from tests.factories import DocumentFactory, EpicFactory, StoryFactory, TicketFactory
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def refused(client, path, body=None):
    before_rows = rows()
    before_refusals = AuditEvent.objects.filter(outcome="refused").count()
    response = client.post(path, body or {}, format="json")
    assert rows() == before_rows
    assert AuditEvent.objects.filter(outcome="refused").count() == before_refusals + 1
    return response


def test_start_pipeline_of_a_new_ctf_epic_needs_cyber_compliance(api, pm, team):
    epic = EpicFactory(team=team, title="Atlas", requires_new_ctf=True)
    TicketFactory(
        epic=epic, request_type="new_pipeline_ctf", application_name="Atlas", status="triaged"
    )
    before = snapshot(epic)
    response = refused(api(pm), transition("epics", epic.pk, "start_pipeline"))
    assert response.status_code == 422
    assert unmet_codes(response) == ["cyber_compliant"]
    assert snapshot(epic) == before
    event = AuditEvent.objects.for_object(epic).get(outcome="refused")
    assert (event.action, event.actor_name, event.detail["unmet"]) == (
        "start_pipeline",
        "pat",
        ["cyber_compliant"],
    )


def test_triage_of_a_production_deployment_without_a_valid_ctf_letter(api, pm, done_epic):
    ticket = TicketFactory(epic=done_epic, request_type="prod_deploy", impact_level="IL5")
    DocumentFactory(epic=done_epic, impact_levels=["IL2"])  # verified, but not for IL5
    StoryFactory(epic=done_epic, status="in_progress", assignee=pm)  # the epic is busy
    before = snapshot(ticket), snapshot(done_epic)
    response = refused(api(pm), transition("tickets", ticket.pk, "triage"))
    assert response.status_code == 422
    assert unmet_codes(response) == ["signed_ctf_letter", "epic_free"]
    assert (snapshot(ticket), snapshot(done_epic)) == before


def test_triage_of_a_production_deployment_before_any_pipeline_is_a_conflict(api, pm, epic):
    ticket = TicketFactory(epic=epic, request_type="prod_deploy", impact_level="IL4")
    DocumentFactory(epic=epic, impact_levels=["IL4"])
    before = snapshot(ticket)
    response = refused(api(pm), transition("tickets", ticket.pk, "triage"))
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert "needs a pipeline first" in response.json()["detail"]
    assert snapshot(ticket) == before
    assert Epic.objects.get(pk=epic.pk).status == "new"


def test_assigning_a_pipeline_story_before_the_pipeline_starts_is_a_conflict(api, pm, devops, epic):
    story = StoryFactory(epic=epic)
    before = snapshot(story), snapshot(story.ticket), snapshot(epic)
    response = refused(api(pm), transition("stories", story.pk, "assign"), {"assignee": "dana"})
    assert response.status_code == 409
    assert response.json()["status"] == "to_do"
    assert (snapshot(story), snapshot(story.ticket), snapshot(epic)) == before


def test_assigning_someone_outside_devops_is_refused(api, pm, member, epic):
    epic_started = EpicFactory(team=epic.team, status="pipeline_in_progress")
    ticket = TicketFactory(epic=epic_started, status="triaged", epic_status_before="new")
    story = StoryFactory(epic=epic_started, ticket=ticket)
    before = snapshot(story)
    response = refused(api(pm), transition("stories", story.pk, "assign"), {"assignee": "alice"})
    assert response.status_code == 422
    assert unmet_codes(response) == ["assignee_is_devops"]
    assert snapshot(story) == before


def test_open_classified_story_lists_every_unmet_gate(api, pm, team):
    epic = EpicFactory(team=team)
    ticket = TicketFactory(
        epic=epic, request_type="il6_prod_deploy", impact_level="IL6", status="triaged"
    )
    StoryFactory(ticket=ticket)  # the structure is not prepared yet
    before = snapshot(ticket)
    response = refused(api(pm), transition("tickets", ticket.pk, "open_classified_story"))
    assert response.status_code == 422
    assert unmet_codes(response) == ["structure_prepared", "classified_access"]
    assert snapshot(ticket) == before
    assert not Story.objects.filter(board="classified_ops").exists()


def test_reject_without_a_reason_is_a_field_error(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    before = snapshot(ticket)
    response = refused(api(pm), transition("tickets", ticket.pk, "reject"), {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["reason"] == ["Say why the request is rejected."]
    assert snapshot(ticket) == before

    missing = refused(api(pm), transition("tickets", ticket.pk, "reject"))
    assert missing.status_code == 400 and "reason" in missing.json()


def test_reject_with_a_reason_cancels_the_story_and_restores_the_epic(api, pm, done_epic):
    ticket = TicketFactory(
        epic=done_epic,
        request_type="prod_deploy",
        status="triaged",
        epic_status_before="pipeline_complete",
    )
    Epic.objects.filter(pk=done_epic.pk).update(status="prod_deploy_queued")
    story = StoryFactory(ticket=ticket)
    response = api(pm).post(
        transition("tickets", ticket.pk, "reject"), {"reason": "Wrong epic."}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["rejection_reason"], body["transitions"]) == (
        "rejected",
        "Wrong epic.",
        [],
    )
    assert Story.objects.get(pk=story.pk).status == "cancelled"
    assert Epic.objects.get(pk=done_epic.pk).status == "pipeline_complete"


def test_a_role_that_may_not_is_refused_and_nothing_moves(api, devops, epic):
    ticket = TicketFactory(epic=epic)
    before = snapshot(ticket)
    response = refused(api(devops), transition("tickets", ticket.pk, "triage"))
    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_a_second_triage_is_a_conflict_and_opens_no_second_story(api, pm, epic):
    ticket = TicketFactory(epic=epic)
    first = api(pm).post(transition("tickets", ticket.pk, "triage"))
    assert first.status_code == 200
    response = refused(api(pm), transition("tickets", ticket.pk, "triage"))
    assert response.status_code == 409
    assert response.json()["status"] == "triaged"
    assert Ticket.objects.get(pk=ticket.pk).stories.count() == 1


def test_the_refusal_is_listed_in_the_history(api, member, pm, epic):
    ticket = TicketFactory(epic=epic, status="triaged")
    api(member).post(transition("tickets", ticket.pk, "withdraw"))
    history = api(pm).get(url("tickets", ticket.pk, "history")).json()["results"]
    assert [(e["actor"], e["action"], e["outcome"]) for e in history] == [
        ("alice", "withdraw", "refused")
    ]
    assert "only Submitted tickets can be withdrawn" in history[0]["reason"]
