"""The dashboard's figures read from an audit trail the services wrote, against the values
worked out by hand in tests/insights/support.history()."""

import pytest

from epics.models import Epic
from insights import queries
from insights.dashboard import build
from insights.metrics import Period
from insights.queries import Scope
from tests.insights.support import CHICAGO, at, history, hours
from workflow import services

pytestmark = pytest.mark.django_db

E = Epic.Status


@pytest.fixture
def world(clock):
    made = history(clock)
    clock.set(made.now)
    return made


def period(weeks=2):
    return Period.last_weeks(weeks, now=at(13, 12), zone=CHICAGO)


def alpha(world, request_type=""):
    return Scope(frozenset({world.alpha.pk}), request_type)


def test_lead_times_join_each_finish_to_its_filing(world):
    rows = queries.finished_tickets(alpha(world), period())
    assert [(r.ticket_id, r.request_type, r.lead_seconds) for r in rows] == [
        (world.tickets.a.pk, "pipeline", hours(72)),
        (world.tickets.b.pk, "prod_deploy", hours(170)),
    ]
    everyone = queries.finished_tickets(Scope(), period())
    assert {r.ticket_id for r in everyone} == {
        world.tickets.a.pk,
        world.tickets.b.pk,
        world.tickets.f.pk,
    }
    only_type = queries.finished_tickets(Scope(None, "prod_deploy"), period())
    assert [r.ticket_id for r in only_type] == [world.tickets.b.pk]


def test_a_shorter_period_reads_only_its_own_rows(world):
    last_week = queries.finished_tickets(alpha(world), period(1))
    assert [r.ticket_id for r in last_week] == [world.tickets.b.pk]


def test_the_dashboard_of_team_alpha(world):
    board = build(alpha(world), period(), now=at(13, 12))
    lead = {row[0]: row[1:] for row in board.panel("lead_time").table.rows}
    # Days: 72 h = 3 days, 170 h = 7.08 days.
    assert lead["Additional IL2/IL4/IL5 pipeline"] == [1, 3.0, 3.0]
    assert lead["IL2/IL4/IL5 production deployment"] == [1, 7.08, 7.08]
    assert lead["IL6 production deploy"] == [0, None, None]
    assert board.panel("lead_time").headline.startswith(
        "Slowest: IL2/IL4/IL5 production deployment, median 7.1 days"
    )

    assert board.panel("finished").table.rows == [
        ["2026-11-02", 1, 1, 0, 0, 0],
        ["2026-11-09", 1, 0, 0, 1, 0],
    ]

    # Week of 2 Nov: A in 2 h. Week of 9 Nov: B in 22 h (past), C in 8 h, D rejected in 1 h.
    assert board.panel("triage").table.rows == [
        ["2026-11-02", 1, 1, 100],
        ["2026-11-09", 3, 2, 67],
    ]
    assert board.panel("triage").headline == (
        "75% of requests were triaged within 8 business hours (3 of 4). "
        "In Submitted now: 1 request, 1 past the goal."
    )

    waits = {row[0]: row[1:] for row in board.panel("time_in_status").table.rows}
    # Days (the longest stay, 99 h, sets the unit): ended, median, 90th, there now, longest.
    assert waits["Pipeline In Progress"] == ["in flight", 1, 0.83, 0.83, 0, None]  # 20 h
    assert waits["Pipeline Being Built"] == ["in flight", 1, 2.0, 2.0, 0, None]  # 48 h
    assert waits["Prod Deploy - Queued"] == ["in flight", 1, 2.12, 2.12, 0, None]  # 51 h
    assert waits["Prod Deploy - In Progress"] == ["in flight", 1, 0.88, 0.88, 0, None]  # 21 h
    assert waits["Pipeline Complete"] == ["at rest", 1, 4.12, 4.12, 0, None]  # 99 h
    assert waits["New"] == ["at rest", 1, 0.21, 0.21, 1, None]  # 5 h; Mission is still New
    assert waits["Prod Deploy - Complete"] == ["at rest", 0, None, None, 1, None]
    assert board.panel("time_in_status").headline == (
        "Epics wait longest in Prod Deploy - Queued: median 2.1 days (nine in ten within 2.1 days)."
    )

    flow = {row[0]: row[1:] for row in board.panel("flow").table.rows}
    columns = board.panel("flow").table.columns[1:]
    assert columns == [label for _, label in E.choices]

    def day(d):
        return dict(zip(columns, flow[f"2026-11-{d:02d}"], strict=True))

    assert day(2)["New"] == 1 and day(2)["Pipeline In Progress"] == 1
    assert day(3)["Pipeline Being Built"] == 1
    assert day(5)["Pipeline Complete"] == 1 and day(8)["Pipeline Complete"] == 1
    assert day(9)["Prod Deploy - Queued"] == 1
    assert day(11)["Prod Deploy - In Progress"] == 1
    assert day(13)["Prod Deploy - Complete"] == 1 and day(13)["New"] == 1
    assert all(sum(values) == 2 for values in flow.values())

    assert board.panel("open_work").table.rows == [
        ["IL2", 1, 0, 0, 1],
        ["IL4", 0, 0, 0, 0],
        ["IL5", 0, 1, 0, 1],
        ["IL6", 0, 0, 0, 0],
    ]
    glance = {g.label: (g.value, g.detail) for g in board.glance}
    assert glance["Slowest request type"][0] == "IL2/IL4/IL5 production deployment"
    assert glance["Epics wait longest in"][0] == "Prod Deploy - Queued"
    assert glance["Triaged within the goal"] == ("75%", "3 of 4 within 8 business hours")
    assert glance["Requests open now"] == ("2", "1 past the triage goal")


