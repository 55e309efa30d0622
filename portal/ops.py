"""Operations endpoints: /healthz (alive), /readyz (ready to serve), /metrics (Prometheus).

OpsMiddleware answers the three before anything else runs: no host check (a probe may use
the pod's address), no HTTPS redirect (probes speak plain HTTP inside the cluster), no
session and no consent banner. It also times every other request for the metrics.

Metrics come from the audit trail: `observe(*events)` is called by the services' runner
(workflow/services/runner.py) for the events of each action and refusal, and by sign-in
(portal/auth.py); it counts them by model, action and outcome, and each unmet gate of a
refusal by its code. With gunicorn's several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty folder they share, so /metrics adds up all of them.

/metrics answers only to `Authorization: Bearer $METRICS_TOKEN` when METRICS_TOKEN is set,
and otherwise only to clients on the loopback interface, and only while no reverse proxy is
configured (TRUSTED_PROXIES, TRUSTED_PROXY_HOPS): behind a proxy on the same host, every
request comes from loopback. portal/checks.py warns of a proxy without a token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

from celery import current_app
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from portal import scheduler
from portal.security import proxy_configured

logger = logging.getLogger(__name__)

TRANSITIONS = Counter(
    "mdo_transitions",
    "Events written to the audit trail (transitions, creations, sign-ins), by outcome.",
    ["model", "action", "outcome"],
)
GATE_REFUSALS = Counter(
    "mdo_gate_refusals",
    "Refused actions, once for each unmet gate, by gate code.",
    ["model", "action", "gate"],
)
HTTP_REQUESTS = Counter(
    "mdo_http_requests", "HTTP requests answered, by view and status.", ["method", "view", "status"]
)
HTTP_DURATION = Histogram(
    "mdo_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


# Counting audit events ------------------------------------------------------------------------


def observe(*events) -> None:
    """Count audit events: the services' runner counts an action's events once it has
    committed, and a refusal once it is recorded. Never raises: a metric must not fail an
    action."""
    for event in events:
        try:
            model = event.content_type.model
            TRANSITIONS.labels(model, event.action, event.outcome).inc()
            if event.outcome == "refused":
                for gate in (event.detail or {}).get("unmet", []):
                    GATE_REFUSALS.labels(model, event.action, str(gate)).inc()
        except Exception as exc:
            logger.warning("metrics: cannot count audit event: %r", exc)


# Health and readiness ------------------------------------------------------------------------


@never_cache
def healthz(request):
    """The process is up and answering. Nothing else is checked: a restart would not help."""
    return JsonResponse({"status": "ok"})


_migrations_checked = False


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _check_migrations() -> str:
    global _migrations_checked
    if _migrations_checked:  # once all applied, only a new release (a new process) adds some
        return "ok"
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} unapplied"
    _migrations_checked = True
    return "ok"


CHECKS = {"database": _check_database, "redis": _check_redis, "migrations": _check_migrations}


def _scheduler() -> tuple[str, str | None]:
    """What beat's last tick says (portal/scheduler.py), and when it was. Not part of
    readiness: a web process without a scheduler still serves, and restarting it would not
    bring beat back; the state is here for whoever watches. With tasks in-process and no
    tick ever recorded there is no scheduler to watch."""
    at = scheduler.last_tick()
    if at is None and current_app.conf.task_always_eager:
        return "not configured", None
    return scheduler.state(at), at.isoformat() if at else None


@never_cache
def readyz(request):
    """Ready for traffic: the database answers, Redis answers (when configured) and every
    migration is applied. 503 otherwise, naming the failing check (details are logged, not
    shown: they may name hosts). Also says how the scheduler is (`checks.scheduler`, and its
    `last_tick`), without making readiness depend on it."""
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "not checked"
            continue
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"failed ({type(exc).__name__})"
    ready = all(value in ("ok", "not configured") for value in results.values())
    answer = {"status": "ok" if ready else "unavailable", "checks": results}
    if results.get("migrations") == "ok":
        results["scheduler"], answer["last_tick"] = _scheduler()
    return JsonResponse(answer, status=200 if ready else 503)


# /metrics ------------------------------------------------------------------------------------


class NotificationBacklog:
    """Notifications not yet delivered (pending) or given up (failed), read at scrape time."""

    def describe(self):
        return []

    def collect(self):
        from django.db.models import Count

        from notifications.models import Notification

        gauge = GaugeMetricFamily(
            "mdo_notifications_undelivered",
            "Notifications waiting for delivery (pending) or given up (failed).",
            labels=["state"],
        )
        counts = dict.fromkeys((Notification.State.PENDING, Notification.State.FAILED), 0)
        try:
            rows = (
                Notification.objects.filter(state__in=list(counts))
                .values_list("state")
                .annotate(n=Count("id"))
            )
            counts.update(dict(rows))
        except Exception as exc:  # the database being down must not hide the other metrics
            logger.warning("metrics: cannot count notifications: %r", exc)
            return
        for state, number in counts.items():
            gauge.add_metric([state], number)
        yield gauge


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(NotificationBacklog())
    return registry


class _Forward:
    """This process's own metrics, beside the ones collected at scrape time."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_refusal(request) -> str:
    """Why /metrics is not for this request ("" when it is)."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return ""
        return "Forbidden: /metrics needs the header Authorization: Bearer <METRICS_TOKEN>.\n"
    if proxy_configured():
        return (
            "Forbidden: behind a reverse proxy (TRUSTED_PROXIES, TRUSTED_PROXY_HOPS) /metrics "
            "answers only with METRICS_TOKEN set, as Authorization: Bearer <token>.\n"
        )
    if not _is_loopback(request.META.get("REMOTE_ADDR", "")):
        return "Forbidden: without METRICS_TOKEN, /metrics answers loopback clients only.\n"
    return ""


def metrics_allowed(request) -> bool:
    return not metrics_refusal(request)


@never_cache
def metrics(request):
    if refusal := metrics_refusal(request):
        return HttpResponse(refusal, status=403, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


# The middleware ------------------------------------------------------------------------------

ENDPOINTS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class OpsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info.rstrip("/"))
        if endpoint is not None:
            if request.method not in ("GET", "HEAD"):
                return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
            return endpoint(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._count(request, response, time.perf_counter() - started)
        return response

    def _count(self, request, response, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        if match is not None:
            view = match.view_name
        elif request.path_info.startswith(self.static_prefix):
            view = "static"
        else:
            view = "unmatched"
        method = request.method if request.method in _METHODS else "other"
        try:
            HTTP_REQUESTS.labels(method, view, str(response.status_code)).inc()
            HTTP_DURATION.labels(method, view).observe(seconds)
        except Exception as exc:  # never fail a request over a metric
            logger.warning("metrics: %r", exc)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
