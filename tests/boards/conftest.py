"""What the board tests share: the portal's small world, signed-in clients, and requests
carried to a status through the services (never by setting a status)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epics.models import Story
from requests_app.models import Ticket
from tests.portal.pages import sign_in, world
from workflow import services


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The boards keep their filter choices a minute: no test may see another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(db):
    return world()


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client, signed in as `user`, banner acknowledged."""

    def signed_in(user):
        client.logout()
        return sign_in(client, user)

    return signed_in


def file(people, epic, request_type="pipeline", level="IL4", **extra) -> Ticket:
    member = epic.team.members.order_by("pk").first()
    return services.ticket_file(
        by=member,
        team=epic.team,
        request_type=request_type,
        impact_level=level,
        epic=epic,
        **extra,
    )


def new_ctf(people, team, application: str) -> tuple[Ticket, object]:
    """A new-CtF request triaged: its new epic (in New) and its ticket."""
    from epics.models import Epic

    ticket = services.ticket_file(
        by=team.members.order_by("pk").first(),
        team=team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name=application,
    )
    services.ticket_triage(by=people.pat, ticket=ticket)
    return ticket, Epic.objects.get(team=team, title=application)


def triaged(people, epic, request_type="pipeline", level="IL4", **extra) -> Ticket:
    ticket = file(people, epic, request_type, level, **extra)
    return services.ticket_triage(by=people.pat, ticket=ticket)


def story_of(ticket, board=Story.Board.PRODUCT) -> Story:
    return Story.objects.get(ticket=ticket, board=board)


def started(people, epic, level="IL4") -> Story:
    """A pipeline request on `epic`, its pipeline started: its story waits To Do."""
    ticket = triaged(people, epic, "pipeline", level)
    services.epic_start_pipeline(by=people.pat, epic=epic)
    return story_of(ticket)


def building(people, epic, level="IL4") -> Story:
    story = started(people, epic, level)
    return services.story_pick_up(by=people.dana, story=story)


def count_queries(client, path, **kwargs) -> tuple[int, object]:
    """The queries one request runs, as `make bench` counts them (the session's write is a
    savepoint and its release here, BEGIN and COMMIT there)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(captured), response
