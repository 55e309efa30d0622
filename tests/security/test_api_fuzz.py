"""Schemathesis against /api/v1/schema/, with every check: every operation, fed what the
schema allows and what it does not, answers without a server error, as the schema says
(status code, content type, headers, body), refuses what the schema refuses, takes what it
allows, and needs the token it says it needs. scripts/api_fuzz.toml says which answers a
write may give to valid data (the rules of WORKFLOWS.md no schema states); scripts/api_fuzz.sh
runs the same checks from the command line against a live server (CI).

Runs in-process against the WSGI application, signed in with a token (an MDO PM, who may
take most actions, and a product team member, who files and records), over a small world
whose ids the generated paths use half of the time. Bounded: a few dozen examples per
operation, no deadline, no example database, so it stays well under two minutes.
`API_FUZZ_RANDOM=1 API_FUZZ_EXAMPLES=200` explores further.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from api.tokens import issue
from epics.models import Document, Epic, Story
from portal.wsgi import application
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    ReleaseFactory,
    StoryFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from workflow.models import AccessRequest
from workflow.permissions import DEVOPS, MDO_PM, PRODUCT_TEAM

# CI runs the same examples every time; API_FUZZ_RANDOM=1 (and more API_FUZZ_EXAMPLES)
# explores new ones.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = os.environ.get("API_FUZZ_RANDOM") != "1"


def small_world() -> dict[str, list[int]]:
    """A team with epics, tickets, stories, documents and releases in several statuses, and
    another team's; the ids of each resource, for the generated paths."""
    alpha = TeamFactory(name="Team Alpha")
    bravo = TeamFactory(name="Team Bravo")
    member = UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[alpha])
    UserFactory(username="dana", roles=[DEVOPS])
    live = EpicFactory(
        team=alpha,
        title="Payments",
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now() - dt.timedelta(days=2),
    )
    ready = EpicFactory(team=alpha, title="Ledger", status=Epic.Status.PIPELINE_COMPLETE)
    other = EpicFactory(team=bravo, title="Bravo app")
    DocumentFactory(epic=live, uploaded_by=member)
    DocumentFactory(epic=ready, uploaded_by=member, status=Document.Status.UPLOADED)
    TicketFactory(epic=ready, created_by=member)
    TicketFactory(
        epic=live, request_type=RequestType.PROD_DEPLOY, created_by=member, title="Deploy"
    )
    triaged = TicketFactory(epic=ready, created_by=member, status=Ticket.Status.TRIAGED)
    StoryFactory(ticket=triaged, epic=ready)
    TicketFactory(epic=other)
    ReleaseFactory(epic=live, tag="v1.0.0")
    AccessRequestFactory(user=member)
    return {
        "teams": [alpha.pk, bravo.pk],
        "epics": [live.pk, ready.pk, other.pk],
        "documents": list(Document.objects.values_list("pk", flat=True)),
        "tickets": list(Ticket.objects.values_list("pk", flat=True)),
        "stories": list(Story.objects.values_list("pk", flat=True)),
        "releases": list(live.releases.values_list("pk", flat=True)),
        "access-requests": list(AccessRequest.objects.values_list("pk", flat=True)),
    }


# The world of the test being run: ids of each resource, filled by the `caller` fixture and
# read while Hypothesis draws (the strategies are built at collection, before any data).
IDS: dict[str, list[int]] = {}

CONFIG = SchemathesisConfig.from_path(Path(__file__).parents[2] / "scripts" / "api_fuzz.toml")
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the ids name an object that exists (many of them the caller may see)."""
    known = IDS.get(context.operation.path.removeprefix("/api/v1/").split("/")[0])
    if not known or not isinstance(path_parameters, dict) or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(known).map(lambda pk: {**path_parameters, "id": pk}),
    )


@pytest.fixture(params=["pm", "member"])
def caller(request, db):
    """The world, and the token of who calls: an MDO PM, or a member of Team Alpha.

    The application is called as a WSGI server would, so each request's start and end would
    close the database connection, and with it the test's transaction (PostgreSQL): as
    Django's test client does, keep it open while the test runs."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(lambda signal=signal: signal.connect(close_old_connections))
    IDS.clear()
    IDS.update(small_world())
    user = (
        UserFactory(username="pat", roles=[MDO_PM])
        if request.param == "pm"
        else UserFactory(username="alice")
    )
    yield {"Authorization": f"Token {issue(user)}"}
    IDS.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_answers_as_its_schema_says(case, caller):
    response = case.call(headers=caller)
    case.validate_response(response, headers=caller)  # every check
