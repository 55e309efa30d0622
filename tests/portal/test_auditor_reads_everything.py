"""The auditor (WORKFLOWS.md, roles): reads every team's work, every document, the epic
board and the insights; changes nothing. The board shows them no drag and no move button,
and whatever they POST anyway (a drop, a transition, a withdrawal, a verification) is
refused by the services with a 403, recorded, and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from epics.models import Document, Epic
from requests_app.models import Ticket
from tests.api.helpers import rows, snapshot, transition, url
from tests.factories import DocumentFactory, StoryFactory, TicketFactory, UserFactory
from tests.portal.pages import HTMX, sign_in, text_of, world
from workflow.models import AuditEvent
from workflow.permissions import AUDITOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    people = world()
    people.avery = UserFactory(username="avery", roles=[AUDITOR])
    # Team Bravo's work too: an auditor belongs to no team and reads every one's.
    people.request = TicketFactory(epic=people.bravo_epic, created_by=people.bob, title="Bravo CI")
    people.document = DocumentFactory(epic=people.bravo_epic, uploaded_by=people.bob)
    return people


@pytest.fixture
def avery(people):
    return sign_in(Client(), people.avery)


def test_the_auditor_reads_every_team_s_work(avery, people):
    pages = {
        reverse("ticket_detail", args=[people.request.pk]): "Bravo CI",
        reverse("epic_detail", args=[people.bravo_epic.pk]): "Bravo Console",
        reverse("epic_detail", args=[people.payments.pk]): "Payments Service",
        reverse("team_requests", args=[people.bravo.pk]): "Bravo CI",
        reverse("insights:dashboard"): "",
        reverse("insights:team_dashboard", args=[people.bravo.pk]): "",
    }
    for path, words in pages.items():
        response = avery.get(path)
        assert response.status_code == 200, path
        assert words in text_of(response)
    download = avery.get(reverse("document_download", args=[people.document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    export = avery.get(reverse("export_tickets"), {"team": people.bravo.pk})
    assert export.status_code == 200


def test_the_auditor_s_pages_offer_no_change(avery, people):
    epic = people.bravo_epic.pk
    epic_page = avery.get(reverse("epic_detail", args=[epic])).content.decode()
    for form in ("document_upload", "release_create"):
        assert f'action="{reverse(form, args=[epic])}' not in epic_page
    assert "New request on this epic" not in epic_page
    ticket_page = avery.get(reverse("ticket_detail", args=[people.request.pk])).content.decode()
    assert reverse("ticket_withdraw", args=[people.request.pk]) not in ticket_page


def test_the_board_shows_the_auditor_no_drag_and_no_move_button(avery, people):
    ready = TicketFactory(epic=people.logistics, status=Ticket.Status.TRIAGED)
    StoryFactory(ticket=ready, epic=people.logistics)
    board = avery.get(reverse("board_epics"))
    assert board.status_code == 200
    html = board.content.decode()
    assert "data-may-move" not in html
    assert "Logistics Tracker" in text_of(board)
    card = avery.get(reverse("board_epic_card", args=[people.logistics.pk]), headers=HTMX)
    assert card.status_code == 200
    text = text_of(card)
    assert (
        "Start the pipeline" in text and "Not yours to do: it is for MDO PMs" in text
    )  # what it takes, and whose it is
    assert not re.search(r"<button[^>]*type=\"submit\"[^>]*button--primary", card.content.decode())
    # Nor is it offered on a staff member's board: an MDO PM drags.
    assert (
        "data-may-move"
        in sign_in(Client(), people.pat).get(reverse("board_epics")).content.decode()
    )


def refusals_of(user) -> list[tuple[str, int]]:
    return list(
        AuditEvent.objects.filter(actor=user, outcome="refused")
        .order_by("pk")
        .values_list("action", "detail__status_code")
    )


def test_a_drop_posted_anyway_is_refused_403_and_recorded(avery, people):
    ready = TicketFactory(
        epic=people.logistics, status=Ticket.Status.TRIAGED, epic_status_before=""
    )
    StoryFactory(ticket=ready, epic=people.logistics)
    before = snapshot(people.logistics)
    counts = rows()
    response = avery.post(
        reverse("board_epic_move", args=[people.logistics.pk]),
        {"from": "new", "to": "pipeline_in_progress"},
        headers=HTMX,
    )
    assert response.status_code == 403
    assert "MDO PM" in text_of(response)
    assert snapshot(people.logistics) == before and rows() == counts
    assert refusals_of(people.avery) == [("start_pipeline", 403)]


def test_the_auditor_s_posts_are_refused_by_the_services(avery, people):
    uploaded = DocumentFactory(
        epic=people.bravo_epic, status=Document.Status.UPLOADED, uploaded_by=people.bob
    )
    counts = rows()
    ticket_before, document_before = snapshot(people.request), snapshot(uploaded)

    withdraw = avery.post(reverse("ticket_withdraw", args=[people.request.pk]))
    assert withdraw.status_code == 302  # back to the request, with the refusal said there
    assert "Not withdrawn" in text_of(avery.get(withdraw["Location"]))
    verify = avery.post(reverse("document_verify", args=[uploaded.pk]))
    assert verify.status_code == 403
    release = avery.post(reverse("release_create", args=[people.payments.pk]), {"tag": "v9.9.9"})
    assert release.status_code == 403

    assert rows() == counts
    assert snapshot(people.request) == ticket_before and snapshot(uploaded) == document_before
    found = refusals_of(people.avery)
    assert [status for _, status in found] == [403, 403, 403]
    assert [action for action, _ in found] == ["withdraw", "verify", "create"]


def test_the_auditor_s_api_calls_that_change_are_refused_403(people):
    client = APIClient()
    client.force_authenticate(people.avery)
    counts = rows()
    calls = [
        (transition("tickets", people.request.pk, "triage"), {}),
        (transition("epics", people.payments.pk, "verify_cyber_compliance"), {}),
        (url("epics"), {"team": people.alpha.pk, "title": "Audit me"}),
        (url("teams"), {"name": "Team Audit"}),
    ]
    for path, data in calls:
        response = client.post(path, data, format="json")
        assert response.status_code == 403, (path, response.json())
        assert response.json()["detail"]
    assert rows() == counts
    assert Epic.objects.filter(title="Audit me").count() == 0
    assert [status for _, status in refusals_of(people.avery)] == [403] * len(calls)
