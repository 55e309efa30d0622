"""The audit trail's filters, pages and export (workflow/audit_query.py), as the page and
the API use them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from tests.workflow.trail import T0, access_request_event, event, small_trail
from workflow import audit_query
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def matching(**params) -> list[int]:
    """The ids of the events the filters match, oldest first."""
    filters = audit_query.TrailFilters(params)
    assert filters.is_valid(), filters.problems
    return list(filters.events().order_by(*audit_query.OLDEST_FIRST).values_list("pk", flat=True))


def problems(**params) -> dict[str, list[str]]:
    filters = audit_query.TrailFilters(params)
    assert not filters.is_valid()
    return filters.problems


@pytest.fixture
def trail():
    return small_trail()


# Each filter ---------------------------------------------------------------------------------


def test_no_filter_matches_the_whole_trail(trail):
    assert matching() == trail.ids


def test_actor_is_a_username_exactly(trail):
    ids = trail.ids
    assert matching(actor="alice") == [ids[0], ids[2], ids[4]]
    assert matching(actor="pat") == [ids[1], ids[3]]
    assert matching(actor="Alice") == [] and matching(actor="ali") == []


def test_actor_system_is_the_portal_itself_and_the_clock(trail):
    # The refused sign-in has no one signed in (stored without a name); the reminder is
    # the system actor's: both show as `system` and are found by it.
    assert matching(actor="system") == [trail.ids[5], trail.ids[7]]
    shown = [audit_query.represented(e)["actor"] for e in (trail.events[5], trail.events[7])]
    assert shown == ["system", "system"]


def test_object_type_and_object_id(trail):
    ids = trail.ids
    assert matching(object_type="ticket") == [ids[0], ids[1], ids[2], ids[6]]
    assert matching(object_type="ticket", object_id=str(trail.ticket.pk)) == ids[:3]
    assert matching(object_type="epic") == [ids[3]]
    assert matching(object_type="document") == [ids[4], ids[7]]
    assert matching(object_type="user") == [ids[5]]
    assert matching(object_type="story") == []


def test_access_requests_are_named_access_request(trail):
    made = access_request_event(trail.bob, T0 + dt.timedelta(days=3))
    assert matching(object_type="access_request") == [made.pk]
    assert audit_query.represented(made)["object_type"] == "access_request"


def test_comment_is_a_known_type_that_matches_nothing_yet(trail):
    assert matching(object_type="comment") == []


def test_action_and_outcome(trail):
    ids = trail.ids
    assert matching(action="withdraw") == [ids[2], ids[6]]
    assert matching(outcome="refused") == [ids[2], ids[5], ids[6]]
    assert matching(outcome="done") == [ids[0], ids[1], ids[3], ids[4], ids[7]]
    assert matching(actor="alice", outcome="refused") == [ids[2]]


def test_filters_combine(trail):
    ids = trail.ids
    assert matching(actor="alice", object_type="ticket", action="withdraw") == [ids[2]]
    assert matching(actor="pat", since="2026-03-02") == [ids[3]]


# Dates: since inclusive, until exclusive -------------------------------------------------------


def test_a_date_is_its_midnight_in_utc(trail):
    ids = trail.ids
    assert matching(since="2026-03-02") == ids[3:]
    assert matching(until="2026-03-02") == ids[:3]
    assert matching(since="2026-03-02", until="2026-03-03") == ids[3:6]


def test_since_is_inclusive_and_until_exclusive_to_the_microsecond(trail):
    ids = trail.ids
    assert matching(since="2026-03-01T13:00:00Z") == ids[1:]  # event 1 is at 13:00 exactly
    assert matching(until="2026-03-01T13:00:00Z") == ids[:1]
    assert matching(since="2026-03-01T13:00:00.000001Z") == ids[2:]
    assert matching(since="2026-03-01T13:00:00Z", until="2026-03-01T13:00:00.000001Z") == [ids[1]]


def test_a_date_time_without_offset_is_utc_and_an_offset_is_honoured(trail):
    ids = trail.ids
    assert matching(since="2026-03-01T13:00") == ids[1:]
    assert matching(since="2026-03-01T13:00:00+00:00") == ids[1:]
    # 08:00 in UTC-05:00 is 13:00 UTC; 14:00 at +01:00 too.
    assert matching(since="2026-03-01T08:00:00-05:00") == ids[1:]
    assert matching(until="2026-03-01T14:00:00+01:00") == ids[:1]


def test_a_plus_decoded_as_a_space_is_read_as_the_offset_it_was(trail):
    # ?since=2026-03-01T14:00+01:00 unencoded reaches the server as "…T14:00 01:00".
    assert matching(since=QueryDict("since=2026-03-01T14:00+01:00")["since"]) == trail.ids[1:]


# Bad values: an error naming the parameter ------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"object_type": "widget"}, "object_type"),
        ({"object_type": "ticket", "object_id": "twelve"}, "object_id"),
        ({"object_type": "ticket", "object_id": "0"}, "object_id"),
        ({"object_type": "ticket", "object_id": str(2**63)}, "object_id"),
        ({"object_id": "3"}, "object_id"),
        ({"outcome": "maybe"}, "outcome"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-30"}, "since"),
        ({"until": "2026-03-01T25:00"}, "until"),
        ({"since": "0001-01-01T00:00+01:00"}, "since"),
        ({"since": "2026-03-02", "until": "2026-03-02"}, "until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"actor": "a" * 151}, "actor"),
        ({"actor": "ali\x00ce"}, "actor"),
        ({"action": "x" * 61}, "action"),
        ({"before": "-1"}, "before"),
        ({"before": "5", "after": "6"}, "after"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page": "2"}, "page"),
    ],
)
def test_a_bad_value_is_an_error_naming_its_parameter(params, field):
    found = problems(**params)
    assert list(found) == [field]
    assert all(len(message) > 15 for message in found[field])


def test_the_date_error_says_what_is_accepted():
    (message,) = problems(since="31/01/2026")["since"]
    assert "ISO 8601" in message and "2026-01-31" in message


# Pages ----------------------------------------------------------------------------------------


def pages(size: int, **params) -> list[list[int]]:
    """Every page from the newest, following the older links."""
    filters = audit_query.TrailFilters(params)
    assert filters.is_valid()
    found, before = [], None
    while True:
        page = audit_query.page_of(filters.events(), before=before, size=size)
        found.append([e.pk for e in page.events])
        if page.older is None:
            return found
        before = page.older


def test_pages_are_newest_first_and_cover_the_trail_once(trail):
    newest_first = trail.ids[::-1]
    assert pages(3) == [newest_first[:3], newest_first[3:6], newest_first[6:]]
    assert pages(8) == [newest_first]
    assert pages(2, outcome="refused") == [[trail.ids[6], trail.ids[5]], [trail.ids[2]]]


def test_newer_pages_go_back_the_other_way(trail):
    events = AuditEvent.objects.all()
    newest_first = trail.ids[::-1]
    second = audit_query.page_of(events, before=newest_first[2], size=3)
    assert [e.pk for e in second.events] == newest_first[3:6]
    assert second.newer == newest_first[3]
    back = audit_query.page_of(events, after=second.newer, size=3)
    assert [e.pk for e in back.events] == newest_first[:3]
    assert back.newer is None and back.older == newest_first[2]
    first = audit_query.page_of(events, size=3)
    assert first.newer is None


def test_events_at_the_same_moment_are_paged_by_id(trail):
    same = T0 + dt.timedelta(days=5)
    tied = [event(trail.pat, trail.epic, "update", same).pk for _ in range(5)]
    events = AuditEvent.objects.filter(pk__in=tied)
    first = audit_query.page_of(events, size=2)
    second = audit_query.page_of(events, before=first.older, size=2)
    third = audit_query.page_of(events, before=second.older, size=2)
    seen = [[e.pk for e in p.events] for p in (first, second, third)]
    assert seen == [tied[:2:-1], tied[2:0:-1], tied[:1]]
    assert [e.pk for e in audit_query.page_of(events, after=third.events[0].pk, size=2).events] == [
        tied[2],
        tied[1],
    ]


def test_the_time_order_wins_over_the_id_order(trail):
    # An event written later about an earlier moment (a clock moved back) sits in its time.
    late = event(trail.pat, trail.epic, "update", T0 - dt.timedelta(days=1))
    assert pages(20)[0][-1] == late.pk


def test_a_page_is_one_query_at_any_depth(trail):
    events = AuditEvent.objects.all()
    with CaptureQueriesContext(connection) as first:
        audit_query.page_of(events, size=2)
    with CaptureQueriesContext(connection) as deep:
        audit_query.page_of(events, before=trail.ids[1], size=2)
    with CaptureQueriesContext(connection) as back:
        audit_query.page_of(events, after=trail.ids[1], size=2)
    assert (len(first), len(deep), len(back)) == (1, 1, 1)
    for query in (*first, *deep, *back):
        assert "OFFSET" not in query["sql"].upper()


# What an event says ------------------------------------------------------------------------------


def test_an_event_has_the_thirteen_fields(trail):
    shown = audit_query.represented(trail.events[1])
    assert tuple(shown) == audit_query.FIELDS
    assert shown == {
        "id": trail.ids[1],
        "at": "2026-03-01T13:00:00Z",
        "actor": "pat",
        "object_type": "ticket",
        "object_id": trail.ticket.pk,
        "action": "triage",
        "from_status": "submitted",
        "to_status": "triaged",
        "outcome": "done",
        "reason": "",
        "client_address": None,
        "hash": trail.events[1].hash,
        "previous_hash": trail.events[0].hash,
    }
    assert len(shown["hash"]) == 64


# The export -----------------------------------------------------------------------------------


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_csv_export_has_the_field_names_then_each_event_oldest_first(trail):
    response = audit_query.streamed("csv", AuditEvent.objects.all())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = body(response)
    assert text.splitlines()[0] == ",".join(audit_query.FIELDS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["id"]) for row in rows] == trail.ids
    assert rows[2]["outcome"] == "refused" and rows[2]["reason"] == "Triaged already."
    # What a spreadsheet would run as a formula is text.
    assert rows[6]["reason"] == "'=HYPERLINK(1)" and rows[7]["reason"] == "'- due"
    assert rows[5]["object_id"] == "" and rows[5]["actor"] == "system"


def test_the_page_s_csv_is_marked_utf8_for_spreadsheets(trail):
    text = body(audit_query.streamed("csv", AuditEvent.objects.all(), bom=True))
    assert text.startswith("\ufeff" + ",".join(audit_query.FIELDS) + "\r\n")


def test_json_lines_is_one_object_per_line(trail):
    response = audit_query.streamed("jsonl", AuditEvent.objects.filter(outcome="refused"))
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = body(response).splitlines()
    assert len(lines) == 3
    parsed = [json.loads(line) for line in lines]
    assert [p["id"] for p in parsed] == [trail.ids[2], trail.ids[5], trail.ids[6]]
    assert parsed[0] == audit_query.represented(trail.events[2])
    assert parsed[2]["reason"] == "=HYPERLINK(1)"  # JSON is data: nothing to neutralise


def test_the_export_streams_in_chunks_of_one_query_each(trail, monkeypatch):
    monkeypatch.setattr(audit_query, "CHUNK", 3)
    response = audit_query.streamed("jsonl", AuditEvent.objects.all())
    with CaptureQueriesContext(connection) as captured:
        lines = body(response).splitlines()
    assert len(lines) == 8
    # One query on PostgreSQL (a server-side cursor fetched chunk by chunk); SQLite reads
    # the same single query in chunks.
    assert len([q for q in captured if "workflow_auditevent" in q["sql"]]) == 1
