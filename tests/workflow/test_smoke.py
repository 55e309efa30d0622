import pytest

from epics.models import Epic, Story
from requests_app.models import Ticket
from tests.factories import AccessRequestFactory, DocumentFactory, PipelineFactory
from workflow import services


@pytest.mark.django_db
def test_pipeline_request_end_to_end(member, pm, devops, epic):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    ticket = services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    services.epic_start_pipeline(by=pm, epic=epic)
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)
    ticket.refresh_from_db()
    epic.refresh_from_db()
    story.refresh_from_db()
    assert (ticket.status, epic.status, story.status) == (
        Ticket.Status.DONE,
        Epic.Status.PIPELINE_COMPLETE,
        Story.Status.DONE,
    )
    assert epic.pipelines.filter(impact_level="IL4").exists()


@pytest.mark.django_db
def test_prod_and_il6(member, pm, devops, classified, epic):
    PipelineFactory(epic=epic, impact_level="IL4")
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    DocumentFactory(epic=epic, kind="cisso_document", impact_levels=[])
    AccessRequestFactory(user=pm, status="approved")
    # Prod deploy needs a pipeline-complete epic: complete a pipeline first.
    t = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL5", epic=epic
    )
    services.ticket_triage(by=pm, ticket=t)
    services.epic_start_pipeline(by=pm, epic=epic)
    s = t.stories.get()
    services.story_assign(by=pm, story=s, assignee=devops)
    services.story_complete(by=devops, story=s)
    p = services.ticket_file(
        by=member, team=epic.team, request_type="prod_deploy", impact_level="IL4", epic=epic
    )
    services.ticket_triage(by=pm, ticket=p)
    ps = p.stories.get()
    services.story_pick_up(by=devops, story=ps)
    services.story_complete(by=devops, story=ps)
    epic.refresh_from_db()
    assert epic.status == Epic.Status.PROD_DEPLOY_COMPLETE and epic.has_production
    i = services.ticket_file(
        by=member, team=epic.team, request_type="il6_prod_deploy", impact_level="IL6", epic=epic
    )
    services.ticket_triage(by=pm, ticket=i)
    services.story_pick_up(by=devops, story=i.stories.get())
    services.story_complete(by=devops, story=i.stories.get())
    services.ticket_open_classified_story(by=pm, ticket=i)
    i.refresh_from_db()
    assert i.status == Ticket.Status.IN_PROGRESS
    cs = i.stories.get(board="classified_ops")
    services.story_pick_up(by=classified, story=cs)
    services.story_complete(by=classified, story=cs)
    i.refresh_from_db()
    assert i.status == Ticket.Status.DONE
