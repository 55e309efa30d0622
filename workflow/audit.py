"""Writing the audit trail: every action and every refusal, with the client's address,
each event chained to the one before it (workflow/chain.py).

`record()` appends one event and does nothing else. What an event causes (notifications,
metrics) is asked for by whoever runs the action: the services' runner
(workflow/services/runner.py) reads the events of its action from the `trail()` it opens.

The address comes from the request being served (ClientAddressMiddleware keeps it in a
context variable), so services record it without every caller passing it along.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from workflow import chain
from workflow.models import AuditEvent

_ADDRESS = AuditEvent._meta.get_field("client_address")

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


@dataclass(frozen=True)
class SystemActor:
    """Who acts when no portal user does (a GitLab tag push, the clock, a command run by an
    operator): named in the audit trail, but signed in as nobody, so it holds no role and
    belongs to no team."""

    username: str
    pk = None
    is_authenticated = False
    is_superuser = False


SYSTEM = SystemActor("system")


@dataclass
class Trail:
    """The events one action recorded, with the object each is about."""

    recorded: list[tuple[AuditEvent, object]] = field(default_factory=list)

    @property
    def events(self) -> list[AuditEvent]:
        return [event for event, _ in self.recorded]


_trail: contextvars.ContextVar[Trail | None] = contextvars.ContextVar("trail", default=None)


@contextmanager
def trail() -> Iterator[Trail]:
    """Keep the events recorded inside the block, for the caller to act on."""
    opened = Trail()
    token = _trail.set(opened)
    try:
        yield opened
    finally:
        _trail.reset(token)


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
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    event = AuditEvent(
        actor=by if by is not None and by.is_authenticated else None,
        actor_name=getattr(by, "username", "") or "",
        content_type=content_type,
        object_id=getattr(obj, "pk", None),
        object_repr=str(obj)[:240] if obj is not None else "",
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        created_at=timezone.now(),
        client_address=_ADDRESS.to_python(_client_address.get()),
        outcome=AuditEvent.Outcome.REFUSED if refused else AuditEvent.Outcome.DONE,
        reason=reason,
        detail=detail or {},
    )
    # The caller's transaction if there is one (no savepoint: a failed append fails it),
    # else one of its own; the chain's lock is held to its end.
    with transaction.atomic(savepoint=False):
        chain.seal(event, chain.type_label(content_type), chain.head())
        event.save(force_insert=True)
    if (opened := _trail.get()) is not None:
        opened.recorded.append((event, obj))
    return event
