"""The triage queue (MDO PMs): submitted requests, soonest due for triage first, a page at a
time, each with its checks; triage or reject each in place."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from boards import selectors
from boards.templatetags.boards import age
from epics.models import Story
from portal.http import attempt, fragment_of, is_fragment, private
from portal.pages import guarded
from requests_app.comments import threads_by_ticket, threads_of
from requests_app.models import Comment, Ticket
from workflow import services
from workflow.actions import action_named, offer
from workflow.permissions import writes_internal_notes
from workflow.selectors import ticket_for_user, tickets_for
from workflow.service_levels import triage_clock

PAGE = "triage"
TRIAGE_TEMPLATE = "boards/triage.html"
TRIAGE, REJECT = action_named(Ticket, "triage"), action_named(Ticket, "reject")


def _triage_row(ticket: Ticket, user, *, now, clashing: set[int], **extra) -> dict:
    """A row: `ticket.triage_clock` is its clock (workflow/service_levels.py), or None."""
    if ticket.kind.opens_epic and ticket.pk not in clashing:
        # A new CtF has no gate at triage; only an epic now holding its name stands in the way
        # (found for the whole page in one query; check_ticket_triage would ask per ticket).
        verdict = services.Verdict()
    else:
        verdict = services.check_ticket_triage(ticket, user)
    offered = offer(TRIAGE, ticket, user, verdict=verdict)
    checks = services.triage_gates(ticket) if not verdict.conflict else []
    shown = {check.code for check in checks}
    checks += [check for check in verdict.unmet if check.code not in shown]
    clock = getattr(ticket, "triage_clock", None)
    return {
        "ticket": ticket,
        "may_comment": services.may_comment(user, ticket),
        "writes_internal": writes_internal_notes(user),
        "max_length": Comment.MAX_LENGTH,
        "offer": offered,
        "checks": checks,
        "due_at": clock.due_at if clock else None,
        "age": age(ticket.created_at, now),
        "overdue": bool(clock and clock.overdue),
        **extra,
    }


# The requests waiting for their team's answer, listed under the queue (oldest question first).
ASKED_SHOWN = 50


@guarded(PAGE, ("GET",))
def triage_queue(request):
    """Submitted requests, soonest due first, a page at a time; triage or reject each in
    place."""
    user = request.user
    now = selectors.now()
    tickets, more, waiting = selectors.triage_queue(user, request.GET.get("after", ""), now=now)
    clashing = selectors.clashing_new_ctf_names(tickets)
    # Each row's conversation: the page's threads in one read, however long they grow.
    threads = threads_by_ticket(user, [ticket.pk for ticket in tickets])
    rows = [
        _triage_row(ticket, user, now=now, clashing=clashing, thread=threads.get(ticket.pk, []))
        for ticket in tickets
    ]
    context = {
        "rows": rows,
        "more": more,
        "waiting": waiting,
        # Asked for information: out of the queue (its clock paused) until the team answers.
        "asked": list(
            tickets_for(user)
            .filter(status=Ticket.Status.NEEDS_INFO)
            .select_related("team")
            .order_by("status_changed_at", "pk")[:ASKED_SHOWN]
        ),
        "after": request.GET.get("after", ""),
        "goal": settings.TRIAGE_GOAL_BUSINESS_HOURS,
        "nav": PAGE,
    }
    return private(render(request, fragment_of(request, TRIAGE_TEMPLATE, "queue"), context))


def _triage_answer(
    request, ticket: Ticket, *, notice: str = "", error: str = "", unmet=(), status, said=None
):
    if not is_fragment(request):
        (messages.error if error else messages.success)(request, error or notice)
        return redirect("board_triage")
    user = request.user
    ticket = ticket_for_user(user, ticket.pk)
    now = selectors.now()
    ticket.triage_clock = triage_clock(ticket, now=now)
    row = _triage_row(
        ticket,
        user,
        now=now,
        clashing=selectors.clashing_new_ctf_names([ticket]),
        notice=notice,
        error=error,
        unmet=list(unmet),
        done=ticket.status != Ticket.Status.SUBMITTED,
        thread=threads_of(user, [ticket.pk]),
        said=said,
    )
    context = {"row": row, "goal": settings.TRIAGE_GOAL_BUSINESS_HOURS}
    if row["done"]:  # the queue's count follows, out of band
        context["waiting"] = selectors.waiting_for_triage(user)
    return render(request, f"{TRIAGE_TEMPLATE}#row", context, status=status)


@guarded(PAGE, ("POST",))
def triage_ticket(request, pk: int):
    user = request.user
    ticket = ticket_for_user(user, pk)
    label = TRIAGE.label_for(ticket)
    triaged = attempt(lambda: TRIAGE.perform(ticket, user))
    if triaged.refused:
        return _triage_answer(
            request,
            ticket,
            error=f"Not triaged: {triaged.detail}",
            unmet=triaged.unmet,
            status=triaged.status,
        )
    ticket = ticket_for_user(user, pk)
    story = next((s for s in ticket.stories.all() if s.board == Story.Board.PRODUCT), None)
    done = "Converted to a story" if label == "Convert to story" else "Triaged"
    notice = (
        f"{done}: story “{story}” is To Do on the Product Team Epic Board; epic “{ticket.epic}” "
        f"is {ticket.epic.get_status_display()}."
    )
    return _triage_answer(request, ticket, notice=notice, status=200)


@guarded(PAGE, ("POST",))
def reject_ticket(request, pk: int):
    user = request.user
    ticket = ticket_for_user(user, pk)
    reason = request.POST.get("reason", "")
    rejected = attempt(lambda: REJECT.perform(ticket, user, reason=reason))
    if rejected.refused:
        why = rejected.problems or rejected.detail  # a missing reason, or why not now
        return _triage_answer(request, ticket, error=f"Not rejected: {why}", status=rejected.status)
    return _triage_answer(
        request, ticket, notice=f"Rejected: {ticket.team.name} is told why.", status=200
    )


def comment_answer(request, ticket: Ticket, *, notice: str, error: str, status: int):
    """A comment written in a row (requests_app/views.py `request_comment`), answered in the
    row: its conversation open, with what happened, or why nothing did and the draft."""
    said = {"ticket": ticket.pk, "notice": notice, "error": error}
    if error:
        said["draft"] = request.POST
    return _triage_answer(request, ticket, status=status, said=said)
