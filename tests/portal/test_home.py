"""A product team member's home: their teams' validity gate, epics and open requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from epics.models import Epic
from requests_app.models import Ticket
from tests.factories import EpicFactory, TeamFactory, TicketFactory, UserFactory
from tests.portal.pages import acknowledge_banner, sign_in, text_of, world
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db


def test_alice_sees_her_team_can_file_its_epics_and_open_requests(client):
    people = world()
    open_one = TicketFactory(
        epic=people.mission, created_by=people.alice, title="More pipelines please"
    )
    TicketFactory(
        epic=people.payments,
        created_by=people.alice,
        title="An old finished one",
        status=Ticket.Status.DONE,
    )
    page = text_of(sign_in(client, people.alice).get(reverse("home")))
    assert "Can Team Alpha file requests?" in page
    assert "Team Alpha is funded." in page
    assert "Team Alpha is onboarded to Party Bus." in page
    assert "Team Alpha has an epic on the Product Team Epic Board." in page
    assert "Not met" not in page
    assert "Payments Service Prod Deploy - Complete" in page
    assert "Mission Planner Pipeline Complete" in page
    assert "Logistics Tracker New" in page
    assert f"{open_one.pk} More pipelines please Team Alpha Submitted" in page
    assert "An old finished one" not in page


def test_bob_sees_why_his_team_cannot_file(client):
    people = world()
    page = text_of(sign_in(client, people.bob).get(reverse("home")))
    assert (
        "Not met: Team Bravo is not funded: ask your MDO PM to record the team's funding." in page
    )
    assert "Team Bravo is onboarded to Party Bus." in page
    assert "Bravo Console" in page
    assert "Team Alpha" not in page and "Payments Service" not in page


def test_a_member_of_no_team_is_told_what_to_do(client):
    world()
    loner = UserFactory(username="lou", roles=[PRODUCT_TEAM])
    page = text_of(sign_in(client, loner).get(reverse("home")))
    assert "You are not a member of any product team yet. Ask your MDO PM" in page


def test_staff_without_a_team_get_every_team_to_choose_from(client):
    people = world()
    page = text_of(sign_in(client, people.pat).get(reverse("home")))
    assert "Team Alpha requests" in page and "Team Bravo requests" in page


def test_home_needs_signing_in(client):
    acknowledge_banner(client)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def _grow(people, epics: int, tickets: int, label: str):
    for n in range(epics):
        EpicFactory(team=people.alpha, title=f"Extra epic {label}{n}", status=Epic.Status.NEW)
    for n in range(tickets):
        TicketFactory(epic=people.mission, created_by=people.alice, title=f"Open {label}{n}")
    second = TeamFactory(name=f"Team Alpha {label}")
    second.members.add(people.alice)
    EpicFactory(team=second, title="Second team epic")


def test_home_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    people = world()
    sign_in(client, people.alice)
    _grow(people, epics=1, tickets=2, label="a")
    client.get(reverse("home"))  # warm the content-type cache
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200
    _grow(people, epics=15, tickets=30, label="b")
    with django_assert_num_queries(len(small)):
        response = client.get(reverse("home"))
    assert "Open b29" in text_of(response)
    assert "Extra epic b14" in text_of(response)
    assert "Team Alpha b" in text_of(response)
