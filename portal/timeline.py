"""The timeline a page shows: the audit trail of its objects (workflow.selectors.history_of),
oldest first, in words a product team member reads. Who did what and when is for everyone
who sees the page; the client address each event came from only for staff and auditors
(`workflow.permissions.sees_client_addresses`), never for product team members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from workflow.permissions import sees_client_addresses
from workflow.selectors import history_of

# What each recorded action says, by the kind of object it was taken on.
PHRASES = {
    "ticket": {
        "file": "filed the request",
        "triage": "triaged the request",
        "reject": "rejected the request",
        "withdraw": "withdrew the request",
        "start_work": "started work on the request",
        "finish": "finished the work on the request",
        "open_classified_story": "opened the Classified Ops story",
        "ask_for_info": "asked the team for information",
        "provide_info": "answered the question",
    },
    "story": {
        "create": "opened the story",
        "assign": "assigned the story",
        "pick_up": "picked up the story",
        "complete": "completed the story",
        "cancel": "cancelled the story",
    },
    "epic": {
        "create": "opened the epic",
        "start_pipeline": "started the pipeline",
        "verify_cyber_compliance": "verified cyber compliance",
        "queue_prod_deploy": "queued the production deployment",
        "assign": "moved the epic (story assigned)",
        "pick_up": "moved the epic (story picked up)",
        "complete": "moved the epic (story completed)",
        "revert": "put the epic back",
    },
    "document": {
        "upload": "uploaded the document",
        "verify": "verified the document",
        "reject": "rejected the document",
    },
    "release": {"create": "recorded the release tag"},
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    subject: str
    from_label: str
    to_label: str
    refused: bool
    reason: str
    assignee: str = ""
    kind: str = ""
    address: str = ""  # where it came from: only in the timelines of those who see addresses


def _status_label(model, value: str) -> str:
    status = getattr(model, "Status", None)
    if not value or status is None:
        return value
    try:
        return status(value).label
    except ValueError:
        return value


def entries(*sources, viewer) -> list[Entry]:
    """The merged history of `sources`, oldest first, as `viewer` may read it: each source an
    object (its whole history) or a queryset of audit events (part of one). One query each."""
    addresses = sees_client_addresses(viewer)
    events = []
    for source in sources:
        events.extend(source if isinstance(source, QuerySet) else history_of(source))
    events.sort(key=lambda e: (e.created_at, e.pk))
    result = []
    for event in events:
        model = ContentType.objects.get_for_id(event.content_type_id).model_class()
        kind = model._meta.model_name
        phrase = PHRASES.get(kind, {}).get(event.action, event.action.replace("_", " "))
        if event.outcome == "refused":
            phrase = f"was refused: {event.action.replace('_', ' ')}"
        result.append(
            Entry(
                at=event.created_at,
                who=event.actor_name or "system",
                what=phrase,
                subject=event.object_repr,
                from_label=_status_label(model, event.from_status),
                to_label=_status_label(model, event.to_status),
                refused=event.outcome == "refused",
                reason=event.reason,
                # Who a story was assigned to (picking up assigns oneself: no need to say).
                assignee=(event.detail or {}).get("assignee", "")
                if event.action == "assign"
                else "",
                kind=kind,
                address=(event.client_address or "") if addresses else "",
            )
        )
    return result
