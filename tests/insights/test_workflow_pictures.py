"""The workflow pictures come from the state machines: the statuses each request type can
reach, in order; a transition added to a model shows up; a route that no longer matches the
machines fails; and driving each type through the services walks its picture exactly."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django_fsm import transition

from epics.models import Document, Epic
from insights import workflow_pictures
from insights.workflow_pictures import ROUTES, Route, picture, pictures
from requests_app.models import RequestType, Ticket
from tests.factories import AccessRequestFactory, DocumentFactory, PipelineFactory
from tests.portal.pages import sign_in, text_of
from workflow import services
from workflow.models import AuditEvent

T, E = Ticket.Status, Epic.Status
AT_REST = [E.PIPELINE_COMPLETE, E.DEPLOYED_STAGING, E.PROD_DEPLOY_COMPLETE]


@pytest.fixture(autouse=True)
def _fresh_pictures():
    picture.cache_clear()
    yield
    picture.cache_clear()


def path(lane):
    return [*lane.starts, *(step.status for step in lane.steps)]


def test_the_request_lane_of_every_type():
    for request_type in RequestType.values:
        lane = picture(request_type).lane("ticket")
        assert path(lane) == [T.SUBMITTED, T.TRIAGED, T.IN_PROGRESS, T.DONE]
        assert lane.born
        # Left to right as drawn: each under the middle of the statuses it leaves.
        # Needs Info is a way off the path, and back (provide_info, from off the path).
        assert [(e.move.name, e.sources, e.targets) for e in lane.exits] == [
            ("ask_for_info", (T.SUBMITTED,), (T.NEEDS_INFO,)),
            ("withdraw", (T.SUBMITTED,), (T.WITHDRAWN,)),
            ("reject", (T.SUBMITTED, T.TRIAGED), (T.REJECTED,)),
        ]
        assert lane.statuses == set(T.values)


def test_who_takes_each_step_is_read_from_the_transition_permissions():
    pipeline = picture(RequestType.PIPELINE)
    assert [(s.via.label, s.via.who) for s in pipeline.lane("ticket").steps] == [
        ("Triage", "MDO PM"),
        ("Start work", "follows the work"),
        ("Finish", "follows the work"),
    ]
    exits = {e.move.name: e.move.who for e in pipeline.lane("ticket").exits}
    assert exits["withdraw"] == "Product team" and exits["ask_for_info"] == "MDO PM"
    il6 = picture(RequestType.IL6_PROD_DEPLOY).lane("ticket")
    assert [s.via.label for s in il6.steps] == [
        "Convert to story",
        "Open the Classified Ops story",
        "Finish",
    ]


@pytest.mark.parametrize(
    ("request_type", "starts", "steps", "reachable"),
    [
        (
            RequestType.PIPELINE,
            [E.NEW, *AT_REST],
            [E.PIPELINE_IN_PROGRESS, E.PIPELINE_BEING_BUILT, E.PIPELINE_COMPLETE],
            {E.NEW, *AT_REST, E.PIPELINE_IN_PROGRESS, E.PIPELINE_BEING_BUILT},
        ),
        (
            RequestType.NEW_PIPELINE_CTF,
            [E.NEW],
            [E.PIPELINE_IN_PROGRESS, E.PIPELINE_BEING_BUILT, E.DEPLOYED_STAGING],
            # Put back after a rejection, the epic may return to any status at rest.
            {E.NEW, *AT_REST, E.PIPELINE_IN_PROGRESS, E.PIPELINE_BEING_BUILT},
        ),
        (
            RequestType.PROD_DEPLOY,
            AT_REST,
            [E.PROD_DEPLOY_QUEUED, E.PROD_DEPLOY_IN_PROGRESS, E.PROD_DEPLOY_COMPLETE],
            {E.NEW, *AT_REST, E.PROD_DEPLOY_QUEUED, E.PROD_DEPLOY_IN_PROGRESS},
        ),
    ],
)
def test_the_epic_lane(request_type, starts, steps, reachable):
    lane = picture(request_type).lane("epic")
    assert list(lane.starts) == starts
    assert [step.status for step in lane.steps] == steps
    assert [(e.move.name, e.sources) for e in lane.exits] == [("revert", (steps[0],))]
    # It goes back to one of several statuses: its docstring says which.
    assert lane.exits[0].box_text == "Back to where it was before a rejected ticket moved it"
    assert lane.statuses == reachable


def test_the_il6_flow_does_not_move_the_epic():
    assert picture(RequestType.IL6_PROD_DEPLOY).lane("epic") is None


def test_a_transition_added_to_a_machine_shows_up(monkeypatch):
    field = Ticket._meta.get_field("status")

    def put_on_hold(self):
        pass

    put_on_hold = transition(field=field, source=T.IN_PROGRESS, target=T.WITHDRAWN)(put_on_hold)
    monkeypatch.setitem(field.transitions[Ticket], "put_on_hold", put_on_hold)
    lane = picture(RequestType.PIPELINE).lane("ticket")
    assert ("put_on_hold", (T.IN_PROGRESS,), (T.WITHDRAWN,)) in [
        (e.move.name, e.sources, e.targets) for e in lane.exits
    ]
    assert "Put on hold" in picture(RequestType.PIPELINE).svg


def test_a_route_that_no_longer_matches_the_machines_fails(monkeypatch):
    monkeypatch.setitem(ROUTES, RequestType.PIPELINE, Route(ticket=("(created)", "finish")))
    with pytest.raises(ImproperlyConfigured, match="does not lead on from submitted"):
        picture(RequestType.PIPELINE)
    monkeypatch.setitem(ROUTES, RequestType.PIPELINE, Route(ticket=("(created)", "renamed")))
    with pytest.raises(ImproperlyConfigured, match="no status transition renamed"):
        picture(RequestType.PIPELINE)


def test_every_picture_is_a_labelled_svg():
    for pic in pictures():
        root = ET.fromstring(str(pic.svg))
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title").text == f"How a request for {pic.label} flows"
        assert root.find(f"{ns}desc").text == pic.summary
        words = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
        for lane in pic.lanes:
            for step in lane.steps:
                assert step.label.split()[0] in words
    assert picture(RequestType.PROD_DEPLOY).summary == (
        "The request: Submitted → Triaged → In Progress → Done. "
        "Its epic, on the Product Team Epic Board: Pipeline Complete or Deployed - Staging or "
        "Prod Deploy - Complete → Prod Deploy - Queued → Prod Deploy - In Progress → "
        "Prod Deploy - Complete."
    )


# The services walk the pictures ------------------------------------------------------------------


def moves_of(obj) -> list[str]:
    rows = AuditEvent.objects.for_object(obj).filter(outcome="done").order_by("created_at", "pk")
    return [row.to_status for row in rows if row.to_status and row.to_status != row.from_status]


def drive(request_type, member, pm, devops, cyber, classified, epic):
    """One request of the type, carried to Done through the services."""
    team = epic.team
    if request_type == RequestType.NEW_PIPELINE_CTF:
        ticket = services.ticket_file(
            by=member,
            team=team,
            request_type=request_type,
            impact_level="IL4",
            application_name="Payroll",
        )
        services.ticket_triage(by=pm, ticket=ticket)
        ticket.refresh_from_db()
        services.epic_verify_cyber_compliance(by=cyber, epic=ticket.epic)
        services.epic_start_pipeline(by=pm, epic=ticket.epic)
    else:
        level = "IL6" if request_type == RequestType.IL6_PROD_DEPLOY else "IL4"
        ticket = services.ticket_file(
            by=member, team=team, epic=epic, request_type=request_type, impact_level=level
        )
        services.ticket_triage(by=pm, ticket=ticket)
        if request_type == RequestType.PIPELINE:
            services.epic_start_pipeline(by=pm, epic=epic)
    story = ticket.stories.get()
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)
    if request_type == RequestType.IL6_PROD_DEPLOY:
        services.ticket_open_classified_story(by=pm, ticket=ticket)
        story = ticket.stories.get(board="classified_ops")
        services.story_pick_up(by=classified, story=story)
        services.story_complete(by=classified, story=story)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.django_db
@pytest.mark.parametrize("request_type", RequestType.values)
def test_the_services_walk_each_picture(request_type, member, pm, devops, cyber, classified):
    epic = Epic.objects.create(team=member.teams.get(), title="Payments", status=E.NEW)
    if request_type in (RequestType.PROD_DEPLOY, RequestType.IL6_PROD_DEPLOY):
        epic = Epic.objects.create(team=epic.team, title="Live", status=E.PIPELINE_COMPLETE)
        PipelineFactory(epic=epic, impact_level="IL4")
        DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
        DocumentFactory(epic=epic, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=[])
        AccessRequestFactory(user=pm, status="approved")
    before = epic.status
    ticket = drive(request_type, member, pm, devops, cyber, classified, epic)
    pic = picture(request_type)
    assert moves_of(ticket) == path(pic.lane("ticket"))
    lane = pic.lane("epic")
    walked = moves_of(ticket.epic)
    if lane is None:
        assert walked == []  # the IL6 flow leaves the epic alone
        return
    if lane.born:
        assert walked == [*lane.starts, *(step.status for step in lane.steps)]
    else:
        assert before in lane.starts
        assert walked == [step.status for step in lane.steps]


# Where the pictures show -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_help_page_draws_every_type(client, member):
    sign_in(client, member)
    response = client.get("/insights/workflows/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="chart chart--workflow"') == 4
    text = text_of(response)
    for label in RequestType.labels:
        assert label in text
    assert "Convert to story" in text


def test_the_include_beside_the_form():
    template = Template(
        '{% include "insights/includes/workflow_picture.html" with request_type=chosen %}'
    )
    html = template.render(Context({"chosen": "prod_deploy"}))
    assert "What happens next: IL2/IL4/IL5 production deployment" in html
    assert 'class="chart chart--workflow"' in html
    assert template.render(Context({"chosen": ""})).strip() == ""
    assert template.render(Context({"chosen": "nonsense"})).strip() == ""


def test_each_route_names_transitions_of_the_machines():
    for route in ROUTES.values():
        ticket_moves = workflow_pictures.moves_of(Ticket)
        epic_moves = workflow_pictures.moves_of(Epic)
        assert all(n in ticket_moves for n in route.ticket if n != workflow_pictures.CREATED)
        assert all(n in epic_moves for n in route.epic if n != workflow_pictures.CREATED)
