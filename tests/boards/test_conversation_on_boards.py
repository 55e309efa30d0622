"""The conversation where the work is decided (WORKFLOWS.md, "Conversation on a request"): the
triage queue's row and a card's dialog on both boards show the thread, oldest first, and
take a comment through the request's comment view: under HTMX answered in place (the row,
the dialog's conversation), without JavaScript back to the queue or the board. A refusal is
shown there and stores nothing; an internal note stays hidden from the team; the queue and
the dialog cost the same queries however long the threads grow."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from epics.models import Story
from requests_app.models import Comment
from tests.boards.conftest import count_queries, file, started, story_of, triaged
from tests.factories import AccessRequestFactory, UserFactory
from tests.portal.pages import HTMX, is_fragment, text_of
from tests.requests_app import attachments as files
from workflow import services
from workflow.permissions import AUDITOR

pytestmark = pytest.mark.django_db

QUEUE = reverse("board_triage")
EPIC_BOARD = reverse("board_epics")
CLASSIFIED_BOARD = reverse("board_classified")


def comment_url(ticket) -> str:
    return reverse("ticket_comment", args=[ticket.pk])


def bodies(ticket) -> list[str]:
    return list(Comment.objects.filter(ticket=ticket).order_by("pk").values_list("body", flat=True))


def row_of(html: str, ticket) -> str:
    match = re.search(rf'<tr id="ticket-{ticket.pk}".*?</tr>', html, re.S)
    assert match, f"no row for request #{ticket.pk}"
    return match.group(0)


@pytest.fixture
def waiting(people):
    """A request waiting for triage, with a question asked and answered on it."""
    ticket = file(people, people.logistics)
    services.ticket_ask_for_info(by=people.pat, ticket=ticket, question="Which cluster?")
    services.ticket_provide_info(by=people.alice, ticket=ticket, answer="The IL4 one.")
    return ticket


# The triage queue's row ---------------------------------------------------------------------


def test_the_row_shows_its_thread_oldest_first_with_internal_notes_marked(
    people, as_user, waiting
):
    services.ticket_comment(by=people.pat, ticket=waiting, body="Checking funding.", internal=True)
    row = row_of(as_user(people.pat).get(QUEUE).content.decode(), waiting)
    assert "<summary>Conversation (3)" in row
    said = text_of_html(row)
    assert said.index("Which cluster?") < said.index("The IL4 one.") < said.index("Checking")
    assert "Internal note" in said
    assert 'name="internal"' in row and 'name="attachments"' in row
    assert f'action="{comment_url(waiting)}"' in row


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_comment_from_the_row_without_javascript_goes_back_to_the_queue(
    people, as_user, waiting
):
    client = as_user(people.pat)
    response = client.post(
        comment_url(waiting), {"body": "Funding looks fine.", "via": "triage", "next": QUEUE}
    )
    assert (response.status_code, response["Location"]) == (302, QUEUE)
    assert bodies(waiting)[-1] == "Funding looks fine."
    page = client.get(QUEUE)
    assert "Comment added." in text_of(page)
    assert "<summary>Conversation (3)" in row_of(page.content.decode(), waiting)


def test_a_comment_from_the_row_under_htmx_swaps_the_row_only(people, as_user, waiting):
    client = as_user(people.pat)
    upload = files.upload("notes.txt", b"plain words\n", "text/plain")
    response = client.post(
        comment_url(waiting),
        {"body": "See the notes.", "via": "triage", "next": QUEUE, "attachments": [upload]},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert is_fragment(response)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="ticket-{waiting.pk}"')
    assert "<summary>Conversation (3)" in html and "See the notes." in html
    assert '<details class="row-conversation" open>' in html
    assert "Comment added." in html and "notes.txt" in html
    assert bodies(waiting)[-1] == "See the notes."


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write the comment."), ("x" * 10_001, "At most 10,000 characters (10,001 given).")],
)
def test_a_refusal_in_the_row_is_shown_there_and_stores_nothing(
    people, as_user, waiting, body, message
):
    before = bodies(waiting)
    response = as_user(people.pat).post(
        comment_url(waiting), {"body": body, "via": "triage", "next": QUEUE}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="ticket-{waiting.pk}"')
    assert message in text_of_html(html)
    assert bodies(waiting) == before


def test_a_refusal_from_the_row_without_javascript_is_said_on_the_queue(people, as_user, waiting):
    client = as_user(people.pat)
    response = client.post(comment_url(waiting), {"body": "", "via": "triage", "next": QUEUE})
    assert (response.status_code, response["Location"]) == (302, QUEUE)
    assert "Write the comment." in text_of(client.get(QUEUE))
    assert len(bodies(waiting)) == 2


def test_someone_who_may_not_open_the_queue_gets_the_request_page_s_answer(
    people, as_user, waiting
):
    # alice may comment on her request, not see the triage queue: no row comes back.
    response = as_user(people.alice).post(
        comment_url(waiting), {"body": "Any news?", "via": "triage"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ticket-main"' in html and "<tr" not in html
    assert bodies(waiting)[-1] == "Any news?"


# The card dialogs ---------------------------------------------------------------------------


@pytest.fixture
def epic_card(people):
    """Logistics Tracker, a pipeline started: its story waits To Do on the epic board."""
    story = started(people, people.logistics)
    return people.logistics, story.ticket


@pytest.fixture
def classified_card(people):
    """An IL6 request's Classified Ops story, opened by pat (who holds access)."""
    ticket = triaged(people, people.payments, "il6_prod_deploy", "IL6")
    prep = story_of(ticket)
    services.story_pick_up(by=people.dana, story=prep)
    services.story_complete(by=people.dana, story=prep)
    AccessRequestFactory(user=people.pat, status="approved")
    services.ticket_open_classified_story(by=people.pat, ticket=ticket)
    return story_of(ticket, Story.Board.CLASSIFIED_OPS), ticket


