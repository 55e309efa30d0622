"""`Idempotency-Key` on API POSTs (API.md): a client that retries a filing after a dropped
connection files it once.

Before the action runs, the key is claimed for the caller in a row of its own, committed at
once (the unique constraint on user and key makes a racing twin lose). After the answer,
the row keeps its status and body. A repeat of the key then answers the same, marked
`Idempotent-Replayed: true`; a repeat while the first is still running is a 409; the key
used for another address is a 400. Keys are kept 24 hours. An answer of 5xx keeps nothing,
so the client may try again.
"""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions, status

from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_FOR = dt.timedelta(hours=24)


class Replay(exceptions.APIException):
    """The answer already given to this key (api/errors.py answers with it)."""

    def __init__(self, row: IdempotentRequest):
        super().__init__()
        self.row = row


class StillRunning(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "A request with this Idempotency-Key is still being answered: try again in a moment."
    )


class KeyReused(exceptions.ValidationError):
    def __init__(self, row: IdempotentRequest):
        super().__init__(
            {"Idempotency-Key": [f"This key was used for {row.method} {row.path}: use a new one."]}
        )


def begin(request) -> IdempotentRequest | None:
    """Claim the request's key, or raise what a repeat answers. None without a key."""
    key = request.headers.get(HEADER, "").strip()[:255]
    if request.method != "POST" or not key or not request.user.is_authenticated:
        return None
    fresh = {"user": request.user, "key": key}
    IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEPT_FOR, **fresh).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                method=request.method, path=request.path[:500], **fresh
            )
    except IntegrityError:
        pass
    row = IdempotentRequest.objects.get(**fresh)
    if (row.method, row.path) != (request.method, request.path[:500]):
        raise KeyReused(row)
    if row.status_code is None:
        raise StillRunning()
    raise Replay(row)


def finish(row: IdempotentRequest | None, response) -> None:
    """Keep the answer for the key (forget the key after a 5xx: nothing is known to stand)."""
    if row is None:
        return
    try:
        if response.status_code >= 500:
            IdempotentRequest.objects.filter(pk=row.pk).delete()
        else:
            IdempotentRequest.objects.filter(pk=row.pk).update(
                status_code=response.status_code, answer=getattr(response, "data", None)
            )
    except DatabaseError:  # the answer still goes out; a repeat then finds the key running
        pass
