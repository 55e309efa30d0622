"""No dead ends (issue 15): no "New request" for who is on no team, a file button that is
off with the reason while the checklist says "Not yet", and "ask your MDO PM" saying who."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.portal.pages import HTMX, sign_in, text_of, world
from workflow.permissions import MDO_PM

pytestmark = pytest.mark.django_db

NEW = reverse("ticket_new")


@pytest.fixture
def w():
    return world()


def file_button(html: str) -> str:
    return re.search(r'<div class="actions" id="file-actions"[^>]*>.*?</div>', html, re.S).group(0)


def test_a_team_list_offers_new_request_to_its_members_only(client, w):
    team_list = reverse("team_requests", args=[w.alpha.pk])
    new_request = f'href="{NEW}?team={w.alpha.pk}"'
    assert new_request in sign_in(client, w.alice).get(team_list).content.decode()
    for staff in (w.casey, w.pat):
        client.logout()
        page = sign_in(client, staff).get(team_list).content.decode()
        assert new_request not in page, staff


def test_bobs_file_button_is_off_while_a_check_is_not_met_and_says_why(client, w):
    bob = sign_in(client, w.bob)
    choices = {"team": w.bravo.pk, "request_type": "pipeline", "impact_level": "IL4",
               "epic": w.bravo_epic.pk}
    for response in (bob.get(NEW, choices), bob.get(NEW, choices, headers=HTMX)):
        button = file_button(response.content.decode())
        assert "disabled" in button and 'aria-describedby="file-why"' in button
        assert "Not yet: fix what is marked ✗" in button and "; pat can help." in button
    # The live refresh carries the button out of band, so it follows the checklist.
    assert 'hx-swap-oob="true"' in file_button(bob.get(NEW, choices, headers=HTMX).content.decode())


def test_alices_file_button_is_on_once_every_check_is_met_or_while_choosing(client, w):
    alice = sign_in(client, w.alice)
    ready = {"team": w.alpha.pk, "request_type": "pipeline", "impact_level": "IL5",
             "epic": w.payments.pk}
    assert "disabled" not in file_button(alice.get(NEW, ready).content.decode())
    # Still choosing (no level yet) is not "Not yet": nothing is in the way of pressing it,
    # and without JavaScript the page is only refreshed by a press.
    assert "disabled" not in file_button(alice.get(NEW, {"team": w.alpha.pk}).content.decode())


def test_ask_your_mdo_pm_names_the_mdo_pms_or_the_configured_contact(client, w, settings):
    loner = UserFactory(username="lonny")
    page = text_of(sign_in(client, loner).get(reverse("home")))
    assert "Ask your MDO PM (pat) to add you" in page
    UserFactory(username="quinn", first_name="Quinn", last_name="Aaron", roles=[MDO_PM])
    assert "(pat or Quinn Aaron) to add you" in text_of(client.get(reverse("home")))
    settings.MDO_PM_CONTACT = "~mdo-pms on Mattermost"
    assert "Ask your MDO PM (~mdo-pms on Mattermost) to add you" in text_of(
        client.get(reverse("home"))
    )
