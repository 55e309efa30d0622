"""Writing the audit trail: every action and every refusal, with the client's address.

Each successful event is also where notifications start (workflow/notifications.py): the
audit trail says what happened, the notification rules say who hears of it.

The address comes from the request being served (ClientAddressMiddleware keeps it in a
context variable), so services record it without every caller passing it along.
"""

from __future__ import annotations

import contextvars

from django.contrib.contenttypes.models import ContentType

from portal import ops as metrics
from workflow.models import AuditEvent
from workflow.notifications import notify_for

_client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_address", default=None
)


def client_address_of(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(client_address_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)


def record(
    *,
    by,
    obj,
    action: str,
    from_status: str = "",
    to_status: str = "",
    refused: bool = False,
    reason: str = "",
    detail: dict | None = None,
    model=None,
) -> AuditEvent:
    """Append one event. `obj` may be None for a refused creation: then name the `model`."""
    model = model or type(obj)
    event = AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=getattr(by, "username", "") or "",
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=getattr(obj, "pk", None),
        object_repr=str(obj)[:240] if obj is not None else "",
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        client_address=_client_address.get(),
        outcome=AuditEvent.Outcome.REFUSED if refused else AuditEvent.Outcome.DONE,
        reason=reason,
        detail=detail or {},
    )
    metrics.observe(event)  # Prometheus counts (portal/ops.py), once the event commits
    if not refused and obj is not None:
        notify_for(event, obj)
    return event
