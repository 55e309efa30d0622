"""The Classified Ops board (its IL6 Production Deploy stories, and the IL6 requests whose
story is still to open) and the decisions on who else may see it.

Every response that shows the board's stories is recorded in the audit trail as a read;
every refused attempt to open it, too.
"""

from __future__ import annotations

from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from boards import moves, selectors
from boards.selectors import Filters
from boards.views.cards import (
    BOARD_TEMPLATE,
    CLASSIFIED,
    board_response,
    board_urls,
    column_response,
    drop,
    outcome,
    panel_context,
    panel_response,
)
from epics.models import Story
from portal.http import attempt, is_fragment, private, safe_next
from portal.pages import guarded, may_open, refuse
from requests_app.models import Ticket
from workflow import gates
from workflow.actions import action_named, offer
from workflow.audit import record
from workflow.dates import day
from workflow.models import AccessRequest
from workflow.selectors import (
    access_request_for_user,
    access_requests_for,
    record_board_read,
    refused_404,
    stories_for,
    story_open,
    ticket_for_user,
)
from workflow.services.access import MOST_DAYS

PAGE, ACCESS_PAGE = "classified", "access_requests"
ACCESS_TEMPLATE = "boards/access_requests.html"
OPEN_STORY = action_named(Ticket, "open_classified_story")


def _refused_open(request) -> None:
    record_board_read(request.user, refused=True)


def _waiting_rows(user) -> list[dict]:
    """IL6 requests whose Classified Ops story is still to open, with what stands in the way."""
    return [
        {
            "ticket": ticket,
            "checks": [gates.structure_prepared(ticket)],
            "offer": offer(OPEN_STORY, ticket, user),
        }
        for ticket in selectors.il6_waiting_for_classified(user)
    ]


def _waiting(user) -> dict:
    return {"waiting": _waiting_rows(user)}


@guarded(PAGE, ("GET",), on_refusal=_refused_open)
def classified_board(request):
    """The whole page, or its columns for HTMX (a filter changed): either shows the cards."""
    record_board_read(request.user, **({"fragment": True} if is_fragment(request) else {}))
    return board_response(request, CLASSIFIED, live=False, extra=_waiting)


@guarded(PAGE, ("GET",), on_refusal=_refused_open)
def classified_board_live(request):
    """The columns again when anything changed (a read, audited), else 304 (shows nothing)."""
    response = board_response(request, CLASSIFIED, live=True)
    if response.status_code == 200:
        record_board_read(request.user, live=True)
    return response


@guarded(PAGE, ("GET",), on_refusal=_refused_open)
def classified_column(request, status: str):
    record_board_read(request.user, column=status, after=request.GET.get("after", ""))
    return column_response(request, CLASSIFIED, status)


def _story_panel(request, pk, story=None, **extra) -> dict:
    story = story or selectors.classified_story(request.user, pk)
    if story is None:
        raise Http404("No such story that you can see.")
    options = moves.story_options(story, request.user)
    return panel_context(request, story, options, kind=CLASSIFIED, role=story.worker_role, **extra)


def _opened_story(request, pk) -> Story:
    """The story, audited as opened (granted or refused)."""
    story = story_open(request.user, pk)
    if story.board != Story.Board.CLASSIFIED_OPS:
        raise refused_404(request.user, Story, pk, reason="Not a Classified Ops story.")
    return selectors.dress_story(story)


@login_required
@require_http_methods(["GET"])
def story_card(request, pk: int):
    if not may_open(request.user, PAGE):
        with suppress(Http404):
            story_open(request.user, pk)  # records the refused open of this story
        return refuse(request, PAGE)
    story = _opened_story(request, pk)
    return panel_response(request, _story_panel(request, pk, story))


@guarded(PAGE, ("POST",), on_refusal=_refused_open)
def story_move(request, pk: int):
    """A drop on the Classified Ops board: To Do → In Progress (assign or pick up), In
    Progress → Done (complete)."""
    user = request.user
    story = _opened_story(request, pk)
    source = request.POST.get("from") or story.status
    target = request.POST.get("to", "")
    call = drop(
        request,
        plan=lambda: moves.plan_story_move(story, source, target, user),
        title=story.title,
        where=lambda: Story.Status(target).label,  # "is now In Progress"
    )
    return outcome(
        request,
        kind=CLASSIFIED,
        pk=pk,
        call=call,
        card_of=selectors.story_card,
        panel_of=_story_panel,
        seen=source,
    )


