"""Dragging a card runs the matching action through the services; a drop that is not
allowed leaves the card where it is and says why; every drag has its button."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from epics.models import Epic, Pipeline, Story
from requests_app.models import Ticket
from tests.boards.conftest import building, new_ctf, started, story_of, triaged
from tests.portal.pages import HTMX, is_fragment, text_of
from workflow import services
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def drop(client, epic, source, target, **extra):
    return client.post(
        reverse("board_epic_move", args=[epic.pk]),
        {"from": source, "to": target, **extra},
        headers=HTMX,
    )


def moved_card(response) -> tuple[str, str]:
    """The card the answer carries: (its id, the status it says it is in)."""
    match = re.search(
        r'<li class="tile" id="([^"]+)" data-status="([^"]+)" hx-swap-oob="true">',
        response.content.decode(),
    )
    assert match, response.content.decode()[:500]
    return match.group(1), match.group(2)


def message(response) -> str:
    html = response.content.decode()
    match = re.search(r'<div id="board-message".*?</div>\s*</div>', html, re.S)
    return text_of(type("R", (), {"content": match.group(0).encode()})()) if match else ""


def status_of(obj) -> str:
    obj.refresh_from_db()
    return obj.status


def test_dropping_a_new_epic_on_pipeline_in_progress_starts_its_pipeline(people, as_user):
    triaged(people, people.logistics)
    response = drop(as_user(people.pat), people.logistics, "new", "pipeline_in_progress")
    assert response.status_code == 200
    assert is_fragment(response)
    assert moved_card(response) == (f"epic-{people.logistics.pk}", "pipeline_in_progress")
    assert message(response) == "“Logistics Tracker” is now in Pipeline In Progress."
    assert status_of(people.logistics) == "pipeline_in_progress"
    assert AuditEvent.objects.filter(
        action="start_pipeline",
        outcome="done",
        content_type=ContentType.objects.get_for_model(Epic),
        object_id=people.logistics.pk,
    ).exists()


def test_an_mdo_pm_dropping_on_pipeline_being_built_is_asked_which_engineer(people, as_user):
    story = started(people, people.logistics)
    client = as_user(people.pat)
    asked = drop(client, people.logistics, "pipeline_in_progress", "pipeline_being_built")
    assert asked.status_code == 200
    assert moved_card(asked) == (f"epic-{people.logistics.pk}", "pipeline_in_progress")
    dialog = asked.content.decode()
    assert '<div id="board-dialog-body" hx-swap-oob="true">' in dialog
    assert f"Choose the engineer who works “{story}”, then assign." in text_of(asked)
    assert f'<option value="{people.dana.pk}">dana' in dialog
    assert status_of(story) == "to_do"

    assigned = drop(
        client,
        people.logistics,
        "pipeline_in_progress",
        "pipeline_being_built",
        assignee=people.dana.pk,
        via="panel",
    )
    assert assigned.status_code == 200
    assert moved_card(assigned) == (f"epic-{people.logistics.pk}", "pipeline_being_built")
    assert "assigned to dana" in message(assigned)
    assert '<div id="board-dialog-body" hx-swap-oob="true"></div>' in assigned.content.decode()
    story.refresh_from_db()
    assert (story.status, story.assignee) == ("in_progress", people.dana)
    assert status_of(people.logistics) == "pipeline_being_built"


def test_assigning_someone_who_is_not_devops_is_refused_with_the_gate(people, as_user):
    started(people, people.logistics)
    response = drop(
        as_user(people.pat),
        people.logistics,
        "pipeline_in_progress",
        "pipeline_being_built",
        assignee=people.casey.pk,
        via="panel",
    )
    assert response.status_code == 422
    assert "casey is not in the DevOps team: assign a DevOps engineer." in text_of(response)
    assert status_of(people.logistics) == "pipeline_in_progress"


def test_a_devops_engineer_dropping_on_pipeline_being_built_picks_it_up(people, as_user):
    story = started(people, people.logistics)
    response = drop(
        as_user(people.dana), people.logistics, "pipeline_in_progress", "pipeline_being_built"
    )
    assert response.status_code == 200
    assert moved_card(response)[1] == "pipeline_being_built"
    assert "picked up by you" in message(response)
    story.refresh_from_db()
    assert story.assignee == people.dana


def test_dropping_on_pipeline_complete_completes_the_story(people, as_user):
    story = building(people, people.logistics, level="IL5")
    response = drop(
        as_user(people.dana), people.logistics, "pipeline_being_built", "pipeline_complete"
    )
    assert response.status_code == 200
    assert moved_card(response)[1] == "pipeline_complete"
    assert status_of(story) == "done"
    assert Pipeline.objects.filter(epic=people.logistics, impact_level="IL5").exists()
    assert status_of(story.ticket) == "done"


def test_a_pipeline_dropped_on_deployed_staging_is_told_where_it_goes(people, as_user):
    story = building(people, people.logistics)
    response = drop(
        as_user(people.dana), people.logistics, "pipeline_being_built", "deployed_staging"
    )
    assert response.status_code == 409
    assert moved_card(response)[1] == "pipeline_being_built"  # snaps back
    assert (
        f"Completing “{story}” moves epic “Logistics Tracker” to Pipeline Complete, not "
        "Deployed - Staging: drop it there."
    ) in message(response)
    assert status_of(story) == "in_progress"


def test_a_drop_with_unmet_gates_snaps_back_listing_every_gate(people, as_user):
    """A new-CtF epic's pipeline waits for its cyber compliance."""
    _, fleet = new_ctf(people, people.alpha, "Fleet Tracker")
    response = drop(as_user(people.pat), fleet, "new", "pipeline_in_progress")
    assert response.status_code == 422
    assert moved_card(response) == (f"epic-{fleet.pk}", "new")
    words = message(response)
    assert words.startswith("“Fleet Tracker” stays in New: every check below must be met first.")
    assert "Open “Fleet Tracker” for its moves and what each needs" in words
    assert "Not met: Epic “Fleet Tracker” needs its own CtF and has not been verified" in words
    assert 'data-code="cyber_compliant"' in response.content.decode()
    assert status_of(fleet) == "new"
    assert AuditEvent.objects.filter(
        action="start_pipeline", outcome="refused", object_id=fleet.pk
    ).exists()


