"""The figures as pure functions, on rows written out by hand, against values worked out by
hand (the comments show the sums)."""

import datetime as dt

import pytest

from epics.models import Epic
from insights import metrics
from insights.metrics import (
    EpicMove,
    FinishedTicket,
    Period,
    Spread,
    StatusNow,
    TriageDecision,
    percentile,
)
from tests.insights.support import CHICAGO, at, hours

E = Epic.Status


# Percentiles and periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([1, 2, 3, 10], 0.5, 2.5),  # between 2 and 3
        ([1, 2, 3, 10], 0.9, 7.9),  # rank 2.7: 3 + 0.7 * (10 - 3)
        ([10, 1, 3, 2], 0.9, 7.9),  # order does not matter
        ([5], 0.5, 5),
        ([5], 0.9, 5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10),  # rank 9 exactly
        ([], 0.5, None),
    ],
)
def test_percentiles_interpolate_between_closest_ranks(values, fraction, expected):
    if expected is None:
        assert percentile(values, fraction) is None
    else:
        assert percentile(values, fraction) == pytest.approx(expected)


def test_a_spread_of_nothing_has_no_median():
    assert Spread.of([]) == Spread(0, None, None)


def test_a_period_is_whole_weeks_from_a_monday_at_midnight():
    period = Period.last_weeks(2, now=at(13, 12), zone=CHICAGO)  # Friday 13 November
    assert period.start == at(2, 0)
    assert period.weeks == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    assert period.days[0] == dt.date(2026, 11, 2) and period.days[-1] == dt.date(2026, 11, 13)
    assert len(period.days) == 12
    # Late on Sunday in Chicago is already Monday in UTC: the local week counts.
    assert period.week_of(at(8, 23)) == dt.date(2026, 11, 2)
    assert period.week_of(at(9, 0)) == dt.date(2026, 11, 9)


def test_a_one_week_period_on_a_monday_starts_that_morning():
    period = Period.last_weeks(1, now=at(9, 7), zone=CHICAGO)
    assert period.start == at(9, 0) and period.days == [dt.date(2026, 11, 9)]


# Lead time ----------------------------------------------------------------------------------------


def finished(ticket_id, request_type, filed, done):
    return FinishedTicket(ticket_id, request_type, filed, done)


ROWS = [
    finished(1, "pipeline", at(2, 9), at(5, 9)),  # 72 h, week of 2 Nov
    finished(2, "pipeline", at(3, 9), at(4, 9)),  # 24 h, week of 2 Nov
    finished(3, "pipeline", at(9, 9), at(12, 21)),  # 84 h, week of 9 Nov
    finished(4, "prod_deploy", at(5, 10), at(12, 12)),  # 170 h, week of 9 Nov
]
TYPES = ["pipeline", "new_pipeline_ctf", "prod_deploy", "il6_prod_deploy"]


def test_lead_time_by_type():
    figures = {f.request_type: f.spread for f in metrics.lead_time_by_type(ROWS, TYPES)}
    # pipeline: 24, 72, 84 -> median 72; 90th: rank 1.8 -> 72 + 0.8 * 12 = 81.6
    assert figures["pipeline"].count == 3
    assert figures["pipeline"].median == hours(72)
    assert figures["pipeline"].p90 == pytest.approx(hours(81.6))
    assert figures["prod_deploy"] == Spread(1, hours(170), hours(170))
    assert figures["new_pipeline_ctf"] == Spread(0, None, None)


def test_the_slowest_type_has_the_longest_median():
    slowest = metrics.slowest(metrics.lead_time_by_type(ROWS, TYPES))
    assert slowest.request_type == "prod_deploy"
    assert metrics.slowest(metrics.lead_time_by_type([], TYPES)) is None


