"""The transactional outbox: the notifications an action causes, written as rows in the
action's own transaction, one per recipient and channel.

In the app always; by e-mail unless the recipient opted out of that event type; to the
Mattermost webhooks of the team or role told. The actor is not told of their own action.
Delivery is queued once the transaction commits (notifications/tasks.py); whatever is not
delivered then, the sweeper queues again.
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import FilteredRelation, Q

from notifications.models import Notification, Webhook
from notifications.rules import Message, messages_for
from notifications.tasks import enqueue

# False while nothing may leave the process (the demo seed): only in-app rows are written.
_outside: contextvars.ContextVar[bool] = contextvars.ContextVar("outside", default=True)


@contextmanager
def in_app_only() -> Iterator[None]:
    """Write in-app notifications only, inside the block: no e-mail, no webhook post is
    written, so none can be delivered, now or by the sweeper, whatever the settings."""
    token = _outside.set(False)
    try:
        yield
    finally:
        _outside.reset(token)


# A message to write: (message, event key, the id of the actor, who is not told of it).
Item = tuple[Message, str, int | None]


def notify(recorded) -> list[int]:
    """Write the notifications of an action's audit events, given as (event, object) pairs
    (workflow/audit.py's trail): one batch, a fixed number of queries however many."""
    items = [
        (message, f"audit:{event.pk}:{message.event_type}", event.actor_id)
        for event, obj in recorded
        if obj is not None and event.outcome == event.Outcome.DONE
        for message in messages_for(event, obj)
    ]
    # Each event is new, so no row of theirs exists yet: the batch is inserted as it is.
    return write(items, fresh=True)


def send(message: Message, *, event_key: str) -> list[int]:
    """Write one message's rows now (never twice for an event key): the time-driven events."""
    return write([(message, event_key, None)])


@dataclass
class _Recipients:
    """Who the audiences of a batch are, read in two queries."""

    emails: dict[int, str] = field(default_factory=dict)
    by_role: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_team: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    opted_out: set[tuple[int, str]] = field(default_factory=set)
    hooks: dict[tuple, set[str]] = field(default_factory=lambda: defaultdict(set))

    def of(self, audience) -> set[int]:
        if audience.user is not None:
            return {audience.user.pk} if audience.user.is_active else set()
        if audience.team is not None:
            return self.by_team[audience.team.pk]
        return self.by_role[audience.role]

    def wants_email(self, pk: int, event_type: str) -> bool:
        return bool(self.emails.get(pk)) and (pk, event_type) not in self.opted_out


def _recipients(items: list[Item]) -> _Recipients:
    audiences = {message.audience for message, _, _ in items}
    roles = {a.role for a in audiences if a.role}
    team_ids = {a.team.pk for a in audiences if a.team is not None}
    users = {a.user.pk: a.user for a in audiences if a.user is not None}
    found = _Recipients(emails={pk: user.email for pk, user in users.items()})
    event_types = {message.event_type for message, _, _ in items}
    # Everyone told, with the opt-outs of the batch's event types, in one query.
    opted = FilteredRelation(
        "email_opt_outs", condition=Q(email_opt_outs__event_type__in=event_types)
    )
    members = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(teams__in=team_ids) | Q(pk__in=users))
        .annotate(opted=opted)
        .values_list("pk", "email", "groups__name", "teams__id", "opted__event_type")
    )
    for pk, email, role, team_id, opted_out in members:
        if pk not in users:
            found.emails[pk] = email
        if role in roles:
            found.by_role[role].add(pk)
        if team_id in team_ids:
            found.by_team[team_id].add(pk)
        if opted_out:
            found.opted_out.add((pk, opted_out))
    _add_hooks(found.hooks, audiences, roles, team_ids)
    return found


def _add_hooks(hooks, audiences, roles, team_ids) -> None:
    """The webhooks each audience's messages go to: stored ones and WEBHOOK_URLS'."""
    for team_id, role, url in (
        Webhook.objects.filter(active=True)
        .filter(Q(team__in=team_ids) | Q(role__in=roles))
        .values_list("team_id", "role", "url")
    ):
        hooks[("team", team_id) if team_id else ("role", role)].add(url)
    for audience in audiences:
        key = audience.team.name if audience.team is not None else audience.role
        if audience.user is None and (url := settings.WEBHOOK_URLS.get(key)):
            hooks[audience.hook_key].add(url)


def _rows(item: Item, recipients: _Recipients) -> list[Notification]:
    message, event_key, actor_id = item
    common = {
        "event_key": event_key,
        "event_type": message.event_type,
        "subject": message.subject[:240],
        "body": message.body,
        "url": message.url,
    }
    rows = []
    outside = _outside.get()
    for pk in sorted(recipients.of(message.audience) - {actor_id}):
        rows.append(Notification(channel="in_app", recipient_id=pk, state="delivered", **common))
        if outside and recipients.wants_email(pk, message.event_type):
            address = recipients.emails[pk]
            rows.append(Notification(channel="email", recipient_id=pk, address=address, **common))
    hooks = sorted(recipients.hooks[message.audience.hook_key]) if outside else []
    return rows + [Notification(channel="webhook", address=url, **common) for url in hooks]


def _first_of_each(rows: list[Notification]) -> list[Notification]:
    """One row per event key, channel and recipient (or address): the first message wins
    (a comment's mention before its team's note)."""
    seen, kept = set(), []
    for row in rows:
        key = (row.event_key, row.channel, row.recipient_id or row.address)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def write(items: list[Item], *, fresh: bool = False) -> list[int]:
    """Write the rows of (message, event key, actor id) items and queue their delivery.
    `fresh`: no row of these event keys can exist yet (new audit events), so the rows are
    inserted as they are and come back with their keys; else rows already written for an
    event key stay, and what waits for delivery is read back."""
    if not items:
        return []
    recipients = _recipients(items)
    rows = _first_of_each([row for item in items for row in _rows(item, recipients)])
    if fresh:
        written = Notification.objects.bulk_create(rows)
        waiting = Notification.State.PENDING
        pending = [(row.pk, row.channel) for row in written if row.state == waiting]
    else:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # ignore_conflicts leaves no primary keys: read back what waits for delivery.
        pending = list(
            Notification.objects.filter(
                event_key__in={key for _, key, _ in items}, state=Notification.State.PENDING
            ).values_list("pk", "channel")
        )
    if pending:
        transaction.on_commit(lambda: enqueue(pending))
    return [pk for pk, _ in pending]
