"""Reads: what each user may see, fetched with what the caller needs.

A product team member sees only their teams' work; Party Bus staff roles see every team's.
Classified Ops stories are seen only with Classified Ops access, whatever the team. What a
user may not see answers 404 (`<thing>_for_user`), so its existence does not leak.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404

from epics.models import Document, Epic, Pipeline, Release, Story, Team
from requests_app.models import Ticket
from workflow.audit import record
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import (
    CLASSIFIED_OPS,
    has_classified_access,
    has_role,
    sees_all_teams,
    team_ids_of,
    with_roles,
)


def _of_visible_teams(queryset, user, team_path: str):
    if not user.is_authenticated:
        return queryset.none()
    if sees_all_teams(user):
        return queryset
    return queryset.filter(**{f"{team_path}__in": team_ids_of(user)})


def teams_for(user):
    return _of_visible_teams(Team.objects.all(), user, "pk").prefetch_related("members")


def epics_for(user):
    return _of_visible_teams(Epic.objects.select_related("team"), user, "team_id")


def stories_for(user):
    stories = _of_visible_teams(
        Story.objects.select_related("epic__team", "ticket", "assignee"), user, "epic__team_id"
    )
    if not has_classified_access(user):
        stories = stories.exclude(board=Story.Board.CLASSIFIED_OPS)
    return stories


def _ticket_related():
    return Ticket.objects.select_related("team", "epic", "created_by").prefetch_related(
        Prefetch("stories", queryset=Story.objects.select_related("assignee").order_by("pk"))
    )


def tickets_for(user):
    return _of_visible_teams(_ticket_related(), user, "team_id")


def documents_for(user):
    return _of_visible_teams(
        Document.objects.select_related("epic__team", "uploaded_by", "decided_by"),
        user,
        "epic__team_id",
    )


def pipelines_for(user):
    return _of_visible_teams(Pipeline.objects.select_related("epic"), user, "epic__team_id")


def releases_for(user):
    return _of_visible_teams(
        Release.objects.select_related("epic", "created_by"), user, "epic__team_id"
    )


def member_teams(user):
    """The teams the user belongs to (staff roles see every team, but belong to few)."""
    return (
        Team.objects.filter(pk__in=team_ids_of(user))
        if user.is_authenticated
        else Team.objects.none()
    )


def access_requests_for(user):
    requests = AccessRequest.objects.select_related("user", "decided_by")
    if not user.is_authenticated:
        return requests.none()
    return requests if has_role(user, CLASSIFIED_OPS) else requests.filter(user=user)


def history_of(obj):
    """The audit trail of one object, oldest first."""
    return AuditEvent.objects.for_object(obj).select_related("actor").order_by("created_at", "pk")


def _one(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No {queryset.model._meta.verbose_name} {pk} that you can see.") from None


def classified_story_of(user, ticket) -> Story | None:
    """The ticket's Classified Ops story for a user with access (None otherwise); showing it
    is opening it, which the audit trail records."""
    if not has_classified_access(user):
        return None
    story = stories_for(user).filter(ticket=ticket, board=Story.Board.CLASSIFIED_OPS).first()
    if story is not None:
        record(by=user, obj=story, action="open", from_status=story.status)
    return story


def classified_story_pk(ticket) -> int | None:
    """The id of the ticket's Classified Ops story, for its link: the ticket shows the link to
    everyone who sees the ticket (WORKFLOWS.md, IL6 step 4); opening it needs access."""
    stories = Story.objects.filter(ticket=ticket, board=Story.Board.CLASSIFIED_OPS)
    return stories.values_list("pk", flat=True).first()


def team_for_user(user, pk) -> Team:
    return _one(teams_for(user), pk)


def epic_for_user(user, pk) -> Epic:
    return _one(epics_for(user), pk)


def ticket_for_user(user, pk) -> Ticket:
    return _one(tickets_for(user), pk)


def story_open(user, pk) -> Story:
    """One story, or 404, opened: every attempt to open a Classified Ops story, granted or
    refused, writes its audit row (WORKFLOWS.md, Classified Ops board)."""
    try:
        story = _one(stories_for(user), pk)
    except Http404:
        refused = (
            str(pk).isascii()
            and str(pk).isdigit()
            and len(str(pk)) < 19
            and (Story.objects.filter(pk=int(pk), board=Story.Board.CLASSIFIED_OPS).first())
        )
        if refused:
            record(
                by=user,
                obj=refused,
                action="open",
                from_status=refused.status,
                refused=True,
                reason="No Classified Ops access.",
            )
        raise
    if story.board == Story.Board.CLASSIFIED_OPS:
        record(by=user, obj=story, action="open", from_status=story.status)
    return story


def document_for_user(user, pk) -> Document:
    return _one(documents_for(user), pk)


def release_for_user(user, pk) -> Release:
    return _one(releases_for(user), pk)


def access_request_for_user(user, pk) -> AccessRequest:
    return _one(access_requests_for(user), pk)


def user_by_username(username: str):
    """An active user, with their roles (the API's assignee, checked for DevOps)."""
    return with_roles(get_user_model().objects.filter(username=username, is_active=True)).first()
