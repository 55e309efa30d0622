"""The conversation on a request, as pages show it: the thread a user may read (internal
notes only for those who read them), one attachment fetched and authorized in one call, and
what the request page's forms need: comment, ask for info (MDO PM), answer (the team).

The rules are the services' (workflow/services/comments.py, the ticket transitions
`ask_for_info` and `provide_info`); a refusal is shown in their words.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_http_methods

from requests_app.models import Comment, CommentAttachment, Ticket
from workflow import services
from workflow.attachments import MAX_ATTACHMENTS
from workflow.permissions import reads_internal_notes, writes_internal_notes
from workflow.selectors import refused_404, ticket_for_user

# Reads -------------------------------------------------------------------------------------


def _readable(user, comments):
    """Comments with what shows them, oldest first, without internal notes for those who
    may not read them: two queries however many."""
    thread = comments.select_related("author").prefetch_related("attachments")
    thread = thread.order_by("created_at", "pk")
    return thread if reads_internal_notes(user) else thread.filter(internal=False)


def comments_for(user, ticket: Ticket):
    """The ticket's thread as `user` may read it."""
    return _readable(user, Comment.objects.filter(ticket=ticket))


def threads_of(user, ticket_ids) -> list[Comment]:
    """The threads of several tickets at once (a board card's dialog), as `user` may read
    them."""
    return list(_readable(user, Comment.objects.filter(ticket_id__in=set(ticket_ids))))


def threads_by_ticket(user, ticket_ids) -> dict[int, list[Comment]]:
    """threads_of, each ticket's thread apart (a triage queue's page of rows), in the same
    two queries."""
    threads: dict[int, list[Comment]] = {}
    for comment in threads_of(user, ticket_ids):
        threads.setdefault(comment.ticket_id, []).append(comment)
    return threads


def attachment_for_user(user, ticket_pk, pk) -> CommentAttachment:
    """The attachment `pk` of ticket `ticket_pk`'s thread, if `user` may read its comment;
    else an audited 404, the same whether it exists or not."""
    ticket = ticket_for_user(user, ticket_pk, "download")
    readable = CommentAttachment.objects.filter(comment__in=comments_for(user, ticket))
    found = readable.filter(pk=pk).select_related("comment").first() if str(pk).isdigit() else None
    if found is None:
        raise refused_404(user, CommentAttachment, pk, "download")
    return found


def attachment_response(attachment: CommentAttachment) -> FileResponse:
    """The file, as its content says it is, to save rather than to open in the portal."""
    try:
        content = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(f"The file of attachment {attachment.pk} is missing.") from None
    response = FileResponse(
        content, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def thread_context(user, ticket: Ticket, offers: dict) -> dict:
    """What the request page's conversation shows: the thread, the open question (while the
    ticket is Needs Info) and the forms this user may use (`offers`: the ticket's transitions
    as workflow.actions offers them, by name)."""
    thread = list(comments_for(user, ticket))
    question = None
    if ticket.status == Ticket.Status.NEEDS_INFO:
        question = next((c for c in reversed(thread) if c.kind == Comment.Kind.QUESTION), None)
    return {
        "thread": thread,
        "question": question,
        "ask_for_info": offers.get("ask_for_info"),
        "provide_info": offers.get("provide_info"),
        "may_comment": services.may_comment(user, ticket),
        "writes_internal": writes_internal_notes(user),
        "max_attachments": MAX_ATTACHMENTS,
        "max_length": Comment.MAX_LENGTH,
    }


# Pages -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def attachment_download(request, pk: int, attachment: int):
    return attachment_response(attachment_for_user(request.user, pk, attachment))
