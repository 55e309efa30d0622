"""/healthz, /readyz and /metrics: what an orchestrator and Prometheus see."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from portal import ops
from tests.portal.pages import sign_in, world
from workflow import services
from workflow.errors import Refusal

pytestmark = pytest.mark.django_db


def test_healthz_says_alive_without_a_session_or_the_banner(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.post("/healthz").status_code == 405


def test_readyz_checks_the_database_and_migrations(client, settings, in_process_tasks):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "redis": "not configured",
            "migrations": "ok",
            "scheduler": "not configured",  # tasks in-process (tests/ops/test_scheduler.py)
        },
        "last_tick": None,
    }


def test_readyz_fails_while_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"].startswith("failed (")
    assert body["checks"]["database"] == "ok"


def test_readyz_fails_with_unapplied_migrations(client, monkeypatch):
    monkeypatch.setattr(ops, "_migrations_checked", False)
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[("migration", False), ("another", False)],
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "2 unapplied"


def test_readyz_fails_while_the_database_is_down(client, monkeypatch):
    def down():
        raise OperationalError("could not connect to 10.0.0.5")

    monkeypatch.setitem(ops.CHECKS, "database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "failed (OperationalError)"  # no host names shown
    assert checks["migrations"] == "not checked"


# /metrics -------------------------------------------------------------------------------------


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_metrics_only_for_loopback_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 403


def test_metrics_need_the_bearer_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret-scraper"
    assert client.get("/metrics").status_code == 403  # not even from loopback
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    good = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper", REMOTE_ADDR="10.0.0.9"
    )
    assert good.status_code == 200


def test_transitions_and_refusals_are_counted_per_gate(client):
    people = world()
    before = scrape(client)
    ticket = services.ticket_file(
        by=people.alice,
        team=people.alpha,
        request_type="pipeline",
        impact_level="IL5",
        epic=people.mission,
    )
    services.ticket_triage(by=people.pat, ticket=ticket)
    with pytest.raises(Refusal):
        services.ticket_file(
            by=people.bob,
            team=people.bravo,
            request_type="pipeline",
            impact_level="IL4",
            epic=people.bravo_epic,
        )
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("mdo_transitions_total", model="ticket", action="file", outcome="done") == 1
    assert grew("mdo_transitions_total", model="ticket", action="triage", outcome="done") == 1
    assert grew("mdo_transitions_total", model="story", action="create", outcome="done") == 1
    assert grew("mdo_transitions_total", model="ticket", action="file", outcome="refused") == 1
    assert grew("mdo_gate_refusals_total", model="ticket", action="file", gate="team_funded") == 1
    assert (
        grew("mdo_gate_refusals_total", model="ticket", action="file", gate="team_onboarded") == 0
    )


def test_requests_and_the_notification_backlog_are_measured(client):
    people = world()
    signed = sign_in(Client(), people.alice)
    before = scrape(client)
    assert signed.get("/").status_code == 200
    services.ticket_file(
        by=people.alice,
        team=people.alpha,
        request_type="pipeline",
        impact_level="IL5",
        epic=people.mission,
    )
    after = scrape(client)
    labels = {"method": "GET", "view": "home", "status": "200"}
    assert value(after, "mdo_http_requests_total", **labels) == (
        value(before, "mdo_http_requests_total", **labels) + 1
    )
    assert value(after, "mdo_http_request_duration_seconds_count", method="GET", view="home") >= 1
    # In-process delivery waits for the commit, which a test's transaction never makes.
    assert value(after, "mdo_notifications_undelivered", state="pending") >= 1
    assert ("mdo_notifications_undelivered", (("state", "failed"),)) in after


def test_a_metric_failing_never_fails_the_action(monkeypatch):
    people = world()
    monkeypatch.setattr(ops.TRANSITIONS, "labels", mock.Mock(side_effect=RuntimeError("boom")))
    ticket = services.ticket_file(
        by=people.alice,
        team=people.alpha,
        request_type="pipeline",
        impact_level="IL5",
        epic=people.mission,
    )
    assert ticket.pk