def test_a_drop_no_action_makes_is_refused_saying_where_the_card_may_go(people, as_user):
    triaged(people, people.logistics)
    response = drop(as_user(people.pat), people.logistics, "new", "prod_deploy_complete")
    assert response.status_code == 409
    assert moved_card(response)[1] == "new"
    assert message(response).startswith(
        "Nothing moves epic “Logistics Tracker” from New to Prod Deploy - Complete. "
        "From New it moves to Pipeline In Progress."
    )
    queued = drop(as_user(people.pat), people.logistics, "new", "prod_deploy_queued")
    assert "see the Triage queue" in message(queued)


def test_a_card_someone_else_moved_shows_where_it_is_now(people, as_user):
    triaged(people, people.logistics)
    client = as_user(people.pat)
    # Another PM started it a moment ago; this PM still sees it in New.
    services.epic_start_pipeline(by=people.pat, epic=people.logistics)
    response = drop(client, people.logistics, "new", "pipeline_in_progress")
    assert response.status_code == 409
    assert moved_card(response)[1] == "pipeline_in_progress"
    assert message(response).startswith(
        "Someone else moved “Logistics Tracker” to Pipeline In Progress meanwhile: it is "
        "shown where it is now."
    )


def test_starting_a_pipeline_with_nothing_triaged_is_a_conflict(people, as_user):
    response = drop(as_user(people.pat), people.logistics, "new", "pipeline_in_progress")
    assert response.status_code == 409
    assert "No triaged pipeline request is waiting on epic “Logistics Tracker”" in message(response)


def test_a_prod_deploy_is_picked_up_and_completed_on_the_board(people, as_user):
    ticket = triaged(people, people.mission, "prod_deploy", "IL4")
    assert status_of(people.mission) == "prod_deploy_queued"
    dana = as_user(people.dana)
    picked = drop(dana, people.mission, "prod_deploy_queued", "prod_deploy_in_progress")
    assert moved_card(picked)[1] == "prod_deploy_in_progress"
    done = drop(dana, people.mission, "prod_deploy_in_progress", "prod_deploy_complete")
    assert moved_card(done)[1] == "prod_deploy_complete"
    assert status_of(ticket) == Ticket.Status.DONE


# The keyboard's way: the card's dialog, and its page without JavaScript ---------------------


