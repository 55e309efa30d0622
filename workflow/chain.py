"""The audit trail's hash chain: each event carries the SHA-256 of its content and of the
previous event's hash, one chain over the whole trail in id order (the first event's
`previous_hash` is empty). Change or remove an event and every later link stops matching;
`python manage.py audit_verify` walks the chain and names the first event that does not.

Concurrent writers must not fork the chain: two transactions reading the same head and
each appending after it would both look valid alone. So the head is read under a lock that
is held until the writer's transaction ends:

- PostgreSQL: a transaction-scoped advisory lock (`pg_advisory_xact_lock`). The services'
  runner takes it first thing in its transaction, with the head (`head()`, kept by the
  action's trail: workflow/audit.py), before any row lock, so a transaction waiting for a
  ticket never holds the chain and no two can deadlock on it.
- SQLite: the write lock itself. Settings open every transaction `IMMEDIATE`, so a writer
  holds the database's single write lock from BEGIN to COMMIT.

What the lock costs is measured by `make bench` (the transition rows, queries and ms).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection

from workflow.append_only import TABLE

# Any constant works: the key only has to be the portal's own (pg_advisory_xact_lock is
# per database, and nothing else in this database takes advisory locks).
CHAIN_LOCK = 0x4D444F_0A0D17  # "MDO" + "audit"


def head() -> str:
    """The last event's hash, read under the chain's lock (taken here if not yet held) in
    the transaction that appends: one query on either database. On PostgreSQL a function
    (migration 0007) takes the lock and then reads the head in a statement of its own, so
    the read sees whatever the previous holder committed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT workflow_audit_chain_head(%s)", [CHAIN_LOCK])
        else:
            cursor.execute(f"SELECT hash FROM {TABLE} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] if row else "") or ""


def type_label(content_type) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def content_of(event, object_type: str) -> dict:
    """What an event's hash covers: everything it says, in a form that reads back equal
    from either database (UTC time with microseconds, the object type by name)."""
    return {
        "at": event.created_at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "object_type": object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "outcome": event.outcome,
        "reason": event.reason,
        "client_address": event.client_address,
        "detail": event.detail,
    }


def digest(content: dict, previous_hash: str) -> str:
    canonical = json.dumps(
        {"content": content, "previous_hash": previous_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(event, object_type: str, previous_hash: str) -> None:
    """Give an unsaved event its place in the chain, after `previous_hash`."""
    event.previous_hash = previous_hash
    event.hash = digest(content_of(event, object_type), previous_hash)


def first_broken(events, type_labels: dict[int, str]) -> tuple[int | None, int, str]:
    """Walk `events` in id order: (id of the first that does not match or None, how many
    matched before it, the last matching hash)."""
    previous, count = "", 0
    for event in events.order_by("id").iterator(chunk_size=5000):
        expected = digest(content_of(event, type_labels[event.content_type_id]), previous)
        if event.previous_hash != previous or event.hash != expected:
            return event.pk, count, previous
        previous, count = event.hash, count + 1
    return None, count, previous