@guarded(PAGE, ("POST",), on_refusal=_refused_open)
def open_classified_story(request, pk: int):
    """An MDO PM opens the IL6 request's Production Deploy story on this board."""
    user = request.user
    ticket = ticket_for_user(user, pk)
    opened = attempt(lambda: OPEN_STORY.perform(ticket, user))
    if not is_fragment(request):
        (messages.error if opened.refused else messages.success)(
            request,
            opened.detail or f"Request #{ticket.pk} is with Classified Ops: its story is To Do.",
        )
        return redirect(safe_next(request, reverse("board_classified")))
    card = None
    if not opened.refused:
        story = stories_for(user).filter(ticket=ticket, board=Story.Board.CLASSIFIED_OPS).first()
        card = selectors.story_card(user, story.pk) if story else None
        if card is not None:  # the answer shows the new story's card: a read
            record(by=user, obj=story, action="open", from_status=story.status)
    rows = [row for row in _waiting_rows(user) if row["ticket"].pk == ticket.pk]
    context = {
        "kind": CLASSIFIED,
        "row": rows[0] if rows else None,
        "ticket": ticket,
        "card": card,
        "arrived": True,  # the board counts it in and puts it in its place
        "error": opened.detail,
        "unmet": opened.unmet,
        "urls": board_urls(CLASSIFIED, Filters()),
        "now": selectors.now(),
    }
    template = f"{BOARD_TEMPLATE}#opened"
    return private(render(request, template, context, status=opened.status))


# Access to the board ---------------------------------------------------------------------------


def _access_page(user, refusal: dict | None = None, noticed: AccessRequest | None = None) -> dict:
    """Requests waiting for a decision, who holds access today (each grant with its last day,
    who approved it, and a revoke), and the latest decisions: a fixed number of queries.
    `noticed`: the request just decided, whose row (in the section it is in now) says so."""
    every = access_requests_for(user)
    grants = every.in_force()
    return {
        "pending": list(
            every.filter(status=AccessRequest.Status.PENDING).order_by("created_at", "pk")[:100]
        ),
        "grants": list(grants.order_by("expires_on", "user__username", "pk")),
        "decided": list(
            every.exclude(status=AccessRequest.Status.PENDING)
            .exclude(pk__in=grants.values("pk"))
            .order_by("-decided_at", "-pk")[:20]
        ),
        "refusal": refusal,
        "noticed": noticed.pk if noticed is not None else None,
        "notice": _decided(noticed) if noticed is not None else "",
        "nav": ACCESS_PAGE,
        **_access_limits(),
    }


def _access_limits() -> dict:
    return {"default_days": settings.CLASSIFIED_ACCESS_DAYS, "most_days": MOST_DAYS}


@guarded(ACCESS_PAGE, ("GET",))
def access_requests(request):
    """Classified Ops members decide who else may see their board, and for how long."""
    return render(request, ACCESS_TEMPLATE, _access_page(request.user))


def _decided(access: AccessRequest) -> str:
    who = access.user.get_username()
    if access.status == AccessRequest.Status.APPROVED:
        return f"Approved: {who} has access until the end of {day(access.expires_on)}."
    if access.status == AccessRequest.Status.REVOKED:
        return f"{who}'s access is revoked: it has ended. They are told why."
    return f"{who}'s request is {access.get_status_display()}. They are told why."


@guarded(ACCESS_PAGE, ("POST",))
def access_decide(request, pk: int, decision: str):
    """Approve (for `days`), deny (with a `reason`) or revoke (with a `reason`). A refusal
    answers its status with the page or the row, saying why beside the field, and changes
    nothing. A decision made in place answers with the page's sections again, as a reload
    shows them: the request leaves "Waiting for a decision" for who holds access (approved)
    or the latest decisions (denied, revoked), its row there saying what was decided."""
    user = request.user
    action = action_named(AccessRequest, decision)
    if action is None:
        raise Http404("No such decision.")
    access = access_request_for_user(user, pk)
    given = {name: request.POST.get(name, "") for name in action.params}
    decided = attempt(lambda: action.perform(access, user, **given))
    refusal = None
    if decided.refused:
        refusal = {"pk": access.pk, "detail": decided.detail, "fields": decided.fields, **given}
    elif not is_fragment(request):
        messages.success(request, _decided(decided.result))
        return redirect("board_access_requests")
    if not is_fragment(request):
        return render(request, ACCESS_TEMPLATE, _access_page(user, refusal), status=decided.status)
    access = access_request_for_user(user, pk)
    if refusal is None:
        context = _access_page(user, noticed=access)
        response = render(request, f"{ACCESS_TEMPLATE}#sections", context)
        return reswap(retarget(response, "#access-sections"), "outerHTML")
    context = {"access": access, "refusal": refusal, **_access_limits()}
    partial = "grant" if decision == "revoke" else "request"
    return render(request, f"{ACCESS_TEMPLATE}#{partial}", context, status=decided.status)
