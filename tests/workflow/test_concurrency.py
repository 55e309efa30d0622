"""Copies racing for the same transition: exactly one wins, the others get a Conflict (409),
and the database holds what one success would have made. PostgreSQL only: each thread has
its own connection and real row locks."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from epics.models import Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
)
from workflow import services
from workflow.errors import Conflict
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import DEVOPS, MDO_PM

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls) -> list:
    """Run each call in its own thread, released together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def fresh(model, pk):
    """A thread's own copy, as a request would load it."""
    return model.objects.get(pk=pk)


def outcomes(results):
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    return wins, losses


@pytest.mark.parametrize("request_type", ["pipeline", "prod_deploy", "new_pipeline_ctf"])
def test_eight_pms_triage_the_same_ticket(request_type):
    User = get_user_model()
    pms = [UserFactory(username=f"pm{i}", roles=[MDO_PM]).pk for i in range(8)]
    epic = EpicFactory(status=Epic.Status.PIPELINE_COMPLETE)
    DocumentFactory(epic=epic)
    PipelineFactory(epic=epic, impact_level="IL4")  # the completed pipeline a prod deploy needs
    if request_type == RequestType.NEW_PIPELINE_CTF:
        ticket = TicketFactory(
            team=epic.team, epic=None, request_type=request_type, application_name="Payroll"
        )
    else:
        ticket = TicketFactory(epic=epic, request_type=request_type)

    results = race(
        [
            lambda pk=pk: services.ticket_triage(
                by=fresh(User, pk), ticket=fresh(Ticket, ticket.pk)
            )
            for pk in pms
        ]
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1
    assert len(losses) == 7 and all(isinstance(loss, Conflict) for loss in losses), losses
    assert all(loss.status_code == 409 for loss in losses)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRIAGED
    assert Story.objects.filter(ticket=ticket).count() == 1
    assert Epic.objects.filter(title="Payroll").count() == (
        1 if request_type == RequestType.NEW_PIPELINE_CTF else 0
    )
    triage = AuditEvent.objects.filter(action="triage")
    assert triage.filter(outcome="done").count() == 1
    assert triage.filter(outcome="refused").count() == 7
    if request_type == RequestType.PROD_DEPLOY:
        epic.refresh_from_db()
        assert epic.status == Epic.Status.PROD_DEPLOY_QUEUED
        assert AuditEvent.objects.filter(action="queue_prod_deploy").count() == 1


def test_two_engineers_pick_up_the_same_story():
    User = get_user_model()
    engineers = [UserFactory(username=name, roles=[DEVOPS]).pk for name in ("dana", "devin")]
    epic = EpicFactory(status=Epic.Status.PIPELINE_IN_PROGRESS)
    ticket = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED, epic_status_before="new")
    story = StoryFactory(ticket=ticket)

    results = race(
        [
            lambda pk=pk: services.story_pick_up(by=fresh(User, pk), story=fresh(Story, story.pk))
            for pk in engineers
        ]
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    story.refresh_from_db()
    assert story.status == Story.Status.IN_PROGRESS
    assert story.assignee_id == wins[0].assignee_id
    epic.refresh_from_db()
    ticket.refresh_from_db()
    assert (epic.status, ticket.status) == (
        Epic.Status.PIPELINE_BEING_BUILT,
        Ticket.Status.IN_PROGRESS,
    )
    pick_ups = AuditEvent.objects.filter(action="pick_up", outcome="done")
    # One for the story and one for the epic that moved with it, both by the winner.
    assert pick_ups.count() == 2
    assert set(pick_ups.values_list("actor_id", flat=True)) == {wins[0].assignee_id}


def test_triage_racing_withdraw(team, epic, member, pm):
    ticket = TicketFactory(epic=epic, created_by=member)
    results = race(
        [
            lambda: services.ticket_triage(
                by=fresh(type(pm), pm.pk), ticket=fresh(Ticket, ticket.pk)
            ),
            lambda: services.ticket_withdraw(
                by=fresh(type(member), member.pk), ticket=fresh(Ticket, ticket.pk)
            ),
        ]
    )
    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    ticket.refresh_from_db()
    assert ticket.status == wins[0].status
    assert Story.objects.filter(ticket=ticket).count() == (
        1 if ticket.status == Ticket.Status.TRIAGED else 0
    )


def test_two_access_requests_at_once(devops):
    results = race(
        [
            lambda: services.access_request_create(
                by=fresh(type(devops), devops.pk), justification="On call for IL6."
            )
            for _ in range(2)
        ]
    )
    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    assert AccessRequest.objects.filter(user=devops).count() == 1


def test_two_pms_start_the_same_pipeline():
    User = get_user_model()
    pms = [UserFactory(username=name, roles=[MDO_PM]).pk for name in ("pat", "paz")]
    epic = EpicFactory(status=Epic.Status.PIPELINE_COMPLETE)
    ticket = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED)
    StoryFactory(ticket=ticket)

    results = race(
        [
            lambda pk=pk: services.epic_start_pipeline(
                by=fresh(User, pk), epic=fresh(Epic, epic.pk)
            )
            for pk in pms
        ]
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict), results
    epic.refresh_from_db()
    ticket.refresh_from_db()
    assert epic.status == Epic.Status.PIPELINE_IN_PROGRESS
    # The rejection of this ticket would put the epic back where it really was.
    assert ticket.epic_status_before == Epic.Status.PIPELINE_COMPLETE
    assert AuditEvent.objects.filter(action="start_pipeline", outcome="done").count() == 1
