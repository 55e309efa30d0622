"""Lists cost a fixed number of queries per page, however many objects are on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import url
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200, response.json()
    return len(captured)


def add_work(team, count: int) -> None:
    """`count` tickets of every kind and status the transitions inspect, on their epics."""
    kinds = [
        {"request_type": "pipeline", "status": "submitted"},
        {"request_type": "prod_deploy", "impact_level": "IL5", "status": "submitted"},
        {"request_type": "il6_prod_deploy", "impact_level": "IL6", "status": "triaged"},
        {"request_type": "pipeline", "status": "triaged"},
    ]
    for i in range(count):
        epic = EpicFactory(team=team, status="pipeline_complete" if i % 2 else "new")
        DocumentFactory(epic=epic, impact_levels=["IL5", "IL6"])
        DocumentFactory(epic=epic, kind="cisso_document", impact_levels=[], status="uploaded")
        ticket = TicketFactory(epic=epic, **kinds[i % len(kinds)])
        if ticket.status == "triaged":
            if ticket.kind.classified:
                StoryFactory(ticket=ticket, status="done", assignee=UserFactory())
            else:
                StoryFactory(ticket=ticket)


@pytest.fixture
def pm_with_access(pm):
    AccessRequestFactory(user=pm, status="approved")
    return pm


@pytest.mark.parametrize("role", ["pm_with_access", "member", "devops"])
def test_the_tickets_list(api, team, member, role, request):
    client = api(request.getfixturevalue(role))
    add_work(team, 3)
    few = queries(client, url("tickets"))
    add_work(team, 27)
    assert queries(client, url("tickets")) == few


@pytest.mark.parametrize("role", ["member", "cyber", "devops"])
def test_the_epics_list(api, team, member, role, request):
    client = api(request.getfixturevalue(role))
    add_work(team, 3)
    few = queries(client, url("epics"))
    add_work(team, 27)
    assert queries(client, url("epics")) == few


def test_the_epics_list_for_a_pm(api, team, pm):
    client = api(pm)
    add_work(team, 3)
    few = queries(client, url("epics"))
    add_work(team, 27)
    assert queries(client, url("epics")) == few


@pytest.mark.parametrize("role", ["pm_with_access", "devops", "classified"])
def test_the_stories_list(api, team, role, request):
    client = api(request.getfixturevalue(role))
    add_work(team, 4)
    few = queries(client, url("stories"))
    add_work(team, 40)
    assert queries(client, url("stories")) == few


@pytest.mark.parametrize("resource", ["documents", "releases", "teams", "access-requests"])
def test_the_other_lists(api, team, pm, classified, resource):
    client = api(classified)
    add_work(team, 3)
    AccessRequestFactory.create_batch(3)
    few = queries(client, url(resource))
    add_work(team, 27)
    AccessRequestFactory.create_batch(27)
    assert queries(client, url(resource)) == few


def test_the_history(api, pm, epic):
    from tests.api.helpers import transition

    ticket = TicketFactory(epic=epic, status="triaged")
    client = api(pm)
    client.post(transition("tickets", ticket.pk, "withdraw"))
    few = queries(client, url("tickets", ticket.pk, "history"))
    for _ in range(20):
        client.post(transition("tickets", ticket.pk, "withdraw"))
    assert queries(client, url("tickets", ticket.pk, "history")) == few
