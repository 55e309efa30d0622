"""Idempotency-Key on POSTs, and answers that never hide what committed (API.md)."""

import pytest
from django.db import DatabaseError

from api.models import IdempotentRequest
from requests_app.models import Ticket
from tests.api.helpers import transition, url

pytestmark = pytest.mark.django_db


def filing(epic):
    return {
        "team": epic.team_id,
        "request_type": "pipeline",
        "impact_level": "IL4",
        "epic": epic.pk,
    }


def test_a_retried_filing_with_the_same_key_files_once(api, member, epic):
    client = api(member)
    first = client.post(url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_another_key_or_no_key_files_again(api, member, epic):
    client = api(member)
    client.post(url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    client.post(url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    client.post(url("tickets"), filing(epic), format="json")
    assert Ticket.objects.count() == 3


def test_a_key_is_the_callers_own(api, member, epic, team):
    from tests.factories import UserFactory
    from workflow.permissions import PRODUCT_TEAM

    amy = UserFactory(username="amy", roles=[PRODUCT_TEAM], teams=[team])
    api(member).post(url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="same")
    answer = api(amy).post(
        url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert answer.status_code == 201 and Ticket.objects.count() == 2


def test_a_refusal_is_answered_again_and_still_changes_nothing(api, member, pm, epic):
    client = api(member)
    ticket = client.post(url("tickets"), filing(epic), format="json").json()
    path = transition("tickets", ticket["id"], "triage")
    first = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="t")
    again = client.post(path, {}, format="json", HTTP_IDEMPOTENCY_KEY="t")
    assert first.status_code == again.status_code == 403
    assert again.json() == first.json()


def test_a_key_used_for_another_address_is_refused(api, member, epic):
    client = api(member)
    ticket = client.post(
        url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="once"
    ).json()
    answer = client.post(
        transition("tickets", ticket["id"], "withdraw"), {}, format="json",
        HTTP_IDEMPOTENCY_KEY="once",
    )
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()
    assert Ticket.objects.get().status == "submitted"


def test_a_key_still_being_answered_is_a_conflict(api, member, epic):
    IdempotentRequest.objects.create(user=member, key="busy", method="POST", path=url("tickets"))
    answer = api(member).post(
        url("tickets"), filing(epic), format="json", HTTP_IDEMPOTENCY_KEY="busy"
    )
    assert answer.status_code == 409 and "still being answered" in answer.json()["detail"]
    assert not Ticket.objects.exists()


def test_a_committed_action_answers_its_success_when_reading_it_back_fails(
    api, member, epic, monkeypatch
):
    from api import views

    def lost(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(views.TicketViewSet, "visible", lost)
    answer = api(member).post(url("tickets"), filing(epic), format="json")
    assert answer.status_code == 201
    ticket = Ticket.objects.get()
    assert answer.json()["id"] == ticket.pk and answer.json()["status"] == "submitted"


def test_an_unforeseen_failure_is_a_json_500(api, member, epic, monkeypatch):
    from workflow import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "ticket_file", broken)
    answer = api(member).post(url("tickets"), filing(epic), format="json")
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/json"
    assert "look at the object again" in answer.json()["detail"]
