"""Reads: what each user may see, fetched with what the caller needs.

A product team member sees only their teams' work; Party Bus staff roles see every team's.
Classified Ops stories are seen only with Classified Ops access, whatever the team. What a
user may not see answers 404 (`<thing>_for_user`), so its existence does not leak: the same
answer as for an id that names nothing, and either is audited as a refusal
(`visible_or_404`), which says who asked for which object type and id, and what for.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# What a user may not see ---------------------------------------------------------------

NOT_VISIBLE = "Not found or not yours."


@dataclass(frozen=True)
class Requested:
    """An object asked for by its id, recorded by that id alone: whether it exists, and what
    it is, stay out of the refusal (the auditor finds it by the id)."""

    pk: int | None

    def __str__(self) -> str:
        return ""


def as_id(pk) -> int | None:
    """The id as the database stores them (ASCII digits that fit 64 bits), else None."""
    text = str(pk)
    if text.isascii() and text.isdecimal() and len(text) <= 19 and int(text) < 2**63:
        return int(text)
    return None


def refused_404(user, model, pk, action: str = "open", *, obj=None, reason: str = NOT_VISIBLE):
    """Audit that `user` asked for `model` `pk` (to `action` it) and was answered 404; the
    Http404 to raise, in the same words whether the object exists or not. `obj`: the object
    itself, for a refusal that names it (a Classified Ops story opened without access)."""
    requested = as_id(pk)
    detail = {"status_code": 404}
    if requested is None:
        detail["requested"] = str(pk)[:40]
    record(
        by=user,
        obj=obj if obj is not None else Requested(requested),
        model=model,
        action=action[:60],
        from_status=getattr(obj, "status", ""),
        refused=True,
        reason=reason,
        detail=detail,
    )
    return Http404(f"No {model._meta.verbose_name} {pk} that you can see.")


def _find(queryset, pk):
    pk = as_id(pk)
    if pk is None:
        return None
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        return None


def visible_or_404(user, queryset, pk, action: str = "open"):
    """The object `pk` of what `user` may see (`queryset`), or a 404 that is audited."""
    found = _find(queryset, pk)
    if found is None:
        raise refused_404(user, queryset.model, pk, action)
    return found


def record_board_read(user, *, refused: bool = False, **detail) -> None:
    """A response that shows Classified Ops cards (the board, a column, the API's list of
    stories), or a refused attempt to see them: recorded against the board's stories as a
    whole, the Story model with no one story named (each story opened is recorded against
    itself)."""
    record(
        by=user,
        obj=None,
        model=Story,
        action="open_board",
        refused=refused,
        reason="No Classified Ops access." if refused else "",
        detail={"board": Story.Board.CLASSIFIED_OPS, **detail},
    )


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


def team_for_user(user, pk, action: str = "open") -> Team:
    return visible_or_404(user, teams_for(user), pk, action)


def epic_for_user(user, pk, action: str = "open") -> Epic:
    return visible_or_404(user, epics_for(user), pk, action)


def ticket_for_user(user, pk, action: str = "open") -> Ticket:
    return visible_or_404(user, tickets_for(user), pk, action)


def story_open(user, pk, action: str = "open") -> Story:
    """One story, or 404, opened: every attempt to open a Classified Ops story, granted or
    refused, writes its audit row (WORKFLOWS.md, Classified Ops board)."""
    story = _find(stories_for(user), pk)
    if story is None:
        hidden = _find(Story.objects.filter(board=Story.Board.CLASSIFIED_OPS), pk)
        if hidden is not None and has_classified_access(user):
            hidden = None  # another team's: refused as any other (staff see every team's)
        reason = "No Classified Ops access." if hidden is not None else NOT_VISIBLE
        raise refused_404(user, Story, pk, action, obj=hidden, reason=reason)
    if story.board == Story.Board.CLASSIFIED_OPS:  # a read, whatever it was for
        detail = {"for": action} if action != "open" else None
        record(by=user, obj=story, action="open", from_status=story.status, detail=detail)
    return story


def document_for_user(user, pk, action: str = "open") -> Document:
    return visible_or_404(user, documents_for(user), pk, action)


def release_for_user(user, pk, action: str = "open") -> Release:
    return visible_or_404(user, releases_for(user), pk, action)


def access_request_for_user(user, pk, action: str = "open") -> AccessRequest:
    return visible_or_404(user, access_requests_for(user), pk, action)


def user_by_username(username: str):
    """An active user, with their roles (the API's assignee, checked for DevOps)."""
    return with_roles(get_user_model().objects.filter(username=username, is_active=True)).first()
