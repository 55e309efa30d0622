"""GitLab's hook never waits on the broker: with this test's own Redis shut down or frozen
(SIGSTOP), a tag push is answered 503 within a second (GitLab shows it and resends), and
nothing is recorded; with Redis back, the same push is queued (202)."""

from __future__ import annotations

import shutil
import time

import pytest

from epics.models import Release
from tests.gitlab.test_tag_push_hook import deliver, prod_epic, tag_push  # noqa: F401
from tests.stack import private_redis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


@pytest.fixture(autouse=True)
def _hook_settings(settings):
    from tests.gitlab.test_tag_push_hook import SECRET

    settings.GITLAB_WEBHOOK_SECRET = SECRET


@pytest.fixture
def redis(tmp_path):
    with private_redis(tmp_path) as server:
        yield server


def _timed(body):
    deliver(body, token="wrong")  # a warm server: the first request of a process loads code
    started = time.monotonic()
    response = deliver(body)
    return response, time.monotonic() - started


@pytest.mark.parametrize("fault", ["shut down", "frozen"])
def test_a_dead_or_frozen_broker_answers_503_within_a_second(fault, redis, prod_epic):  # noqa: F811
    if fault == "shut down":
        redis.stop()
    else:
        redis.freeze()
    response, took = _timed(tag_push("v2.0.0"))
    assert response.status_code == 503, response.content
    assert took < 1.0, f"answered after {took:.2f} s"
    assert "resend the event later" in response.json()["detail"]
    assert not Release.objects.exists()


def test_with_the_broker_up_the_push_is_queued(redis, prod_epic):  # noqa: F811
    response, took = _timed(tag_push("v2.0.0"))
    assert response.status_code == 202
    assert took < 1.0
    assert redis.command("LLEN", "celery").strip().endswith(b"1")
