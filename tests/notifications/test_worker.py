"""Delivery through a real Celery worker process on a real Redis, surviving a killed
worker, a broker outage and a failing webhook, once each.

Each test runs its own redis-server on a free loopback port (so stopping it disturbs
nobody) and a worker process on the test database, which therefore must be PostgreSQL.
"""

import time

import pytest
from django.db import connection

from notifications import tasks
from notifications.models import Notification, Webhook
from portal.celery import app
from tests.fakes import FakeSMTPServer, FakeWebhook
from tests.stack import (
    REDIS_SERVER,
    database_url,
    kill,
    private_redis,
    wait_ready,
    worker_process,
)
from tests.stack import wait as _wait
from workflow import services

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server installed"),
]


@pytest.fixture
def redis(tmp_path):
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture
def start_worker(redis, tmp_path):
    """Start a worker process on the test database and this test's Redis."""
    workers = []

    def start(**env):
        log = tmp_path / f"worker{len(workers)}.log"
        environment = {
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": redis.url,
            "NOTIFICATION_RETRY_AFTER_SECONDS": "1",
            **{k: str(v) for k, v in env.items()},
        }
        # every queue, where production runs a worker each
        process = worker_process(environment, log, name=f"test{len(workers)}")
        workers.append(process)
        wait_ready(process, log, "ready.", "the worker to be ready")
        return process

    yield start
    for process in workers:
        kill(process)


def file_ticket(member, epic):
    return services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )


def row(channel):
    return Notification.objects.get(channel=channel)


def test_webhook_failing_twice_then_answering_is_delivered_once(start_worker, member, pm, epic):
    hook = FakeWebhook(statuses=[500, 500])
    try:
        Webhook.objects.create(name="PMs", url=hook.url, role="mdo_pm")
        start_worker()
        file_ticket(member, epic)
        _wait(lambda: row("webhook").state == "delivered", what="the webhook delivery")
        assert hook.answered == [500, 500, 200]
        assert len(hook.received) == 1
        assert row("webhook").attempts == 3
    finally:
        hook.close()


def test_a_worker_killed_mid_delivery_is_replaced_and_delivers_once(start_worker, member, pm, epic):
    smtp = FakeSMTPServer(hold=60)
    try:
        # The killed worker's claim on the row runs out after its lease.
        first = start_worker(
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port, NOTIFICATION_LEASE_SECONDS=3
        )
        file_ticket(member, epic)
        assert smtp.data_started.wait(30), "the worker never started sending"
        kill(first)
        assert row("email").state == "pending"

        smtp.hold = 0
        start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port)

        def swept_and_delivered():
            tasks.sweep_undelivered.delay()  # what beat does, every few seconds
            return row("email").state == "delivered"

        _wait(swept_and_delivered, what="the e-mail delivery", every=1)
        notification = row("email")
        assert smtp.message_ids() == [f"<notification-{notification.pk}@mdo-portal>"]
        assert notification.attempts == 2  # the killed attempt counts; its lease ran out
    finally:
        smtp.close()


def test_filing_while_redis_is_down_succeeds_and_is_delivered_once_it_is_back(
    redis, start_worker, settings, member, pm, epic
):
    smtp = FakeSMTPServer()
    try:
        start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port)
        redis.stop()
        ticket = file_ticket(member, epic)  # publishing fails fast; the filing commits
        assert ticket.pk and row("email").state == "pending"

        redis.start()
        settings.NOTIFICATION_RETRY_AFTER_SECONDS = 0
        app._pool = app.amqp._producer_pool = None
        tasks.sweep_undelivered()  # beat's sweep, from this process
        _wait(lambda: row("email").state == "delivered", timeout=60, what="the delivery")
        tasks.sweep_undelivered()  # a second beat: nothing more is sent
        time.sleep(1)
        assert smtp.message_ids() == [f"<notification-{row('email').pk}@mdo-portal>"]
    finally:
        smtp.close()
