"""Beat's heartbeat in /readyz (portal/scheduler.py): operators see a dead scheduler.

The tick itself, written by a real beat, is tested with the whole `make run` stack in
tests/ops/test_devstack.py; here, what /readyz makes of the last tick it finds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal import scheduler
from portal.celery import app as celery_app
from portal.models import Heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued():
    """Tasks go to a broker (Redis, or files under `make run`), so a beat should be ticking."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = before


def ready(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_with_tasks_in_process_and_no_beat_there_is_nothing_to_watch(client, in_process_tasks):
    status, body = ready(client)
    assert status == 200
    assert body["checks"]["scheduler"] == "not configured" and body["last_tick"] is None


def test_a_broker_without_any_tick_says_beat_never_ticked_but_stays_ready(client, queued):
    status, body = ready(client)
    assert body["checks"]["scheduler"] == "never ticked" and body["last_tick"] is None
    assert status == 200 and body["status"] == "ok"  # the web still serves


def test_a_recent_tick_is_ok_and_shown(client, queued):
    scheduler.record_tick()
    status, body = ready(client)
    tick = dt.datetime.fromisoformat(body["last_tick"])
    assert body["checks"]["scheduler"] == "ok"
    assert timezone.now() - tick < dt.timedelta(seconds=5)


def test_a_tick_older_than_the_limit_says_late(client, queued, settings):
    settings.SCHEDULER_LATE_SECONDS = 120
    Heartbeat.objects.create(name=scheduler.BEAT, at=timezone.now() - dt.timedelta(seconds=121))
    status, body = ready(client)
    assert status == 200 and body["checks"]["scheduler"] == "late"
    Heartbeat.objects.update(at=timezone.now() - dt.timedelta(seconds=100))
    assert ready(client)[1]["checks"]["scheduler"] == "ok"


def test_recording_again_moves_the_one_heartbeat(queued):
    scheduler.record_tick()
    first = Heartbeat.objects.get().at
    scheduler.record_tick()
    assert Heartbeat.objects.count() == 1 and Heartbeat.objects.get().at >= first
