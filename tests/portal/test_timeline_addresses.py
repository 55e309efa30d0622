"""The timelines of the request and epic pages say who did what and when to everyone who sees
the page; the client address each event came from only to staff and auditors, never to a
product team member (WORKFLOWS.md, "Evidence that holds up")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.timeline import entries
from tests.factories import UserFactory
from tests.portal.pages import sign_in, text_of, world
from workflow.permissions import AUDITOR

pytestmark = pytest.mark.django_db

PM_ADDRESS = "10.20.30.40"
TEAM_ADDRESS = "192.0.2.7"


@pytest.fixture
def w():
    return world()


@pytest.fixture
def triaged(client, w):
    """alice files a request from her address, pat triages it and starts its pipeline from
    his (through the pages, so each event carries the address it came from)."""
    sign_in(client, w.alice)
    filed = client.post(
        reverse("ticket_new"),
        {
            "team": w.alpha.pk,
            "request_type": "pipeline",
            "impact_level": "IL5",
            "epic": w.mission.pk,
            "title": "IL5 pipeline",
            "description": "Please.",
        },
        REMOTE_ADDR=TEAM_ADDRESS,
    )
    assert filed.status_code == 302, text_of(filed)[:400]
    ticket = w.alpha.tickets.get()
    sign_in(client, w.pat)
    triage = client.post(reverse("board_triage_ticket", args=[ticket.pk]), REMOTE_ADDR=PM_ADDRESS)
    assert triage.status_code in (200, 302)
    ticket.refresh_from_db()
    assert ticket.status == "triaged"
    started = client.post(
        reverse("board_epic_move", args=[w.mission.pk]),
        {"from": "pipeline_complete", "to": "pipeline_in_progress"},
        REMOTE_ADDR=PM_ADDRESS,
    )
    assert started.status_code == 302, text_of(started)[:400]
    client.logout()
    return ticket


def _pages(ticket):
    return [
        reverse("ticket_detail", args=[ticket.pk]),
        reverse("epic_detail", args=[ticket.epic_id]),
    ]


def test_a_product_team_member_sees_who_and_when_but_no_address(client, w, triaged):
    alice = sign_in(client, w.alice)
    for page in _pages(triaged):
        response = alice.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert "pat" in text_of(response), page
        assert PM_ADDRESS not in html, page
        assert TEAM_ADDRESS not in html, page
        assert "timeline__address" not in html


@pytest.mark.parametrize("who", ["pat", "auditor"])
def test_staff_and_auditors_see_where_each_event_came_from(client, w, triaged, who):
    viewer = w.pat if who == "pat" else UserFactory(username="avery", roles=[AUDITOR])
    signed_in = sign_in(client, viewer)
    request_page = text_of(signed_in.get(_pages(triaged)[0]))
    assert f"from {TEAM_ADDRESS}" in request_page
    assert f"from {PM_ADDRESS}" in request_page
    epic_page = text_of(signed_in.get(_pages(triaged)[1]))
    assert f"from {PM_ADDRESS}" in epic_page


def test_the_timeline_s_entries_carry_an_address_only_for_those_who_see_addresses(w, triaged):
    auditor = UserFactory(username="avery", roles=[AUDITOR])
    for viewer, shown in (
        (w.alice, False),
        (w.bob, False),
        (w.pat, True),
        (w.dana, True),
        (auditor, True),
    ):
        addresses = {entry.address for entry in entries(triaged, viewer=viewer)}
        assert addresses == ({TEAM_ADDRESS, PM_ADDRESS} if shown else {""}), viewer.username


def test_the_timeline_still_says_who_did_what_to_the_team(client, w, triaged):
    page = text_of(sign_in(client, w.alice).get(_pages(triaged)[0]))
    assert "alice filed the request" in page
    assert "pat triaged the request" in page
