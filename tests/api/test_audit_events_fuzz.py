"""Schemathesis on `GET /api/v1/audit-events/` as an auditor (tests/security/test_api_fuzz.py
calls it as roles it refuses), with every check: whatever the parameters, valid or not, the
answer is never a server error and is as the schema says (a page, a stream, or a 400 naming
the parameter), and valid ones are taken."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api.tokens import issue
from portal.wsgi import application
from tests.security.test_api_fuzz import CONFIG, DERANDOMIZE, EXAMPLES
from tests.workflow.trail import small_trail

# `.exclude` rather than `.include(path=…)`: with operations in the config, schemathesis 4.32
# drops an include filter.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG).exclude(
    path_regex="^(?!/api/v1/audit-events/$)"
)


@pytest.fixture
def auditor(request, db):
    """The trail and avery's token; the WSGI calls keep the test's connection open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(lambda signal=signal: signal.connect(close_old_connections))
    trail = small_trail()
    return {"Authorization": f"Token {issue(trail.avery)}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES * 2,
    derandomize=DERANDOMIZE,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_trail_never_fails_and_answers_as_its_schema_says(case, auditor):
    response = case.call(headers=auditor)
    case.validate_response(response, headers=auditor)  # every check
    # The auditor is let in: a page, a stream, a 400 naming the parameter (or 405 for a
    # method the endpoint does not take).
    assert response.status_code in (200, 400, 405), response.text