def test_lead_time_and_throughput_week_by_week():
    period = Period.last_weeks(2, now=at(13, 12), zone=CHICAGO)
    weekly = metrics.lead_time_by_week(ROWS, period, TYPES)
    first, second = weekly["pipeline"]
    # Week of 2 Nov: 72 and 24 -> median 48, 90th 24 + 0.9 * 48 = 67.2.
    assert (first.week, first.spread.count, first.spread.median) == (
        dt.date(2026, 11, 2),
        2,
        hours(48),
    )
    assert first.spread.p90 == pytest.approx(hours(67.2))
    assert second.spread == Spread(1, hours(84), hours(84))
    assert [w.spread.count for w in weekly["prod_deploy"]] == [0, 1]

    per_week = metrics.finished_per_week(ROWS, period, TYPES)
    assert [(w.week.day, w.total) for w in per_week] == [(2, 2), (9, 2)]
    assert per_week[1].by_type == {
        "pipeline": 1,
        "new_pipeline_ctf": 0,
        "prod_deploy": 1,
        "il6_prod_deploy": 0,
    }


# Triage -------------------------------------------------------------------------------------------


def test_triage_within_the_goal_in_business_hours():
    period = Period.last_weeks(2, now=at(13, 12), zone=CHICAGO)
    decisions = [
        TriageDecision(1, at(2, 9), at(2, 11)),  # 2 h: within
        # Friday 16:00 to Monday 14:00: Fri 2 h + Mon 6 h = 8 h: within (at most the goal).
        TriageDecision(2, at(6, 16), at(9, 14)),
        TriageDecision(3, at(6, 16), at(9, 14, 30)),  # 8.5 h: past the goal
        # Saturday filing: the clock starts Monday 08:00; Monday 17:00 is 9 h: past it.
        TriageDecision(4, at(7, 10), at(9, 17)),
        TriageDecision(5, at(10, 20), at(11, 8, 30)),  # after hours to next morning: 0.5 h
    ]
    figures = metrics.triage_within_goal(decisions, period, 8)
    assert [(w.week.day, w.decided, w.within) for w in figures.weeks] == [(2, 1, 1), (9, 4, 2)]
    assert figures.weeks[1].share == 0.5
    assert (figures.decided, figures.within, figures.share) == (5, 3, 0.6)


def test_no_triage_is_no_share_not_zero():
    period = Period.last_weeks(1, now=at(13, 12), zone=CHICAGO)
    figures = metrics.triage_within_goal([], period, 8)
    assert figures.share is None and figures.weeks[0].share is None


def test_the_overdue_cutoff_is_the_goal_counted_back_in_business_hours():
    # Monday 10:00: 2 h on Monday, the other 6 h end Friday at 18:00, so Friday 12:00.
    cutoff = metrics.overdue_cutoff(at(9, 10), 8)
    assert abs(cutoff - at(6, 12)) <= dt.timedelta(milliseconds=1)
    # Thursday 15:00: 7 h that day, 1 h on Tuesday (Wednesday 11 November is Veterans Day, a
    # federal holiday): Tuesday 17:00.
    cutoff = metrics.overdue_cutoff(at(12, 15), 8)
    assert abs(cutoff - at(10, 17)) <= dt.timedelta(milliseconds=1)


def test_a_calendar_without_working_hours_has_nothing_overdue(settings):
    settings.BUSINESS_DAYS = []
    assert metrics.overdue_cutoff(at(9, 10), 8) is None


# Epic statuses ------------------------------------------------------------------------------------


def move(epic, before, after, when, previous=None):
    return EpicMove(epic, before, after, when, previous)


# Epic 1: created Mon 2 08:00, started 13:00, picked up Tue 3 09:00, done Thu 5 09:00.
# Epic 2: in New since Sun 1 12:00 (before the period), started Wed 4 12:00, still there.
MOVES = [
    move(1, "", E.NEW, at(2, 8)),
    move(1, E.NEW, E.PIPELINE_IN_PROGRESS, at(2, 13), at(2, 8)),  # New 5 h
    move(1, E.PIPELINE_IN_PROGRESS, E.PIPELINE_BEING_BUILT, at(3, 9), at(2, 13)),  # 20 h
    move(1, E.PIPELINE_BEING_BUILT, E.PIPELINE_COMPLETE, at(5, 9), at(3, 9)),  # 48 h
    move(2, E.NEW, E.PIPELINE_IN_PROGRESS, at(4, 12), at(1, 12)),  # New 72 h
]