def card_cases(people, epic_card, classified_card):
    epic, epic_ticket = epic_card
    story, story_ticket = classified_card
    return {
        "epics": (people.pat, reverse("board_epic_card", args=[epic.pk]), epic, epic_ticket),
        "classified": (
            people.cleo,
            reverse("board_story_card", args=[story.pk]),
            story,
            story_ticket,
        ),
    }


BOARDS = {"epics": EPIC_BOARD, "classified": CLASSIFIED_BOARD}


@pytest.fixture(params=["epics", "classified"])
def card(request, people, epic_card, classified_card):
    """(board, who works it, the card's dialog, the card, its request)."""
    kind = request.param
    return (kind, *card_cases(people, epic_card, classified_card)[kind])


def test_the_dialog_has_a_comment_form_under_its_thread(people, as_user, card):
    kind, user, dialog, found, ticket = card
    services.ticket_comment(by=people.alice, ticket=ticket, body="Ready when you are.")
    html = as_user(user).get(dialog, headers=HTMX).content.decode()
    conversation = html[html.index('id="card-conversation"') :]
    assert conversation.index("Ready when you are.") < conversation.index("<form")
    assert f'action="{comment_url(ticket)}"' in conversation
    assert f'name="via" value="{kind}"' in conversation
    assert f'name="card" value="{found.pk}"' in conversation
    assert 'name="internal"' in conversation  # staff write internal notes
    assert 'name="attachments"' not in conversation
    assert f'href="{reverse("ticket_detail", args=[ticket.pk])}#conversation"' in conversation


