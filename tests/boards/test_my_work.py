"""My work: a DevOps (or Classified Ops) engineer's stories, and those they could pick up;
pick up and complete in place."""

import re

import pytest
from django.urls import reverse

from epics.models import Story
from tests.boards.conftest import building, started, story_of, triaged
from tests.factories import UserFactory
from tests.portal.pages import HTMX, is_fragment, text_of
from workflow import services
from workflow.permissions import DEVOPS

pytestmark = pytest.mark.django_db


def section(response, title) -> str:
    html = response.content.decode()
    match = re.search(rf"<h2[^>]*>{re.escape(title)}</h2>.*?</section>", html, re.S)
    assert match, title
    return text_of(type("R", (), {"content": match.group(0).encode()})())


def test_mine_and_what_i_could_pick_up(people, as_user):
    building(people, people.mission)  # dana's
    ready = started(people, people.logistics)
    waiting = story_of(triaged(people, people.payments, "pipeline", "IL5"))  # not started
    devon = UserFactory(username="devon", roles=[DEVOPS])
    response = as_user(people.dana).get(reverse("board_my_work"))
    mine = section(response, "In progress, yours")
    assert "Build the IL4 pipeline: Mission Planner" in mine
    assert "Complete: Build the IL4 pipeline: Mission Planner" in mine
    to_do = section(response, "To do, nobody's yet")
    assert f"Pick up: {ready}" in to_do
    assert f"Pick up: {waiting}" not in to_do
    assert (
        "Epic “Payments Service” is Prod Deploy - Complete: it must be Pipeline In Progress for "
        "this request before work starts (an MDO PM starts the pipeline first)."
    ) in to_do
    # Another engineer's work is not mine.
    other = as_user(devon).get(reverse("board_my_work"))
    assert "Nothing in progress." in section(other, "In progress, yours")


def test_pick_up_and_complete_in_place(people, as_user):
    story = started(people, people.logistics)
    client = as_user(people.dana)
    picked = client.post(reverse("board_story_act", args=[story.pk, "pick_up"]), headers=HTMX)
    assert picked.status_code == 200
    assert is_fragment(picked)
    # The sections again, as a reload shows them: the story is under "In progress, yours".
    assert picked.content.decode().lstrip().startswith('<div id="work-sections"')
    words = text_of(picked)
    assert "Picked up: it is yours, In Progress." in words
    assert f"Complete: {story}" in words
    story.refresh_from_db()
    assert (story.status, story.assignee) == ("in_progress", people.dana)

    done = client.post(reverse("board_story_act", args=[story.pk, "complete"]), headers=HTMX)
    assert "Completed: Done." in text_of(done)
    people.logistics.refresh_from_db()
    assert people.logistics.status == "pipeline_complete"


def test_picking_up_a_story_someone_else_took_says_so(people, as_user):
    story = started(people, people.logistics)
    services.story_pick_up(by=UserFactory(username="devon", roles=[DEVOPS]), story=story)
    response = as_user(people.dana).post(
        reverse("board_story_act", args=[story.pk, "pick_up"]), headers=HTMX
    )
    assert response.status_code == 409
    assert "only To Do stories can be started" in text_of(response)


def test_without_javascript_my_work_returns_to_itself(people, as_user):
    story = started(people, people.logistics)
    client = as_user(people.dana)
    response = client.post(reverse("board_story_act", args=[story.pk, "pick_up"]))
    assert response.status_code == 302 and response.url == reverse("board_my_work")
    assert "Picked up: it is yours, In Progress." in text_of(client.get(response.url))


def test_an_unknown_action_is_404(people, as_user):
    story = started(people, people.logistics)
    client = as_user(people.dana)
    assert client.post(reverse("board_story_act", args=[story.pk, "assign"])).status_code == 404


def test_classified_ops_sees_its_board_s_stories(people, as_user):
    ticket = triaged(people, people.payments, "il6_prod_deploy", "IL6")
    prep = story_of(ticket)
    services.story_pick_up(by=people.dana, story=prep)
    services.story_complete(by=people.dana, story=prep)
    pat_access = services.access_request_create(by=people.pat, justification="IL6 work")
    services.access_request_approve(by=people.cleo, access_request=pat_access)
    people.pat.refresh_from_db()
    services.ticket_open_classified_story(by=people.pat, ticket=ticket)
    classified = story_of(ticket, Story.Board.CLASSIFIED_OPS)
    response = as_user(people.cleo).get(reverse("board_my_work"))
    to_do = section(response, "To do, nobody's yet")
    assert f"Pick up: {classified}" in to_do
    assert "Classified Ops board" in to_do
    # DevOps engineers without access never see it.
    assert str(classified) not in text_of(as_user(people.dana).get(reverse("board_my_work")))
