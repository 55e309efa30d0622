import pytest
from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app
from tests.factories import EpicFactory, TeamFactory, UserFactory
from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

NEEDS_POSTGRES = (
    "needs PostgreSQL (set DATABASE_URL=postgres://…): SQLite runs one writer at a time, "
    "so row locks and racing transactions cannot be shown on it"
)


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=NEEDS_POSTGRES))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: the tests are about the workflow, not about password stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counts (the token endpoint's rate) and cached choices live in the process's
    # cache: each test starts from none.
    cache.clear()


@pytest.fixture
def team(db):
    return TeamFactory(name="Team Alpha")


@pytest.fixture
def epic(team):
    return EpicFactory(team=team, title="Payments")


@pytest.fixture
def member(team):
    return UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[team])


@pytest.fixture
def pm(db):
    return UserFactory(username="pat", roles=[MDO_PM])


@pytest.fixture
def devops(db):
    return UserFactory(username="dana", roles=[DEVOPS])


@pytest.fixture
def cyber(db):
    return UserFactory(username="casey", roles=[CYBER])


@pytest.fixture
def classified(db):
    return UserFactory(username="cleo", roles=[CLASSIFIED_OPS])


@pytest.fixture
def outsider(db):
    """A product team member of another team."""
    return UserFactory(username="bob", roles=[PRODUCT_TEAM], teams=[TeamFactory(name="Team Bravo")])


@pytest.fixture
def in_process_tasks():
    """Run Celery tasks in-process, as the embedded default does (CI sets REDIS_URL)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
