"""The Epic machine: start_pipeline and verify_cyber_compliance, by status and role, and the
rules around starting a pipeline (a triaged pipeline request must be waiting)."""

import pytest

from epics.models import Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import EpicFactory, StoryFactory, TicketFactory
from tests.workflow.support import ROLES, done, refused, statuses
from workflow import services
from workflow.errors import Conflict, NotPermitted

pytestmark = pytest.mark.django_db

E = Epic.Status
STARTS_FROM = {E.NEW, E.PIPELINE_COMPLETE, E.DEPLOYED_STAGING, E.PROD_DEPLOY_COMPLETE}


def waiting_pipeline_request(epic) -> Ticket:
    """A triaged pipeline request on `epic` whose pipeline has not started."""
    ticket = TicketFactory(epic=epic, request_type=RequestType.PIPELINE, status="triaged")
    StoryFactory(ticket=ticket, epic=epic)
    return ticket


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", E.values)
def test_start_pipeline_by_status_and_role(request, status, role, team):
    epic = EpicFactory(team=team, status=status)
    ticket = waiting_pipeline_request(epic)
    user = request.getfixturevalue(role)

    if role != "pm":
        refused(
            NotPermitted, services.epic_start_pipeline, action="start_pipeline", by=user, epic=epic
        )
    elif status not in STARTS_FROM:
        error = refused(
            Conflict, services.epic_start_pipeline, action="start_pipeline", by=user, epic=epic
        )
        assert error.status == status
    else:
        done(
            services.epic_start_pipeline, action="start_pipeline", subject=epic, by=user, epic=epic
        )
        assert epic.status == E.PIPELINE_IN_PROGRESS
        ticket.refresh_from_db()
        assert ticket.epic_status_before == status  # where a rejection would put the epic back


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", E.values)
def test_verify_cyber_compliance_by_status_and_role(request, status, role, team):
    epic = EpicFactory(team=team, status=status, requires_new_ctf=True)
    user = request.getfixturevalue(role)
    service, action = services.epic_verify_cyber_compliance, "verify_cyber_compliance"

    if role not in ("pm", "cyber"):
        refused(NotPermitted, service, action=action, by=user, epic=epic)
        epic.refresh_from_db()
        assert not epic.cyber_compliant
    else:
        done(service, action=action, subject=epic, by=user, epic=epic)
        assert epic.status == status  # no status change
        assert epic.cyber_compliant_by == user and epic.cyber_compliant_at is not None


def test_verify_cyber_compliance_twice_is_a_conflict_naming_who(pm, cyber, team):
    epic = EpicFactory(team=team, requires_new_ctf=True)
    services.epic_verify_cyber_compliance(by=cyber, epic=epic)
    error = refused(
        Conflict,
        services.epic_verify_cyber_compliance,
        action="verify_cyber_compliance",
        by=pm,
        epic=epic,
    )
    assert "casey" in error.detail
    epic.refresh_from_db()
    assert epic.cyber_compliant_by == cyber


def test_start_pipeline_without_a_waiting_pipeline_request_is_a_conflict(pm, epic):
    """Nothing to start: no triaged pipeline request (a submitted one, or a triaged production
    deployment, does not count)."""
    TicketFactory(epic=epic, request_type=RequestType.PIPELINE)  # submitted
    refused(Conflict, services.epic_start_pipeline, action="start_pipeline", by=pm, epic=epic)


def test_start_pipeline_serves_the_oldest_waiting_request_once(pm, epic):
    first = waiting_pipeline_request(epic)
    second = waiting_pipeline_request(epic)
    services.epic_start_pipeline(by=pm, epic=epic)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.epic_status_before, second.epic_status_before) == (E.NEW, "")
    # The epic is busy now; a second start is a conflict, not a second pipeline.
    refused(Conflict, services.epic_start_pipeline, action="start_pipeline", by=pm, epic=epic)


def test_a_second_request_on_a_started_epic_cannot_start_work(pm, devops, epic):
    """The pipeline was started for the first request; the second one's story waits."""
    first = waiting_pipeline_request(epic)
    second = waiting_pipeline_request(epic)
    services.epic_start_pipeline(by=pm, epic=epic)
    refused(
        Conflict,
        services.story_pick_up,
        action="pick_up",
        by=devops,
        story=second.stories.get(),
    )
    services.story_pick_up(by=devops, story=first.stories.get())
    assert statuses(epic) == (E.PIPELINE_BEING_BUILT,)


def test_start_pipeline_again_from_prod_deploy_complete_keeps_production(pm, devops, team):
    epic = EpicFactory(team=team, status=E.PROD_DEPLOY_COMPLETE, production_at="2026-01-05T12:00Z")
    ticket = waiting_pipeline_request(epic)
    services.epic_start_pipeline(by=pm, epic=epic)
    story = ticket.stories.get()
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)
    epic.refresh_from_db()
    assert epic.status == E.PIPELINE_COMPLETE
    assert epic.has_production
    assert statuses(story, ticket) == (Story.Status.DONE, Ticket.Status.DONE)
