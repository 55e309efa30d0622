"""`GET …/{id}/history/`: the object's audit trail, oldest first, times in UTC, in the fields
of `/audit-events/` (the client address for staff and auditors only)."""

import datetime as dt

import pytest

from tests.api.helpers import transition, url
from tests.factories import DocumentFactory, StoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_a_ticket_history_names_who_did_what_when_and_from_where(api, member, pm, epic):
    created = api(member).post(
        url("tickets"),
        {"team": epic.team_id, "request_type": "pipeline", "impact_level": "IL2", "epic": epic.pk},
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    ticket_id = created.json()["id"]
    api(pm).post(
        transition("tickets", ticket_id, "reject"),
        {"reason": "Duplicate."},
        format="json",
        REMOTE_ADDR="10.9.8.7",
    )

    response = api(member).get(url("tickets", ticket_id, "history"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    filed, rejected = body["results"]
    assert {k: filed[k] for k in ("actor", "action", "from_status", "to_status", "outcome")} == {
        "actor": "alice",
        "action": "file",
        "from_status": "",
        "to_status": "submitted",
        "outcome": "done",
    }
    assert (rejected["actor"], rejected["action"], rejected["reason"]) == (
        "pat",
        "reject",
        "Duplicate.",
    )
    # A product team member sees who and when, never from where; staff see the addresses.
    assert (filed["client_address"], rejected["client_address"]) == (None, None)
    staff = api(pm).get(url("tickets", ticket_id, "history")).json()["results"]
    assert [e["client_address"] for e in staff] == ["10.1.2.3", "10.9.8.7"]
    for event in (filed, rejected):
        assert event["at"].endswith("Z")
        at = dt.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
        assert abs(at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert filed["at"] <= rejected["at"]


def test_history_of_stories_documents_and_epics(api, pm, cyber, devops, epic):
    story = StoryFactory(epic=epic)
    document = DocumentFactory(epic=epic, status="uploaded")
    api(cyber).post(
        transition("documents", document.pk, "reject"), {"reason": "Unsigned."}, format="json"
    )
    api(devops).post(transition("stories", story.pk, "pick_up"))  # refused: pipeline not started
    api(cyber).post(transition("epics", epic.pk, "verify_cyber_compliance"))

    doc_history = api(pm).get(url("documents", document.pk, "history")).json()["results"]
    assert [(e["action"], e["to_status"], e["reason"]) for e in doc_history] == [
        ("reject", "rejected", "Unsigned.")
    ]
    story_history = api(pm).get(url("stories", story.pk, "history")).json()["results"]
    assert [(e["actor"], e["action"], e["outcome"]) for e in story_history] == [
        ("dana", "pick_up", "refused")
    ]
    epic_history = api(pm).get(url("epics", epic.pk, "history")).json()["results"]
    assert [(e["actor"], e["action"]) for e in epic_history] == [
        ("casey", "verify_cyber_compliance")
    ]


def test_history_is_oldest_first_and_paginated(api, pm, member, epic):
    ticket = TicketFactory(epic=epic, status="triaged")
    alice = api(member)
    for _ in range(3):
        alice.post(transition("tickets", ticket.pk, "withdraw"))  # each refusal is recorded
    page = api(pm).get(url("tickets", ticket.pk, "history"), {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2
    all_ids = [e["id"] for e in page["results"]] + [
        e["id"] for e in api(pm).get(page["next"]).json()["results"]
    ]
    assert all_ids == sorted(all_ids)
