"""The boards: the triage queue (MDO PMs), the Product Team Epic Board, My work (DevOps and
Classified Ops engineers), the Classified Ops board and its access decisions.

Views parse input, call one action of workflow/actions.py (through boards/moves.py for a
drag) and render; reads come from boards/selectors, built on workflow.selectors; who may
open each page comes from portal/pages.py. What both boards do alike is in `cards`.
"""

from boards.views.classified import (
    access_decide,
    access_requests,
    classified_board,
    classified_board_live,
    classified_column,
    open_classified_story,
    story_card,
    story_move,
)
from boards.views.epic_board import (
    epic_board,
    epic_board_live,
    epic_card,
    epic_column,
    epic_move,
    epic_verify_cyber,
)
from boards.views.my_work import index, my_work, story_act
from boards.views.triage import reject_ticket, triage_queue, triage_ticket

__all__ = [
    "access_decide",
    "access_requests",
    "classified_board",
    "classified_board_live",
    "classified_column",
    "epic_board",
    "epic_board_live",
    "epic_card",
    "epic_column",
    "epic_move",
    "epic_verify_cyber",
    "index",
    "my_work",
    "open_classified_story",
    "reject_ticket",
    "story_act",
    "story_card",
    "story_move",
    "triage_queue",
    "triage_ticket",
]
