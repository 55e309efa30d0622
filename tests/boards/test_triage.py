"""The MDO PMs' triage queue: Submitted requests soonest due first, with their age, type, level,
team and what their gates say; triage and reject in place; IL6 "Convert to story"."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Epic
from requests_app.models import Ticket
from tests.boards.conftest import file
from tests.factories import EpicFactory, PipelineFactory, TicketFactory
from tests.portal.pages import HTMX, is_fragment, text_of

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    html = response.content.decode()
    return [
        text_of(type("R", (), {"content": row.encode()})())
        for row in re.findall(r'<tr id="ticket-\d+".*?</tr>', html, re.S)
    ]


def test_submitted_requests_oldest_first_with_age_type_level_and_team(people, as_user):
    newer = file(people, people.mission, "pipeline", "IL5")
    older = file(people, people.payments, "prod_deploy", "IL4")
    Ticket.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    withdrawn = file(people, people.logistics)
    from workflow import services

    services.ticket_withdraw(by=people.alice, ticket=withdrawn)
    response = as_user(people.pat).get(reverse("board_triage"))
    assert "2 requests wait for triage, soonest due first." in text_of(response)
    first, second = rows(response)
    assert first.startswith(f"{older.pk} IL2/IL4/IL5 production deployment (IL4): Payments")
    assert "Team Alpha IL2/IL4/IL5 production deployment IL4 3 d" in first
    # A production deployment shows the gates triage checks again, met or not.
    assert "Epic “Payments Service” has a verified, signed CtF letter covering IL4." in first
    assert "Epic “Payments Service” has no other story in progress." in first
    assert second.startswith(f"{newer.pk} Additional IL2/IL4/IL5 pipeline (IL5): Mission")
    assert "Ready: no check stands in the way." in second


def test_a_request_past_the_triage_goal_is_marked(people, as_user, settings):
    settings.TRIAGE_GOAL_BUSINESS_HOURS = 0
    ticket = file(people, people.mission)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    response = as_user(people.pat).get(reverse("board_triage"))
    assert "triage-row--overdue" in response.content.decode()
    assert "Past the 0-hour goal" in rows(response)[0]


def test_the_gate_summary_shows_what_stands_in_the_way(people, as_user):
    """A production deployment whose CtF letter lapsed since filing cannot be triaged."""
    PipelineFactory(epic=people.mission, impact_level="IL5")
    ticket = file(people, people.mission, "prod_deploy", "IL5")
    Document.objects.filter(epic=people.mission).update(status="rejected")
    row = rows(as_user(people.pat).get(reverse("board_triage")))[0]
    assert "Not met: Upload a signed CtF letter covering IL5 to epic “Mission Planner”" in row
    assert f"Triage: request #{ticket.pk}" not in row
    assert f"Reject… request #{ticket.pk}" in row


def test_an_il6_request_reads_convert_to_story_with_its_cisso_and_ctf_checks(people, as_user):
    ticket = file(people, people.payments, "il6_prod_deploy", "IL6")
    row = rows(as_user(people.pat).get(reverse("board_triage")))[0]
    assert f"Convert to story: request #{ticket.pk}" in row
    assert "Met: Epic “Payments Service” has a verified CtF letter that approves IL6." in row
    assert "Met: Epic “Payments Service” has a verified CISSO document." in row

    Document.objects.filter(epic=people.payments, kind="cisso_document").update(status="uploaded")
    row = rows(as_user(people.pat).get(reverse("board_triage")))[0]
    assert "Not met: Upload the signed CISSO document to epic “Payments Service”" in row
    assert "Convert to story" not in row


def test_triage_in_place(people, as_user):
    ticket = file(people, people.mission, "pipeline", "IL5")
    response = as_user(people.pat).post(
        reverse("board_triage_ticket", args=[ticket.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert is_fragment(response)
    assert response.content.decode().lstrip().startswith(f'<tr id="ticket-{ticket.pk}"')
    words = text_of(response)
    assert (
        "Triaged: story “Build the IL5 pipeline: Mission Planner” is To Do on the Product Team "
        "Epic Board; epic “Mission Planner” is Pipeline Complete."
    ) in words
    assert "Reject…" not in words
    ticket.refresh_from_db()
    assert ticket.status == "triaged"


def test_converting_an_il6_request_to_a_story(people, as_user):
    ticket = file(people, people.payments, "il6_prod_deploy", "IL6")
    response = as_user(people.pat).post(
        reverse("board_triage_ticket", args=[ticket.pk]), headers=HTMX
    )
    assert "Converted to a story: story “Prepare the structure for the IL6" in text_of(response)


def test_triage_refused_shows_the_gates_in_the_row(people, as_user):
    PipelineFactory(epic=people.mission, impact_level="IL5")
    ticket = file(people, people.mission, "prod_deploy", "IL5")
    Document.objects.filter(epic=people.mission).update(status="rejected")
    response = as_user(people.pat).post(
        reverse("board_triage_ticket", args=[ticket.pk]), headers=HTMX
    )
    assert response.status_code == 422
    words = text_of(response)
    assert "Not triaged: Not allowed yet: Upload a signed CtF letter covering IL5" in words
    ticket.refresh_from_db()
    assert ticket.status == "submitted"


def test_reject_needs_a_reason(people, as_user):
    ticket = file(people, people.mission)
    client = as_user(people.pat)
    refused = client.post(
        reverse("board_reject_ticket", args=[ticket.pk]), {"reason": "  "}, headers=HTMX
    )
    assert refused.status_code == 400
    assert "Not rejected: Say why the request is rejected." in text_of(refused)
    ticket.refresh_from_db()
    assert ticket.status == "submitted"

    rejected = client.post(
        reverse("board_reject_ticket", args=[ticket.pk]),
        {"reason": "Duplicate of #1"},
        headers=HTMX,
    )
    assert rejected.status_code == 200
    assert "Rejected: Team Alpha is told why." in text_of(rejected)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rejection_reason) == ("rejected", "Duplicate of #1")


def test_without_javascript_triage_returns_to_the_queue(people, as_user):
    ticket = file(people, people.mission)
    client = as_user(people.pat)
    response = client.post(reverse("board_triage_ticket", args=[ticket.pk]))
    assert response.status_code == 302 and response.url == reverse("board_triage")
    assert "Triaged: story" in text_of(client.get(response.url))


def test_a_new_ctf_whose_name_was_taken_meanwhile_says_so(people, as_user):
    ticket = TicketFactory(
        team=people.alpha,
        epic=None,
        request_type="new_pipeline_ctf",
        application_name="Fleet Tracker",
        created_by=people.alice,
    )
    ready = rows(as_user(people.pat).get(reverse("board_triage")))[0]
    assert "Ready: no check stands in the way." in ready and "Triage: request" in ready
    EpicFactory(team=people.alpha, title="fleet tracker")
    row = rows(as_user(people.pat).get(reverse("board_triage")))[0]
    assert "Team Alpha already has an epic named “Fleet Tracker”" in row
    assert f"Triage: request #{ticket.pk}" not in row


def test_the_queue_pages_by_fifty(people, as_user):
    start = timezone.now() - dt.timedelta(days=2)
    epic = EpicFactory(team=people.alpha, title="Busy", status=Epic.Status.NEW)
    made = []
    for n in range(53):
        ticket = TicketFactory(epic=epic, created_by=people.alice, title=f"Request {n:02}")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=start + dt.timedelta(minutes=n))
        made.append(ticket)
    client = as_user(people.pat)
    first = client.get(reverse("board_triage"))
    assert len(rows(first)) == 50
    assert rows(first)[0].startswith(f"{made[0].pk} Request 00")
    more = re.search(r'href="(/boards/triage/\?after=[^"]+)"', first.content.decode()).group(1)
    second = client.get(more, headers=HTMX)
    assert is_fragment(second)
    assert [row.split(" ")[2] for row in rows(second)] == ["50", "51", "52"]
    assert "53 requests wait for triage" in text_of(second)
