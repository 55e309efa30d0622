"""Tickets: filing a request, triage, rejection, withdrawal and the IL6 request's Classified
Ops story. What differs by request type is read from its declaration
(workflow/request_types.py)."""

from __future__ import annotations

from django_fsm import ConcurrentTransition

from epics.models import Epic, Story, Team
from requests_app.models import Comment, RequestType, Ticket
from workflow import gates, request_types
from workflow.audit import record
from workflow.errors import InvalidInput, NotPermitted
from workflow.fsm import starts_from
from workflow.permissions import is_member
from workflow.request_types import Subject
from workflow.services.comments import comment_body, write_comment
from workflow.services.runner import (
    Verdict,
    audited,
    length_errors,
    locked,
    moved,
    require_role,
    require_text,
    status_conflict,
)


def lock_ticket_and_epic(ticket: Ticket) -> Ticket:
    """Lock the ticket's epic, then the ticket: the epic stored now, not the one the caller's
    copy names (triage of a new CtF gives the ticket its epic)."""
    epic_id = Ticket.objects.filter(pk=ticket.pk).values_list("epic_id", flat=True).get()
    epic = locked(Epic, epic_id) if epic_id else None
    ticket = locked(Ticket, ticket.pk)
    if ticket.epic_id != epic_id:
        raise ConcurrentTransition("The ticket's epic changed while it was being locked.")
    ticket.epic = epic
    return ticket


# Filing ---------------------------------------------------------------------------------


def filing_checks(*, team: Team, request_type: str, impact_level: str, epic: Epic | None):
    """Every gate that filing this request must pass, met or not (the form's checklist)."""
    subject = Subject(team=team, epic=epic, impact_level=impact_level)
    return request_types.filing_checks(request_types.BY_VALUE.get(request_type), subject)


def _filing_input_errors(*, team, request_type, impact_level, epic, application_name):
    if request_type not in RequestType.values:
        return {
            "request_type": [
                f"“{request_type}” is not a request type; choose one of "
                + ", ".join(RequestType.values)
                + "."
            ]
        }
    kind = request_types.of(request_type)
    errors: dict[str, list[str]] = {}
    if impact_level not in kind.levels:
        errors["impact_level"] = [
            f"{kind.label} takes "
            + ", ".join(str(level) for level in kind.levels)
            + (f", not “{impact_level}”." if impact_level else "; choose one.")
        ]
    if not kind.opens_epic:
        if epic is None:
            errors["epic"] = ["Choose the epic this request is for."]
        return errors
    if epic is not None:
        errors["epic"] = ["A new CtF opens a new epic: leave the epic empty."]
    if not application_name:
        errors["application_name"] = ["Name the new application (it becomes the epic)."]
    elif Epic.objects.filter(team=team, title__iexact=application_name).exists():
        errors["application_name"] = [
            f"{team.name} already has an epic named “{application_name}”: "
            "file an additional pipeline on it instead."
        ]
    return errors


def _default_title(request_type, impact_level, epic, application_name) -> str:
    kind = request_types.of(request_type)
    subject = kind.subject_of(application_name=application_name, epic=epic)
    return f"{kind.label} ({impact_level}): {subject}"[:200]


@audited("file", model=Ticket)
def ticket_file(
    *,
    by,
    team: Team,
    request_type: str,
    impact_level: str,
    epic: Epic | None = None,
    title: str = "",
    description: str = "",
    application_name: str = "",
) -> Ticket:
    """File a request for `team`: validity gate and the type's gates, or nothing is stored."""
    if not (is_member(by, team.pk) or by.is_superuser):
        raise NotPermitted(f"Only members of {team.name} may file its requests.")
    application_name = (application_name or "").strip()
    title = (title or "").strip()
    errors = length_errors(Ticket, title=title, application_name=application_name)
    errors |= _filing_input_errors(
        team=team,
        request_type=request_type,
        impact_level=impact_level,
        epic=epic,
        application_name=application_name,
    )
    if errors:
        raise InvalidInput(errors)
    checks = filing_checks(
        team=team, request_type=request_type, impact_level=impact_level, epic=epic
    )
    Verdict(unmet=gates.unmet(checks)).enforce()
    ticket = Ticket.objects.create(
        team=team,
        epic=epic,
        request_type=request_type,
        impact_level=impact_level,
        title=title or _default_title(request_type, impact_level, epic, application_name),
        description=description or "",
        application_name=application_name,
        created_by=by,
    )
    record(by=by, obj=ticket, action="file", to_status=ticket.status)
    return ticket


