"""Who hears of what (WORKFLOWS.md's last table), written to the outbox.

Every successful action appends an AuditEvent; `notify_for(event, obj)` turns the events
that matter into Notification rows, in the same transaction, one per recipient and
channel: in the app always, by e-mail unless the recipient opted out of that event type,
and to the Mattermost webhook of the team or role told. Delivery is queued after commit
(workflow/delivery.py); the beat tasks add the time-driven events (CtF letters expiring,
tickets waiting for triage).
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from workflow.dates import day
from workflow.permissions import CLASSIFIED_OPS, DEVOPS, MDO_PM

EVENT_TYPES = {
    "ticket_filed": "A request is filed",
    "ticket_triaged": "Your team's request is triaged",
    "ticket_rejected": "Your team's request is rejected",
    "ticket_in_progress": "Your team's request is in progress",
    "ticket_done": "Your team's request is done",
    "classified_link_opened": "Your team's IL6 request has its Classified Ops link",
    "story_assigned": "A story is assigned to you",
    "epic_queued": "An epic is queued for production deploy",
    "classified_story_opened": "A Classified Ops story is opened",
    "access_requested": "Classified Ops access is requested",
    "access_decided": "Your Classified Ops access request is decided",
    "document_decided": "A document of your team's epic is verified or rejected",
    "ctf_expiring": "A CtF letter of your team's epic expires within 30 days",
    "triage_overdue": "A request waits for triage past the goal",
}


@dataclass(frozen=True)
class Audience:
    """Who is told: the members of a role or of a team, or one user."""

    role: str = ""
    team: object = None
    user: object = None

    @property
    def hook_key(self):
        """Which webhooks hear of it: the team's or the role's (none for one user)."""
        if self.user is not None:
            return None
        return ("team", self.team.pk) if self.team is not None else ("role", self.role)


@dataclass(frozen=True)
class Message:
    event_type: str
    audience: Audience
    subject: str
    body: str
    url: str


def link_to(name: str, *args) -> str:
    return reverse(name, args=args)


def _ticket_messages(event, ticket) -> list[Message]:
    url = link_to("ticket_detail", ticket.pk)
    what = f"#{ticket.pk} {ticket.title}"
    team = Audience(team=ticket.team)
    by = event.actor_name or "The portal"
    if event.action == "file":
        return [
            Message(
                "ticket_filed",
                Audience(role=MDO_PM),
                f"New request {what}",
                f"{by} filed {ticket.get_request_type_display()} ({ticket.impact_level}) for "
                f"{ticket.team.name}. It waits for triage.",
                url,
            )
        ]
    if event.action == "triage":
        return [
            Message(
                "ticket_triaged",
                team,
                f"Request {what} is triaged",
                f"{by} triaged your request: its story is on the Product Team Epic Board.",
                url,
            )
        ]
    if event.action == "reject":
        return [
            Message(
                "ticket_rejected",
                team,
                f"Request {what} is rejected",
                f"{by} rejected your request: {ticket.rejection_reason}",
                url,
            )
        ]
    if event.action == "start_work":
        return [
            Message(
                "ticket_in_progress",
                team,
                f"Request {what} is in progress",
                "A DevOps engineer is working on your request.",
                url,
            )
        ]
    if event.action == "finish":
        return [
            Message("ticket_done", team, f"Request {what} is done", "Your request is done.", url)
        ]
    if event.action == "open_classified_story":
        return [
            Message(
                "classified_link_opened",
                team,
                f"Request {what} is with Classified Ops",
                "The Classified Ops team has a Production Deploy story for your IL6 request; "
                "the request page shows its link.",
                url,
            ),
            Message(
                "classified_story_opened",
                Audience(role=CLASSIFIED_OPS),
                f"Production Deploy story for {ticket.team.name}: {ticket.epic}",
                f"{by} opened an IL6 Production Deploy story on the Classified Ops board.",
                link_to("board_classified"),
            ),
        ]
    return []


def _story_messages(event, story) -> list[Message]:
    if event.action == "assign" and story.assignee_id:
        return [
            Message(
                "story_assigned",
                Audience(user=story.assignee),
                f"Story assigned: {story}",
                f"{event.actor_name} assigned you “{story}” ({story.epic.team.name}).",
                link_to("board_my_work"),
            )
        ]
    return []


def _epic_messages(event, epic) -> list[Message]:
    if event.action == "queue_prod_deploy":
        return [
            Message(
                "epic_queued",
                Audience(role=DEVOPS),
                f"Queued for production deploy: {epic}",
                f"{epic.team.name}'s epic “{epic}” is queued for a production deployment; "
                "pick up its story when you are ready.",
                link_to("epic_detail", epic.pk),
            )
        ]
    return []


def _document_messages(event, document) -> list[Message]:
    if event.action not in ("verify", "reject"):
        return []
    verdict = "verified" if event.action == "verify" else "rejected"
    reason = f" Reason: {document.rejection_reason}" if event.action == "reject" else ""
    return [
        Message(
            "document_decided",
            Audience(team=document.epic.team),
            f"{document.get_kind_display()} of {document.epic} is {verdict}",
            f"{event.actor_name} {verdict} the {document.get_kind_display()} signed "
            f"{day(document.signed_on)}.{reason}",
            link_to("epic_detail", document.epic_id),
        )
    ]


def _access_messages(event, access) -> list[Message]:
    if event.action == "request":
        return [
            Message(
                "access_requested",
                Audience(role=CLASSIFIED_OPS),
                f"{access.user.username} requests Classified Ops access",
                f"Justification: {access.justification}",
                link_to("board_access_requests"),
            )
        ]
    if event.action in ("approve", "deny"):
        verdict = "approved" if event.action == "approve" else "denied"
        return [
            Message(
                "access_decided",
                Audience(user=access.user),
                f"Your Classified Ops access request is {verdict}",
                f"{event.actor_name} {verdict} your request.",
                link_to("classified_access"),
            )
        ]
    return []


RULES = {
    "ticket": _ticket_messages,
    "story": _story_messages,
    "epic": _epic_messages,
    "document": _document_messages,
    "accessrequest": _access_messages,
}


_outbox: contextvars.ContextVar[list | None] = contextvars.ContextVar("outbox", default=None)


@contextmanager
def outbox():
    """Collect the notifications of one service call and write them all at its end, in its
    transaction: a fixed number of queries however many events the action caused."""
    token = _outbox.set([])
    try:
        yield
        write(_outbox.get())
    finally:
        _outbox.reset(token)


def notify_for(event, obj) -> None:
    """The notifications an audit event causes (same transaction as the change)."""
    rule = RULES.get(type(obj)._meta.model_name)
    if rule is None:
        return
    items = [
        (message, f"audit:{event.pk}:{message.event_type}", event.actor_id)
        for message in rule(event, obj)
    ]
    collected = _outbox.get()
    if collected is None:
        write(items)
    else:
        collected.extend(items)


def send(message: Message, *, event_key: str) -> list[int]:
    """Write one message's outbox rows now (never twice for an event key)."""
    return write([(message, event_key, None)])


