"""A team's requests: filters, search, pagination, visibility and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Ticket
from tests.factories import TicketFactory
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    people = world()
    TicketFactory(epic=people.payments, created_by=people.alice, title="IL5 pipeline for payments")
    TicketFactory(
        epic=people.mission,
        created_by=people.alice,
        title="Mission to production",
        request_type="prod_deploy",
        status=Ticket.Status.DONE,
    )
    TicketFactory(
        team=people.alpha,
        epic=None,
        created_by=people.alice,
        request_type="new_pipeline_ctf",
        impact_level="IL2",
        application_name="Fleet Tracker",
        title="Fleet Tracker with its own CtF",
    )
    TicketFactory(
        epic=people.payments,
        created_by=people.alice,
        title="IL6 for payments",
        request_type="il6_prod_deploy",
        impact_level="IL6",
        status=Ticket.Status.WITHDRAWN,
    )
    TicketFactory(epic=people.bravo_epic, created_by=people.bob, title="Bravo secret request")
    return people


def listing(client, team, **params):
    return client.get(reverse("team_requests", args=[team.pk]), params)


def test_the_list_shows_the_team_requests_only(client, w):
    page = text_of(listing(sign_in(client, w.alice), w.alpha))
    assert "4 requests" in page
    assert "IL5 pipeline for payments" in page and "Fleet Tracker (new)" in page
    assert "Bravo secret request" not in page


def test_another_team_list_is_not_found(client, w):
    assert listing(sign_in(client, w.bob), w.alpha).status_code == 404


def test_staff_see_any_team_list(client, w):
    page = text_of(listing(sign_in(client, w.pat), w.bravo))
    assert "Bravo secret request" in page
    assert "1 request" in page and "IL5 pipeline for payments" not in page


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"status": "done"}, ["Mission to production"]),
        ({"status": "withdrawn"}, ["IL6 for payments"]),
        ({"request_type": "new_pipeline_ctf"}, ["Fleet Tracker with its own CtF"]),
        ({"impact_level": "IL6"}, ["IL6 for payments"]),
        ({"impact_level": "IL4", "request_type": "pipeline"}, ["IL5 pipeline for payments"]),
        ({"q": "fleet"}, ["Fleet Tracker with its own CtF"]),
        ({"q": "payments"}, ["IL5 pipeline for payments", "IL6 for payments"]),
        ({"q": "mission"}, ["Mission to production"]),
    ],
)
def test_filters_and_search(client, w, params, shown):
    page = text_of(listing(sign_in(client, w.alice), w.alpha, **params))
    titles = [
        "IL5 pipeline for payments",
        "Mission to production",
        "Fleet Tracker with its own CtF",
        "IL6 for payments",
    ]
    assert [t for t in titles if t in page] == [t for t in titles if t in shown]
    count = len(shown)
    assert f"{count} request{'s' if count != 1 else ''} match" in page


def test_search_by_number(client, w):
    ticket = Ticket.objects.get(title="Mission to production")
    page = text_of(listing(sign_in(client, w.alice), w.alpha, q=f"#{ticket.pk}"))
    assert "Mission to production" in page and "IL5 pipeline for payments" not in page


def test_nothing_matches_says_how_to_clear(client, w):
    page = text_of(listing(sign_in(client, w.alice), w.alpha, q="nothing like it"))
    assert "No request matches these filters. Clear the filters." in page


def test_pages_and_their_htmx_answer(client, w, settings):
    settings.PORTAL_PAGE_SIZE = 3
    alice = sign_in(client, w.alice)
    first = text_of(listing(alice, w.alpha))
    assert "page 1 of 2" in first and "Next →" in first
    response = alice.get(reverse("team_requests", args=[w.alpha.pk]), {"page": 2}, headers=HTMX)
    assert is_fragment(response)
    assert response.content.decode().lstrip().startswith('<section id="results"')
    page = text_of(response)
    assert "page 2 of 2" in page
    # The oldest request is alone on page 2.
    assert "IL5 pipeline for payments" in page and "IL6 for payments" not in page
    html = response.content.decode()
    assert 'href="?page=1"' in html and 'hx-get="?page=1"' in html


def test_filters_keep_their_values_in_page_links(client, w, settings):
    settings.PORTAL_PAGE_SIZE = 1
    html = listing(sign_in(client, w.alice), w.alpha, q="payments").content.decode()
    assert 'href="?q=payments&amp;page=2"' in html


def _add(w, count, label):
    for n in range(count):
        TicketFactory(epic=w.mission, created_by=w.alice, title=f"Extra {label} {n}")


def test_the_list_takes_a_fixed_number_of_queries(client, w, django_assert_num_queries):
    alice = sign_in(client, w.alice)
    listing(alice, w.alpha)
    with CaptureQueriesContext(connection) as few:
        listing(alice, w.alpha)
    _add(w, 40, "more")
    with django_assert_num_queries(len(few)):
        response = listing(alice, w.alpha)
    assert "44 requests" in text_of(response)
