"""The audit trail's page (`/audit/`) and its export (`/audit/export`): auditors filter the
whole trail and download it; every other role is refused, and the refusal is recorded."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.portal.pages import sign_in, text_of
from tests.portal.test_pages_are_accessible import unlabelled_fields
from tests.workflow.trail import T0, event, small_trail
from workflow import audit_query
from workflow.models import AuditEvent
from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

pytestmark = pytest.mark.django_db

PAGE, EXPORT = reverse("audit_trail"), reverse("audit_export")


@pytest.fixture
def trail():
    return small_trail()


@pytest.fixture
def avery(trail, client):
    return sign_in(client, trail.avery)


def row_ids(response) -> list[int]:
    html = response.content.decode()
    return [int(n) for n in re.findall(r'<td data-label="#">(\d+)</td>', html)]


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_auditor_sees_the_whole_trail_newest_first(avery, trail):
    response = avery.get(PAGE)
    assert response.status_code == 200
    assert row_ids(response) == trail.ids[::-1]
    text = text_of(response)
    assert "Audit trail" in text and "Times are UTC" in text
    assert "2026-03-01 14:00:00" in text  # alice's refused withdrawal, in UTC
    assert "Triaged already." in text
    html = response.content.decode()
    assert html.count("audit__row--refused") == 3
    assert html.count('class="badge badge--refused">Refused</span>') == 3
    # Objects link to their pages where they have one.
    assert f'href="{reverse("ticket_detail", args=[trail.ticket.pk])}"' in html
    assert f'href="{reverse("epic_detail", args=[trail.epic.pk])}"' in html
    assert f'href="{reverse("document_download", args=[trail.document.pk])}"' in html
    assert response["Cache-Control"].startswith("private")
    assert unlabelled_fields(html) == []


def test_the_navigation_leads_auditors_and_superusers_there(trail, client):
    link = f'href="{PAGE}"'
    assert link in sign_in(Client(), trail.avery).get(reverse("home")).content.decode()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert link in sign_in(Client(), root).get(reverse("home")).content.decode()
    assert link not in sign_in(Client(), trail.pat).get(reverse("home")).content.decode()


def test_filtering_to_alices_refusals_finds_one_and_the_export_keeps_the_filter(avery, trail):
    response = avery.get(PAGE, {"actor": "alice", "outcome": "refused"})
    assert row_ids(response) == [trail.ids[2]]
    html = response.content.decode()
    assert 'value="alice"' in html
    assert f"{EXPORT}?actor=alice&amp;outcome=refused&amp;format=csv" in html
    assert f"{EXPORT}?actor=alice&amp;outcome=refused&amp;format=jsonl" in html
    assert "1 event on this page, matching the filters" in text_of(response)


def test_each_filter_of_the_page(avery, trail):
    i = trail.ids
    assert row_ids(avery.get(PAGE, {"object_type": "document"})) == [i[7], i[4]]
    assert row_ids(avery.get(PAGE, {"action": "triage"})) == [i[1]]
    assert row_ids(avery.get(PAGE, {"since": "2026-03-02", "until": "2026-03-03"})) == [
        i[5],
        i[4],
        i[3],
    ]
    assert row_ids(avery.get(PAGE, {"object_type": "ticket", "object_id": trail.ticket.pk})) == [
        i[2],
        i[1],
        i[0],
    ]


def test_a_bad_filter_is_shown_and_nothing_else(avery, trail):
    response = avery.get(PAGE, {"since": "last tuesday", "object_type": "widget"})
    assert response.status_code == 400
    assert row_ids(response) == []
    text = text_of(response)
    assert "a filter needs fixing" in text
    assert "since: Give an ISO 8601 date" in text
    assert "object_type: Choose one of: ticket, epic" in text
    export = avery.get(EXPORT, {"since": "last tuesday"})
    assert export.status_code == 400 and "since: Give an ISO 8601 date" in text_of(export)
    assert avery.get(EXPORT, {"format": "xlsx"}).status_code == 400
    assert not AuditEvent.objects.filter(action="export_trail").exists()


def test_pages_go_older_and_back(avery, trail):
    first = avery.get(PAGE, {"page_size": 3})
    newest_first = trail.ids[::-1]
    assert row_ids(first) == newest_first[:3]
    older = re.search(r'href="([^"]+)" rel="next"', first.content.decode()).group(1)
    second = avery.get(older.replace("&amp;", "&"))
    assert row_ids(second) == newest_first[3:6]
    newer = re.search(r'href="([^"]+)" rel="prev"', second.content.decode()).group(1)
    assert row_ids(avery.get(newer.replace("&amp;", "&"))) == newest_first[:3]
    assert "« Newest" in text_of(second)


def test_the_csv_export_streams_every_match_for_a_spreadsheet(avery, trail):
    response = avery.get(EXPORT, {"format": "csv", "actor": "alice"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    text = streamed(response)
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    found = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert found[0] == list(audit_query.FIELDS)
    assert [int(row[0]) for row in found[1:]] == [trail.ids[0], trail.ids[2], trail.ids[4]]
    export = AuditEvent.objects.get(action="export_trail")
    assert (export.actor, export.detail) == (
        trail.avery,
        {"format": "csv", "filters": {"actor": "alice"}},
    )


def test_the_json_lines_export(avery, trail):
    response = avery.get(EXPORT, {"format": "jsonl", "outcome": "refused"})
    lines = [json.loads(line) for line in streamed(response).splitlines()]
    assert [e["id"] for e in lines] == [trail.ids[2], trail.ids[5], trail.ids[6]]


@pytest.mark.parametrize(
    "roles", [[PRODUCT_TEAM], [MDO_PM], [DEVOPS], [CYBER], [CLASSIFIED_OPS], []], ids=str
)
def test_every_other_role_is_refused_and_the_refusal_is_recorded(trail, roles):
    user = UserFactory(username="asker", roles=roles)
    client = sign_in(Client(), user)
    count = AuditEvent.objects.count()
    for path in (PAGE, f"{PAGE}?actor=alice", f"{EXPORT}?format=csv"):
        response = client.get(path)
        assert response.status_code == 403
        text = text_of(response)
        assert "The audit trail is not for your role" in text
        assert "is in the timeline on its page" in text  # what to do instead
        assert "Triaged already." not in text
    refused = AuditEvent.objects.filter(actor=user, action="read_trail")
    assert AuditEvent.objects.count() == count + 3 == count + refused.count()
    assert set(refused.values_list("outcome", flat=True)) == {"refused"}
    assert refused.order_by("pk").last().detail == {"path": f"{EXPORT}?format=csv"}


def test_not_signed_in_goes_to_the_banner_then_sign_in(trail, client):
    for path in (PAGE, EXPORT):
        response = client.get(path)
        assert response.status_code == 302 and "next=%2Faudit%2F" in response["Location"]


def test_the_page_only_reads(avery, trail):
    count = AuditEvent.objects.count()
    assert avery.post(PAGE).status_code == 405
    assert avery.post(EXPORT).status_code == 405
    avery.get(PAGE)
    assert AuditEvent.objects.count() == count


def _queries(client, path: str) -> int:
    client.get(path)  # warm (sessions, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_at_any_size_and_depth(avery, trail):
    small = _queries(avery, f"{PAGE}?page_size=3")
    for n in range(200):
        event(trail.pat, trail.epic, "update", T0 + dt.timedelta(days=4, minutes=n))
    large = _queries(avery, f"{PAGE}?page_size=3")
    deep = _queries(avery, f"{PAGE}?page_size=3&before={trail.ids[4]}")
    filtered = _queries(avery, f"{PAGE}?page_size=3&actor=pat&outcome=done&before={trail.ids[4]}")
    full_page = _queries(avery, f"{PAGE}?page_size=200")
    assert small == large == deep == filtered == full_page
