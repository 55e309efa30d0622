"""The boards: the triage queue (MDO PMs), the Product Team Epic Board, My work (DevOps and
Classified Ops engineers), the Classified Ops board and its access decisions.

Views parse input, call one action of workflow/actions.py (through boards/moves.py for a
drag) and render; reads come from boards/selectors.py, built on workflow.selectors. A card is
one partial that the board, a column's next page, a live refresh and the move endpoint all
render.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_htmx.http import push_url

from boards import moves, selectors
from boards.selectors import Filters
from boards.templatetags.boards import age
from epics.models import Epic, Story
from requests_app.models import Ticket
from workflow import gates, services
from workflow.actions import action_named
from workflow.audit import record
from workflow.business_hours import business_hours_between
from workflow.errors import Conflict, GatesUnmet, InvalidInput, Refusal
from workflow.models import AccessRequest
from workflow.permissions import (
    CLASSIFIED_OPS,
    DEVOPS,
    MDO_PM,
    STAFF_ROLES,
    has_classified_access,
    has_role,
)
from workflow.selectors import (
    access_request_for_user,
    access_requests_for,
    stories_for,
    story_for_user,
    ticket_for_user,
)

BOARD_TEMPLATE = "boards/board.html"
CARD_TEMPLATE = "boards/card.html"
COLUMN_TEMPLATE = "boards/column.html"
TRIAGE_TEMPLATE = "boards/triage.html"
MY_WORK_TEMPLATE = "boards/my_work.html"
ACCESS_TEMPLATE = "boards/access_requests.html"
REFUSED_TEMPLATE = "boards/refused.html"

EPICS, CLASSIFIED = "epics", "classified"


def _htmx(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _private(response, *, etag: str = ""):
    """A page and its HTMX fragment share a URL, and every board is someone's own view."""
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    patch_cache_control(response, private=True, no_cache=True)
    if etag:
        response["ETag"] = etag
    return response


STAFF_PAGE = (
    "Party Bus staff: MDO PMs triage and move the work; DevOps, Cyber and Classified Ops "
    "engineers see it and do theirs"
)


def _refused(request, *, what: str, whose: str = STAFF_PAGE, classified: bool = False):
    """Not for this person (403): say whose it is and what they can do instead."""
    user = request.user
    context = {"what": what, "whose": whose, "classified": classified}
    if classified:
        pending = access_requests_for(user).filter(user=user, status=AccessRequest.Status.PENDING)
        context["pending"] = pending.first()
        context["request_url"] = (
            f"{reverse('classified_access')}?{urlencode({'next': reverse('board_classified')})}"
        )
    return render(request, REFUSED_TEMPLATE, context, status=403)


def _allowed(user, *roles) -> bool:
    return has_role(user, *roles)


