"""Comments: the conversation on a ticket (WORKFLOWS.md, "Conversation on a request").

Whoever may see the ticket may comment, auditors excepted (they read and change nothing);
an internal note only Party Bus staff write. A comment is plain text of at most 10,000
characters, with up to MAX_ATTACHMENTS files checked by their content
(workflow/attachments.py). `@username` of someone who may read it (the ticket, and the note
for an internal one) tells them; any other name is left as text, telling nobody and saying
nothing of whether that user exists. Every comment is audited (object type `comment`),
refusals too; `ticket_ask_for_info` and `ticket_provide_info` add theirs through
`write_comment` in their own transaction.
"""

from __future__ import annotations

import os
import re

from django.contrib.auth import get_user_model
from django.db.models import Q

from requests_app.models import Comment, CommentAttachment, Ticket
from workflow.attachments import KINDS, MAX_ATTACHMENTS, check_attachment
from workflow.audit import record
from workflow.errors import InvalidInput, NotPermitted
from workflow.permissions import (
    AUDITOR,
    READS_EVERYTHING,
    has_role,
    is_member,
    sees_all_teams,
    writes_internal_notes,
)
from workflow.services.runner import audited
from workflow.text import nul_problem

# A name as Django's user names are spelled, not counting a sentence's full stop after it.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w@+-])")


def may_see_ticket(user, ticket: Ticket) -> bool:
    return sees_all_teams(user) or is_member(user, ticket.team_id)


def comment_body(body, field_name: str = "body", message: str = "Write the comment.") -> str:
    """The text as stored: trimmed, not empty, at most Comment.MAX_LENGTH characters, no NUL."""
    if body is not None and not isinstance(body, str):
        raise InvalidInput({field_name: ["Give text (a string)."]})
    body = (body or "").strip()
    if not body:
        raise InvalidInput({field_name: [message]})
    if len(body) > Comment.MAX_LENGTH:
        raise InvalidInput(
            {field_name: [f"At most {Comment.MAX_LENGTH:,} characters ({len(body):,} given)."]}
        )
    if problem := nul_problem(body):
        raise InvalidInput({field_name: [problem]})
    return body


def _checked_attachments(files) -> list[tuple[object, str]]:
    files = list(files or ())
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(
            {"attachments": [f"At most {MAX_ATTACHMENTS} files ({len(files)} given)."]}
        )
    checked, problems = [], []
    for file in files:
        name = _name_of(file)
        verdict = check_attachment(file)
        if verdict.problems:
            problems += [f"{name}: {problem}" for problem in verdict.problems]
        checked.append((file, verdict.content_type))
    if problems:
        raise InvalidInput({"attachments": [*problems, f"Attach {KINDS}, at most 10 MB each."]})
    return checked


def _name_of(file) -> str:
    name = os.path.basename(str(getattr(file, "name", "") or "attachment")).strip()
    return "".join(ch for ch in name if ch.isprintable())[:255] or "attachment"


def mentioned_readers(body: str, ticket: Ticket, *, internal: bool) -> list:
    """The active users `@named` in `body` who may read the comment (one query)."""
    names = set(MENTION.findall(body))
    if not names:
        return []
    readers = Q(groups__name__in=READS_EVERYTHING) | Q(is_superuser=True)
    if not internal:
        readers |= Q(teams=ticket.team_id)
    users = get_user_model().objects.filter(readers, username__in=names, is_active=True)
    return list(users.distinct().order_by("username"))


def write_comment(
    *,
    by,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    kind: str = Comment.Kind.COMMENT,
    attachments=(),
    via: str = "",
) -> Comment:
    """Store a checked comment and its files, and audit it (inside the caller's service).
    `via`: the ticket transition that wrote it (its own notification tells who needs to
    know)."""
    checked = _checked_attachments(attachments)
    comment = Comment.objects.create(
        ticket=ticket, author=by, body=body, internal=internal, kind=kind
    )
    for file, content_type in checked:
        CommentAttachment.objects.create(
            comment=comment,
            file=file,
            name=_name_of(file),
            size=file.size,
            content_type=content_type,
        )
    comment.mentioned = [] if via else mentioned_readers(body, ticket, internal=internal)
    detail = {"ticket": ticket.pk, "internal": internal, "kind": kind}
    if via:
        detail["via"] = via
    if comment.mentioned:
        detail["mentioned"] = [user.username for user in comment.mentioned]
    if checked:
        detail["attachments"] = len(checked)
    record(by=by, obj=comment, action="create", detail=detail)
    return comment


def may_comment(user, ticket: Ticket) -> bool:
    """Whoever sees the ticket, but an auditor (unless also staff or on its team)."""
    if not may_see_ticket(user, ticket):
        return False
    return not has_role(user, AUDITOR) or writes_internal_notes(user) or is_member(
        user, ticket.team_id
    )


@audited("create", model=Comment)
def ticket_comment(
    *, by, ticket: Ticket, body: str, internal: bool = False, attachments=()
) -> Comment:
    """Add a comment (or, for staff, an internal note) to the ticket's conversation."""
    if not may_see_ticket(by, ticket):
        raise NotPermitted("Not found or not yours.")
    if not may_comment(by, ticket):
        raise NotPermitted("Auditors read the conversation; they do not write in it.")
    if internal and not writes_internal_notes(by):
        raise NotPermitted(
            "Only MDO PMs, DevOps, Cyber and Classified Ops write internal notes."
        )
    body = comment_body(body)
    return write_comment(
        by=by, ticket=ticket, body=body, internal=bool(internal), attachments=attachments
    )
