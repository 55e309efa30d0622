"""`/api/v1/tickets/{id}/comments/` and the Needs Info transitions through the API: the thread
as the caller may read it, comments in JSON or multipart with attachments, every refusal with
its status and field, and the schema that says so."""

import pytest

from requests_app.models import Comment, Ticket
from tests.api.helpers import transition, url
from tests.factories import TicketFactory, UserFactory
from tests.requests_app import attachments as files
from workflow import services
from workflow.models import AuditEvent
from workflow.permissions import AUDITOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(epic, member):
    return TicketFactory(epic=epic, created_by=member)


def comments_of(ticket) -> str:
    return url("tickets", ticket.pk, "comments")


def test_the_thread_oldest_first_without_internal_notes_for_the_team(api, ticket, member, pm):
    services.ticket_comment(by=member, ticket=ticket, body="First")
    services.ticket_comment(by=pm, ticket=ticket, body="Staff only", internal=True)
    services.ticket_comment(by=pm, ticket=ticket, body="Third", attachments=[files.png()])

    shown = api(member).get(comments_of(ticket)).json()
    assert shown["count"] == 2
    first, third = shown["results"]
    assert set(first) == {"id", "author", "body", "internal", "kind", "attachments", "created_at"}
    assert (first["author"], first["body"], first["internal"]) == ("alice", "First", False)
    assert first["created_at"].endswith("Z")
    (attachment,) = third["attachments"]
    assert (attachment["name"], attachment["size"]) == ("screen.png", len(files.png_bytes()))
    download = api(member).get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == files.png_bytes()

    assert [c["body"] for c in api(pm).get(comments_of(ticket)).json()["results"]] == [
        "First",
        "Staff only",
        "Third",
    ]


def test_another_team_sees_a_404_for_the_thread_and_its_files(api, ticket, member, outsider):
    comment = services.ticket_comment(
        by=member, ticket=ticket, body="Plan", attachments=[files.pdf()]
    )
    attachment = comment.attachments.get()
    assert api(outsider).get(comments_of(ticket)).status_code == 404
    download = url("tickets", ticket.pk, "attachments", str(attachment.pk))
    assert api(outsider).get(download).status_code == 404
    assert api(outsider).post(comments_of(ticket), {"body": "Hi"}, format="json").status_code == 404
    assert api(member).get(url("tickets", ticket.pk, "attachments", "abc")).status_code == 404
    assert Comment.objects.count() == 1