def _safe_next(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default


def _with_query(url: str, query: dict) -> str:
    return f"{url}?{urlencode(query)}" if query else url


# The boards (epics and Classified Ops stories) ----------------------------------------------


def _board_urls(kind: str, filters: Filters) -> dict:
    query = filters.query()
    if kind == EPICS:
        page, live = reverse("board_epics"), reverse("board_epics_live")
        card, column = (
            reverse("board_epic_card", args=[0]),
            reverse("board_epic_column", args=["x"]),
        )
        move = reverse("board_epic_move", args=[0])
    else:
        page, live = reverse("board_classified"), reverse("board_classified_live")
        card = reverse("board_story_card", args=[0])
        column = reverse("board_classified_column", args=["x"])
        move = reverse("board_story_move", args=[0])
    return {
        "page": page,
        "live": _with_query(live, query),
        "card": card.removesuffix("0/"),
        "column": column.removesuffix("x/"),
        "move": move,
        "filters": ("&" + urlencode(query)) if query else "",
        "filters_query": urlencode(query),
    }


def _loaded(data) -> dict[str, int]:
    """How many cards of each column the viewer has loaded, beyond the first page."""
    loaded = {}
    for name, value in data.items():
        if name.startswith("n_"):
            try:
                count = int(value)
            except ValueError:
                continue
            if count > selectors.page_size():
                loaded[name[2:]] = count
    return loaded


def _board_context(request, kind: str, board, filters: Filters, etag: str) -> dict:
    for view in board.columns:
        view.targets = " ".join(moves.targets(view.column.status, stories=kind == CLASSIFIED))
    user = request.user
    return {
        "kind": kind,
        "board": board,
        "filters": filters,
        "urls": _board_urls(kind, filters),
        "etag": etag,
        "now": selectors.now(),
        "page_size": selectors.page_size(),
        "poll_seconds": settings.BOARD_POLL_SECONDS,
        "title": "Product Team Epic Board" if kind == EPICS else "Classified Ops board",
        "nav": "epic_board" if kind == EPICS else "classified",
        "levels": ["IL2", "IL4", "IL5", "IL6"] if kind == EPICS else ["IL6"],
        "may_move": has_role(user, MDO_PM, DEVOPS, CLASSIFIED_OPS),
    }


def _board_response(request, kind: str, *, live: bool):
    user = request.user
    filters = Filters.from_query(request.GET)
    loaded = _loaded(request.GET) if live else {}
    version = selectors.board_version()
    etag = selectors.etag_for(version, user, kind, sorted(filters.query().items()), loaded)
    if live and etag in request.headers.get("If-None-Match", ""):
        return _private(HttpResponseNotModified(), etag=etag)
    fragment = live or _htmx(request)
    read = selectors.epic_board if kind == EPICS else selectors.classified_board
    board = read(user, filters, loaded=loaded, choices=not fragment, version=version)
    context = _board_context(request, kind, board, filters, etag)
    if kind == CLASSIFIED and not fragment:
        context["waiting"] = _waiting_rows(user)
    template = f"{BOARD_TEMPLATE}#columns" if fragment else BOARD_TEMPLATE
    response = render(request, template, context)
    if fragment and not live:
        # The address bar keeps the filters (and only those that are set).
        push_url(response, _with_query(context["urls"]["page"], filters.query()))
    return _private(response, etag=etag)


def _board_roles_refusal(request):
    if not _allowed(request.user, *STAFF_ROLES):
        return _refused(request, what="The Product Team Epic Board")
    return None


@login_required
@require_http_methods(["GET"])
def epic_board(request):
    """One column per epic status; filters in the query string; HTMX gets the columns."""
    return _board_roles_refusal(request) or _board_response(request, EPICS, live=False)


@login_required
@require_http_methods(["GET"])
def epic_board_live(request):
    """The board's columns again when anything changed since the viewer's ETag, else 304."""
    return _board_roles_refusal(request) or _board_response(request, EPICS, live=True)


def _column_response(request, kind: str, status: str):
    columns = selectors.epic_columns() if kind == EPICS else selectors.story_columns()
    column = selectors.column_named(columns, status)
    if column is None:
        raise Http404("No such column.")
    filters = Filters.from_query(request.GET)
    cursor = selectors.parse_cursor(request.GET.get("after", ""))
    page = selectors.epic_column_page if kind == EPICS else selectors.classified_column_page
    cards, more = page(request.user, filters, column, cursor)
    context = {
        "kind": kind,
        "view": selectors.ColumnView(column, cards, len(cards), len(cards), more),
        "filters": filters,
        "urls": _board_urls(kind, filters),
        "now": selectors.now(),
        "page_size": selectors.page_size(),
        "title": column.label,
        "nav": "epic_board" if kind == EPICS else "classified",
    }
    if _htmx(request):
        return _private(render(request, f"{BOARD_TEMPLATE}#column_page", context))
    return _private(render(request, COLUMN_TEMPLATE, context))


@login_required
@require_http_methods(["GET"])
def epic_column(request, status: str):
    """The next page of one column, after the cursor of the last card shown."""
    return _board_roles_refusal(request) or _column_response(request, EPICS, status)


# A card's moves, as buttons (the keyboard's way to drag) and as drops -----------------------


def _epic_or_404(user, pk) -> Epic:
    epic = selectors.epic_with_work(user, pk)
    if epic is None:
        raise Http404("No such epic that you can see.")
    return epic


def _engineers(options, role: str) -> list:
    if any(option["needs_assignee"] for option in options):
        return list(selectors.people_in(role))
    return []


def _panel_context(request, card, options, *, kind, role, move, board, nav, **extra) -> dict:
    """What a card's dialog (or its page without JavaScript) shows, on either board: its
    moves as buttons, the engineers of `role` when one is to be chosen, where a move posts
    and where to go back."""
    return {
        "kind": kind,
        "card": card,
        "options": options,
        "engineers": _engineers(options, role),
        "move_url": reverse(move, args=[card.pk]),
        "board_url": reverse(board),
        "next": _safe_next(request, reverse(board)),
        "now": selectors.now(),
        "nav": nav,
        **extra,
    }


def _epic_panel_context(request, epic: Epic, **extra) -> dict:
    user = request.user
    cyber = action_named(Epic, "verify_cyber_compliance")
    return _panel_context(
        request,
        epic,
        moves.epic_options(epic, user),
        kind=EPICS,
        role=DEVOPS,
        move="board_epic_move",
        board="board_epics",
        nav="epic_board",
        cyber_offered=epic.requires_new_ctf and cyber.offered_to(epic, user),
        verify_url=reverse("board_epic_verify_cyber", args=[epic.pk]),
        **extra,
    )


@login_required
@require_http_methods(["GET"])
def epic_card(request, pk: int):
    """A card opened: its stories and every move open from its column, with what stands in
    the way of each. In the board's dialog under HTMX; a page of its own without."""
    if refusal := _board_roles_refusal(request):
        return refusal
    epic = _epic_or_404(request.user, pk)
    context = _epic_panel_context(request, epic)
    template = f"{CARD_TEMPLATE}#panel" if _htmx(request) else CARD_TEMPLATE
    return _private(render(request, template, context))


def _outcome(
    request, *, kind: str, pk: int, attempt, card_of, panel_of, seen: str = "", stay=False
):
    """Run one attempt on a card and answer: the card where it now is (the board moves it
    there), a message, and the dialog's contents. Without JavaScript: back to the board
    with the message, or the card's page with the refusal. `seen` is the column the person
    saw the card in: a conflict because it has left it meanwhile says so. `stay`: a success
    keeps the dialog open on the card's moves (a check done, the move it opened is next)."""
    user = request.user
    error, unmet, status, asking, notice = "", [], 200, None, ""
    conflict = False
    try:
        notice = attempt()
    except moves.AssigneeNeeded as needed:
        asking = needed.story
    except GatesUnmet as refused:
        status, unmet = refused.status_code, refused.unmet
        error = "Not moved: every check below must be met first."  # the card is named below
    except InvalidInput as refused:
        status = refused.status_code
        error = " ".join(problem for problems in refused.fields.values() for problem in problems)
    except Refusal as refused:
        status, error = refused.status_code, refused.detail
        conflict = isinstance(refused, Conflict)
    if not _htmx(request):
        if error or asking is not None:
            context = panel_of(request, pk, error=error, unmet=unmet, asking=asking)
            return _private(render(request, CARD_TEMPLATE, context, status=status))
        messages.success(request, notice)
        board = "board_epics" if kind == EPICS else "board_classified"
        return redirect(_safe_next(request, reverse(board)))
    card = card_of(user, pk)
    if card is None:
        raise Http404("No such card that you can see.")
    if unmet:
        error = f"“{card.title}” stays in {card.status_label}: every check below must be met first."
    elif conflict and seen and card.status != seen:
        # Two people moved it at once: the other one's move won.
        error = (
            f"Someone else moved “{card.title}” to {card.status_label} meanwhile: it is shown "
            "where it is now."
        )
    from_panel = request.POST.get("via") == "panel"
    context = {
        "card": card,
        "oob": True,
        "urls": _board_urls(kind, Filters()),
        "notice": notice,
        "error": error,
        "unmet": unmet,
        "close_dialog": from_panel and not error and asking is None and not stay,
    }
    if asking is not None or (from_panel and (error or stay)):
        # The dialog asks which engineer, shows the refusal where the button was pressed, or
        # stays open on the card's moves.
        done = notice if stay and not error else ""
        panel = panel_of(request, pk, error=error, unmet=unmet, asking=asking, notice=done)
        context["dialog_html"] = render_to_string(f"{CARD_TEMPLATE}#panel", panel, request=request)
        context["error"] = context["notice"] = ""
    return _private(render(request, f"{BOARD_TEMPLATE}#moved", context, status=status))


def _epic_panel(request, pk, **extra) -> dict:
    return _epic_panel_context(request, _epic_or_404(request.user, pk), **extra)


@login_required
@require_http_methods(["POST"])
def epic_move(request, pk: int):
    """A drop (or its button): `from` the column the person saw the card in, `to` the column
    it was dropped on, and the engineer when an MDO PM assigns."""
    if refusal := _board_roles_refusal(request):
        return refusal
    user = request.user
    epic = selectors.epic_to_move(user, pk)
    if epic is None:
        raise Http404("No such epic that you can see.")
    source = request.POST.get("from") or epic.status
    target = request.POST.get("to", "")

    attempt = _drop(
        request,
        plan=lambda: moves.plan_epic_move(epic, source, target, user),
        title=epic.title,
        where=lambda: f"in {moves.S(target).label}",
    )
    return _outcome(
        request,
        kind=EPICS,
        pk=pk,
        attempt=attempt,
        card_of=selectors.epic_card,
        panel_of=_epic_panel,
        seen=source,
    )


def _drop(request, *, plan, title: str, where):
    """The attempt behind a drop on either board: plan the move (a refusal if it is not one),
    ask for the engineer when an MDO PM assigns, carry it out, say what happened."""

    def attempt() -> str:
        step = plan()
        assignee = moves.assignee_from(request.POST.get("assignee"))
        if step.needs_assignee and "assignee" in request.POST and assignee is None:
            raise InvalidInput({"assignee": ["Choose the engineer who works this story."]})
        moves.perform(step, request.user, assignee=assignee)
        return _moved_notice(title, where(), step, assignee)

    return attempt


def _moved_notice(title: str, where: str, step, assignee) -> str:
    who = f", assigned to {assignee.username}" if assignee is not None else ""
    if step.action.name == "pick_up":
        who = ", picked up by you"
    return f"“{title}” is now {where}{who}."


@login_required
@require_http_methods(["POST"])
def epic_verify_cyber(request, pk: int):
    """Record the new-CtF epic's cyber compliance (the gate before its pipeline starts)."""
    if refusal := _board_roles_refusal(request):
        return refusal
    user = request.user
    epic = selectors.epic_to_move(user, pk)

    def attempt() -> str:
        action_named(Epic, "verify_cyber_compliance").perform(epic, user)
        return f"Epic “{epic}” is verified cyber compliant: its pipeline can start."

    return _outcome(
        request,
        kind=EPICS,
        pk=pk,
        attempt=attempt,
        card_of=selectors.epic_card,
        panel_of=_epic_panel,
        stay=True,
    )


# The Classified Ops board -------------------------------------------------------------------


def _classified_refusal(request, *, audit: bool = True):
    """None for those with access; otherwise the refusal, recorded in the audit trail."""
    user = request.user
    if has_classified_access(user):
        return None
    if audit:
        _audit_board_open(user, refused=True)
    return _refused(request, what="The Classified Ops board", classified=True)


def _audit_board_open(user, *, refused: bool = False, **detail) -> None:
    """Opening the Classified Ops board is recorded against its stories as a whole: the Story
    model with no one story named (each story opened is recorded against itself)."""
    record(
        by=user,
        obj=None,
        model=Story,
        action="open_board",
        refused=refused,
        reason="No Classified Ops access." if refused else "",
        detail={"board": Story.Board.CLASSIFIED_OPS, **detail},
    )


def _waiting_rows(user) -> list[dict]:
    """IL6 requests whose Classified Ops story is still to open, with what stands in the way."""
    action = action_named(Ticket, "open_classified_story")
    rows = []
    for ticket in selectors.il6_waiting_for_classified(user):
        verdict = action.check(ticket, user)
        rows.append(
            {
                "ticket": ticket,
                "checks": [gates.structure_prepared(ticket)],
                "offered": action.offered_to(ticket, user),
                "allowed": verdict.allowed,
                "conflict": verdict.conflict,
                "unmet": verdict.unmet,
            }
        )
    return rows


@login_required
@require_http_methods(["GET"])
def classified_board(request):
    if refusal := _classified_refusal(request):
        return refusal
    if not _htmx(request):
        _audit_board_open(request.user)
    return _board_response(request, CLASSIFIED, live=False)


@login_required
@require_http_methods(["GET"])
def classified_board_live(request):
    return _classified_refusal(request) or _board_response(request, CLASSIFIED, live=True)


@login_required
@require_http_methods(["GET"])
def classified_column(request, status: str):
    if refusal := _classified_refusal(request):
        return refusal
    _audit_board_open(request.user, column=status, after=request.GET.get("after", ""))
    return _column_response(request, CLASSIFIED, status)


def _story_panel_context(request, story: Story, **extra) -> dict:
    return _panel_context(
        request,
        story,
        moves.story_options(story, request.user),
        kind=CLASSIFIED,
        role=story.worker_role,
        move="board_story_move",
        board="board_classified",
        nav="classified",
        **extra,
    )


def _classified_story(request, pk) -> Story:
    """The story, audited as opened (granted or refused) by workflow.selectors."""
    story = story_for_user(request.user, pk)
    if story.board != Story.Board.CLASSIFIED_OPS:
        raise Http404("Not a Classified Ops story.")
    return selectors.dress_story(story)


def _story_panel(request, pk, **extra) -> dict:
    story = selectors.classified_story(request.user, pk)
    if story is None:
        raise Http404("No such story that you can see.")
    return _story_panel_context(request, story, **extra)


@login_required
@require_http_methods(["GET"])
def story_card(request, pk: int):
    if refusal := _classified_refusal(request, audit=False):
        with suppress(Http404):
            story_for_user(request.user, pk)  # records the refused open of this story
        return refusal
    story = _classified_story(request, pk)
    context = _story_panel_context(request, story)
    template = f"{CARD_TEMPLATE}#panel" if _htmx(request) else CARD_TEMPLATE
    return _private(render(request, template, context))


@login_required
@require_http_methods(["POST"])
def story_move(request, pk: int):
    """A drop on the Classified Ops board: To Do → In Progress (assign or pick up), In
    Progress → Done (complete)."""
    if refusal := _classified_refusal(request):
        return refusal
    user = request.user
    story = _classified_story(request, pk)
    source = request.POST.get("from") or story.status
    target = request.POST.get("to", "")

    attempt = _drop(
        request,
        plan=lambda: moves.plan_story_move(story, source, target, user),
        title=story.title,
        where=lambda: Story.Status(target).label,  # "is now In Progress"
    )
    return _outcome(
        request,
        kind=CLASSIFIED,
        pk=pk,
        attempt=attempt,
        card_of=selectors.story_card,
        panel_of=_story_panel,
        seen=source,
    )


@login_required
@require_http_methods(["POST"])
def open_classified_story(request, pk: int):
    """An MDO PM opens the IL6 request's Production Deploy story on this board."""
    if refusal := _classified_refusal(request):
        return refusal
    user = request.user
    ticket = ticket_for_user(user, pk)
    error, unmet, status = "", [], 200
    try:
        action_named(Ticket, "open_classified_story").perform(ticket, user)
    except Refusal as refused:
        error, status = refused.detail, refused.status_code
        unmet = refused.unmet if isinstance(refused, GatesUnmet) else []
    if not _htmx(request):
        (messages.error if error else messages.success)(
            request, error or f"Request #{ticket.pk} is with Classified Ops: its story is To Do."
        )
        return redirect(_safe_next(request, reverse("board_classified")))
    card = None
    if not error:
        story = stories_for(user).filter(ticket=ticket, board=Story.Board.CLASSIFIED_OPS).first()
        card = selectors.story_card(user, story.pk) if story else None
    rows = [row for row in _waiting_rows(user) if row["ticket"].pk == ticket.pk]
    context = {
        "kind": CLASSIFIED,
        "row": rows[0] if rows else None,
        "ticket": ticket,
        "card": card,
        "arrived": True,  # the board counts it in and puts it in its place
        "error": error,
        "unmet": unmet,
        "urls": _board_urls(CLASSIFIED, Filters()),
        "now": selectors.now(),
    }
    return _private(render(request, f"{BOARD_TEMPLATE}#opened", context, status=status))


# Access to the Classified Ops board ---------------------------------------------------------


DECIDERS = "the Classified Ops team, who decide who else may see their board"


@login_required
@require_http_methods(["GET"])
def access_requests(request):
    """Classified Ops members decide who else may see their board."""
    user = request.user
    if not _allowed(user, CLASSIFIED_OPS):
        return _refused(request, what="Deciding Classified Ops access", whose=DECIDERS)
    every = access_requests_for(user)
    context = {
        "pending": list(
            every.filter(status=AccessRequest.Status.PENDING).order_by("created_at", "pk")[:100]
        ),
        "decided": list(
            every.exclude(status=AccessRequest.Status.PENDING).order_by("-decided_at", "-pk")[:20]
        ),
        "nav": "access_requests",
    }
    return render(request, ACCESS_TEMPLATE, context)


@login_required
@require_http_methods(["POST"])
def access_decide(request, pk: int, decision: str):
    user = request.user
    if not _allowed(user, CLASSIFIED_OPS):
        return _refused(request, what="Deciding Classified Ops access", whose=DECIDERS)
    action = action_named(AccessRequest, decision)
    if action is None:
        raise Http404("No such decision.")
    access = access_request_for_user(user, pk)
    error, status = "", 200
    try:
        access = action.perform(access, user)
    except Refusal as refused:
        error, status = refused.detail, refused.status_code
    if not _htmx(request):
        (messages.error if error else messages.success)(
            request, error or f"{access.user.username}'s request is {access.get_status_display()}."
        )
        return redirect("board_access_requests")
    access = access_request_for_user(user, pk)
    return render(
        request, f"{ACCESS_TEMPLATE}#request", {"access": access, "error": error}, status=status
    )


# The triage queue ---------------------------------------------------------------------------


def _triage_row(ticket: Ticket, user, *, now, clashing: set[int], **extra) -> dict:
    if ticket.kind.opens_epic and ticket.pk not in clashing:
        # A new CtF has no gate at triage; only an epic now holding its name stands in the way
        # (found for the whole page in one query; check_ticket_triage would ask per ticket).
        verdict = services.Verdict()
    else:
        verdict = services.check_ticket_triage(ticket, user)
    checks = services.triage_gates(ticket) if not verdict.conflict else []
    shown = {check.code for check in checks}
    checks += [check for check in verdict.unmet if check.code not in shown]
    hours = business_hours_between(ticket.created_at, now)
    return {
        "ticket": ticket,
        "label": action_named(Ticket, "triage").label_for(ticket),
        "allowed": verdict.allowed,
        "conflict": verdict.conflict,
        "checks": checks,
        "hours": hours,
        "age": age(ticket.created_at, now),
        "overdue": hours > settings.TRIAGE_GOAL_BUSINESS_HOURS,
        **extra,
    }


def _triage_refusal(request):
    if not _allowed(request.user, MDO_PM):
        return _refused(
            request, what="The triage queue", whose="MDO PMs, who triage or reject every request"
        )
    return None


@login_required
@require_http_methods(["GET"])
def triage_queue(request):
    """Submitted requests, oldest first, a page at a time; triage or reject each in place."""
    if refusal := _triage_refusal(request):
        return refusal
    user = request.user
    cursor = selectors.parse_cursor(request.GET.get("after", ""))
    tickets, more, waiting = selectors.triage_queue(user, cursor)
    now = selectors.now()
    clashing = selectors.clashing_new_ctf_names(tickets)
    context = {
        "rows": [_triage_row(ticket, user, now=now, clashing=clashing) for ticket in tickets],
        "more": more,
        "waiting": waiting,
        "after": request.GET.get("after", ""),
        "goal": settings.TRIAGE_GOAL_BUSINESS_HOURS,
        "nav": "triage",
    }
    template = f"{TRIAGE_TEMPLATE}#queue" if _htmx(request) else TRIAGE_TEMPLATE
    return _private(render(request, template, context))


def _triage_answer(request, ticket: Ticket, *, notice: str = "", error: str = "", unmet=(), status):
    if not _htmx(request):
        (messages.error if error else messages.success)(request, error or notice)
        return redirect("board_triage")
    user = request.user
    ticket = ticket_for_user(user, ticket.pk)
    row = _triage_row(
        ticket,
        user,
        now=selectors.now(),
        clashing=selectors.clashing_new_ctf_names([ticket]),
        notice=notice,
        error=error,
        unmet=list(unmet),
        done=ticket.status != Ticket.Status.SUBMITTED,
    )
    context = {"row": row, "goal": settings.TRIAGE_GOAL_BUSINESS_HOURS}
    if row["done"]:  # the queue's count follows, out of band
        context["waiting"] = selectors.waiting_for_triage(user)
    return render(request, f"{TRIAGE_TEMPLATE}#row", context, status=status)


@login_required
@require_http_methods(["POST"])
def triage_ticket(request, pk: int):
    if refusal := _triage_refusal(request):
        return refusal
    user = request.user
    ticket = ticket_for_user(user, pk)
    action = action_named(Ticket, "triage")
    label = action.label_for(ticket)
    try:
        action.perform(ticket, user)
    except Refusal as refused:
        unmet = refused.unmet if isinstance(refused, GatesUnmet) else ()
        return _triage_answer(
            request,
            ticket,
            error=f"Not triaged: {refused.detail}",
            unmet=unmet,
            status=refused.status_code,
        )
    ticket = ticket_for_user(user, pk)
    story = next((s for s in ticket.stories.all() if s.board == Story.Board.PRODUCT), None)
    done = "Converted to a story" if label == "Convert to story" else "Triaged"
    notice = (
        f"{done}: story “{story}” is To Do on the Product Team Epic Board; epic “{ticket.epic}” "
        f"is {ticket.epic.get_status_display()}."
    )
    return _triage_answer(request, ticket, notice=notice, status=200)


@login_required
@require_http_methods(["POST"])
def reject_ticket(request, pk: int):
    if refusal := _triage_refusal(request):
        return refusal
    user = request.user
    ticket = ticket_for_user(user, pk)
    try:
        action_named(Ticket, "reject").perform(ticket, user, reason=request.POST.get("reason", ""))
    except InvalidInput as refused:
        problems = " ".join(p for field in refused.fields.values() for p in field)
        return _triage_answer(request, ticket, error=f"Not rejected: {problems}", status=400)
    except Refusal as refused:
        return _triage_answer(
            request, ticket, error=f"Not rejected: {refused.detail}", status=refused.status_code
        )
    return _triage_answer(
        request, ticket, notice=f"Rejected: {ticket.team.name} is told why.", status=200
    )


# My work ------------------------------------------------------------------------------------


def _work_boards(user) -> list[str]:
    boards = []
    if has_role(user, DEVOPS):
        boards.append(Story.Board.PRODUCT)
    if has_role(user, CLASSIFIED_OPS):
        boards.append(Story.Board.CLASSIFIED_OPS)
    return boards


def _work_row(story: Story, user, **extra) -> dict:
    actions = []
    for name in ("pick_up", "complete"):
        action = action_named(Story, name)
        if not action.offered_to(story, user):
            continue
        verdict = action.check(story, user)
        actions.append(
            {
                "name": name,
                "label": action.label,
                "allowed": verdict.allowed,
                "conflict": verdict.conflict,
                "unmet": verdict.unmet,
            }
        )
    return {"story": story, "actions": actions, **extra}


@login_required
@require_http_methods(["GET"])
def my_work(request):
    """Stories assigned to me, and the unassigned To Do stories I could pick up."""
    user = request.user
    boards = _work_boards(user)
    if not boards:
        return _refused(
            request,
            what="My work",
            whose="DevOps and Classified Ops engineers: the stories they work and can pick up",
        )
    mine, ready, more = selectors.my_work(user, boards, request.GET.get("after", ""))
    context = {
        "mine": [_work_row(story, user) for story in mine],
        "ready": [_work_row(story, user) for story in ready],
        "more": more,
        "boards": boards,
        "now": selectors.now(),
        "nav": "my_work",
    }
    return _private(render(request, MY_WORK_TEMPLATE, context))


@login_required
@require_http_methods(["POST"])
def story_act(request, pk: int, action: str):
    """Pick up or complete a story in place (My work)."""
    user = request.user
    if action not in ("pick_up", "complete"):
        raise Http404("No such action.")
    story = story_for_user(user, pk)
    error, unmet, status = "", [], 200
    try:
        action_named(Story, action).perform(story, user)
    except Refusal as refused:
        error, status = refused.detail, refused.status_code
        unmet = refused.unmet if isinstance(refused, GatesUnmet) else []
    story = selectors.work_story(user, pk)
    notice = (
        ""
        if error
        else ("Picked up: it is yours, In Progress." if action == "pick_up" else "Completed: Done.")
    )
    if not _htmx(request):
        (messages.error if error else messages.success)(request, error or notice)
        return redirect("board_my_work")
    row = _work_row(story, user, notice=notice, error=error, unmet=unmet)
    context = {"row": row, "now": selectors.now()}
    return render(request, f"{MY_WORK_TEMPLATE}#story", context, status=status)


# Where the boards start ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def index(request):
    """Each role's first board."""
    user = request.user
    if has_role(user, MDO_PM):
        return redirect("board_triage")
    if has_role(user, DEVOPS, CLASSIFIED_OPS):
        return redirect("board_my_work")
    return redirect("board_epics")
