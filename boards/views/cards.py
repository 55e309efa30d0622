"""What both boards (the Product Team Epic Board and the Classified Ops board) do alike: show
their columns (whole, live, or one column's next page), open a card's moves in a dialog, and
answer a drop or a button on a card.

A card is one partial that the board, a column's next page, a live refresh and the move
endpoint all render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import push_url

from boards import moves, selectors
from boards.selectors import Filters
from portal.http import attempt, is_fragment, private, safe_next, with_query
from requests_app.comments import threads_of
from requests_app.models import Comment
from workflow import services
from workflow.permissions import CLASSIFIED_OPS, DEVOPS, MDO_PM, has_role, writes_internal_notes

BOARD_TEMPLATE = "boards/board.html"
CARD_TEMPLATE = "boards/card.html"
CONVERSATION_TEMPLATE = "boards/card_conversation.html"
COLUMN_TEMPLATE = "boards/column.html"

EPICS, CLASSIFIED = "epics", "classified"

# Each board's addresses, by what they are for.
URL_NAMES = {
    EPICS: {
        "page": "board_epics",
        "live": "board_epics_live",
        "card": "board_epic_card",
        "column": "board_epic_column",
        "move": "board_epic_move",
    },
    CLASSIFIED: {
        "page": "board_classified",
        "live": "board_classified_live",
        "card": "board_story_card",
        "column": "board_classified_column",
        "move": "board_story_move",
    },
}
TITLES = {EPICS: "Product Team Epic Board", CLASSIFIED: "Classified Ops board"}
NAV = {EPICS: "epic_board", CLASSIFIED: "classified"}


def board_urls(kind: str, filters: Filters) -> dict:
    names, query = URL_NAMES[kind], filters.query()
    return {
        "page": reverse(names["page"]),
        "live": with_query(reverse(names["live"]), query),
        "card": reverse(names["card"], args=[0]).removesuffix("0/"),
        "column": reverse(names["column"], args=["x"]).removesuffix("x/"),
        "move": reverse(names["move"], args=[0]),
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
    return {
        "kind": kind,
        "board": board,
        "filters": filters,
        "urls": board_urls(kind, filters),
        "etag": etag,
        "now": selectors.now(),
        "page_size": selectors.page_size(),
        "poll_seconds": settings.BOARD_POLL_SECONDS,
        "title": TITLES[kind],
        "nav": NAV[kind],
        "levels": ["IL2", "IL4", "IL5", "IL6"] if kind == EPICS else ["IL6"],
        "may_move": has_role(request.user, MDO_PM, DEVOPS, CLASSIFIED_OPS),
    }


def board_response(request, kind: str, *, live: bool, extra=None):
    """The board, its columns for HTMX, or (`live`) its columns again only when anything
    changed since the viewer's ETag, else 304. `extra(user)` adds to the whole page."""
    user = request.user
    filters = Filters.from_query(request.GET)
    loaded = _loaded(request.GET) if live else {}
    version = selectors.board_version()
    etag = selectors.etag_for(version, user, kind, sorted(filters.query().items()), loaded)
    if live and etag in request.headers.get("If-None-Match", ""):
        return private(HttpResponseNotModified(), etag=etag)
    fragment = live or is_fragment(request)
    read = selectors.epic_board if kind == EPICS else selectors.classified_board
    board = read(user, filters, loaded=loaded, choices=not fragment, version=version)
    context = _board_context(request, kind, board, filters, etag)
    if extra is not None and not fragment:
        context.update(extra(user))
    template = f"{BOARD_TEMPLATE}#columns" if fragment else BOARD_TEMPLATE
    response = render(request, template, context)
    if fragment and not live:
        # The address bar keeps the filters (and only those that are set).
        push_url(response, with_query(context["urls"]["page"], filters.query()))
    return private(response, etag=etag)


def column_response(request, kind: str, status: str):
    """The next page of one column, after the cursor of the last card shown."""
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
        "urls": board_urls(kind, filters),
        "now": selectors.now(),
        "page_size": selectors.page_size(),
        "title": column.label,
        "nav": NAV[kind],
    }
    if is_fragment(request):
        return private(render(request, f"{BOARD_TEMPLATE}#column_page", context))
    return private(render(request, COLUMN_TEMPLATE, context))


# A card's dialog -----------------------------------------------------------------------------


def panel_context(request, card, options, *, kind, role, **extra) -> dict:
    """What a card's dialog (or its page without JavaScript) shows, on either board: its
    moves as buttons, the engineers of `role` when one is to be chosen, where a move posts
    and where to go back."""
    board = reverse(URL_NAMES[kind]["page"])
    needs_engineer = any(option["needs_assignee"] for option in options)
    return {
        "kind": kind,
        "card": card,
        "options": options,
        "engineers": list(selectors.people_in(role)) if needs_engineer else [],
        "move_url": reverse(URL_NAMES[kind]["move"], args=[card.pk]),
        "board_url": board,
        "next": safe_next(request, board),
        "now": selectors.now(),
        "nav": NAV[kind],
        **card_conversation(request.user, card, kind),
        **extra,
    }


def card_conversation(user, card, kind: str, said=None) -> dict:
    """The dialog's conversation part (WORKFLOWS.md): the thread of the card's requests as
    `user` may read it, oldest first, and a comment form for each request they may comment
    on; `said`: what the last comment posted here did (notice, or error and its draft)."""
    stories = [story for story in _stories(card, kind) if story.ticket_id]
    return {
        "conversation": threads_of(user, [story.ticket_id for story in stories]),
        "comment_on": [story for story in stories if services.may_comment(user, story.ticket)],
        "writes_internal": writes_internal_notes(user),
        "max_length": Comment.MAX_LENGTH,
        "said": said or {},
    }