def test_a_json_comment_is_created(api, ticket, member):
    response = api(member).post(comments_of(ticket), {"body": "Hello @pat"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["author"], body["body"], body["internal"], body["attachments"]) == (
        "alice",
        "Hello @pat",
        False,
        [],
    )
    assert Comment.objects.get().pk == body["id"]


def test_a_multipart_comment_carries_its_attachments(api, ticket, pm):
    response = api(pm).post(
        comments_of(ticket),
        {"body": "Two files", "internal": "true", "attachments": [files.text(), files.jpeg()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    shown = response.json()
    assert shown["internal"] is True
    assert [(a["name"], a["size"]) for a in shown["attachments"]] == [
        ("notes.txt", len("Enclave: IL4-east\n")),
        ("photo.jpg", len(files.jpeg_bytes())),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": 5}, "body"),
        ({"body": ["a"]}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "ok", "internal": "yes"}, "internal"),
        ({"body": "bad\x00byte"}, "body"),
    ],
)
def test_malformed_comments_are_400_naming_the_field(api, ticket, member, data, field):
    response = api(member).post(comments_of(ticket), data, format="json")
    assert response.status_code == 400
    assert field in response.json() and response.json()["detail"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("word", ["0", "1", "on", "yes"])
def test_in_multipart_internal_is_the_word_true_or_false_only(api, ticket, pm, word):
    """A form has only text: the schema's boolean is written `true` or `false` there, and
    schemathesis (`--checks all`) found "0" taken for false."""
    response = api(pm).post(
        comments_of(ticket), {"body": "A note", "internal": word}, format="multipart"
    )
    assert response.status_code == 400 and "internal" in response.json()
    assert not Comment.objects.exists()


def test_an_internal_note_by_the_team_is_403_and_audited(api, ticket, member):
    response = api(member).post(
        comments_of(ticket), {"body": "psst", "internal": True}, format="json"
    )
    assert response.status_code == 403
    assert "internal notes" in response.json()["detail"]
    assert not Comment.objects.exists()
    refusal = AuditEvent.objects.get(outcome="refused")
    assert (refusal.content_type.model, refusal.action) == ("comment", "create")


def test_a_renamed_program_is_400_on_attachments(api, ticket, member):
    response = api(member).post(
        comments_of(ticket),
        {"body": "See file", "attachments": [files.upload("report.pdf", files.EXE)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["attachments"][0].startswith("report.pdf: The file is not a PDF")
    assert not Comment.objects.exists()


# The Needs Info transitions --------------------------------------------------------------


def test_ask_and_answer_through_the_transitions_endpoint(api, ticket, member, pm):
    names = {t["name"] for t in api(pm).get(url("tickets", ticket.pk)).json()["transitions"]}
    assert "ask_for_info" in names
    asked = api(pm).post(
        transition("tickets", ticket.pk, "ask_for_info"), {"question": "Which?"}, format="json"
    )
    assert asked.status_code == 200
    assert (asked.json()["status"], asked.json()["status_display"]) == ("needs_info", "Needs Info")
    offered = {t["name"]: t for t in asked.json()["transitions"]}
    assert set(offered) == {"reject"}
    answered = api(member).post(
        transition("tickets", ticket.pk, "provide_info"), {"answer": "East."}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["status"] == "submitted"
    kinds = [(c["kind"], c["body"]) for c in api(member).get(comments_of(ticket)).json()["results"]]
    assert kinds == [("question", "Which?"), ("answer", "East.")]


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": 5}, {"question": None}])
def test_a_question_missing_empty_or_not_text_is_400(api, ticket, pm, body):
    response = api(pm).post(transition("tickets", ticket.pk, "ask_for_info"), body, format="json")
    assert response.status_code == 400
    assert "question" in response.json()
    assert Ticket.objects.get().status == "submitted"


def test_an_answer_while_a_gate_is_unmet_is_422_and_changes_nothing(api, ticket, member, pm):
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which?")
    ticket.team.funded = False
    ticket.team.save()
    response = api(member).post(
        transition("tickets", ticket.pk, "provide_info"), {"answer": "East."}, format="json"
    )
    assert response.status_code == 422
    assert [u["code"] for u in response.json()["unmet"]] == ["team_funded"]
    assert Ticket.objects.get().status == "needs_info"
    assert Comment.objects.count() == 1
    missing = api(member).post(transition("tickets", ticket.pk, "provide_info"), {}, format="json")
    assert missing.status_code == 400 and "answer" in missing.json()


def test_the_schema_declares_the_bodies_limits_and_refusals(api, member):
    schema = api(member).get("/api/v1/schema/?format=json").json()
    path = schema["paths"]["/api/v1/tickets/{id}/comments/"]
    post = path["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "400", "401", "403", "404"} <= set(post["responses"])
    assert {"200", "400", "401", "404"} <= set(path["get"]["responses"])
    body = schema["components"]["schemas"]["CommentInputRequest"]["properties"]["body"]
    assert body["maxLength"] == 10_000
    params = schema["components"]["schemas"]["TransitionInputRequest"]["properties"]
    assert params["question"]["maxLength"] == params["answer"]["maxLength"] == 10_000
    download = schema["paths"]["/api/v1/tickets/{id}/attachments/{attachment}/"]["get"]
    assert set(download["responses"]["200"]["content"]) == {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/plain",
    }


def test_a_repeated_idempotency_key_adds_one_comment(api, ticket, member):
    client = api(member)
    first = client.post(
        comments_of(ticket), {"body": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        comments_of(ticket), {"body": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Comment.objects.count() == 1


def test_auditors_find_comments_in_the_trail_by_object_type(api, ticket, member):
    comment = services.ticket_comment(by=member, ticket=ticket, body="On the record")
    auditor = UserFactory(username="avery", roles=[AUDITOR])
    events = api(auditor).get(url("audit-events"), {"object_type": "comment"}).json()["results"]
    assert [(e["object_type"], e["object_id"], e["action"]) for e in events] == [
        ("comment", comment.pk, "create")
    ]