# Triage ---------------------------------------------------------------------------------


def triage_gates(ticket: Ticket) -> list[gates.Check]:
    """The gates triage checks for the ticket's type, met or not (the triage queue shows
    them all)."""
    subject = Subject(team=ticket.team, epic=ticket.epic, impact_level=ticket.impact_level)
    return request_types.triage_checks(ticket.kind, subject)


def check_ticket_triage(ticket: Ticket, user=None) -> Verdict:
    verdict = status_conflict(ticket, ticket.triage, "only Submitted tickets can be triaged")
    if not verdict.allowed:
        return verdict
    kind, epic = ticket.kind, ticket.epic
    if kind.triage_sources and epic.status not in kind.triage_sources:
        return Verdict(
            conflict=f"Epic “{epic}” is {epic.get_status_display()}: {kind.epic_not_ready}.",
            status=ticket.status,
        )
    if (
        kind.opens_epic
        and Epic.objects.filter(
            team_id=ticket.team_id, title__iexact=ticket.application_name
        ).exists()
    ):
        return Verdict(
            conflict=f"{ticket.team.name} already has an epic named “{ticket.application_name}”: "
            "the new CtF's epic cannot be opened under that name.",
            status=ticket.status,
        )
    return Verdict(unmet=gates.unmet(triage_gates(ticket)))


@audited("triage", subject="ticket")
def ticket_triage(*, by, ticket: Ticket) -> Ticket:
    """Open the ticket's story (and a new epic, or move the epic, as its type says)."""
    require_role(ticket.triage, by, "Only MDO PMs triage tickets.")
    ticket = lock_ticket_and_epic(ticket)
    epic, kind = ticket.epic, ticket.kind
    check_ticket_triage(ticket, by).enforce()
    before = ticket.status
    if kind.opens_epic:
        epic = Epic.objects.create(
            team=ticket.team, title=ticket.application_name, requires_new_ctf=True
        )
        record(
            by=by, obj=epic, action="create", to_status=epic.status, detail={"ticket": ticket.pk}
        )
        ticket.epic = epic
    elif kind.epic.on_triage:
        ticket.epic_status_before = epic.status
        getattr(epic, kind.epic.on_triage)()
        moved(
            by, epic, kind.epic.on_triage, ticket.epic_status_before, detail={"ticket": ticket.pk}
        )
    ticket.triage()
    moved(by, ticket, "triage", before)
    story = Story.objects.create(
        epic=epic, ticket=ticket, board=Story.Board.PRODUCT, title=kind.story_title_for(ticket)
    )
    record(by=by, obj=story, action="create", to_status=story.status, detail={"ticket": ticket.pk})
    return ticket


# Ending a request -----------------------------------------------------------------------


def check_ticket_reject(ticket: Ticket, user=None) -> Verdict:
    return status_conflict(
        ticket,
        ticket.reject,
        "only Submitted or Needs Info tickets, or Triaged ones whose story is still To Do, "
        "can be rejected",
    )


@audited("reject", subject="ticket")
def ticket_reject(*, by, ticket: Ticket, reason: str) -> Ticket:
    """Reject with a reason; cancel its story and put the epic back where it was."""
    require_role(ticket.reject, by, "Only MDO PMs reject tickets.")
    reason = require_text(reason, "reason", "Say why the request is rejected.")
    ticket = lock_ticket_and_epic(ticket)
    epic = ticket.epic
    check_ticket_reject(ticket).enforce()
    before = ticket.status
    for story in ticket.stories.select_for_update():
        story_before = story.status
        story.cancel()
        moved(by, story, "cancel", story_before, detail={"ticket": ticket.pk})
    if epic is not None and ticket.epic_status_before and starts_from(epic.revert):
        epic_before = epic.status
        epic.revert(ticket.epic_status_before)
        moved(by, epic, "revert", epic_before, detail={"ticket": ticket.pk})
    ticket.reject(reason=reason)
    moved(by, ticket, "reject", before, reason=reason)
    return ticket


def check_ticket_withdraw(ticket: Ticket, user=None) -> Verdict:
    return status_conflict(
        ticket, ticket.withdraw, "only Submitted tickets can be withdrawn (or those in Needs Info)"
    )


