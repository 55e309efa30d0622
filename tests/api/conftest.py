import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.tokens import issue
from epics.models import Epic
from tests.factories import EpicFactory, PipelineFactory, TeamFactory, UserFactory
from workflow.permissions import PRODUCT_TEAM


@pytest.fixture(autouse=True)
def _token_throttle_forgotten():
    """The token endpoint's throttle counts in the cache (api/tokens.py): each test starts
    with none, whatever the tests before it asked."""
    cache.clear()


@pytest.fixture
def api(db):
    """`api(user)`: a client that sends the user's token (re-read on every request, as in
    production); `api()`: a client that is not signed in."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)}")
        return client

    return client_for


@pytest.fixture
def bravo(outsider):
    """Team Bravo, bob's team."""
    return outsider.teams.get()


@pytest.fixture
def bravo_epic(bravo):
    return EpicFactory(team=bravo, title="Bravo app")


@pytest.fixture
def done_epic(team):
    """An epic of Team Alpha whose pipelines are complete at IL2, IL4 and IL5 (ready for a
    production deploy at any of them: gate pipeline_at_level)."""
    epic = EpicFactory(team=team, title="Ledger", status=Epic.Status.PIPELINE_COMPLETE)
    for level in ("IL2", "IL4", "IL5"):
        PipelineFactory(epic=epic, impact_level=level)
    return epic


@pytest.fixture
def unfunded_member(db):
    team = TeamFactory(name="Team Charlie", funded=False, onboarded=False)
    return UserFactory(username="carl", roles=[PRODUCT_TEAM], teams=[team])
