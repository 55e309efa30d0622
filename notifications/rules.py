"""Who hears of what (WORKFLOWS.md's notifications table): the rules that turn an audit
event into messages, each for an audience (a role, a team, or one person).

The outbox (notifications/outbox.py) writes the rows of these messages; the services'
runner asks it to for the events of each action.

Subjects and bodies are plain text, with no markup of their own: titles, names, reasons and
tags are interpolated as they were typed, and each channel makes the whole text harmless
for where it goes (notifications/neutral.py: a Mattermost post shows it literally, an
e-mail subject stays on one line).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.urls import reverse

from workflow.dates import day
from workflow.models import AuditEvent, portal_today
from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM

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
    "access_revoked": "Your Classified Ops access is revoked",
    "access_expiring": "Your Classified Ops access ends within 14 days",
    "access_expired": "Your Classified Ops access has expired",
    "document_decided": "A document of your team's epic is verified or rejected",
    "ctf_expiring": "A CtF letter expires within 90, 30 or 7 days (your team's, or for Cyber)",
    "ctf_renewal_due": "A CtF letter is due for renewal (your team's, or for Cyber)",
    "triage_overdue": "A request waits for triage past the goal",
    "comment": "A comment on a request you follow, or one that mentions you",
    "info_asked": "An MDO PM asks your team about a request",
    "info_provided": "A team answers an MDO PM's question",
    "info_reminder": "Your team's request still waits for your answer",
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
    if event.action in ("ask_for_info", "provide_info"):
        return _info_messages(event, ticket, what, url)
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


def ctf_audiences(document) -> tuple[Audience, Audience]:
    """Who hears of a CtF letter's life (expiry, renewal): the epic's team and Cyber."""
    return Audience(team=document.epic.team), Audience(role=CYBER)


def _renewal_messages(document) -> list[Message]:
    return [
        Message(
            "ctf_renewal_due",
            audience,
            f"CtF letter of {document.epic} is due for renewal",
            f"The CtF letter of “{document.epic}” ({document.epic.team.name}, signed "
            f"{day(document.signed_on)}) is due for renewal: {document.renewal_reason} It keeps "
            f"counting until it expires on {day(document.expires_on)} or a newer verified letter "
            "supersedes it.",
            link_to("epic_detail", document.epic_id),
        )
        for audience in ctf_audiences(document)
    ]


def _document_messages(event, document) -> list[Message]:
    if event.action == "renewal_due":
        return _renewal_messages(document)
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


def _access_message(event_type: str, access, subject: str, body: str) -> Message:
    """A message to the requester, about their own access (the page says how to ask again)."""
    return Message(
        event_type, Audience(user=access.user), subject, body, link_to("classified_access")
    )


def access_expiring(access) -> Message:
    """The reminder of an approval that ends within 14 days (workflow/services/access.py)."""
    left = (access.expires_on - portal_today()).days
    when = "today" if left == 0 else f"in {left} day{pluralize(left)}"
    return _access_message(
        "access_expiring",
        access,
        f"Your Classified Ops access ends {when}",
        f"Your Classified Ops access holds until the end of {day(access.expires_on)}. To keep "
        "it, ask again on the access page once it has ended, with why you still need it.",
    )


def _access_messages(event, access) -> list[Message]:
    by = event.actor_name
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
    if event.action == "approve":
        subject = "Your Classified Ops access request is approved"
        body = f"{by} approved your request: you have access until {day(access.expires_on)}."
        return [_access_message("access_decided", access, subject, body)]
    if event.action == "deny":
        subject = "Your Classified Ops access request is denied"
        body = f"{by} denied your request. Reason: {access.reason}"
        return [_access_message("access_decided", access, subject, body)]
    if event.action == "revoke":
        subject = "Your Classified Ops access is revoked"
        body = f"{by} revoked your access; it has ended. Reason: {access.reason}"
        return [_access_message("access_revoked", access, subject, body)]
    if event.action == "expire":
        subject = "Your Classified Ops access has expired"
        body = (
            f"Your access held until the end of {day(access.expires_on)}; it has ended. If you "
            "still need it, ask again on the access page."
        )
        return [_access_message("access_expired", access, subject, body)]
    return []


def _info_messages(event, ticket, what: str, url: str) -> list[Message]:
    """Needs Info: the question goes to the team, the answer to the MDO PMs."""
    text = ticket.comments.filter(pk=event.detail.get("comment")).values_list("body", flat=True)
    said = excerpt(next(iter(text), ""))
    if event.action == "ask_for_info":
        return [
            Message(
                "info_asked",
                Audience(team=ticket.team),
                f"Request {what} needs information",
                f"{event.actor_name} asks: {said}\nAnswer on the request page; it waits for "
                "triage again once you have.",
                url,
            )
        ]
    return [
        Message(
            "info_provided",
            Audience(role=MDO_PM),
            f"Request {what} is answered",
            f"{event.actor_name} answered: {said}\nThe request waits for triage again.",
            url,
        )
    ]


def excerpt(text: str, most: int = 600) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _comment_messages(event, comment) -> list[Message]:
    """A comment tells those @mentioned, the ticket's team (not of an internal note), its
    stories' assignees and the MDO PMs who acted on it. A question or an answer is told by
    its transition instead (`_info_messages`). Mentions come first: whoever is both mentioned
    and otherwise told gets the mention (one notification per event and person)."""
    if event.action != "create" or event.detail.get("via"):
        return []
    ticket = comment.ticket
    url = link_to("ticket_detail", ticket.pk) + f"#comment-{comment.pk}"
    where = f"request #{ticket.pk} {ticket.title}"
    note = "internal note" if comment.internal else "comment"
    body = f"{event.actor_name} wrote: {excerpt(comment.body)}"
    messages = [
        Message(
            "comment",
            Audience(user=user),
            f"{event.actor_name} mentioned you on {where}",
            body,
            url,
        )
        for user in getattr(comment, "mentioned", ())
    ]
    followed = f"New {note} on {where}"
    if not comment.internal:
        messages.append(Message("comment", Audience(team=ticket.team), followed, body, url))
    acted = AuditEvent.objects.for_object(ticket).filter(outcome="done").values("actor_id")
    users = get_user_model().objects.filter(is_active=True)
    followers = users.filter(
        Q(assigned_stories__ticket=ticket)
        | Q(groups__name=MDO_PM) & (Q(pk__in=acted) | Q(comments__ticket=ticket))
    )
    for user in followers.distinct().order_by("pk"):
        messages.append(Message("comment", Audience(user=user), followed, body, url))
    return messages


RULES = {
    "ticket": _ticket_messages,
    "story": _story_messages,
    "epic": _epic_messages,
    "document": _document_messages,
    "accessrequest": _access_messages,
    "comment": _comment_messages,
}


def messages_for(event, obj) -> list[Message]:
    """The messages an audit event about `obj` causes (none for most)."""
    rule = RULES.get(type(obj)._meta.model_name)
    return rule(event, obj) if rule is not None else []
