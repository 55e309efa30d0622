"""`Idempotency-Key` on API POSTs (API.md): a client that retries a filing after a dropped
connection files it once.

Before the action runs, the key is claimed for the caller in a row of its own, committed at
once (the unique constraint on user and key makes a racing twin lose). After the answer,
the row keeps its status and body. A repeat of the key then answers the same, marked
`Idempotent-Replayed: true`; a repeat while the first is still running is a 409; the key
used for another address is a 400. Keys are kept 24 hours. An answer of 5xx keeps nothing,
so the client may try again.

A database connection lost under the request must not leave the key "still running" for a
day (every retry a 409, the filing never made): claiming the key and keeping its answer are
tried again on a fresh connection for a few seconds. A claim whose commit was cut off is
looked for before it is made again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework import exceptions, status

from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_FOR = dt.timedelta(hours=24)
# How long claiming a key and keeping its answer keep trying while the database drops the
# connection (a claim younger than this, unanswered, found after a cut-off commit is ours).
PATIENCE = 5.0

log = logging.getLogger(__name__)


def _patiently(write):
    """Run `write()`, again on a fresh connection while the database drops it (outside any
    transaction: an API request runs in autocommit)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            return write()
        except IntegrityError:
            raise
        except DatabaseError:
            if time.monotonic() > deadline or connection.in_atomic_block:
                raise
            log.warning("Idempotency-Key: the database dropped the connection; trying again")
            connection.close()
            time.sleep(0.1)


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
    started = timezone.now()
    IdempotentRequest.objects.filter(created_at__lt=started - KEPT_FOR, **fresh).delete()
    cut_off = False

    def claim():
        nonlocal cut_off
        if cut_off:  # the last try's commit may have happened: is the claim there?
            mine = IdempotentRequest.objects.filter(
                status_code=None, created_at__gte=started - dt.timedelta(seconds=1), **fresh
            ).first()
            if mine is not None:
                return mine
        cut_off = True
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                method=request.method, path=request.path[:500], **fresh
            )

    try:
        return _patiently(claim)
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
    rows = IdempotentRequest.objects.filter(pk=row.pk)
    try:
        if response.status_code >= 500:
            _patiently(rows.delete)
        else:
            answer = getattr(response, "data", None)
            _patiently(lambda: rows.update(status_code=response.status_code, answer=answer))
    except DatabaseError:  # the answer still goes out; a repeat then finds the key running
        log.error("Idempotency-Key %r: its answer could not be kept", row.key, exc_info=True)


class IdempotentPosts:
    """A view mixin: each POST's Idempotency-Key claimed once the caller is known (after
    authentication), and its answer kept last (after the response is final)."""

    def initial(self, request, *args, **kwargs):
        self.idempotent_request = None
        super().initial(request, *args, **kwargs)
        self.idempotent_request = begin(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        finish(getattr(self, "idempotent_request", None), response)
        return response
