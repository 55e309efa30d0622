"""JSON logs with a request id: on the response, on every line of the request, and carried
to the Celery task the request queued."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest

from portal import logging as portal_logging
from tests.portal.pages import acknowledge_banner

pytestmark = pytest.mark.django_db


def test_every_answer_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/consent/")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_the_callers_request_id_is_kept_when_it_is_sane(client):
    response = client.get("/consent/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"
    hostile = client.get("/consent/", HTTP_X_REQUEST_ID='"><script>alert(1)</script>')
    assert hostile["X-Request-ID"] != '"><script>alert(1)</script>'
    assert len(hostile["X-Request-ID"]) == 32


def test_each_request_logs_one_line_with_its_id(client, caplog, settings):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = client.get("/consent/", HTTP_X_REQUEST_ID="req-1")
    [record] = [r for r in caplog.records if r.name == "portal.request"]
    assert record.request_id == "req-1"
    assert (record.method, record.path, record.status) == ("GET", "/consent/", 200)
    assert record.duration_ms >= 0 and response.status_code == 200


def test_the_json_formatter_writes_one_object_per_line():
    record = logging.LogRecord("portal.x", logging.WARNING, __file__, 1, "hi %s", ("there",), None)
    record.request_id = "abc"
    record.status = 503
    line = portal_logging.JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "hi there" and entry["level"] == "WARNING"
    assert entry["request_id"] == "abc" and entry["status"] == 503
    assert entry["logger"] == "portal.x" and entry["time"].endswith("+00:00")


def test_the_json_formatter_keeps_tracebacks_on_one_line():
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    entry = json.loads(portal_logging.JsonFormatter().format(record))
    assert "ValueError: bad" in entry["exc_info"]


def test_django_request_errors_carry_the_request_id(client, caplog):
    acknowledge_banner(client)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-404").status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    filtered = portal_logging.RequestIdFilter()
    for record in records:
        record.request_id = ""
        filtered.filter(record)
        assert record.request_id == "req-404"


def test_a_task_queued_by_a_request_runs_with_its_id():
    token = portal_logging._request_id.set("req-42")
    try:
        headers = {}
        portal_logging._send_request_id(headers=headers)
    finally:
        portal_logging._request_id.reset(token)
    assert headers == {"request_id": "req-42"}
    # The worker: the header arrives as an attribute of the task's request.
    task = SimpleNamespace(request=SimpleNamespace(request_id="req-42"))
    portal_logging._receive_request_id(task_id="t-1", task=task)
    assert portal_logging.current_request_id() == "req-42"
    portal_logging._forget_request_id(task_id="t-1")
    assert portal_logging.current_request_id() == ""
    # A task queued from elsewhere (beat) is known by its own id.
    portal_logging._receive_request_id(task_id="t-2", task=SimpleNamespace(request=None))
    assert portal_logging.current_request_id() == "t-2"
    portal_logging._forget_request_id(task_id="t-2")