def test_a_comment_in_the_dialog_is_answered_in_the_dialog(people, as_user, card):
    kind, user, _, found, ticket = card
    response = as_user(user).post(
        comment_url(ticket),
        {"body": "On it today.", "via": kind, "card": found.pk, "next": BOARDS[kind]},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<section class="panel__conversation" id="card-conversation"' in html
    assert "On it today." in html and "Comment added." in html
    assert "Moves from" not in html  # only the conversation part
    assert bodies(ticket)[-1] == "On it today."


def test_a_comment_in_the_dialog_without_javascript_goes_back_to_the_board(
    people, as_user, card
):
    kind, user, _, found, ticket = card
    client = as_user(user)
    response = client.post(
        comment_url(ticket),
        {"body": "Done my part.", "via": kind, "card": found.pk, "next": BOARDS[kind]},
    )
    assert (response.status_code, response["Location"]) == (302, BOARDS[kind])
    assert bodies(ticket)[-1] == "Done my part."


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write the comment."), ("y" * 10_001, "At most 10,000 characters (10,001 given).")],
)
def test_a_refusal_in_the_dialog_is_shown_there_and_stores_nothing(
    people, as_user, card, body, message
):
    kind, user, _, found, ticket = card
    before = bodies(ticket)
    response = as_user(user).post(
        comment_url(ticket), {"body": body, "via": kind, "card": found.pk}, headers=HTMX
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="card-conversation"' in html and 'role="alert"' in html
    assert message in text_of_html(html)
    assert f">{body}</textarea>" in html  # the draft, to fix and send again
    assert bodies(ticket) == before


def test_a_card_the_user_cannot_see_is_a_404_and_nothing_is_stored(people, as_user, epic_card):
    _, ticket = epic_card
    before = bodies(ticket)
    response = as_user(people.pat).post(
        comment_url(ticket), {"body": "Hello", "via": "epics", "card": "999999"}, headers=HTMX
    )
    assert response.status_code == 404
    assert bodies(ticket) == before


def test_an_internal_note_from_the_dialog_is_hidden_from_the_team(people, as_user, epic_card):
    epic, ticket = epic_card
    as_user(people.dana).post(
        comment_url(ticket),
        {"body": "Cluster quota is tight.", "internal": "on", "via": "epics", "card": epic.pk},
        headers=HTMX,
    )
    note = Comment.objects.get(ticket=ticket, body="Cluster quota is tight.")
    assert note.internal
    request_page = reverse("ticket_detail", args=[ticket.pk])
    assert "Cluster quota is tight." not in as_user(people.alice).get(request_page).content.decode()
    assert "Cluster quota is tight." in as_user(people.pat).get(request_page).content.decode()


def test_an_auditor_reads_the_dialog_s_thread_and_gets_no_form(people, as_user, epic_card):
    epic, ticket = epic_card
    services.ticket_comment(by=people.alice, ticket=ticket, body="Ready when you are.")
    auditor = UserFactory(username="avery", roles=[AUDITOR])
    html = as_user(auditor).get(reverse("board_epic_card", args=[epic.pk]), headers=HTMX)
    html = html.content.decode()
    assert "Ready when you are." in html
    assert f'action="{comment_url(ticket)}"' not in html


# Query counts ------------------------------------------------------------------------------


def talk(people, ticket, count: int) -> None:
    for n in range(count):
        services.ticket_comment(by=people.alice, ticket=ticket, body=f"Note {n}")
        services.ticket_comment(by=people.pat, ticket=ticket, body=f"Aside {n}", internal=True)


def test_the_queue_costs_the_same_queries_as_comments_grow(people, as_user):
    tickets = [file(people, people.logistics) for _ in range(6)]
    talk(people, tickets[0], 1)
    client = as_user(people.pat)
    client.get(QUEUE)
    few, _ = count_queries(client, QUEUE)
    for ticket in tickets:
        talk(people, ticket, 5)
    services.ticket_comment(
        by=people.pat,
        ticket=tickets[1],
        body="With a file.",
        attachments=[files.upload("a.txt", b"a\n", "text/plain")],
    )
    many, response = count_queries(client, QUEUE)
    assert many == few, f"{few} queries with 2 comments, {many} with 61"
    assert "<summary>Conversation (10)" in row_of(response.content.decode(), tickets[2])


def test_the_card_dialog_costs_the_same_queries_as_comments_grow(people, as_user):
    tickets = [triaged(people, people.logistics, "pipeline", level) for level in ("IL2", "IL4")]
    services.epic_start_pipeline(by=people.pat, epic=people.logistics)
    stories = [story_of(ticket) for ticket in tickets]
    dialog = reverse("board_epic_card", args=[people.logistics.pk])
    talk(people, stories[0].ticket, 1)
    client = as_user(people.pat)
    client.get(dialog, headers=HTMX)
    few, _ = count_queries(client, dialog, headers=HTMX)
    for story in stories:
        talk(people, story.ticket, 5)
    many, response = count_queries(client, dialog, headers=HTMX)
    assert many == few, f"{few} queries with 2 comments, {many} with 22"
    assert response.content.decode().count('class="comment comment--comment') == 22
    assert response.content.decode().count('<details class="comment-on"') == 2
