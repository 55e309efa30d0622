"""What each story move a drop makes on the epic board costs in queries, the whole request
counted as a server runs it (the test's own savepoint around the service's transaction left
out): the session, the user with their roles, the card's epic and its open stories, the
assignee, the chain's lock and head (one query), the locks, the three writes and their three
audit events, the recipients and webhooks, one insert of the notifications, the card again.

The issue's target is 12; these budgets are what the moves cost now (assign 18, pick up 17,
complete 19, on either database), so none creeps back up. Where the rest go: six queries are
the board view's (boards/, outside the services), three are one audit insert per event.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from epics.models import Epic, Pipeline, Story
from notifications.models import Notification
from requests_app.models import Ticket
from tests.boards.conftest import started
from tests.factories import EpicFactory
from tests.portal.pages import HTMX
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

BUDGET = {"assign": 18, "pick_up": 17, "complete": 19}


def drop(client, epic, source, target, **extra):
    """One drop, as the board sends it: (its queries, the response)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("board_epic_move", args=[epic.pk]),
            {"from": source, "to": target, **extra},
            headers=HTMX,
        )
    assert response.status_code == 200, response.content.decode()[:500]
    return captured, response


def within_budget(captured, move: str) -> None:
    served = [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    listing = "\n".join(f"{n:>2} {q['sql'][:160]}" for n, q in enumerate(served, 1))
    assert len(served) <= BUDGET[move], f"{move}: {len(served)} queries:\n{listing}"


def two_started(people) -> list[Epic]:
    """Two epics of Team Alpha whose pipeline started: each story waits To Do. The first is
    for warming what a running server has warm (the session's activity stamp, the content
    types); the second is counted."""
    epics = [EpicFactory(team=people.alpha) for _ in range(2)]
    for epic in epics:
        started(people, epic)
    return epics


def test_an_mdo_pm_assigning_an_engineer(people, as_user):
    client = as_user(people.pat)
    warm, epic = two_started(people)
    drop(client, warm, "pipeline_in_progress", "pipeline_being_built", assignee=people.dana.pk)
    captured, _ = drop(
        client, epic, "pipeline_in_progress", "pipeline_being_built", assignee=people.dana.pk
    )
    within_budget(captured, "assign")
    story = Story.objects.get(epic=epic, board=Story.Board.PRODUCT)
    assert (story.status, story.assignee) == (Story.Status.IN_PROGRESS, people.dana)
    epic.refresh_from_db()
    assert epic.status == Epic.Status.PIPELINE_BEING_BUILT
    assert story.ticket.status == Ticket.Status.IN_PROGRESS
    actions = AuditEvent.objects.filter(outcome="done").order_by("-pk").values_list("action")
    assert [a for (a,) in actions[:3]] == ["start_work", "assign", "assign"]
    # dana hears of the story, the team of its request in progress.
    told = Notification.objects.filter(event_type="story_assigned", recipient=people.dana)
    assert told.filter(subject__contains=str(story)).exists()
    assert Notification.objects.filter(
        event_type="ticket_in_progress",
        recipient=people.alice,
        subject__contains=f"#{story.ticket.pk}",
    ).exists()


def test_an_engineer_picking_a_story_up_and_completing_it(people, as_user):
    client = as_user(people.dana)
    warm, epic = two_started(people)
    drop(client, warm, "pipeline_in_progress", "pipeline_being_built")
    captured, _ = drop(client, epic, "pipeline_in_progress", "pipeline_being_built")
    within_budget(captured, "pick_up")
    story = Story.objects.get(epic=epic, board=Story.Board.PRODUCT)
    assert (story.status, story.assignee) == (Story.Status.IN_PROGRESS, people.dana)

    drop(client, warm, "pipeline_being_built", "pipeline_complete")
    captured, _ = drop(client, epic, "pipeline_being_built", "pipeline_complete")
    within_budget(captured, "complete")
    story.refresh_from_db()
    epic.refresh_from_db()
    assert story.status == Story.Status.DONE
    assert epic.status == Epic.Status.PIPELINE_COMPLETE
    assert story.ticket.status == Ticket.Status.DONE
    assert Pipeline.objects.filter(epic=epic, impact_level="IL4", ticket=story.ticket).exists()
    assert Notification.objects.filter(
        event_type="ticket_done",
        recipient=people.alice,
        subject__contains=f"#{story.ticket.pk}",
    ).exists()
