"""The conversation on a request: who may comment, internal notes that the product team
never sees (page, API, history, notifications), attachments taken by their content,
@mentions, comments that are never edited or deleted, and a request page whose query count
does not grow with its thread."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from requests_app.models import Comment, CommentAttachment
from tests.factories import StoryFactory, TicketFactory, UserFactory
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of
from tests.requests_app import attachments as files
from workflow import services
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import AuditEvent
from workflow.permissions import AUDITOR, PRODUCT_TEAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(epic, member):
    return TicketFactory(epic=epic, created_by=member, title="IL4 pipeline")


@pytest.fixture
def auditor(db):
    return UserFactory(username="avery", roles=[AUDITOR])


def page(client, user, ticket, **kwargs):
    return sign_in(client, user).get(reverse("ticket_detail", args=[ticket.pk]), **kwargs)


def post_comment(client, user, ticket, **data):
    sign_in(client, user)
    return client.post(reverse("ticket_comment", args=[ticket.pk]), data, headers=HTMX)


def told(event_type="comment") -> dict[str, str]:
    """Who was told in the app, and the subject each was told."""
    rows = Notification.objects.filter(event_type=event_type, channel="in_app")
    return {row.recipient.username: row.subject for row in rows.select_related("recipient")}


# Who may comment ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "pm", "devops", "cyber", "classified"])
def test_whoever_sees_the_ticket_may_comment(request, ticket, role):
    user = request.getfixturevalue(role)
    comment = services.ticket_comment(by=user, ticket=ticket, body="  Looks right.  ")
    assert (comment.body, comment.author, comment.internal) == ("Looks right.", user, False)
    event = AuditEvent.objects.for_object(comment).get()
    assert (event.action, event.outcome, event.detail["ticket"]) == ("create", "done", ticket.pk)


def test_another_team_gets_a_404_and_nothing_is_stored(client, ticket, outsider):
    response = post_comment(client, outsider, ticket, body="Hello?")
    assert response.status_code == 404
    assert not Comment.objects.exists()
    with pytest.raises(NotPermitted):
        services.ticket_comment(by=outsider, ticket=ticket, body="Hello?")
    refused = AuditEvent.objects.filter(outcome="refused").order_by("pk")
    assert [(e.action, e.content_type.model) for e in refused] == [
        ("comment", "ticket"),
        ("create", "comment"),
    ]


def test_auditors_read_but_do_not_comment(client, ticket, auditor, pm):
    services.ticket_comment(by=pm, ticket=ticket, body="Internal: check the CtF.", internal=True)
    assert "Internal: check the CtF." in text_of(page(client, auditor, ticket))
    assert 'name="body"' not in page(client, auditor, ticket).content.decode()
    with pytest.raises(NotPermitted, match="Auditors read the conversation"):
        services.ticket_comment(by=auditor, ticket=ticket, body="Noted.")
    assert Comment.objects.count() == 1
    refusal = AuditEvent.objects.get(outcome="refused", actor=auditor)
    assert (refusal.content_type.model, refusal.detail["status_code"]) == ("comment", 403)


@pytest.mark.parametrize(
    ("body", "problem"),
    [("", "Write the comment."), ("   ", "Write the comment."), ("x" * 10_001, "At most 10,000")],
)
def test_a_comment_needs_text_of_at_most_10000_characters(ticket, member, body, problem):
    with pytest.raises(InvalidInput) as refused:
        services.ticket_comment(by=member, ticket=ticket, body=body)
    assert problem in refused.value.fields["body"][0]
    assert not Comment.objects.exists()
    assert AuditEvent.objects.get(outcome="refused").detail["fields"] == ["body"]


def test_a_comment_of_exactly_10000_characters_is_kept(ticket, member):
    assert len(services.ticket_comment(by=member, ticket=ticket, body="y" * 10_000).body) == 10_000


# Internal notes -----------------------------------------------------------------------------


def test_the_team_may_not_write_internal_notes(ticket, member):
    with pytest.raises(NotPermitted, match="internal notes"):
        services.ticket_comment(by=member, ticket=ticket, body="Secret", internal=True)
    assert not Comment.objects.exists()


def test_internal_notes_are_hidden_from_the_team_everywhere(client, ticket, member, pm, devops):
    StoryFactory(ticket=ticket, assignee=devops)
    services.ticket_comment(by=pm, ticket=ticket, body="Public: please attach the SSP.")
    services.ticket_comment(
        by=pm, ticket=ticket, body="Internal: @alice @dana budget is tight.", internal=True
    )

    seen = text_of(page(client, member, ticket))
    assert "Public: please attach the SSP." in seen
    assert "budget is tight" not in seen and "Internal note" not in seen
    assert "budget is tight" in text_of(page(client, pm, ticket))

    api = client.get(f"/api/v1/tickets/{ticket.pk}/comments/")  # still signed in as pat
    assert len(api.json()["results"]) == 2
    sign_in(client, member)
    bodies = [c["body"] for c in client.get(f"/api/v1/tickets/{ticket.pk}/comments/").json()[
        "results"
    ]]
    assert bodies == ["Public: please attach the SSP."]
    history = client.get(f"/api/v1/tickets/{ticket.pk}/history/").content.decode()
    assert "budget" not in history and "Internal" not in history

    notified = Notification.objects.filter(body__contains="budget")
    assert {n.recipient.username for n in notified if n.recipient} == {"dana"}
    assert not notified.filter(channel="webhook").exists()


# Attachments --------------------------------------------------------------------------------


def test_pdf_png_jpeg_and_text_are_taken_by_their_content(ticket, member, client):
    sent = [files.pdf(), files.png(), files.jpeg(), files.text()]
    comment = services.ticket_comment(
        by=member, ticket=ticket, body="The plan and screenshots.", attachments=sent[:4]
    )
    kept = list(comment.attachments.values_list("name", "content_type"))
    assert kept == [
        ("plan.pdf", "application/pdf"),
        ("screen.png", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("notes.txt", "text/plain"),
    ]
    png = comment.attachments.get(name="screen.png")
    response = sign_in(client, member).get(
        reverse("ticket_attachment", args=[ticket.pk, png.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == files.png_bytes()


@pytest.mark.parametrize("name", ["setup.pdf", "setup.png", "setup.txt", "setup.jpg"])
def test_a_renamed_program_is_refused_whatever_its_name(ticket, member, name):
    with pytest.raises(InvalidInput) as refused:
        services.ticket_comment(
            by=member,
            ticket=ticket,
            body="See attached.",
            attachments=[files.upload(name, files.EXE, "application/pdf")],
        )
    assert refused.value.fields["attachments"][0] == (
        f"{name}: The file is not a PDF, a PNG or JPEG image, or plain text (checked by its "
        "content, not its name)."
    )
    assert not Comment.objects.exists() and not CommentAttachment.objects.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (files.png_bytes()[:-12], "PNG image is damaged"),
        (files.png_bytes().replace(b"IHDR", b"IHDX"), "PNG image is damaged"),
        (files.jpeg_bytes()[:-2], "JPEG image is damaged"),
        (b"\xff\xd8\xff\xe0\x00\x02\xff\xd9", "JPEG image is damaged"),
        (b"%PDF-1.4 not really", "The PDF is incomplete"),
        ("caf\xe9".encode("latin-1"), "not a PDF, a PNG or JPEG image, or plain text"),
        (b"", "The file is empty."),
    ],
)
def test_damaged_or_foreign_files_are_refused(ticket, member, content, problem):
    with pytest.raises(InvalidInput) as refused:
        services.ticket_comment(
            by=member, ticket=ticket, body="x", attachments=[files.upload("f", content)]
        )
    assert problem in refused.value.fields["attachments"][0]
    assert not Comment.objects.exists()


def test_at_most_ten_megabytes_and_five_files(ticket, member, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as refused:
        services.ticket_comment(
            by=member, ticket=ticket, body="x", attachments=[files.text(content="a" * 101)]
        )
    assert "the limit is" in refused.value.fields["attachments"][0]
    with pytest.raises(InvalidInput) as refused:
        services.ticket_comment(
            by=member, ticket=ticket, body="x", attachments=[files.text() for _ in range(6)]
        )
    assert refused.value.fields["attachments"] == ["At most 5 files (6 given)."]


def test_an_attachment_of_an_internal_note_is_a_404_for_the_team(client, ticket, member, pm):
    note = services.ticket_comment(
        by=pm, ticket=ticket, body="Cost sheet.", internal=True, attachments=[files.text()]
    )
    attachment = note.attachments.get()
    address = reverse("ticket_attachment", args=[ticket.pk, attachment.pk])
    assert sign_in(client, member).get(address).status_code == 404
    assert sign_in(client, pm).get(address).status_code == 200
    refusal = AuditEvent.objects.get(outcome="refused", action="download")
    assert (refusal.actor, refusal.object_id) == (member, attachment.pk)


# @mentions and who hears of a comment ------------------------------------------------------


def test_a_comment_tells_the_team_the_assignee_and_pms_who_acted_and_mentions(
    ticket, member, pm, devops, cyber, outsider
):
    UserFactory(username="amy", roles=[PRODUCT_TEAM], teams=[ticket.team])
    StoryFactory(ticket=ticket, assignee=devops)
    other_pm = UserFactory(username="paula", roles=["mdo_pm"])
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which enclave?")
    Notification.objects.all().delete()

    services.ticket_comment(
        by=member, ticket=ticket, body="Ping @casey, and @bob and @nobody. Thanks @amy."
    )
    heard = told()
    assert set(heard) == {"amy", "pat", "dana", "casey"}  # not bob, paula, nor alice herself
    mentioned = f"alice mentioned you on request #{ticket.pk} IL4 pipeline"
    assert heard["casey"] == heard["amy"] == mentioned
    assert heard["pat"] == f"New comment on request #{ticket.pk} IL4 pipeline"
    assert other_pm.username not in heard and outsider.username not in heard
    event = AuditEvent.objects.filter(action="create", content_type__model="comment").last()
    assert event.detail["mentioned"] == ["amy", "casey"]


def test_an_internal_note_mentions_only_those_who_read_it(ticket, pm, member, cyber):
    services.ticket_comment(by=pm, ticket=ticket, body="@alice @casey look", internal=True)
    assert set(told()) == {"casey"}


# Never edited, never deleted ----------------------------------------------------------------


def test_a_comment_is_never_edited_or_deleted(ticket, member, client):
    admin_client = sign_in(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    comment = services.ticket_comment(by=member, ticket=ticket, body="Frist!")
    comment.body = "First!"
    with pytest.raises(ValueError, match="never edited"):
        comment.save()
    with pytest.raises(ValueError, match="never deleted"):
        comment.delete()
    assert Comment.objects.get().body == "Frist!"
    delete_page = reverse("admin:requests_app_comment_delete", args=[comment.pk])
    assert admin_client.get(delete_page).status_code == 403
    change_page = admin_client.get(reverse("admin:requests_app_comment_change", args=[comment.pk]))
    assert change_page.status_code == 200 and 'name="body"' not in change_page.content.decode()
    assert Comment.objects.filter(body="Frist!").exists()


# The request page --------------------------------------------------------------------------


def test_the_page_shows_the_thread_oldest_first_and_links_become_links(client, ticket, member, pm):
    services.ticket_comment(by=member, ticket=ticket, body="First, see https://example.test/x")
    services.ticket_comment(by=pm, ticket=ticket, body="<b>Second</b>")
    response = page(client, member, ticket)
    html = response.content.decode()
    assert html.index("First, see") < html.index("&lt;b&gt;Second&lt;/b&gt;")
    assert '<a href="https://example.test/x" rel="nofollow">' in html
    assert "<b>Second</b>" not in html


def test_commenting_from_the_page_answers_the_fragment_with_the_new_comment(
    client, ticket, member
):
    response = post_comment(
        client, member, ticket, body="Attached.", attachments=[files.text()]
    )
    assert response.status_code == 200 and is_fragment(response)
    assert "Comment added." in text_of(response)
    assert "alice" in text_of(response).split("Conversation", 1)[1]
    assert "Attached." in text_of(response)
    assert "notes.txt" in text_of(response)


def test_a_refused_comment_keeps_the_draft_and_says_why(client, ticket, member):
    response = post_comment(
        client, member, ticket, body="See the file.", attachments=[files.upload("a.pdf", files.EXE)]
    )
    assert response.status_code == 400
    assert "a.pdf: The file is not a PDF" in text_of(response)
    assert "See the file." in response.content.decode()
    assert not Comment.objects.exists()


def test_the_request_page_costs_the_same_queries_however_long_the_thread(
    client, ticket, member, pm
):
    services.ticket_comment(by=member, ticket=ticket, body="One", attachments=[files.text()])
    sign_in(client, member)
    address = reverse("ticket_detail", args=[ticket.pk])
    client.get(address)
    with CaptureQueriesContext(connection) as short:
        client.get(address)
    for n in range(6):
        author = pm if n % 2 else member
        services.ticket_comment(
            by=author, ticket=ticket, body=f"More {n}", attachments=[files.text()]
        )
    with CaptureQueriesContext(connection) as long:
        response = client.get(address)
    assert "More 5" in text_of(response)
    assert len(long) == len(short)


def test_alice_answers_the_question_from_the_page(client, ticket, member, pm):
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which enclave?")
    seen = text_of(page(client, member, ticket))
    assert "The MDO PM needs an answer Which enclave?" in seen
    response = client.post(
        reverse("ticket_provide_info", args=[ticket.pk]), {"answer": "East."}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Answer sent" in text_of(response)
    ticket.refresh_from_db()
    assert ticket.status == "submitted"


def test_the_pm_asks_for_info_from_the_page(client, ticket, member, pm):
    assert "Ask for info" not in text_of(page(client, member, ticket))
    assert "Ask for info" in text_of(page(client, pm, ticket))
    response = client.post(reverse("ticket_ask_for_info", args=[ticket.pk]), {"question": ""})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "submitted"
    client.post(reverse("ticket_ask_for_info", args=[ticket.pk]), {"question": "Which enclave?"})
    ticket.refresh_from_db()
    assert ticket.status == "needs_info"
    assert "Waiting for the team's answer Which enclave?" in text_of(page(client, pm, ticket))


def test_the_pm_asks_from_the_triage_row_and_stays_on_the_queue(client, ticket, pm):
    queue = reverse("board_triage")
    listed = sign_in(client, pm).get(queue).content.decode()
    assert f'id="ticket-{ticket.pk}"' in listed and "Ask for info…" in listed
    response = client.post(
        reverse("ticket_ask_for_info", args=[ticket.pk]),
        {"question": "Which enclave?", "next": queue},
    )
    assert (response.status_code, response.url) == (302, queue)
    ticket.refresh_from_db()
    assert ticket.status == "needs_info"
    assert f'id="ticket-{ticket.pk}"' not in client.get(queue).content.decode()


def test_the_board_card_dialog_shows_the_conversation_of_its_requests(client, ticket, pm, member):
    services.ticket_triage(by=pm, ticket=ticket)
    services.ticket_comment(by=member, ticket=ticket, body="Please hurry, the demo is Friday.")
    card = reverse("board_epic_card", args=[ticket.epic_id])
    shown = text_of(sign_in(client, pm).get(card, headers=HTMX))
    assert f"Conversation request #{ticket.pk} · alice" in shown
    assert "Please hurry, the demo is Friday." in shown
