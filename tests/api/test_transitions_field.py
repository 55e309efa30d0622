"""`transitions`: what the caller's role could do next from the current status, with what
stands in the way of each."""

import pytest

from tests.api.helpers import url
from tests.factories import AccessRequestFactory, DocumentFactory, StoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


def offered(client, resource, pk):
    response = client.get(url(resource, pk))
    assert response.status_code == 200
    return response.json()["transitions"]


def test_a_submitted_ticket_for_each_role(api, member, pm, devops, cyber, epic):
    ticket = TicketFactory(epic=epic)
    assert offered(api(pm), "tickets", ticket.pk) == [
        {"name": "triage", "label": "Triage", "allowed": True, "unmet": []},
        {"name": "reject", "label": "Reject", "allowed": True, "unmet": []},
        {"name": "ask_for_info", "label": "Ask for info", "allowed": True, "unmet": []},
    ]
    assert offered(api(member), "tickets", ticket.pk) == [
        {"name": "withdraw", "label": "Withdraw", "allowed": True, "unmet": []}
    ]
    assert offered(api(devops), "tickets", ticket.pk) == []
    assert offered(api(cyber), "tickets", ticket.pk) == []


def test_unmet_gates_are_listed_before_the_caller_tries(api, pm, done_epic):
    ticket = TicketFactory(epic=done_epic, request_type="prod_deploy", impact_level="IL5")
    [triage, reject, _ask] = offered(api(pm), "tickets", ticket.pk)
    assert triage["name"] == "triage" and triage["allowed"] is False
    assert [g["code"] for g in triage["unmet"]] == ["signed_ctf_letter"]
    assert reject["allowed"] is True

    DocumentFactory(epic=done_epic, impact_levels=["IL5"])
    [triage, *_] = offered(api(pm), "tickets", ticket.pk)
    assert (triage["allowed"], triage["unmet"]) == (True, [])


def test_a_status_conflict_is_explained(api, pm, epic):
    ticket = TicketFactory(epic=epic, request_type="prod_deploy")  # the epic has no pipeline
    [triage, *_] = offered(api(pm), "tickets", ticket.pk)
    assert triage["allowed"] is False
    assert "needs a pipeline first" in triage["detail"]


def test_a_withdrawn_ticket_offers_nothing(api, member, pm, epic):
    ticket = TicketFactory(epic=epic, status="withdrawn")
    assert offered(api(member), "tickets", ticket.pk) == []
    assert offered(api(pm), "tickets", ticket.pk) == []


def test_a_to_do_story(api, pm, devops, member, epic):
    story = StoryFactory(epic=epic)
    assert [t["name"] for t in offered(api(pm), "stories", story.pk)] == ["assign"]
    assert [t["name"] for t in offered(api(devops), "stories", story.pk)] == ["pick_up"]
    assert offered(api(member), "stories", story.pk) == []


def test_an_uploaded_document(api, cyber, member, epic):
    document = DocumentFactory(epic=epic, status="uploaded")
    assert [t["name"] for t in offered(api(cyber), "documents", document.pk)] == [
        "verify",
        "reject",
    ]
    assert offered(api(member), "documents", document.pk) == []


def test_an_access_request_is_not_decided_by_its_requester(api, classified, member):
    others = AccessRequestFactory(user=member)
    own = AccessRequestFactory(user=classified, status="denied")
    assert [t["name"] for t in offered(api(classified), "access-requests", others.pk)] == [
        "approve",
        "deny",
    ]
    assert offered(api(member), "access-requests", others.pk) == []
    assert offered(api(classified), "access-requests", own.pk) == []