@audited("withdraw", subject="ticket")
def ticket_withdraw(*, by, ticket: Ticket) -> Ticket:
    require_role(
        ticket.withdraw, by, f"Only members of {ticket.team.name} may withdraw its requests."
    )
    ticket = locked(Ticket, ticket.pk)
    check_ticket_withdraw(ticket).enforce()
    before = ticket.status
    ticket.withdraw()
    moved(by, ticket, "withdraw", before)
    return ticket


# Needs Info: a question to the team, and its answer -----------------------------------------


def check_ticket_ask_for_info(ticket: Ticket, user=None) -> Verdict:
    return status_conflict(
        ticket, ticket.ask_for_info, "only Submitted tickets can be asked for information"
    )


@audited("ask_for_info", subject="ticket")
def ticket_ask_for_info(*, by, ticket: Ticket, question: str) -> Ticket:
    """Ask the team a question: the ticket waits in Needs Info (its triage clock paused) and
    the question is a comment of its conversation, which the team sees."""
    require_role(ticket.ask_for_info, by, "Only MDO PMs ask a team for information.")
    question = comment_body(question, "question", "Write the question the team should answer.")
    ticket = locked(Ticket, ticket.pk)
    check_ticket_ask_for_info(ticket).enforce()
    return _move_saying(by, ticket, "ask_for_info", question, Comment.Kind.QUESTION)


def check_ticket_provide_info(ticket: Ticket, user=None) -> Verdict:
    """Back to Submitted, but only while the request could be filed as it is now: the filing
    gates are checked again, every unmet one stands in the way."""
    verdict = status_conflict(
        ticket, ticket.provide_info, "only a ticket in Needs Info waits for an answer"
    )
    if not verdict.allowed:
        return verdict
    checks = filing_checks(
        team=ticket.team,
        request_type=ticket.request_type,
        impact_level=ticket.impact_level,
        epic=ticket.epic,
    )
    return Verdict(unmet=gates.unmet(checks))


@audited("provide_info", subject="ticket")
def ticket_provide_info(*, by, ticket: Ticket, answer: str) -> Ticket:
    """Answer the MDO PM's question: a comment, and the ticket back in Submitted."""
    require_role(
        ticket.provide_info, by, f"Only members of {ticket.team.name} answer for its requests."
    )
    answer = comment_body(answer, "answer", "Write the answer to the question.")
    ticket = lock_ticket_and_epic(ticket)
    check_ticket_provide_info(ticket).enforce()
    return _move_saying(by, ticket, "provide_info", answer, Comment.Kind.ANSWER)


def _move_saying(by, ticket: Ticket, transition: str, text: str, kind) -> Ticket:
    """Take the transition, its text a comment of the conversation, both in one trail."""
    before = ticket.status
    getattr(ticket, transition)()
    comment = write_comment(by=by, ticket=ticket, body=text, kind=kind, via=transition)
    moved(by, ticket, transition, before, detail={"comment": comment.pk})
    return ticket


# The Classified Ops story ------------------------------------------------------------------


def check_ticket_open_classified_story(ticket: Ticket, user) -> Verdict:
    verdict = status_conflict(
        ticket,
        ticket.open_classified_story,
        "the Classified Ops story is opened for a Triaged IL6 ticket",
    )
    if not verdict.allowed:
        return verdict
    return Verdict(
        unmet=gates.unmet([gates.structure_prepared(ticket), gates.classified_access(user)])
    )


@audited("open_classified_story", subject="ticket")
def ticket_open_classified_story(*, by, ticket: Ticket) -> Ticket:
    """Open the Production Deploy story on the Classified Ops board for an IL6 ticket."""
    require_role(ticket.open_classified_story, by, "Only MDO PMs open Classified Ops stories.")
    ticket = locked(Ticket, ticket.pk)
    check_ticket_open_classified_story(ticket, by).enforce()
    before = ticket.status
    story = Story.objects.create(
        epic_id=ticket.epic_id,
        ticket=ticket,
        board=Story.Board.CLASSIFIED_OPS,
        title=ticket.kind.classified_story_title.format(epic=ticket.epic),
    )
    record(by=by, obj=story, action="create", to_status=story.status, detail={"ticket": ticket.pk})
    ticket.open_classified_story()
    moved(by, ticket, "open_classified_story", before, detail={"story": story.pk})
    return ticket
