"""The bounded publish (portal/broker.py): the request's id travels with what it queues,
and a publish that fails or hangs costs the caller at most the timeout."""

import threading
import time

import pytest

from portal import broker
from portal.celery import app
from portal.logging import _request_id, current_request_id


def test_the_publish_sees_the_request_s_id():
    seen = []
    token = _request_id.set("req-42")
    try:
        assert broker.taken(lambda: seen.append(current_request_id()), "a test", "nobody")
    finally:
        _request_id.reset(token)
    assert seen == ["req-42"]


def test_a_failing_publish_is_not_taken(caplog):
    def refuse():
        raise ConnectionError("refused")

    assert not broker.taken(refuse, "a test message", "the sweeper will retry")
    assert "a test message not queued now; the sweeper will retry" in caplog.text


@pytest.fixture
def to_a_broker():
    """Tasks published to a broker, not run in-process (the embedded default runs them)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


@pytest.mark.parametrize("eager", [False, True], ids=["to a broker", "in-process"])
def test_the_publish_sees_the_request_s_id_either_way(request, eager):
    if not eager:
        request.getfixturevalue("to_a_broker")
    test_the_publish_sees_the_request_s_id()


def test_a_hanging_publish_costs_the_timeout_only(settings, to_a_broker):
    settings.NOTIFICATION_PUBLISH_TIMEOUT = 0.2
    release = threading.Event()
    started = time.monotonic()
    assert not broker.taken(lambda: release.wait(5), "a test", "nobody")
    took = time.monotonic() - started
    release.set()
    assert took < 1.0