def test_the_card_lists_its_moves_as_buttons(people, as_user):
    started(people, people.logistics)
    client = as_user(people.pat)
    panel = client.get(reverse("board_epic_card", args=[people.logistics.pk]), headers=HTMX)
    assert is_fragment(panel)
    words = text_of(panel)
    assert "Moves from Pipeline In Progress" in words
    assert "Assign: move to Pipeline Being Built" in words
    assert "Choose an engineer…" in words

    page = client.get(reverse("board_epic_card", args=[people.logistics.pk]))
    assert "Back to the board" in text_of(page)


def test_a_button_without_javascript_moves_and_returns_to_the_board(people, as_user):
    triaged(people, people.logistics)
    client = as_user(people.pat)
    response = client.post(
        reverse("board_epic_move", args=[people.logistics.pk]),
        {"from": "new", "to": "pipeline_in_progress", "next": "/boards/epics/?q=logistics"},
    )
    assert response.status_code == 302
    assert response.url == "/boards/epics/?q=logistics"
    page = text_of(client.get(response.url))
    assert "“Logistics Tracker” is now in Pipeline In Progress." in page


def test_a_refused_button_without_javascript_shows_the_card_and_why(people, as_user):
    response = as_user(people.pat).post(
        reverse("board_epic_move", args=[people.logistics.pk]),
        {"from": "new", "to": "pipeline_in_progress"},
    )
    assert response.status_code == 409
    assert "No triaged pipeline request is waiting" in text_of(response)
    assert "Moves from New" in text_of(response)


def test_the_dialog_shows_a_refusal_where_the_button_was_pressed(people, as_user):
    response = drop(
        as_user(people.pat), people.logistics, "new", "pipeline_in_progress", via="panel"
    )
    assert response.status_code == 409
    body = response.content.decode()
    dialog = body[body.index('<div id="board-dialog-body" hx-swap-oob="true">') :]
    assert "No triaged pipeline request is waiting" in dialog


def test_why_a_move_is_not_open_is_on_the_card(people, as_user):
    fleet_ticket, fleet = new_ctf(people, people.alpha, "Fleet Tracker")
    words = text_of(
        as_user(people.pat).get(reverse("board_epic_card", args=[fleet.pk]), headers=HTMX)
    )
    assert "Not yet: ✗ Not met: Epic “Fleet Tracker” needs its own CtF" in words
    assert "Verify cyber compliance" in words
    assert "Start the pipeline: move to" not in words
    cyber = text_of(
        as_user(people.casey).get(reverse("board_epic_card", args=[fleet.pk]), headers=HTMX)
    )
    assert "Not yours to do" in cyber


def test_cyber_compliance_is_verified_from_the_card_and_the_pipeline_starts(people, as_user):
    fleet_ticket, fleet = new_ctf(people, people.alpha, "Fleet Tracker")
    client = as_user(people.pat)
    verified = client.post(
        reverse("board_epic_verify_cyber", args=[fleet.pk]), {"via": "panel"}, headers=HTMX
    )
    assert verified.status_code == 200
    # The dialog stays open on the card's moves, saying so; starting the pipeline is open now.
    dialog = verified.content.decode()
    assert "is verified cyber compliant" in dialog and "board-dialog-body" in dialog
    assert "Start the pipeline" in dialog
    fleet.refresh_from_db()
    assert fleet.cyber_compliant_by == people.pat
    assert drop(client, fleet, "new", "pipeline_in_progress").status_code == 200
    story = story_of(fleet_ticket)
    services.story_pick_up(by=people.dana, story=story)
    staged = drop(as_user(people.dana), fleet, "pipeline_being_built", "deployed_staging")
    assert moved_card(staged)[1] == "deployed_staging"


def test_cyber_may_not_start_a_pipeline(people, as_user):
    triaged(people, people.logistics)
    response = drop(as_user(people.casey), people.logistics, "new", "pipeline_in_progress")
    assert response.status_code == 403
    assert "Only MDO PMs start pipelines." in message(response)
    assert status_of(people.logistics) == "new"


def test_an_epic_nobody_may_see_is_404(people, as_user):
    response = drop(as_user(people.pat), Epic(pk=999999), "new", "pipeline_in_progress")
    assert response.status_code == 404


def test_the_story_behind_a_card_stays_where_the_services_put_it(people, as_user):
    """Two requests on one epic: the card's open story is the one in progress."""
    building(people, people.mission)
    triaged(people, people.mission, "pipeline", "IL5")
    response = as_user(people.pat).get(reverse("board_epics"))
    assert "IL4 pipeline · dana (+1 more)" in text_of(response)
    assert Story.objects.filter(epic=people.mission, status="to_do").count() == 1
