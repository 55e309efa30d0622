"""The forecast of an open request (workflow/forecast.py): percentiles of how long finished
requests of its type and level took from its current status to Done, from the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import RequestType, Ticket
from tests.factories import EpicFactory, TicketFactory, UserFactory
from tests.workflow.trail import event
from workflow import forecast

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def epic():
    return EpicFactory()


def finished(epic, *, days_to_done: float, triaged_after: float = 1, done_ago: float = 10,
             request_type=RequestType.PIPELINE, level="IL4"):
    """A ticket filed, triaged `triaged_after` days later and done `days_to_done` days after
    filing, its Done `done_ago` days before NOW: its trail written at those moments."""
    by = UserFactory()
    ticket = TicketFactory(epic=epic, request_type=request_type, impact_level=level,
                           status=Ticket.Status.DONE, created_by=by)
    done_at = NOW - done_ago * DAY
    filed_at = done_at - days_to_done * DAY
    event(by, ticket, "file", filed_at, to_status="submitted")
    event(by, ticket, "triage", filed_at + triaged_after * DAY, from_status="submitted",
          to_status="triaged")
    event(by, ticket, "complete", done_at, from_status="in_progress", to_status="done")
    return ticket


def test_percentiles_of_the_time_from_the_current_status_to_done(epic):
    for days in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20):
        finished(epic, days_to_done=days)
    submitted = TicketFactory(epic=epic, status=Ticket.Status.SUBMITTED)
    triaged = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED)
    result = forecast.forecasts([submitted, triaged], now=NOW)
    today = timezone.localdate(NOW)
    # From filing: 2..20 days; nearest rank p50 = 5th of 10 (10 days), p85 = 9th (18 days).
    assert result[submitted.pk].p50 == timezone.localdate(NOW + 10 * DAY)
    assert result[submitted.pk].p85 == timezone.localdate(NOW + 18 * DAY)
    # From triage (one day after filing): 1..19 days.
    assert result[triaged.pk].p50 == timezone.localdate(NOW + 9 * DAY)
    assert result[triaged.pk].p85 == timezone.localdate(NOW + 17 * DAY)
    assert result[submitted.pk].finished == 10
    assert min(result[submitted.pk].p50, result[triaged.pk].p50) >= today


def test_no_forecast_from_fewer_than_five_finished_or_for_a_closed_ticket(epic):
    for days in (3, 4, 5, 6):
        finished(epic, days_to_done=days)
    open_one = TicketFactory(epic=epic, status=Ticket.Status.SUBMITTED)
    closed = TicketFactory(epic=epic, status=Ticket.Status.DONE)
    assert forecast.forecasts([open_one, closed], now=NOW) == {open_one.pk: None, closed.pk: None}
    finished(epic, days_to_done=7)
    assert forecast.forecast(open_one, now=NOW) is not None


def test_only_the_last_180_days_and_the_same_type_and_level_count(epic):
    for days in (1, 1, 1, 1, 1):
        finished(epic, days_to_done=days)
    for days in (50, 50, 50, 50, 50):
        finished(epic, days_to_done=days, done_ago=181)  # too long ago
        finished(epic, days_to_done=days, level="IL5")  # another level
        finished(epic, days_to_done=days, request_type=RequestType.PROD_DEPLOY)  # another type
    ticket = TicketFactory(epic=epic, status=Ticket.Status.SUBMITTED)
    result = forecast.forecast(ticket, now=NOW)
    assert result.finished == 5
    assert result.p85 == timezone.localdate(NOW + DAY)


def test_a_list_costs_two_queries_whatever_its_length(epic):
    for days in range(1, 8):
        finished(epic, days_to_done=days)
        finished(epic, days_to_done=days, level="IL2")

    def queries(count):
        tickets = [
            TicketFactory(epic=epic, status=Ticket.Status.SUBMITTED, impact_level=level)
            for level in ("IL2", "IL4") for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            result = forecast.forecasts(tickets, now=NOW)
        assert all(result.values())
        return len(captured)

    assert queries(1) == queries(10) == 2


def test_the_request_page_and_the_api_show_it_with_the_method(client):
    from django.urls import reverse

    from api.tokens import issue
    from tests.portal.pages import sign_in, text_of, world

    w = world()
    now = timezone.now()
    for days in (2, 3, 4, 5, 6):
        ticket = finished(w.mission, days_to_done=days, done_ago=5)
    ticket = TicketFactory(epic=w.mission, created_by=w.alice, status=Ticket.Status.SUBMITTED)
    expected = forecast.forecast(ticket, now=now)
    page = text_of(sign_in(client, w.alice).get(reverse("ticket_detail", args=[ticket.pk])))
    assert f"Likely done {expected.p50:%a} {expected.p50.day} {expected.p50:%b}" in page
    assert forecast.METHOD in page and "(5 such requests.)" in page
    answer = client.get(
        f"/api/v1/tickets/{ticket.pk}/", HTTP_AUTHORIZATION=f"Token {issue(w.alice)}"
    ).json()
    assert answer["forecast"] == {"p50": expected.p50.isoformat(), "p85": expected.p85.isoformat()}
    closed = TicketFactory(epic=w.mission, created_by=w.alice, status=Ticket.Status.DONE)
    assert client.get(f"/api/v1/tickets/{closed.pk}/").json()["forecast"] is None
    assert "Likely done" not in text_of(client.get(reverse("ticket_detail", args=[closed.pk])))