def test_every_team_and_one_type(world):
    board = build(Scope(None, "pipeline"), period(), now=at(13, 12))
    lead = board.panel("lead_time").table.rows
    # Only pipelines: A (72 h) and Bravo's F (24 h): median 48 h, 90th 24 + 0.9 * 48 = 67.2 h.
    assert lead == [["Additional IL2/IL4/IL5 pipeline", 2, 2.0, 2.8]]
    assert board.panel("finished").table.columns == [
        "Week starting",
        "Finished",
        "Additional IL2/IL4/IL5 pipeline",
    ]
    # Epic figures count every request type: three epics, Bravo's Console among them.
    assert sum(board.panel("flow").table.rows[-1][1:]) == 3


def test_an_empty_period_says_so_without_dividing_by_zero(world):
    board = build(Scope(frozenset({world.bravo.pk})), period(1), now=at(13, 12))
    assert board.panel("lead_time").chart is None
    assert board.panel("lead_time").headline == "No request was finished in this period."
    assert board.panel("time_in_status").chart is None
    assert board.panel("triage").headline.startswith("No request was triaged in this period.")
    assert board.panel("finished").headline == "No request was finished in the last 1 week."
    assert board.panel("finished").chart is not None  # zeros are a figure too
    assert board.panel("open_work").chart is None


def test_a_team_without_any_epic(world):
    board = build(Scope(frozenset()), period(), now=at(13, 12))
    assert board.panel("flow").chart is None
    assert board.panel("flow").empty == "There is no epic yet."


def test_epic_rows_without_a_status_change_are_left_out(world):
    moves = queries.epic_moves(alpha(world), period())
    assert all(m.from_status != m.to_status for m in moves)
    assert not [m for m in moves if m.epic_id == world.mission.pk and m.from_status]


def test_epics_now_and_the_longest_standing(world):
    now = queries.epics_now(Scope())
    assert {status: there.count for status, there in now.items()} == {
        E.NEW: 1,
        E.PIPELINE_COMPLETE: 1,
        E.PROD_DEPLOY_COMPLETE: 1,
    }
    assert now[E.NEW].oldest_since.astimezone(CHICAGO) == at(2, 8)  # Mission, since created
    assert now[E.PROD_DEPLOY_COMPLETE].oldest_since.astimezone(CHICAGO) == at(12, 12)
    assert now[E.PIPELINE_COMPLETE].oldest_since.astimezone(CHICAGO) == at(4, 9)  # Console


def test_an_epic_waiting_now_is_named(world, clock):
    """Mission's pipeline (C) is started on Fri 13 09:00: three hours later it still waits."""
    with clock.at(at(13, 9)):
        services.epic_start_pipeline(by=world.pat, epic=world.mission)
    board = build(alpha(world), period(), now=at(13, 12))
    waits = {row[0]: row[1:] for row in board.panel("time_in_status").table.rows}
    assert waits["Pipeline In Progress"] == ["in flight", 1, 0.83, 0.83, 1, 0.12]  # 3 h now
    assert board.panel("time_in_status").headline.endswith(
        "Waiting longest now: an epic in Pipeline In Progress for 3 hours."
    )
    svg = str(board.panel("time_in_status").chart)
    assert "longest now 3 h" in svg and "1 ended · 1 there now" in svg
