"""My work (DevOps and Classified Ops engineers): the stories assigned to me and the To Do
stories nobody has yet, each picked up or completed in place; and where each role's boards
start."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

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


@guarded(PAGE, ("GET",))
def my_work(request):
    """Stories assigned to me, and the unassigned To Do stories I could pick up."""
    user = request.user
    boards = _work_boards(user)
    mine, ready, more = selectors.my_work(user, boards, request.GET.get("after", ""))
    if any(story.board == Story.Board.CLASSIFIED_OPS for story in (*mine, *ready)):
        record_board_read(user, view="my_work")  # it shows Classified Ops stories
    context = {
        "mine": [_work_row(story, user) for story in mine],
        "ready": [_work_row(story, user) for story in ready],
        "more": more,
        "boards": boards,
        "now": selectors.now(),
        "nav": PAGE,
    }
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
    row = _work_row(story, user, notice=notice, error=done.detail, unmet=done.unmet)
    context = {"row": row, "now": selectors.now()}
    return render(request, f"{MY_WORK_TEMPLATE}#story", context, status=done.status)


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
