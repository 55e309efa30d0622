"""The audit trail: every transition and every refused attempt is recorded (who, what, from,
to, when, client address, outcome, reason), and nothing edits or deletes a record."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from epics.models import Epic, Story
from requests_app.models import Ticket
from tests.factories import DocumentFactory
from tests.workflow.support import audit_mark, events_since
from workflow import selectors, services
from workflow.audit import ClientAddressMiddleware
from workflow.errors import Conflict, GatesUnmet, NotPermitted
from workflow.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def timeline(obj) -> list[tuple]:
    return [
        (e.action, e.from_status, e.to_status, e.actor_name, e.outcome)
        for e in selectors.history_of(obj)
    ]


def test_a_pipeline_request_leaves_a_timeline_on_ticket_epic_and_story(member, pm, devops, epic):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    services.epic_start_pipeline(by=pm, epic=epic)
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)

    assert timeline(ticket) == [
        ("file", "", "submitted", "alice", "done"),
        ("triage", "submitted", "triaged", "pat", "done"),
        ("start_work", "triaged", "in_progress", "dana", "done"),
        ("finish", "in_progress", "done", "dana", "done"),
    ]
    assert timeline(epic) == [
        ("start_pipeline", "new", "pipeline_in_progress", "pat", "done"),
        ("pick_up", "pipeline_in_progress", "pipeline_being_built", "dana", "done"),
        ("complete", "pipeline_being_built", "pipeline_complete", "dana", "done"),
    ]
    assert timeline(story) == [
        ("create", "", "to_do", "pat", "done"),
        ("pick_up", "to_do", "in_progress", "dana", "done"),
        ("complete", "in_progress", "done", "dana", "done"),
    ]
    for event in AuditEvent.objects.all():
        assert event.actor is not None and event.actor.username == event.actor_name
        assert event.created_at.utcoffset() == dt.timedelta(0)
        assert event.object_repr


def test_a_refused_attempt_is_recorded_with_its_reason(member, pm, devops, epic):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    mark = audit_mark()
    with pytest.raises(NotPermitted) as refusal:
        services.ticket_triage(by=devops, ticket=ticket)

    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.actor, event.from_status, event.to_status) == (
        "triage",
        "refused",
        devops,
        "submitted",
        "",
    )
    assert event.reason == refusal.value.detail == "Only MDO PMs triage tickets."
    assert event.detail == {"status_code": 403}
    assert event.object_id == ticket.pk
    assert ("triage", "submitted", "", "dana", "refused") in timeline(ticket)
    # A refusal is not a change: the ticket's status history has no move in it.
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


def test_a_conflict_records_the_status_the_object_really_had(member, pm, epic):
    """The trail says what was true, not what the caller's old copy said."""
    stale = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    services.ticket_triage(by=pm, ticket=Ticket.objects.get(pk=stale.pk))
    mark = audit_mark()
    with pytest.raises(Conflict):
        services.ticket_withdraw(by=member, ticket=stale)
    (event,) = events_since(mark)
    assert (event.action, event.outcome, event.from_status) == ("withdraw", "refused", "triaged")


def test_a_refused_creation_names_the_model(member, team, epic):
    team.funded = False
    team.save()
    mark = audit_mark()
    with pytest.raises(GatesUnmet):
        services.ticket_file(
            by=member,
            team=team,
            request_type="new_pipeline_ctf",
            impact_level="IL2",
            application_name="Payroll",
        )
    (event,) = events_since(mark)
    assert (event.content_type.model_class(), event.object_id, event.action) == (
        Ticket,
        None,
        "file",
    )
    assert event.detail == {"status_code": 422, "unmet": ["team_funded"]}


def test_the_client_address_is_recorded(member, pm, epic):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )

    def view(request):
        services.ticket_triage(by=pm, ticket=ticket)

    ClientAddressMiddleware(view)(RequestFactory().post("/", REMOTE_ADDR="203.0.113.7"))
    triage = AuditEvent.objects.get(action="triage")
    assert triage.client_address == "203.0.113.7"
    # Outside a request (a management command) there is none.
    assert AuditEvent.objects.get(action="file").client_address is None


def test_document_decisions_and_cyber_compliance_are_recorded(pm, cyber, epic):
    document = DocumentFactory(epic=epic, status="uploaded")
    services.document_reject(by=cyber, document=document, reason="Unsigned.")
    services.epic_verify_cyber_compliance(by=pm, epic=epic)
    assert timeline(document) == [("reject", "uploaded", "rejected", "casey", "done")]
    assert AuditEvent.objects.get(action="reject").reason == "Unsigned."
    assert timeline(epic) == [("verify_cyber_compliance", "new", "new", "pat", "done")]


# Append-only ----------------------------------------------------------------------------------


@pytest.fixture
def event(member, epic):
    services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    return AuditEvent.objects.get()


def test_an_event_cannot_be_saved_again(event):
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["reason"])
    assert AuditEvent.objects.get().reason == ""


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda qs: qs.update(reason="rewritten"),
        lambda qs: qs.filter(action="file").update(outcome="refused"),
        lambda qs: qs.delete(),
        lambda qs: qs.filter(action="file").delete(),
        lambda qs: qs.bulk_update(list(qs), ["reason"]),
        lambda qs: AuditEvent.objects.update(reason="rewritten"),
    ],
    ids=["update", "filtered update", "delete", "filtered delete", "bulk_update", "manager"],
)
def test_querysets_cannot_rewrite_history(rewrite, event):
    with pytest.raises(AppendOnlyError):
        rewrite(AuditEvent.objects.all())
    assert list(AuditEvent.objects.values_list("action", "outcome", "reason")) == [
        ("file", "done", "")
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE workflow_auditevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM workflow_auditevent WHERE id = %s",
    ],
    ids=["UPDATE", "DELETE"],
)
def test_the_database_refuses_raw_sql(sql, event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert list(AuditEvent.objects.values_list("pk", "reason")) == [(event.pk, "")]


def test_history_of_an_object_is_its_own(member, pm, epic):
    ticket = services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    services.ticket_triage(by=pm, ticket=ticket)
    story = Story.objects.get()
    assert [e.action for e in selectors.history_of(story)] == ["create"]
    assert [e.action for e in selectors.history_of(Epic.objects.get())] == []
