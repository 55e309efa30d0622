"""Two callers racing through the API: exactly one wins, the other gets a 409 and nothing
is stored twice (PostgreSQL only: SQLite runs one writer at a time)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.tokens import issue
from epics.models import Story
from tests.api.helpers import transition
from tests.factories import EpicFactory, TicketFactory, UserFactory
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same moment, each in its own thread (and connection)."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            start.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)}")
    return client


def test_two_pms_triage_the_same_ticket():
    ticket = TicketFactory(epic=EpicFactory())
    first, second = (UserFactory(roles=[MDO_PM]) for _ in range(2))
    path = transition("tickets", ticket.pk, "triage")
    clients = [client_of(first), client_of(second)]

    responses = race(*(lambda c=c: c.post(path) for c in clients))

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["status"] == "triaged"
    assert Story.objects.filter(ticket=ticket).count() == 1
    outcomes = sorted(
        AuditEvent.objects.for_object(ticket)
        .filter(action="triage")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["done", "refused"]