def write(items) -> list[int]:
    """Write the outbox rows of (message, event key, actor id) items and queue delivery.

    In the app always; by e-mail unless the recipient opted out of the event type; to the
    webhooks of the team or role told. The actor is not told of their own action.
    """
    from workflow.models import EmailOptOut, Notification, Webhook

    if not items:
        return []
    audiences = {message.audience for message, _, _ in items}
    roles = {a.role for a in audiences if a.role}
    team_ids = {a.team.pk for a in audiences if a.team is not None}
    users = {a.user.pk: a.user for a in audiences if a.user is not None}
    by_role, by_team = defaultdict(set), defaultdict(set)
    emails = {pk: user.email for pk, user in users.items()}
    found = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(teams__in=team_ids))
        .values_list("pk", "email", "groups__name", "teams__id")
    )
    for pk, email, role, team_id in found:
        emails[pk] = email
        if role in roles:
            by_role[role].add(pk)
        if team_id in team_ids:
            by_team[team_id].add(pk)
    event_types = {message.event_type for message, _, _ in items}
    opted_out = set(
        EmailOptOut.objects.filter(user__in=emails, event_type__in=event_types).values_list(
            "user_id", "event_type"
        )
    )
    hooks = defaultdict(set)
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

    rows = []
    for message, event_key, actor_id in items:
        audience = message.audience
        if audience.user is not None:
            recipients = {audience.user.pk} if audience.user.is_active else set()
        elif audience.team is not None:
            recipients = by_team[audience.team.pk]
        else:
            recipients = by_role[audience.role]
        common = {
            "event_key": event_key,
            "event_type": message.event_type,
            "subject": message.subject[:240],
            "body": message.body,
            "url": message.url,
        }
        for pk in sorted(recipients - {actor_id}):
            rows.append(
                Notification(channel="in_app", recipient_id=pk, state="delivered", **common)
            )
            if emails.get(pk) and (pk, message.event_type) not in opted_out:
                rows.append(
                    Notification(channel="email", recipient_id=pk, address=emails[pk], **common)
                )
        rows += [
            Notification(channel="webhook", address=url, **common)
            for url in sorted(hooks[audience.hook_key])
        ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # ignore_conflicts leaves no primary keys: read back what waits for delivery.
    pending = list(
        Notification.objects.filter(
            event_key__in={key for _, key, _ in items}, state=Notification.State.PENDING
        ).values_list("pk", flat=True)
    )
    if pending:
        transaction.on_commit(lambda: enqueue(pending))
    return pending


def enqueue(notification_ids) -> None:
    """Queue delivery; if the broker is down, the sweeper queues them again later."""
    from workflow.delivery import enqueue_delivery

    for pk in notification_ids:
        enqueue_delivery(pk)


# What a person does with their notifications ------------------------------------------------


def inbox_of(user):
    """The user's in-app notifications, newest first."""
    from workflow.models import Notification

    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def unread_count(user) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count() if user.is_authenticated else 0


def mark_read(user, pks=None) -> int:
    """Mark the user's own notifications read (all of them when `pks` is None)."""
    unread = inbox_of(user).filter(read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def email_choices(user) -> list[tuple[str, str, bool]]:
    """(event type, description, comes by e-mail) for every event type."""
    from workflow.models import EmailOptOut

    opted_out = set(EmailOptOut.objects.filter(user=user).values_list("event_type", flat=True))
    return [(key, label, key not in opted_out) for key, label in EVENT_TYPES.items()]


@transaction.atomic
def set_email_events(user, wanted) -> None:
    """Keep e-mail for the `wanted` event types only (the app shows every one anyway)."""
    from workflow.models import EmailOptOut

    wanted = set(wanted) & set(EVENT_TYPES)
    EmailOptOut.objects.filter(user=user).exclude(event_type__in=set(EVENT_TYPES) - wanted).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, event_type=key) for key in EVENT_TYPES if key not in wanted],
        ignore_conflicts=True,
    )
