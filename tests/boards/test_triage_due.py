"""The triage due time where people see it: the triage queue ordered by it (soonest first),
in a fixed number of queries however many wait; the API's `triage_due_at` and `overdue`; the
team's request page and list. Times are Chicago time; the goal is 8 business hours."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.tokens import issue
from tests.boards.conftest import count_queries
from tests.boards.test_triage import rows
from tests.factories import TicketFactory
from tests.insights.support import Clock
from tests.portal.pages import HTMX, text_of
from workflow import services

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in December 2026 (Monday 7 December is a working day)."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def clock(settings):
    settings.TIME_ZONE = settings.BUSINESS_TIME_ZONE = "America/Chicago"
    settings.TRIAGE_GOAL_BUSINESS_HOURS = 8
    travelling = Clock()
    travelling.set(at(7, 8))
    travelling.start()
    yield travelling
    travelling.stop()


def ticket_at(clock, people, moment, title):
    clock.set(moment)
    return TicketFactory(epic=people.logistics, created_by=people.alice, title=title)


@pytest.fixture
def waiting(clock, people):
    """A: filed Mon 09:00, in Needs Info Mon 10:00 to Tue 10:00 (10 business hours): due Tue
    17:00. B: filed Mon 09:30: due Mon 17:30. C: filed Tue 08:00: due Tue 16:00. Now: Tue 8
    Dec 11:00, B overdue."""
    a = ticket_at(clock, people, at(7, 9), "A paused")
    b = ticket_at(clock, people, at(7, 9, 30), "B plain")
    clock.set(at(7, 10))
    services.ticket_ask_for_info(by=people.pat, ticket=a, question="Which cluster?")
    c = ticket_at(clock, people, at(8, 8), "C later")
    clock.set(at(8, 10))
    services.ticket_provide_info(by=people.alice, ticket=a, answer="The IL4 one.")
    clock.set(at(8, 11))
    return a, b, c


def test_the_queue_is_ordered_by_due_time_soonest_first(people, as_user, waiting):
    a, b, c = waiting
    response = as_user(people.pat).get(reverse("board_triage"))
    first, second, third = rows(response)
    assert first.startswith(f"{b.pk} B plain")
    assert "Triage by Mon 7 Dec, 17:30" in first and "Past the 8-hour goal" in first
    assert second.startswith(f"{c.pk} C later") and "Triage by Tue 8 Dec, 16:00" in second
    assert third.startswith(f"{a.pk} A paused") and "Triage by Tue 8 Dec, 17:00" in third
    assert "Past the" not in second + third
    assert "3 requests wait for triage, soonest due first." in text_of(response)


def test_the_queue_pages_in_due_order(people, as_user, waiting, settings):
    settings.BOARD_PAGE_SIZE = 2
    a, b, c = waiting
    client = as_user(people.pat)
    first = client.get(reverse("board_triage"))
    assert [row.split(" ")[0] for row in rows(first)] == [str(b.pk), str(c.pk)]
    more = re.search(r'href="(/boards/triage/\?after=[^"]+)"', first.content.decode()).group(1)
    second = client.get(more, headers=HTMX)
    assert [row.split(" ")[0] for row in rows(second)] == [str(a.pk)]
    assert "3 requests wait for triage" in text_of(second)


def test_a_ticket_in_needs_info_leaves_the_queue(people, as_user, waiting):
    a, b, c = waiting
    services.ticket_ask_for_info(by=people.pat, ticket=c, question="Which level?")
    shown = [row.split(" ")[0] for row in rows(as_user(people.pat).get(reverse("board_triage")))]
    assert shown == [str(b.pk), str(a.pk)]


def test_the_queue_takes_the_same_queries_however_many_wait_or_paused(people, as_user, clock):
    def add(count):
        for n in range(count):
            ticket = ticket_at(clock, people, at(7, 9) + dt.timedelta(minutes=n), f"Q{n}")
            # Each row shows its conversation: the page's threads are read at once.
            services.ticket_comment(by=people.pat, ticket=ticket, body="Seen.", internal=n % 3 == 0)
            if n % 2:
                services.ticket_ask_for_info(by=people.pat, ticket=ticket, question="Why?")
                if n % 4 == 1:
                    services.ticket_provide_info(by=people.alice, ticket=ticket, answer="So.")
        clock.set(at(8, 11))

    add(4)
    client = as_user(people.pat)
    client.get(reverse("board_triage"))
    few, _ = count_queries(client, reverse("board_triage"))
    add(30)
    many, response = count_queries(client, reverse("board_triage"))
    # Of 4 then 30: the even ones and the answered odd ones (1, 5, 9, ...) wait in Submitted.
    assert len(rows(response)) == (2 + 1) + (15 + 8)
    assert many == few


# Where the team sees it -------------------------------------------------------------------------


def api_get(user, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)}")
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_shows_the_due_time_and_whether_it_is_overdue(people, waiting):
    a, b, c = waiting
    services.ticket_ask_for_info(by=people.pat, ticket=c, question="Which level?")
    shown = api_get(people.alice, f"/api/v1/tickets/{b.pk}/")
    assert (shown["triage_due_at"], shown["overdue"]) == ("2026-12-07T23:30:00Z", True)
    listed = {
        row["id"]: (row["triage_due_at"], row["overdue"])
        for row in api_get(people.alice, "/api/v1/tickets/")["results"]
    }
    assert listed[a.pk] == ("2026-12-08T23:00:00Z", False)
    assert listed[b.pk] == ("2026-12-07T23:30:00Z", True)
    # In Needs Info since 11:00: due 16:00 plus the hour paused so far; never overdue there.
    assert listed[c.pk] == ("2026-12-08T22:00:00Z", False)


def test_a_withdrawn_ticket_has_no_due_time_in_the_api(people, waiting):
    a, b, c = waiting
    services.ticket_withdraw(by=people.alice, ticket=b)
    shown = api_get(people.alice, f"/api/v1/tickets/{b.pk}/")
    assert (shown["triage_due_at"], shown["overdue"]) == (None, False)


def test_the_request_page_and_the_team_list_show_triage_by_and_overdue(people, as_user, waiting):
    a, b, c = waiting
    client = as_user(people.alice)
    page = text_of(client.get(reverse("ticket_detail", args=[b.pk])))
    assert "Triage Triage by Mon 7 Dec, 17:30 Overdue" in page
    page = text_of(client.get(reverse("ticket_detail", args=[a.pk])))
    assert "Triage by Tue 8 Dec, 17:00" in page and "Overdue" not in page
    listing = text_of(client.get(reverse("team_requests", args=[people.alpha.pk])))
    assert "Triage by Mon 7 Dec, 17:30 Overdue" in listing
    assert "Triage by Tue 8 Dec, 16:00" in listing
    assert listing.count("Overdue") == 1