def test_time_in_status_of_the_stays_that_ended_and_of_the_epics_still_there():
    now = at(5, 12)
    there_now = {
        E.PIPELINE_IN_PROGRESS: StatusNow(1, at(4, 12)),  # epic 2, 24 h so far
        E.PIPELINE_COMPLETE: StatusNow(1, at(5, 9)),
    }
    figures = {s.status: s for s in metrics.time_in_status(MOVES, there_now, now, E.values)}
    started = figures[E.PIPELINE_IN_PROGRESS]
    assert started.spread == Spread(1, hours(20), hours(20))  # epic 1's ended stay only
    assert (started.now, started.longest_now) == (1, hours(24))
    assert figures[E.PIPELINE_BEING_BUILT].spread == Spread(1, hours(48), hours(48))
    assert (figures[E.PIPELINE_BEING_BUILT].now, figures[E.PIPELINE_BEING_BUILT].longest_now) == (
        0,
        None,
    )
    # New: 5 h and 72 h: median 38.5 h, 90th 5 + 0.9 * 67 = 65.3 h.
    assert figures[E.NEW].spread.count == 2
    assert figures[E.NEW].spread.median == hours(38.5)
    assert figures[E.NEW].spread.p90 == pytest.approx(hours(65.3))
    assert figures[E.PROD_DEPLOY_QUEUED].spread.count == 0
    assert started.waiting and not figures[E.NEW].waiting


def test_cumulative_flow_walks_back_from_now():
    period = Period.last_weeks(1, now=at(5, 12), zone=CHICAGO)  # Mon 2 to Thu 5
    now_counts = {E.PIPELINE_COMPLETE: 1, E.PIPELINE_IN_PROGRESS: 1}
    flow = metrics.cumulative_flow(now_counts, MOVES, period, E.values)
    assert flow.days == [dt.date(2026, 11, d) for d in (2, 3, 4, 5)]
    # End of Mon 2: epic 1 in Pipeline In Progress, epic 2 still New.
    # Tue 3: epic 1 being built. Wed 4: epic 2 started. Thu 5: epic 1 complete.
    assert flow.counts[E.NEW] == [1, 1, 0, 0]
    assert flow.counts[E.PIPELINE_IN_PROGRESS] == [1, 0, 1, 1]
    assert flow.counts[E.PIPELINE_BEING_BUILT] == [0, 1, 1, 0]
    assert flow.counts[E.PIPELINE_COMPLETE] == [0, 0, 0, 1]
    # Every day counts every epic there was.
    assert [sum(flow.counts[s][i] for s in E.values) for i in range(4)] == [2, 2, 2, 2]


def test_open_work_by_impact_level():
    rows = [("IL4", "submitted", 2), ("IL4", "in_progress", 1), ("IL6", "triaged", 1)]
    work = metrics.open_work(rows, ["IL2", "IL4", "IL5", "IL6"], ["submitted", "triaged"])
    assert [(w.impact_level, w.total) for w in work] == [
        ("IL2", 0),
        ("IL4", 2),  # in_progress is not among the statuses asked for
        ("IL5", 0),
        ("IL6", 1),
    ]


def test_resting_and_in_flight_statuses_come_from_the_epic_model():
    assert metrics.RESTING == (
        E.NEW,
        E.PIPELINE_COMPLETE,
        E.DEPLOYED_STAGING,
        E.PROD_DEPLOY_COMPLETE,
    )
    assert metrics.IN_FLIGHT == (
        E.PIPELINE_IN_PROGRESS,
        E.PIPELINE_BEING_BUILT,
        E.PROD_DEPLOY_QUEUED,
        E.PROD_DEPLOY_IN_PROGRESS,
    )
