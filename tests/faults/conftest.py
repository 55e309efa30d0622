"""The whole stack on loopback, once for the session: gunicorn (2 workers), one Celery
worker per queue (celery, email, webhook), Celery beat, a private redis-server, on the
pytest PostgreSQL test database, with a fake SMTP server and a fake Mattermost webhook.

The retries are shortened through the settings' environment so that an outage spanning
several attempts takes seconds, not minutes: backoff 0.5 s doubling to 2 s, the sweeper
every second, a lease of 8 s, e-mail timing out after 3 s and webhooks after 2 s.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connection

from api.tokens import issue
from epics.models import Epic, Team
from notifications.models import Webhook
from tests.factories import EpicFactory, TeamFactory, UserFactory
from tests.fakes import FakeSMTPServer, FakeWebhook
from tests.faults.tally import Api
from tests.stack import REDIS_SERVER, Redis, Stack, database_url
from workflow.permissions import MDO_PM, PRODUCT_TEAM

SETTINGS = {
    "EMAIL_TIMEOUT": 3,
    "WEBHOOK_TIMEOUT": 2,
    "NOTIFICATION_BACKOFF_SECONDS": 0.5,
    "NOTIFICATION_BACKOFF_MAX_SECONDS": 2,
    "NOTIFICATION_RETRY_AFTER_SECONDS": 1,
    "NOTIFICATION_LEASE_SECONDS": 8,
    "NOTIFICATION_PUBLISH_TIMEOUT": 0.5,
}


# Each module's pytestmark: the real stack needs PostgreSQL and redis-server. Every table is
# emptied after each test but django_content_type's: the stack's processes, which outlive
# the tests, keep the content types' ids in their caches (a flush would give them new ones).
MARKS = [
    pytest.mark.postgres,
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            app for app in settings.INSTALLED_APPS if app != "django.contrib.contenttypes"
        ],
    ),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server installed"),
]


@pytest.fixture(scope="package")
def receivers():
    smtp, hook = FakeSMTPServer(), FakeWebhook()
    yield smtp, hook
    smtp.close()
    hook.close()


@pytest.fixture(scope="package")
def redis(tmp_path_factory):
    server = Redis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="package")
def stack(django_db_setup, redis, receivers, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("the fault test runs on PostgreSQL only")
    smtp, _ = receivers
    env = {**SETTINGS, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": smtp.port}
    running = Stack(
        tmp_path_factory.mktemp("stack"), redis, database_url(connection.settings_dict), env
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def fresh(stack, redis, receivers):
    """Each test: the default settings, a running and empty Redis, fakes that work."""
    with contextlib.suppress(ProcessLookupError):
        redis.thaw()
    if redis.process.poll() is not None:
        redis.start()
    redis.flush()
    stack.configure()
    for fake in receivers:
        fake.reset()
    assert set(stack.alive()) == {"web", "beat", "celery", "email", "webhook"}, stack.alive()
    yield
    for fake in receivers:
        fake.reset()
    with contextlib.suppress(ProcessLookupError):
        redis.thaw()


@dataclass
class World:
    """A team with its members, MDO PMs, epics, webhooks, and API clients."""

    team: Team
    epics: list[Epic]
    filer: Api
    pm: Api
    pms: list = field(default_factory=list)


@pytest.fixture
def world(stack, receivers):
    """`world(pms=15, members=1, epics=1, role_hooks=1, team_hook=False)`."""
    _, hook = receivers

    def make(pms=15, members=1, epics=1, role_hooks=1, team_hook=False) -> World:
        team = TeamFactory(name="Team Alpha")
        people = [
            UserFactory(username=f"member{i}", roles=[PRODUCT_TEAM], teams=[team])
            for i in range(members)
        ]
        managers = [UserFactory(username=f"pm{i}", roles=[MDO_PM]) for i in range(pms)]
        for i in range(role_hooks):
            Webhook.objects.create(name=f"PMs {i}", url=f"{hook.url}/pm{i}", role=MDO_PM)
        if team_hook:
            Webhook.objects.create(name="Team Alpha", url=f"{hook.url}/team", team=team)
        made = World(
            team=team,
            epics=[EpicFactory(team=team, title=f"App {i}") for i in range(epics)],
            filer=Api(stack.base_url, issue(people[0])),
            pm=Api(stack.base_url, issue(managers[0])),
            pms=managers,
        )

        for api in (made.filer, made.pm):
            api.warm()  # each gunicorn worker has answered a request: no first-request costs
        return made

    return make
