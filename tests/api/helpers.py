"""Small helpers for the API tests: URLs and the counts that show "nothing was stored"."""

from __future__ import annotations

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from requests_app.models import Ticket
from workflow.models import AccessRequest, AuditEvent

API = "/api/v1"


def url(resource: str, pk=None, *rest: str) -> str:
    parts = [API, resource, *([str(pk)] if pk is not None else []), *rest]
    return "/".join(parts) + "/"


def transition(resource: str, pk, name: str) -> str:
    return url(resource, pk, "transitions", name)


def rows() -> dict[str, int]:
    """How many rows each table holds, audit events apart by outcome."""
    return {
        "teams": Team.objects.count(),
        "epics": Epic.objects.count(),
        "tickets": Ticket.objects.count(),
        "stories": Story.objects.count(),
        "documents": Document.objects.count(),
        "pipelines": Pipeline.objects.count(),
        "releases": Release.objects.count(),
        "access_requests": AccessRequest.objects.count(),
        "audit_done": AuditEvent.objects.filter(outcome="done").count(),
    }


def snapshot(obj) -> dict:
    """Every stored field of the object, read afresh from the database."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def unmet_codes(response) -> list[str]:
    return [gate["code"] for gate in response.json()["unmet"]]