def _stories(card, kind: str) -> list:
    return list(card.open_stories) if kind == EPICS else [card]


def comment_answer(request, ticket, *, notice: str, error: str, status: int, kind: str, card):
    """A comment written in a card's dialog (requests_app/views.py `request_comment`),
    answered there: its conversation again, with what happened, or why nothing did and the
    draft."""
    said = {"ticket": ticket.pk, "notice": notice, "error": error}
    if error:
        said["draft"] = request.POST
    context = {
        "kind": kind,
        "card": card,
        "next": safe_next(request, reverse(URL_NAMES[kind]["page"])),
        **card_conversation(request.user, card, kind, said),
    }
    return private(render(request, CONVERSATION_TEMPLATE, context, status=status))


def panel_response(request, context: dict):
    template = f"{CARD_TEMPLATE}#panel" if is_fragment(request) else CARD_TEMPLATE
    return private(render(request, template, context))


# Answering a move ----------------------------------------------------------------------------


@dataclass
class Tried:
    """One attempt on a card, as the board answers it."""

    notice: str = ""  # what happened
    error: str = ""  # why not
    unmet: list = field(default_factory=list)
    status: int = 200
    asking: object = None  # the story an MDO PM is to choose an engineer for
    conflict: bool = False

    @classmethod
    def run(cls, call) -> Tried:
        try:
            done = attempt(call)
        except moves.AssigneeNeeded as needed:
            return cls(asking=needed.story)
        if not done.refused:
            return cls(notice=done.result)
        if done.unmet:  # the card is named where this is shown
            error = "Not moved: every check below must be met first."
        else:
            error = done.problems or done.detail
        return cls(error=error, unmet=done.unmet, status=done.status, conflict=done.conflict)

    @property
    def asks(self) -> bool:
        return self.asking is not None

    def said_of(self, card, seen: str) -> str:
        """The refusal, naming the card where it now is."""
        if self.unmet:
            return (
                f"“{card.title}” stays in {card.status_label}: every check below must be met first."
            )
        if self.conflict and seen and card.status != seen:
            # Two people moved it at once: the other one's move won.
            return (
                f"Someone else moved “{card.title}” to {card.status_label} meanwhile: it is shown "
                "where it is now."
            )
        return self.error


def outcome(request, *, kind: str, pk: int, call, card_of, panel_of, seen="", stay=False):
    """Run one attempt on a card and answer: the card where it now is (the board moves it
    there), a message, and the dialog's contents. Without JavaScript: back to the board
    with the message, or the card's page with the refusal. `seen` is the column the person
    saw the card in: a conflict because it has left it meanwhile says so. `stay`: a success
    keeps the dialog open on the card's moves (a check done, the move it opened is next)."""
    tried = Tried.run(call)
    if not is_fragment(request):
        return _outcome_page(request, kind, pk, tried, panel_of)
    card = card_of(request.user, pk)
    if card is None:
        raise Http404("No such card that you can see.")
    error = tried.said_of(card, seen)
    from_panel = request.POST.get("via") == "panel"
    context = {
        "card": card,
        "oob": True,
        "urls": board_urls(kind, Filters()),
        "notice": tried.notice,
        "error": error,
        "unmet": tried.unmet,
        "close_dialog": from_panel and not error and not tried.asks and not stay,
    }
    if tried.asks or (from_panel and (error or stay)):
        # The dialog asks which engineer, shows the refusal where the button was pressed, or
        # stays open on the card's moves.
        done = tried.notice if stay and not error else ""
        panel = panel_of(
            request, pk, error=error, unmet=tried.unmet, asking=tried.asking, notice=done
        )
        context["dialog_html"] = render_to_string(f"{CARD_TEMPLATE}#panel", panel, request=request)
        context["error"] = context["notice"] = ""
    return private(render(request, f"{BOARD_TEMPLATE}#moved", context, status=tried.status))


def _outcome_page(request, kind: str, pk: int, tried: Tried, panel_of):
    """Without JavaScript: the card's page with the refusal (or the engineer to choose), or
    back to the board with what happened."""
    if tried.error or tried.asks:
        context = panel_of(request, pk, error=tried.error, unmet=tried.unmet, asking=tried.asking)
        return private(render(request, CARD_TEMPLATE, context, status=tried.status))
    messages.success(request, tried.notice)
    return redirect(safe_next(request, reverse(URL_NAMES[kind]["page"])))


def drop(request, *, plan, title: str, where):
    """The attempt behind a drop on either board: plan the move (a refusal if it is not one),
    ask for the engineer when an MDO PM assigns, carry it out, say what happened."""

    def call() -> str:
        step = plan()
        assignee = moves.assignee_from(request.POST.get("assignee"))
        # An engineer sent but not found: the service refuses it (400), audited.
        chosen = "assignee" in request.POST
        moves.perform(step, request.user, assignee=assignee, chosen=chosen)
        return _moved_notice(title, where(), step, assignee)

    return call


def _moved_notice(title: str, where: str, step, assignee) -> str:
    who = f", assigned to {assignee.username}" if assignee is not None else ""
    if step.action.name == "pick_up":
        who = ", picked up by you"
    return f"“{title}” is now {where}{who}."
