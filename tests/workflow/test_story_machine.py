"""The Story machine: assign, pick_up and complete, by status and role, what moves with them,
and the Classified Ops board's own workers."""

import pytest

from epics.models import Epic, Pipeline, Story
from requests_app.models import RequestType, Ticket
from tests.factories import AccessRequestFactory, StoryFactory, TicketFactory, UserFactory
from tests.workflow.support import ROLES, codes, done, pipeline_story, refused, statuses
from workflow import services
from workflow.errors import Conflict, GatesUnmet, InvalidInput, NotPermitted
from workflow.permissions import DEVOPS

pytestmark = pytest.mark.django_db

S = Story.Status


def expected_start(role, status, *, who):
    if role != who:
        return NotPermitted
    return None if status == S.TO_DO else Conflict


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", S.values)
def test_assign_by_status_and_role(request, status, role, team, devops):
    story = pipeline_story(team, status, devops)
    user = request.getfixturevalue(role)
    error = expected_start(role, status, who="pm")
    if error:
        refused(
            error, services.story_assign, action="assign", by=user, story=story, assignee=devops
        )
    else:
        done(
            services.story_assign,
            action="assign",
            subject=story,
            by=user,
            story=story,
            assignee=devops,
        )
        assert (story.status, story.assignee) == (S.IN_PROGRESS, devops)
        assert statuses(story.epic, story.ticket) == (
            Epic.Status.PIPELINE_BEING_BUILT,
            Ticket.Status.IN_PROGRESS,
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", S.values)
def test_pick_up_by_status_and_role(request, status, role, team, devops):
    story = pipeline_story(team, status, devops)
    user = request.getfixturevalue(role)
    error = expected_start(role, status, who="devops")
    if error:
        refused(error, services.story_pick_up, action="pick_up", by=user, story=story)
    else:
        done(services.story_pick_up, action="pick_up", subject=story, by=user, story=story)
        assert (story.status, story.assignee) == (S.IN_PROGRESS, user)
        assert statuses(story.epic, story.ticket) == (
            Epic.Status.PIPELINE_BEING_BUILT,
            Ticket.Status.IN_PROGRESS,
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", S.values)
def test_complete_by_status_and_role(request, status, role, team, devops):
    """Its assignee (dana, on the stories that have one) or an MDO PM completes it."""
    story = pipeline_story(team, status, devops)
    user = request.getfixturevalue(role)
    may = role == "pm" or (role == "devops" and story.assignee_id == devops.pk)
    if not may:
        refused(NotPermitted, services.story_complete, action="complete", by=user, story=story)
    elif status != S.IN_PROGRESS:
        refused(Conflict, services.story_complete, action="complete", by=user, story=story)
    else:
        done(services.story_complete, action="complete", subject=story, by=user, story=story)
        assert story.status == S.DONE
        assert statuses(story.epic, story.ticket) == (
            Epic.Status.PIPELINE_COMPLETE,
            Ticket.Status.DONE,
        )
        assert list(story.epic.pipelines.values_list("impact_level", flat=True)) == ["IL4"]


def test_another_devops_engineer_may_not_complete_someone_elses_story(team, devops):
    story = pipeline_story(team, S.IN_PROGRESS, devops)
    other = UserFactory(username="devin", roles=[DEVOPS])
    refused(NotPermitted, services.story_complete, action="complete", by=other, story=story)


def test_assigning_a_pipeline_story_before_the_pipeline_starts_is_a_conflict(
    pm, devops, member, epic
):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL2", epic=epic
    )
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    error = refused(
        Conflict, services.story_assign, action="assign", by=pm, story=story, assignee=devops
    )
    assert "an MDO PM starts the pipeline first" in error.detail
    refused(Conflict, services.story_pick_up, action="pick_up", by=devops, story=story)


def test_assign_without_an_assignee_is_invalid_input(pm, team, devops):
    story = pipeline_story(team, S.TO_DO, devops)
    error = refused(
        InvalidInput,
        services.story_assign,
        action="assign",
        by=pm,
        story=story,
        assignee=None,
    )
    assert list(error.fields) == ["assignee"]


# The Classified Ops board ---------------------------------------------------------------------


@pytest.fixture
def classified_story(epic, devops):
    """The Production Deploy story of an IL6 ticket, To Do on the Classified Ops board."""
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
    )
    StoryFactory(ticket=ticket, epic=epic, status=S.DONE, assignee=devops)
    return StoryFactory(ticket=ticket, epic=epic, board=Story.Board.CLASSIFIED_OPS)


@pytest.mark.parametrize("role", ROLES)
def test_only_classified_ops_pick_up_classified_stories(request, role, classified_story, epic):
    user = request.getfixturevalue(role)
    before = epic.status
    if role != "classified":
        refused(
            NotPermitted, services.story_pick_up, action="pick_up", by=user, story=classified_story
        )
        return
    done(
        services.story_pick_up,
        action="pick_up",
        subject=classified_story,
        by=user,
        story=classified_story,
    )
    assert statuses(epic, classified_story.ticket) == (before, Ticket.Status.IN_PROGRESS)
    done(
        services.story_complete,
        action="complete",
        subject=classified_story,
        by=user,
        story=classified_story,
    )
    assert statuses(epic, classified_story.ticket) == (before, Ticket.Status.DONE)
    assert not Pipeline.objects.exists()


def test_pm_with_access_assigns_a_classified_story_to_classified_ops(
    pm, classified, classified_story
):
    AccessRequestFactory(user=pm, status="approved")
    services.story_assign(by=pm, story=classified_story, assignee=classified)
    assert statuses(classified_story) == (S.IN_PROGRESS,)
    assert classified_story.assignee == classified


def test_pm_without_access_may_not_complete_a_classified_story(pm, classified, classified_story):
    services.story_pick_up(by=classified, story=classified_story)
    error = refused(
        GatesUnmet, services.story_complete, action="complete", by=pm, story=classified_story
    )
    assert codes(error) == ["classified_access"]
