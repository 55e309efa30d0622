"""Every refusal is audited, on every path (WORKFLOWS.md, "Evidence that holds up"): a page's
role refusal, a request for another team's object answered 404 (without saying whether it
exists: the same answer as for an id that names nothing), an illegal move on a board; and
every response that shows Classified Ops cards is audited as a read (not a live poll's 304).
Each event says who, which object type and id, from which address, and why."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from rest_framework.test import APIClient

from api.tokens import issue
from epics.models import Document, Epic, Story, Team
from portal.pages import BY_KEY, PAGES
from requests_app.models import RequestType, Ticket
from tests.factories import DocumentFactory, StoryFactory, TicketFactory, UserFactory
from tests.portal.pages import HTMX, sign_in, text_of, world
from workflow import services
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db

ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR
NOT_YOURS = "Not found or not yours."
NONE_SUCH = 987654321


@pytest.fixture
def w():
    return world()


@pytest.fixture
def bravo_work(w):
    """Team Bravo's request and document (bob's team): alice may see neither."""
    ticket = TicketFactory(epic=w.bravo_epic, title="Bravo request", created_by=w.bob)
    document = DocumentFactory(epic=w.bravo_epic, uploaded_by=w.bob)
    return {"ticket": ticket, "document": document}


def mark() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def the_refusal(since: int) -> AuditEvent:
    """The one event a refused request wrote."""
    events = new_events(since)
    assert [(e.outcome) for e in events] == ["refused"], [
        (e.action, e.outcome, e.reason) for e in events
    ]
    return events[0]


def kind(event) -> type:
    return ContentType.objects.get_for_id(event.content_type_id).model_class()


def same_page(first, second) -> bool:
    """Byte for byte the same answer, but for the CSRF token's mask (which differs between
    any two answers, even of the same address)."""

    def unmasked(response) -> bytes:
        return re.sub(rb"[A-Za-z0-9]{64}", b"<csrf>", response.content)

    return (first.status_code, unmasked(first), first["Content-Type"]) == (
        second.status_code,
        unmasked(second),
        second["Content-Type"],
    )


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)}")
    return client


# A page's role refusal ---------------------------------------------------------------------------


def test_alice_posting_to_the_triage_queue_is_refused_and_audited(client, w):
    ticket = TicketFactory(epic=w.mission, created_by=w.alice)
    since = mark()

    response = sign_in(client, w.alice).post(reverse("board_triage_ticket", args=[ticket.pk]))

    assert response.status_code == 403
    assert "The triage queue is for MDO PMs" in text_of(response)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action, event.actor) == (
        Ticket,
        ticket.pk,
        "triage_ticket",
        w.alice,
    )
    assert event.reason == "The triage queue is for MDO PMs, who triage or reject every request."
    assert event.client_address == ADDRESS
    assert event.detail == {"status_code": 403, "page": "triage", "method": "POST"}


# Each page that is not for alice, opened by her: refused, audited once, against what it shows.
# The Classified Ops board and the audit trail record their refusals in words of their own.
OWN_WORDS = {"classified", "audit"}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_each_page_s_role_refusal_is_audited_once(client, w, page):
    since = mark()
    response = sign_in(client, w.alice).get(reverse(page.url_name))
    assert response.status_code == 403
    event = the_refusal(since)
    assert (kind(event), event.object_id) == (page.about, None)
    assert (event.actor, event.client_address) == (w.alice, ADDRESS)
    if page.key not in OWN_WORDS:
        assert event.action == f"open_{page.key}"
        assert event.reason == f"{page.what} is for {page.whose}."


def test_the_classified_board_keeps_its_own_refusal_recorded_once(client, w):
    since = mark()
    response = sign_in(client, w.alice).get(reverse("board_classified_live"))
    assert response.status_code == 403
    event = the_refusal(since)
    assert (kind(event), event.action, event.reason) == (
        Story,
        "open_board",
        "No Classified Ops access.",
    )
    assert BY_KEY["classified"].refusal == event.reason


# Another team's object: 404, the same as for nothing, and audited ------------------------------


@pytest.mark.parametrize(
    "url_name, what, model, action",
    [
        ("ticket_detail", "ticket", Ticket, "open"),
        ("document_download", "document", Document, "download"),
        ("epic_detail", "epic", Epic, "open"),
        ("team_requests", "team", Team, "open"),
    ],
)
def test_another_team_s_object_answers_as_nothing_does_and_is_audited(
    client, w, bravo_work, url_name, what, model, action
):
    theirs = {
        "ticket": bravo_work["ticket"],
        "document": bravo_work["document"],
        "epic": w.bravo_epic,
        "team": w.bravo,
    }[what]
    alice = sign_in(client, w.alice)

    since = mark()
    refused = alice.get(reverse(url_name, args=[theirs.pk]))
    theirs_event = the_refusal(since)
    since = mark()
    nothing = alice.get(reverse(url_name, args=[NONE_SUCH]))
    nothing_event = the_refusal(since)

    assert refused.status_code == nothing.status_code == 404
    assert same_page(refused, nothing)
    for event, pk in ((theirs_event, theirs.pk), (nothing_event, NONE_SUCH)):
        assert (kind(event), event.object_id, event.object_repr) == (model, pk, "")
        assert (event.actor, event.action, event.reason) == (w.alice, action, NOT_YOURS)
        assert (event.client_address, event.detail) == (ADDRESS, {"status_code": 404})


def test_withdrawing_another_team_s_request_is_a_404_audited(client, w, bravo_work):
    ticket = bravo_work["ticket"]
    since = mark()
    response = sign_in(client, w.alice).post(reverse("ticket_withdraw", args=[ticket.pk]))
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action) == (Ticket, ticket.pk, "withdraw")


@pytest.mark.parametrize(
    "path, action",
    [
        ("tickets/{pk}/", "open"),
        ("tickets/{pk}/history/", "history"),
        ("tickets/{pk}/transitions/withdraw/", "transition"),
    ],
)
def test_the_api_answers_another_team_s_object_as_nothing_and_audits_both(
    w, bravo_work, path, action
):
    alice = api(w.alice)
    ticket = bravo_work["ticket"]
    method = alice.post if "transitions" in path else alice.get

    since = mark()
    refused = method(f"/api/v1/{path.format(pk=ticket.pk)}")
    theirs_event = the_refusal(since)
    since = mark()
    nothing = method(f"/api/v1/{path.format(pk=NONE_SUCH)}")
    nothing_event = the_refusal(since)

    assert refused.status_code == nothing.status_code == 404
    # The same words, but for the id the caller sent (echoed back).
    assert refused.content.replace(str(ticket.pk).encode(), b"ID") == nothing.content.replace(
        str(NONE_SUCH).encode(), b"ID"
    )
    for event, pk in ((theirs_event, ticket.pk), (nothing_event, NONE_SUCH)):
        assert (kind(event), event.object_id, event.action, event.reason) == (
            Ticket,
            pk,
            action,
            NOT_YOURS,
        )
        assert (event.actor, event.client_address) == (w.alice, ADDRESS)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


def test_the_api_audits_an_id_that_names_nothing_and_the_pdf_download(w, bravo_work):
    alice = api(w.alice)
    since = mark()
    assert alice.get("/api/v1/documents/x1/").status_code == 404
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.detail) == (
        Document,
        None,
        {"status_code": 404, "requested": "x1"},
    )
    since = mark()
    document = bravo_work["document"]
    assert alice.get(f"/api/v1/documents/{document.pk}/file/").status_code == 404
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action) == (Document, document.pk, "download")


# An illegal move on a board --------------------------------------------------------------------


def test_an_illegal_drop_is_refused_as_before_and_audited(client, w):
    epic = w.logistics  # New
    since = mark()
    response = sign_in(client, w.pat).post(
        reverse("board_epic_move", args=[epic.pk]),
        {"from": "new", "to": "pipeline_complete"},
        headers=HTMX,
    )
    assert response.status_code == 409
    said = "Nothing moves epic “Logistics Tracker” from New to Pipeline Complete."
    assert said in text_of(response)
    epic.refresh_from_db()
    assert epic.status == Epic.Status.NEW
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action) == (Epic, epic.pk, "move")
    assert (event.from_status, event.to_status, event.actor) == ("new", "pipeline_complete", w.pat)
    assert event.reason.startswith(said)
    assert (event.detail["status_code"], event.client_address) == (409, ADDRESS)


def test_a_drop_on_a_card_someone_else_moved_is_audited_with_what_was_seen(client, w):
    epic = w.mission  # Pipeline Complete; the PM's board still shows it in New
    since = mark()
    response = sign_in(client, w.pat).post(
        reverse("board_epic_move", args=[epic.pk]),
        {"from": "new", "to": "pipeline_in_progress"},
        headers=HTMX,
    )
    assert response.status_code == 409
    event = the_refusal(since)
    assert (event.action, event.from_status, event.to_status) == (
        "move",
        "pipeline_complete",
        "pipeline_in_progress",
    )
    assert event.detail["seen"] == "new"


@pytest.fixture
def classified_story(w):
    ticket = TicketFactory(
        epic=w.payments,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
    )
    return StoryFactory(
        ticket=ticket, epic=w.payments, board=Story.Board.CLASSIFIED_OPS, title="IL6 deploy"
    )


def test_an_illegal_move_on_the_classified_board_is_audited(client, w, classified_story):
    client = sign_in(client, w.cleo)
    url = reverse("board_story_move", args=[classified_story.pk])
    since = mark()
    response = client.post(url, {"from": "to_do", "to": "done"}, headers=HTMX)
    assert response.status_code == 409
    events = new_events(since)
    # The story was opened (a read of it), then the move refused.
    assert [(e.action, e.outcome) for e in events] == [("open", "done"), ("move", "refused")]
    assert (events[1].from_status, events[1].to_status) == ("to_do", "done")


def test_assigning_an_engineer_that_is_not_found_is_refused_by_the_service_and_audited(client, w):
    from tests.factories import EpicFactory

    epic = EpicFactory(team=w.alpha, title="Fleet")
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL4", epic=epic
    )
    services.ticket_triage(by=w.pat, ticket=ticket)
    services.epic_start_pipeline(by=w.pat, epic=epic)
    since = mark()
    response = sign_in(client, w.pat).post(
        reverse("board_epic_move", args=[epic.pk]),
        {"from": "pipeline_in_progress", "to": "pipeline_being_built", "assignee": "999999"},
        headers=HTMX,
    )
    assert response.status_code == 400
    event = the_refusal(since)
    assert (kind(event), event.action, event.detail["status_code"]) == (Story, "assign", 400)
    epic.refresh_from_db()
    assert epic.status == Epic.Status.PIPELINE_IN_PROGRESS


# Classified Ops reads --------------------------------------------------------------------------


def _board_reads(since: int) -> list[AuditEvent]:
    return [e for e in new_events(since) if e.action == "open_board"]


@pytest.mark.parametrize(
    "url_name, headers, detail",
    [
        ("board_classified", {}, {}),
        ("board_classified", HTMX, {"fragment": True}),
        ("board_classified_live", HTMX, {"live": True}),
    ],
    ids=["page", "htmx", "live"],
)
def test_every_answer_showing_classified_cards_is_a_read(
    client, w, classified_story, url_name, headers, detail
):
    client = sign_in(client, w.cleo)
    since = mark()
    response = client.get(reverse(url_name), headers=headers)
    assert response.status_code == 200
    assert "IL6 deploy" in response.content.decode()
    reads = _board_reads(since)
    assert [(e.actor, e.outcome, e.client_address) for e in reads] == [(w.cleo, "done", ADDRESS)]
    assert reads[0].detail == {"board": Story.Board.CLASSIFIED_OPS, **detail}


def test_a_live_poll_answered_304_shows_nothing_and_is_not_a_read(client, w, classified_story):
    client = sign_in(client, w.cleo)
    live = reverse("board_classified_live")
    etag = client.get(live, headers=HTMX)["ETag"]
    since = mark()
    response = client.get(live, headers={**HTMX, "If-None-Match": etag})
    assert response.status_code == 304
    assert new_events(since) == []


def test_opening_a_story_of_another_kind_on_the_classified_board_is_a_404_audited(client, w):
    product = StoryFactory(ticket=TicketFactory(epic=w.mission, status="triaged"))
    since = mark()
    response = sign_in(client, w.cleo).get(reverse("board_story_card", args=[product.pk]))
    assert response.status_code == 404
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.reason) == (
        Story,
        product.pk,
        "Not a Classified Ops story.",
    )


def test_an_access_request_of_someone_else_is_a_404_audited(w):
    theirs = AccessRequest.objects.create(user=w.bob, justification="IL6 help")
    someone = UserFactory(username="sam", roles=[PRODUCT_TEAM])
    since = mark()
    assert api(someone).get(f"/api/v1/access-requests/{theirs.pk}/").status_code == 404
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action) == (AccessRequest, theirs.pk, "open")


def test_the_api_s_list_of_stories_showing_classified_ones_is_a_read(w, classified_story):
    since = mark()
    listed = api(w.cleo).get("/api/v1/stories/")
    assert classified_story.pk in [story["id"] for story in listed.json()["results"]]
    reads = _board_reads(since)
    assert [(e.actor, e.detail["stories"]) for e in reads] == [(w.cleo, [classified_story.pk])]
    since = mark()
    api(w.dana).get("/api/v1/stories/")  # no access: no Classified Ops story in it
    assert _board_reads(since) == []


@pytest.mark.parametrize(
    "url_name, method, action",
    [("board_epic_card", "get", "open"), ("board_epic_move", "post", "move")],
    ids=["card", "move"],
)
def test_an_epic_the_board_cannot_find_is_a_404_audited(client, w, url_name, method, action):
    since = mark()
    client = sign_in(client, w.pat)
    response = getattr(client, method)(reverse(url_name, args=[NONE_SUCH]), headers=HTMX)
    assert response.status_code == 404
    event = the_refusal(since)
    assert (kind(event), event.object_id, event.action, event.reason) == (
        Epic,
        NONE_SUCH,
        action,
        NOT_YOURS,
    )


def test_my_work_showing_classified_stories_is_a_read(client, w, classified_story):
    client = sign_in(client, w.cleo)
    since = mark()
    response = client.get(reverse("board_my_work"))
    assert "IL6 deploy" in response.content.decode()
    reads = _board_reads(since)
    assert [(e.actor, e.detail) for e in reads] == [
        (w.cleo, {"board": Story.Board.CLASSIFIED_OPS, "view": "my_work"})
    ]
    # A DevOps engineer's list holds no Classified Ops story: no read.
    since = mark()
    sign_in(client, w.dana).get(reverse("board_my_work"))
    assert _board_reads(since) == []
