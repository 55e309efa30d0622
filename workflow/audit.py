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
from django.db import connection, transaction
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
    """The events one action recorded, with the object each is about; and the chain's head
    as its last event left it (None until read), so one action reads the head once."""

    recorded: list[tuple[AuditEvent, object]] = field(default_factory=list)
    head: str | None = None
    depth: int = 0  # the savepoints open when the trail began: see `hold()`

    def hold(self) -> None:
        """Take the chain's lock and read its head, in one query (workflow/chain.py). The
        lock is held to the transaction's end, so no one else appends meanwhile: each
        event this action records follows the one before it without reading the head
        again. Only at the trail's own savepoint depth: an event recorded inside a
        savepoint (which might roll back) reads the head afresh, and makes every later one
        read it too."""
        self.depth = _savepoints()
        self.head = chain.head()

    def previous_hash(self) -> str:
        if self.head is not None and _savepoints() == self.depth:
            return self.head
        return chain.head()

    def appended(self, event: AuditEvent, obj) -> None:
        self.recorded.append((event, obj))
        self.head = event.hash if self.head is not None and _savepoints() == self.depth else None

    @property
    def events(self) -> list[AuditEvent]:
        return [event for event, _ in self.recorded]


def _savepoints() -> int:
    """How many savepoints are open (an atomic block without one cannot roll back alone)."""
    return sum(1 for sid in connection.savepoint_ids if sid is not None)


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
    opened = _trail.get()
    with transaction.atomic(savepoint=False):
        previous = opened.previous_hash() if opened is not None else chain.head()
        chain.seal(event, chain.type_label(content_type), previous)
        event.save(force_insert=True)
    if opened is not None:
        opened.appended(event, obj)
    return event
