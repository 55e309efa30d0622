"""`GET /api/v1/audit-events/` (API.md): the whole trail for auditors and superusers, its
filters, its pages by position, and `?format=csv|jsonl` streaming every match; and the
client addresses of every `…/history/`, shown to staff and auditors only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import rows, transition, url
from tests.factories import UserFactory
from tests.workflow.trail import T0, event, small_trail
from workflow import audit_query
from workflow.models import AuditEvent
from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

pytestmark = pytest.mark.django_db

EVENTS = url("audit-events")


@pytest.fixture
def trail():
    return small_trail()


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_an_auditor_reads_the_whole_trail_newest_first(api, trail):
    response = api(trail.avery).get(EVENTS)
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"next", "previous", "results"}
    assert page["next"] is None and page["previous"] is None
    assert [e["id"] for e in page["results"]] == trail.ids[::-1]
    assert page["results"][-1] == audit_query.represented(trail.events[0])
    assert list(page["results"][0]) == list(audit_query.FIELDS)


def test_a_superuser_reads_it_too(api, trail):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert api(root).get(EVENTS).status_code == 200


@pytest.mark.parametrize("role", [PRODUCT_TEAM, MDO_PM, DEVOPS, CYBER, CLASSIFIED_OPS, None])
def test_every_other_role_is_refused_and_the_refusal_is_recorded(api, trail, role):
    user = UserFactory(username="asker", roles=[role] if role else [])
    before = rows()
    for path in (EVENTS, EVENTS + "?format=csv", EVENTS + "?format=jsonl&actor=alice"):
        response = api(user).get(path)
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
        assert "Only auditors read the whole audit trail" in response.json()["detail"]
    assert rows() == before  # nothing done (the refusals are recorded as refused)
    refused = AuditEvent.objects.filter(actor=user, action="read_trail", outcome="refused")
    assert refused.count() == 3
    assert refused.first().detail["path"].startswith(EVENTS)
    assert audit_query.represented(refused.first())["object_type"] == "audit_event"


def test_not_signed_in_is_401_and_records_nothing(api, trail):
    count = AuditEvent.objects.count()
    response = api().get(EVENTS)
    assert response.status_code == 401 and response.json()["detail"]
    assert AuditEvent.objects.count() == count


def test_the_filters(api, trail):
    client = api(trail.avery)

    def ids(**params):
        response = client.get(EVENTS, params)
        assert response.status_code == 200, response.json()
        return [e["id"] for e in response.json()["results"]][::-1]

    i = trail.ids
    assert ids(actor="alice", outcome="refused") == [i[2]]
    assert ids(object_type="ticket", object_id=trail.ticket.pk) == i[:3]
    assert ids(action="withdraw") == [i[2], i[6]]
    assert ids(since="2026-03-02", until="2026-03-03") == i[3:6]
    assert ids(since="2026-03-01T08:00:00-05:00", until="2026-03-01T15:00:00+01:00") == [i[1]]
    assert ids(actor="system") == [i[5], i[7]]


@pytest.mark.parametrize(
    "query, field",
    [
        ("object_type=widget", "object_type"),
        ("object_id=3", "object_id"),
        ("object_type=ticket&object_id=abc", "object_id"),
        ("outcome=maybe", "outcome"),
        ("since=last%20week", "since"),
        ("until=2026-13-01", "until"),
        ("since=2026-03-02&until=2026-03-01", "until"),
        ("before=x", "before"),
        ("page_size=1000", "page_size"),
        ("page=2", "page"),
        ("format=xml", "format"),
        ("format=csv&since=soon", "since"),
        ("actor=%00", "actor"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, trail, query, field):
    count = AuditEvent.objects.count()
    response = api(trail.avery).get(f"{EVENTS}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["detail"] and field in answer and answer[field]
    assert AuditEvent.objects.count() == count  # no export recorded


def test_pages_follow_the_next_and_previous_links(api, trail):
    client = api(trail.avery)
    newest_first = trail.ids[::-1]
    first = client.get(EVENTS, {"page_size": 3, "outcome": "done"}).json()
    done = [i for i in newest_first if i not in (trail.ids[2], trail.ids[5], trail.ids[6])]
    assert [e["id"] for e in first["results"]] == done[:3]
    assert "outcome=done" in first["next"] and "page_size=3" in first["next"]
    second = client.get(first["next"]).json()
    assert [e["id"] for e in second["results"]] == done[3:]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert [e["id"] for e in back["results"]] == done[:3]
    assert back["previous"] is None


def test_csv_streams_every_match_with_the_field_names_as_header(api, trail):
    for n in range(60):  # more than a page
        event(trail.pat, trail.epic, "update", T0 + dt.timedelta(days=3, minutes=n))
    response = api(trail.avery).get(EVENTS, {"format": "csv", "actor": "pat"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response)
    assert text.splitlines()[0] == ",".join(audit_query.FIELDS)  # no byte-order mark
    found = list(csv.DictReader(io.StringIO(text)))
    assert len(found) == 62 and {row["actor"] for row in found} == {"pat"}
    assert [int(row["id"]) for row in found] == sorted(int(row["id"]) for row in found)
    export = AuditEvent.objects.get(action="export_trail")
    assert (export.actor, export.outcome) == (trail.avery, "done")
    assert export.detail == {"format": "csv", "filters": {"actor": "pat"}}


def test_json_lines_is_one_event_per_line(api, trail):
    response = api(trail.avery).get(EVENTS, {"format": "jsonl", "outcome": "refused"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    lines = [json.loads(line) for line in body(response).splitlines()]
    assert [e["id"] for e in lines] == [trail.ids[2], trail.ids[5], trail.ids[6]]
    assert all(list(e) == list(audit_query.FIELDS) for e in lines)


def test_the_accept_header_chooses_the_stream_too(api, trail):
    response = api(trail.avery).get(EVENTS, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert body(response).splitlines()[0].startswith("id,at,actor")


def test_the_addresses_are_in_the_trail(api, trail):
    api(trail.alice).post(
        transition("tickets", trail.ticket.pk, "withdraw"), REMOTE_ADDR="10.7.7.7"
    )
    results = api(trail.avery).get(EVENTS, {"actor": "alice"}).json()["results"]
    assert results[0]["client_address"] == "10.7.7.7"


def _queries(client, path) -> int:
    client.get(path)  # warm: the content types are cached once per process
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_at_any_size_and_depth(api, trail):
    client = api(trail.avery)
    small = _queries(client, EVENTS + "?page_size=3")
    for n in range(200):
        event(trail.pat, trail.epic, "update", T0 + dt.timedelta(days=4, minutes=n))
    large = _queries(client, EVENTS + "?page_size=3")
    deep = _queries(client, f"{EVENTS}?page_size=3&before={trail.ids[4]}")
    filtered = _queries(client, f"{EVENTS}?page_size=3&actor=pat&before={trail.ids[4]}")
    assert small == large == deep == filtered


# History: the same fields, addresses only for staff and auditors -------------------------------


def test_history_has_the_same_fields_and_hides_addresses_from_product_teams(api, trail):
    api(trail.pat).post(
        transition("tickets", trail.ticket.pk, "reject"), {"reason": "No."}, REMOTE_ADDR="10.9.8.7"
    )
    path = url("tickets", trail.ticket.pk, "history")
    seen = {}
    for who in (trail.alice, trail.pat, trail.avery):
        results = api(who).get(path).json()["results"]
        assert all(list(e) == list(audit_query.FIELDS) for e in results)
        seen[who.username] = [e["client_address"] for e in results]
    assert seen["pat"][-1] == seen["avery"][-1] == "10.9.8.7"
    assert set(seen["alice"]) == {None}
    assert len(seen["alice"]) == len(seen["pat"])


def test_the_browsable_page_and_the_format_suffix(api, trail):
    client = api(trail.avery)
    browsable = client.get(EVENTS, {"format": "api"})
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")
    suffixed = client.get("/api/v1/audit-events.jsonl")
    assert suffixed.status_code == 200
    assert len(body(suffixed).splitlines()) == len(trail.ids)
