"""The sign-in lockout's counters: how many password checks a user name, or a client address,
may still have, kept in the database (portal.models.SignInCounter) so that every process
sees one count.

A password check runs only once `reserve()` has taken a slot for it on each of its counters
(the user name's and the client address's), in one short transaction that locks their rows:
a counter gives a slot while its wrong passwords within the window plus its checks running
now stay under its limit and it is not locked. `finish()` gives the slot back, counting a
wrong password; the one that reaches the limit locks the counter. The slow password hash runs
between the two with no lock held, so however many processes try one name at once, no more
than its limit of guesses are ever checked before it locks.

The window slides: a wrong password counts for `window` seconds after it was made. A check
that never finishes (its process killed) holds its slot for RUNNING_CHECK_SECONDS at most.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import SignInCounter

# Longer than any password check takes (gunicorn's timeout ends a request before this).
RUNNING_CHECK_SECONDS = 120


@dataclass(frozen=True)
class Limit:
    """One counter's rule: `limit` wrong passwords within `window` seconds lock it for
    `lock_seconds`; a right password clears its count when `cleared_by_success`."""

    key: str
    limit: int
    window: int
    lock_seconds: int
    cleared_by_success: bool


def for_name(username: str) -> Limit:
    return Limit(
        key=f"user:{username}",
        limit=settings.LOCKOUT_FAILURES,
        window=settings.LOCKOUT_WINDOW_SECONDS,
        lock_seconds=settings.LOCKOUT_SECONDS,
        cleared_by_success=True,
    )


def address_key(address: str) -> str:
    """An IPv4 address as it is; an IPv6 address by its /64, which one client usually holds
    whole (counting each of its addresses apart would let it take millions of guesses)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


def for_address(address: str | None) -> Limit | None:
    """A client address's rule (none without an address: a sign-in from no request)."""
    try:
        key = address_key(address) if address else None
    except ValueError:
        key = f"address:{address[:100]}"
    if key is None:
        return None
    # Its successes clear nothing: one good account would let a client reset its own count.
    return Limit(
        key=key,
        limit=settings.ADDRESS_FAILURES,
        window=settings.LOCKOUT_WINDOW_SECONDS,
        lock_seconds=settings.ADDRESS_THROTTLE_SECONDS,
        cleared_by_success=False,
    )


@dataclass(frozen=True)
class Refused:
    """No slot on this counter: locked (`until`), or its slots are all taken (until None)."""

    limit: Limit
    until: dt.datetime | None


@dataclass(frozen=True)
class Check:
    """A password check that holds a slot on each of its counters."""

    limits: tuple[Limit, ...]
    started: float


@dataclass(frozen=True)
class Locked:
    """A counter the wrong password just locked, after `failures` of them."""

    limit: Limit
    until: dt.datetime
    failures: int


def _rows(limits, *, make=True) -> dict[str, SignInCounter]:
    """The counters' rows (made if new, unless not `make`), locked to the end of the
    transaction, in key order on every path: two checks never wait for each other's rows."""
    keys = sorted({limit.key for limit in limits})
    if make:
        counters = [SignInCounter(key=key) for key in keys]
        SignInCounter.objects.bulk_create(counters, ignore_conflicts=True)
    rows = SignInCounter.objects.select_for_update().filter(key__in=keys).order_by("key")
    return {row.key: row for row in rows}


def _current(row: SignInCounter, limit: Limit, now: dt.datetime) -> None:
    """Forget what no longer counts: wrong passwords out of the window, lost checks, a lock
    that ended (the count began again when it was locked)."""
    stamp = now.timestamp()
    row.failures = [t for t in row.failures if t > stamp - limit.window]
    row.running = [t for t in row.running if t > stamp - RUNNING_CHECK_SECONDS]
    if row.locked_until is not None and row.locked_until <= now:
        row.locked_until = None


def reserve(*limits: Limit | None) -> Check | Refused:
    """A slot for one password check on every counter, or the first counter refusing one
    (then nothing is taken)."""
    limits = tuple(limit for limit in limits if limit is not None)
    now = timezone.now()
    with transaction.atomic():
        rows = _rows(limits)
        for limit in limits:
            row = rows[limit.key]
            _current(row, limit, now)
            if row.locked_until is not None:
                return Refused(limit, row.locked_until)
            if len(row.failures) + len(row.running) >= limit.limit:
                return Refused(limit, None)
        for row in rows.values():
            row.running.append(now.timestamp())
            row.save(update_fields=["failures", "running", "locked_until", "updated_at"])
    return Check(limits, now.timestamp())


def finish(check: Check, *, failed: bool | None) -> list[Locked]:
    """The check is over: its slots are given back, a wrong password (`failed`) counted, a
    right one (False) clearing the counters it clears; None: it ended without an answer.
    Returns the counters this wrong password locked."""
    now = timezone.now()
    locked = []
    with transaction.atomic():
        rows = _rows(check.limits)
        for limit in check.limits:
            row = rows[limit.key]
            _current(row, limit, now)
            if check.started in row.running:
                row.running.remove(check.started)
            if failed:
                row.failures.append(now.timestamp())
                if len(row.failures) >= limit.limit and row.locked_until is None:
                    row.locked_until = now + dt.timedelta(seconds=limit.lock_seconds)
                    locked.append(Locked(limit, row.locked_until, len(row.failures)))
                    row.failures = []
            elif failed is False and limit.cleared_by_success:
                row.failures = []
            row.save(update_fields=["failures", "running", "locked_until", "updated_at"])
    return locked


@dataclass(frozen=True)
class Cleared:
    """What `clear()` forgot: the wrong passwords counted and the lock."""

    failures: int
    locked_until: dt.datetime | None


def clear(limit: Limit) -> Cleared | None:
    """Forget the counter's wrong passwords and lock (checks running now keep their slots);
    None when there was nothing to forget."""
    now = timezone.now()
    with transaction.atomic():
        row = _rows([limit], make=False).get(limit.key)
        if row is None:
            return None
        _current(row, limit, now)
        if not row.failures and row.locked_until is None:
            return None
        cleared = Cleared(len(row.failures), row.locked_until)
        row.failures, row.locked_until = [], None
        row.save(update_fields=["failures", "running", "locked_until", "updated_at"])
    return cleared


def locked_until(limit: Limit) -> dt.datetime | None:
    """When the counter's lock ends, if it is locked now."""
    return (
        SignInCounter.objects.filter(key=limit.key, locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )
