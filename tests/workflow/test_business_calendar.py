"""The business calendar and the triage due time (WORKFLOWS.md, "Service levels people can
see"): 08:00-18:00 Central, Monday to Friday, less the federal holidays on their observed
days and the closure days an MDO PM records; due = filing + 8 business hours + the business
time spent in Needs Info. Every time below is Chicago time, worked out by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tests.insights.support import Clock
from tests.portal.pages import sign_in, text_of
from workflow import services
from workflow.business_hours import Calendar, add_business_hours, business_hours_between
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import AuditEvent, ClosureDay
from workflow.service_levels import triage_clock, triage_due_at
from workflow.services.closures import closure_day_record, closure_day_withdraw

CHICAGO = ZoneInfo("America/Chicago")


def at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _calendar(settings):
    settings.TIME_ZONE = settings.BUSINESS_TIME_ZONE = "America/Chicago"
    settings.BUSINESS_OPEN_HOUR, settings.BUSINESS_CLOSE_HOUR = 8, 18
    settings.BUSINESS_DAYS = [0, 1, 2, 3, 4]
    settings.TRIAGE_GOAL_BUSINESS_HOURS = 8


@pytest.fixture
def clock():
    travelling = Clock()
    travelling.start()
    yield travelling
    travelling.stop()


def due(filed: dt.datetime, calendar: Calendar | None = None) -> dt.datetime:
    return (calendar or Calendar()).add_hours(filed, 8)


# The calendar ---------------------------------------------------------------------------------


def test_a_weekend_is_not_business_time():
    # Friday 4 Dec 16:00: 2 h on Friday, 6 h on Monday.
    assert due(at(2026, 12, 4, 16)) == at(2026, 12, 7, 14)
    # Filed on Saturday: the clock starts Monday 08:00.
    assert due(at(2026, 12, 5, 11)) == at(2026, 12, 7, 16)
    assert Calendar().hours_between(at(2026, 12, 4, 16), at(2026, 12, 7, 14)) == 8


def test_thanksgiving_is_closed_and_the_day_after_is_not():
    # Wednesday 25 Nov 14:00: 4 h that day, Thursday 26 Nov (Thanksgiving) closed, Friday 27
    # open: done at 12:00.
    assert due(at(2026, 11, 25, 14)) == at(2026, 11, 27, 12)
    assert Calendar().hours_between(at(2026, 11, 25, 8), at(2026, 11, 30, 8)) == 20


def test_a_saturday_holiday_is_observed_on_the_friday_before():
    # 4 July 2026 is a Saturday: observed Friday 3 July. Thursday 2 Jul 14:00 + 4 h, then
    # Monday 6 Jul 4 h.
    assert due(at(2026, 7, 2, 14)) == at(2026, 7, 6, 12)
    # Christmas Day 2026 is a Friday.
    assert due(at(2026, 12, 24, 14)) == at(2026, 12, 28, 12)
    # New Year's Day 2022 (a Saturday) was observed on Friday 31 December 2021.
    assert due(at(2021, 12, 30, 14)) == at(2022, 1, 3, 12)


def test_long_spans_count_whole_weeks_less_the_closed_days():
    # December 2026: 23 weekdays less Christmas; 1 January 2027 is New Year's Day.
    calendar = Calendar()
    assert calendar.hours_between(at(2026, 12, 1, 8), at(2027, 1, 1, 8)) == 220
    closed = Calendar(closures=[dt.date(2026, 12, 14)])
    assert closed.hours_between(at(2026, 12, 1, 8), at(2027, 1, 1, 8)) == 210
    assert calendar.add_hours(at(2026, 12, 1, 8), 220) == at(2026, 12, 31, 18)
    assert closed.add_hours(at(2026, 12, 1, 8), 220) == at(2027, 1, 4, 18)


def test_a_calendar_without_working_days_has_no_due_time(settings):
    settings.BUSINESS_DAYS = []
    assert Calendar().add_hours(at(2026, 12, 4, 16), 8) is None


# Closure days ---------------------------------------------------------------------------------


def test_a_recorded_closure_day_moves_the_due_time_and_withdrawing_it_moves_it_back(pm):
    filed = at(2026, 12, 4, 16)
    closure = closure_day_record(by=pm, date=dt.date(2026, 12, 7), reason="Base closed: snow")
    assert add_business_hours(filed, 8) == at(2026, 12, 8, 14)  # Monday 7 Dec closed
    assert business_hours_between(filed, at(2026, 12, 8, 14)) == 8
    recorded = AuditEvent.objects.for_object(closure).get()
    assert (recorded.action, recorded.actor_name, recorded.outcome) == (
        "record_closure",
        "pat",
        "done",
    )
    closure_day_withdraw(by=pm, closure=closure)
    assert add_business_hours(filed, 8) == at(2026, 12, 7, 14)
    closure.refresh_from_db()
    assert closure.withdrawn_by == pm and closure.withdrawn_at is not None
    assert ClosureDay.objects.count() == 1  # kept, marked withdrawn
    assert AuditEvent.objects.for_object(closure).filter(action="withdraw_closure").exists()


@pytest.mark.parametrize(
    ("day", "reason", "field", "message"),
    [
        (dt.date(2026, 12, 5), "Snow", "date", "Saturday 2026-12-05 is not a working day anyway."),
        (dt.date(2026, 11, 26), "Turkey", "date", "2026-11-26 is a federal holiday"),
        (None, "Snow", "date", "Give the day MDO is closed (YYYY-MM-DD)."),
        (dt.date(2026, 12, 7), "  ", "reason", "Say why MDO is closed that day."),
    ],
)
def test_a_closure_day_that_is_not_one_is_refused_naming_the_field(pm, day, reason, field, message):
    with pytest.raises(InvalidInput) as refused:
        closure_day_record(by=pm, date=day, reason=reason)
    assert message in refused.value.fields[field][0]
    assert not ClosureDay.objects.exists()
    event = AuditEvent.objects.get(action="record_closure")
    assert event.outcome == "refused" and event.detail["fields"] == [field]


def test_the_same_day_twice_is_refused(pm):
    closure_day_record(by=pm, date=dt.date(2026, 12, 7), reason="Snow")
    with pytest.raises(InvalidInput) as refused:
        closure_day_record(by=pm, date=dt.date(2026, 12, 7), reason="Snow again")
    assert refused.value.fields["date"] == ["2026-12-07 is already recorded as a closure day."]
    assert ClosureDay.objects.count() == 1


def test_only_mdo_pms_record_closure_days(member, pm):
    with pytest.raises(NotPermitted, match="Only MDO PMs may record closure days."):
        closure_day_record(by=member, date=dt.date(2026, 12, 7), reason="Snow")
    assert not ClosureDay.objects.exists()
    closure = closure_day_record(by=pm, date=dt.date(2026, 12, 7), reason="Snow")
    with pytest.raises(NotPermitted, match="Only MDO PMs may withdraw closure days."):
        closure_day_withdraw(by=member, closure=closure)
    closure.refresh_from_db()
    assert closure.withdrawn_at is None
    refusals = AuditEvent.objects.filter(outcome="refused", actor_name="alice")
    assert sorted(refusals.values_list("action", flat=True)) == [
        "record_closure",
        "withdraw_closure",
    ]


def test_the_closure_days_page_records_one_for_a_pm(client, pm):
    sign_in(client, pm)
    response = client.post(reverse("closure_days"), {"date": "2026-12-07", "reason": "Snow"})
    assert response.status_code == 302
    page = text_of(client.get(reverse("closure_days")))
    assert "Recorded: MDO is closed on 2026-12-07" in page
    assert "Mon 7 Dec 2026 Snow by pat" in page
    refused = client.post(reverse("closure_days"), {"date": "someday", "reason": "Snow"})
    assert refused.status_code == 400
    assert "Give the day MDO is closed (YYYY-MM-DD)." in text_of(refused)
    assert ClosureDay.objects.count() == 1
    withdrawn = client.post(reverse("closure_days"), {"withdraw": ClosureDay.objects.get().pk})
    assert withdrawn.status_code == 302
    assert ClosureDay.objects.in_force().count() == 0


def test_the_closure_days_page_refuses_others_and_changes_nothing(client, member):
    sign_in(client, member)
    response = client.post(reverse("closure_days"), {"date": "2026-12-07", "reason": "Snow"})
    assert response.status_code == 403
    assert "Recording closure days is for MDO PMs" in text_of(response)
    assert not ClosureDay.objects.exists()
    event = AuditEvent.objects.get(outcome="refused")
    assert (event.actor_name, event.action) == ("alice", "open_closures")


# The Needs Info pause ---------------------------------------------------------------------------


def test_the_triage_clock_stops_while_the_team_is_asked_for_information(clock, epic, member, pm):
    clock.set(at(2026, 12, 7, 9))  # Monday
    ticket = TicketFactory(epic=epic, created_by=member)
    assert triage_due_at([ticket]) == {ticket.pk: at(2026, 12, 7, 17)}
    clock.set(at(2026, 12, 7, 11))
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which cluster?")
    ticket.refresh_from_db()
    # Waiting in Needs Info on Tuesday 09:00: 7 h paused on Monday and 1 h on Tuesday so far;
    # the due time moves on with the pause, and it is not overdue (the team holds it).
    clock.set(at(2026, 12, 8, 9))
    paused = triage_clock(ticket)
    assert paused.paused and not paused.overdue
    assert paused.due_at == at(2026, 12, 8, 15)  # Monday 9-18, Tuesday 8-15: 8 + 8 h
    clock.set(at(2026, 12, 8, 10))
    services.ticket_provide_info(by=member, ticket=ticket, answer="The IL4 one.")
    ticket.refresh_from_db()
    # Paused Mon 11-18 (7 h) and Tue 8-10 (2 h): due 8 + 9 = 17 h after Mon 09:00.
    assert triage_due_at([ticket]) == {ticket.pk: at(2026, 12, 8, 16)}
    clock.set(at(2026, 12, 8, 15, 59))
    assert not triage_clock(ticket).overdue
    clock.set(at(2026, 12, 8, 16, 1))
    assert triage_clock(ticket).overdue
    assert triage_clock(ticket).due_at == at(2026, 12, 8, 16)  # no longer moves


def test_pauses_are_read_from_the_audit_trail_as_the_services_write_it(clock, epic, member, pm):
    """Two stays in Needs Info, a refused answer in between (it paused nothing more)."""
    clock.set(at(2026, 12, 7, 8))
    ticket = TicketFactory(epic=epic, created_by=member)
    stays = ((at(2026, 12, 7, 10), at(2026, 12, 7, 12)), (at(2026, 12, 7, 14), at(2026, 12, 7, 15)))
    for asked, answered in stays:
        clock.set(asked)
        services.ticket_ask_for_info(by=pm, ticket=ticket, question="And?")
        clock.set(answered)
        with pytest.raises(NotPermitted):
            services.ticket_provide_info(by=pm, ticket=ticket, answer="Not mine to answer")
        services.ticket_provide_info(by=member, ticket=ticket, answer="This.")
    ticket.refresh_from_db()
    # 8 h + 2 h + 1 h paused from Monday 08:00: Tuesday 09:00.
    assert triage_due_at([ticket]) == {ticket.pk: at(2026, 12, 8, 9)}


def test_a_ticket_out_of_triage_shows_no_due_time(clock, epic, member, pm):
    clock.set(at(2026, 12, 7, 8))
    ticket = TicketFactory(epic=epic, created_by=member)
    services.ticket_withdraw(by=member, ticket=ticket)
    ticket.refresh_from_db()
    clock.set(at(2026, 12, 14, 8))
    assert triage_clock(ticket) == triage_clock(ticket).__class__(None, False, False)
