"""My work (DevOps and Classified Ops engineers): the stories assigned to me and the To Do
stories nobody has yet, each picked up or completed in place; and where each role's boards
start.

An action done in place answers with the page's sections again, as a reload would show
them, the row acted on saying what happened: a story picked up is under "In progress,
yours" at once (and the stories its epic now holds back say so), a story completed under
"Done just now". A refusal answers with the row alone, where it was, saying why.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from boards import selectors
from epics.models import Story
from portal.http import attempt, is_fragment, private
from portal.pages import guarded
from workflow.actions import action_named, offers_for
from workflow.permissions import CLASSIFIED_OPS, DEVOPS, MDO_PM, has_role
from workflow.selectors import record_board_read, story_open

PAGE = "my_work"
MY_WORK_TEMPLATE = "boards/my_work.html"
WORK = ("pick_up", "complete")
DONE = {"pick_up": "Picked up: it is yours, In Progress.", "complete": "Completed: Done."}


def _work_boards(user) -> list[str]:
    boards = []
    if has_role(user, DEVOPS):
        boards.append(Story.Board.PRODUCT)
    if has_role(user, CLASSIFIED_OPS):
        boards.append(Story.Board.CLASSIFIED_OPS)
    return boards


def _work_row(story: Story, user, **extra) -> dict:
    return {"story": story, "actions": offers_for(story, user, names=WORK), **extra}


def _sections(user, after: str = "", acted: dict | None = None) -> dict:
    """My work's sections; `acted`, the row just acted on in place (its story and what
    happened), is shown in the section its story is in now, or under "Done just now"."""
    boards = _work_boards(user)
    mine, ready, more = selectors.my_work(user, boards, after)
    acted = acted or {}
    story = acted.get("story")
    done_now = [story] if story is not None and story.status == Story.Status.DONE else []
    if any(story.board == Story.Board.CLASSIFIED_OPS for story in (*mine, *ready, *done_now)):
        record_board_read(user, view="my_work")  # it shows Classified Ops stories

    def row(story):
        said = acted if story.pk == getattr(acted.get("story"), "pk", None) else {}
        return _work_row(story, user, notice=said.get("notice", ""))

    return {
        "mine": [row(story) for story in mine],
        "ready": [row(story) for story in ready],
        "done_now": [row(story) for story in done_now],
        "more": more,
        "boards": boards,
        "now": selectors.now(),
    }


def _after_of(request) -> str:
    """The page of "To do, nobody's yet" the person is on, from the address HTMX says the
    page has."""
    query = urlsplit(request.headers.get("HX-Current-URL", "")).query
    return parse_qs(query).get("after", [""])[0]


@guarded(PAGE, ("GET",))
def my_work(request):
    """Stories assigned to me, and the unassigned To Do stories I could pick up."""
    context = {**_sections(request.user, request.GET.get("after", "")), "nav": PAGE}
    return private(render(request, MY_WORK_TEMPLATE, context))


@login_required
@require_http_methods(["POST"])
def story_act(request, pk: int, action: str):
    """Pick up or complete a story in place (My work)."""
    user = request.user
    if action not in WORK:
        raise Http404("No such action.")
    story = story_open(user, pk)
    done = attempt(lambda: action_named(Story, action).perform(story, user))
    story = selectors.work_story(user, pk)
    notice = "" if done.refused else DONE[action]
    if not is_fragment(request):
        (messages.error if done.refused else messages.success)(request, done.detail or notice)
        return redirect("board_my_work")
    if not done.refused:
        context = _sections(user, _after_of(request), {"story": story, "notice": notice})
        response = render(request, f"{MY_WORK_TEMPLATE}#sections", context)
        return private(reswap(retarget(response, "#work-sections"), "outerHTML"))
    row = _work_row(story, user, error=done.detail, unmet=done.unmet)
    context = {"row": row, "now": selectors.now()}
    return private(render(request, f"{MY_WORK_TEMPLATE}#story", context, status=done.status))


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
