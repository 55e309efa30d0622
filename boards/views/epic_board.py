"""The Product Team Epic Board: one column per epic status, filters in the query string, a
card's moves in a dialog, drops that run the epic's transitions, and the cyber compliance
check of a new-CtF epic."""

from __future__ import annotations

from django.urls import reverse

from boards import moves, selectors
from boards.views.cards import (
    EPICS,
    board_response,
    column_response,
    drop,
    outcome,
    panel_context,
    panel_response,
)
from epics.models import Epic
from portal.pages import guarded
from workflow.actions import action_named
from workflow.permissions import DEVOPS
from workflow.selectors import refused_404

PAGE = "epic_board"


VERIFY_CYBER = action_named(Epic, "verify_cyber_compliance")


@guarded(PAGE, ("GET",))
def epic_board(request):
    """One column per epic status; filters in the query string; HTMX gets the columns."""
    return board_response(request, EPICS, live=False)


@guarded(PAGE, ("GET",))
def epic_board_live(request):
    """The board's columns again when anything changed since the viewer's ETag, else 304."""
    return board_response(request, EPICS, live=True)


@guarded(PAGE, ("GET",))
def epic_column(request, status: str):
    """The next page of one column, after the cursor of the last card shown."""
    return column_response(request, EPICS, status)


def _epic_or_404(user, pk) -> Epic:
    epic = selectors.epic_with_work(user, pk)
    if epic is None:
        raise refused_404(user, Epic, pk)
    return epic


def _epic_panel(request, pk, **extra) -> dict:
    epic = _epic_or_404(request.user, pk)
    return panel_context(
        request,
        epic,
        moves.epic_options(epic, request.user),
        kind=EPICS,
        role=DEVOPS,
        cyber_offered=epic.requires_new_ctf and VERIFY_CYBER.offered_to(epic, request.user),
        verify_url=reverse("board_epic_verify_cyber", args=[epic.pk]),
        **extra,
    )


def _outcome(request, **answer):
    """A move's answer on this board (boards/views/cards.py)."""
    return outcome(request, kind=EPICS, card_of=selectors.epic_card, panel_of=_epic_panel, **answer)


@guarded(PAGE, ("GET",))
def epic_card(request, pk: int):
    """A card opened: its stories and every move open from its column, with what stands in
    the way of each. In the board's dialog under HTMX; a page of its own without."""
    return panel_response(request, _epic_panel(request, pk))


def _epic_to_move(user, pk) -> Epic:
    epic = selectors.epic_to_move(user, pk)
    if epic is None:
        raise refused_404(user, Epic, pk, "move")
    return epic


@guarded(PAGE, ("POST",))
def epic_move(request, pk: int):
    """A drop (or its button): `from` the column the person saw the card in, `to` the column
    it was dropped on, and the engineer when an MDO PM assigns."""
    user = request.user
    epic = _epic_to_move(user, pk)
    source = request.POST.get("from") or epic.status
    target = request.POST.get("to", "")
    call = drop(
        request,
        plan=lambda: moves.plan_epic_move(epic, source, target, user),
        title=epic.title,
        where=lambda: f"in {moves.S(target).label}",
    )
    return _outcome(request, pk=pk, call=call, seen=source)


@guarded(PAGE, ("POST",))
def epic_verify_cyber(request, pk: int):
    """Record the new-CtF epic's cyber compliance (the gate before its pipeline starts)."""
    user = request.user
    epic = _epic_to_move(user, pk)

    def call() -> str:
        VERIFY_CYBER.perform(epic, user)
        return f"Epic “{epic}” is verified cyber compliant: its pipeline can start."

    return _outcome(request, pk=pk, call=call, stay=True)
