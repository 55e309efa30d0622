"""The request page's stepper: each request type's whole sequence, and where a ticket is in
it as the services move it."""

import pytest

from epics.models import Story
from requests_app.models import RequestType, Ticket
from requests_app.sequences import EXPLANATIONS, SEQUENCES, progress
from tests.factories import AccessRequestFactory, DocumentFactory, PipelineFactory
from tests.portal.pages import world
from workflow import services

pytestmark = pytest.mark.django_db


def where(ticket):
    ticket = Ticket.objects.prefetch_related("stories").select_related("epic").get(pk=ticket.pk)
    state = progress(ticket)
    current = state.current
    return (current.label, current.actor, current.state) if current else None


def states(ticket):
    ticket = Ticket.objects.prefetch_related("stories").select_related("epic").get(pk=ticket.pk)
    return [s.state for s in progress(ticket).steps]


def test_every_request_type_has_a_sequence_and_an_explanation():
    assert set(SEQUENCES) == set(RequestType.values) == set(EXPLANATIONS)
    for steps in SEQUENCES.values():
        assert steps[0].label == "Request filed"
        assert all(step.actor and step.happens for step in steps)


def test_pipeline_request_walks_its_five_steps():
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL5", epic=w.mission
    )
    assert where(ticket) == ("Triaged", "MDO PM", "current")
    services.ticket_triage(by=w.pat, ticket=ticket)
    assert where(ticket) == ("Pipeline started", "MDO PM", "current")
    services.epic_start_pipeline(by=w.pat, epic=w.mission)
    assert where(ticket) == ("Being built", "DevOps engineer", "current")
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    assert where(ticket) == ("Pipeline complete", "DevOps engineer", "current")
    services.story_complete(by=w.dana, story=story)
    assert where(ticket) is None
    assert states(ticket) == ["done"] * 5


def test_new_ctf_request_waits_for_cyber_compliance_then_staging():
    w = world()
    ticket = services.ticket_file(
        by=w.alice,
        team=w.alpha,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Fleet Tracker",
    )
    assert where(ticket) == ("Triaged, epic opened", "MDO PM", "current")
    ticket = services.ticket_triage(by=w.pat, ticket=ticket)
    assert where(ticket) == ("Cyber compliance verified", "MDO PM or Cyber team", "current")
    services.epic_verify_cyber_compliance(by=w.casey, epic=ticket.epic)
    assert where(ticket) == ("Pipeline started", "MDO PM", "current")
    services.epic_start_pipeline(by=w.pat, epic=ticket.epic)
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    assert where(ticket) == ("Deployed to staging", "DevOps engineer", "current")
    services.story_complete(by=w.dana, story=story)
    assert states(ticket) == ["done"] * 6


def test_prod_deploy_ends_with_releases_on_demand():
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="prod_deploy", impact_level="IL4", epic=w.mission
    )
    assert where(ticket) == ("Triaged, deploy queued", "MDO PM", "current")
    services.ticket_triage(by=w.pat, ticket=ticket)
    assert where(ticket) == ("Deployment started", "DevOps engineer", "current")
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    assert where(ticket) == ("In production", "DevOps engineer", "current")
    services.story_complete(by=w.dana, story=story)
    assert where(ticket) == ("Releases on demand", "Your team", "current")
    assert states(ticket) == ["done", "done", "done", "done", "current"]


def test_il6_deploy_goes_through_classified_ops():
    w = world()
    AccessRequestFactory(user=w.pat, status="approved")
    ticket = services.ticket_file(
        by=w.alice,
        team=w.alpha,
        request_type="il6_prod_deploy",
        impact_level="IL6",
        epic=w.payments,
    )
    assert where(ticket) == ("Converted to story", "MDO PM", "current")
    services.ticket_triage(by=w.pat, ticket=ticket)
    assert where(ticket) == ("Structure prepared", "DevOps engineer", "current")
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    assert where(ticket)[0] == "Structure prepared"
    services.story_complete(by=w.dana, story=story)
    assert where(ticket) == (
        "Classified Ops story opened",
        "MDO PM with Classified Ops access",
        "current",
    )
    services.ticket_open_classified_story(by=w.pat, ticket=ticket)
    assert where(ticket) == ("Deployed at IL6", "Classified Ops team", "current")
    classified = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
    services.story_pick_up(by=w.cleo, story=classified)
    services.story_complete(by=w.cleo, story=classified)
    assert states(ticket) == ["done"] * 5


def test_a_withdrawn_request_stops_where_it_was():
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL2", epic=w.payments
    )
    services.ticket_withdraw(by=w.alice, ticket=ticket)
    assert states(ticket) == ["done", "stopped", "skipped", "skipped", "skipped"]
    assert where(ticket) == ("Triaged", "MDO PM", "stopped")


def test_a_request_rejected_after_triage_stops_after_triage():
    w = world()
    PipelineFactory(epic=w.logistics, impact_level="IL2")
    DocumentFactory(epic=w.logistics, impact_levels=["IL2"])
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL5", epic=w.logistics
    )
    services.ticket_triage(by=w.pat, ticket=ticket)
    services.ticket_reject(by=w.pat, ticket=ticket, reason="Use the IL4 pipeline.")
    assert states(ticket) == ["done", "done", "stopped", "skipped", "skipped"]
