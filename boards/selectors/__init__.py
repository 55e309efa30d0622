"""The boards' reads: which epics and stories a user may see, with everything a card shows,
in a fixed number of queries however many exist.

Who sees what comes from workflow.selectors (epics_for, stories_for, tickets_for,
access_requests_for); this module only orders, pages, filters and counts what those
querysets allow, and hangs on each card what it shows.

A column is ordered by (status_changed_at, id), the order of the (status,
status_changed_at, id) indexes on Epic and Story, and paged by keyset: a page is "the next
50 after this (status_changed_at, id)", which costs the same on the first page and the
thousandth. The first page of every column comes from one statement: a UNION ALL of one
index-ordered LIMIT per column, each selecting just what a card shows (as values: the
board needs no model instances), so the work follows the cards shown, not the epics that
exist.
"""

from boards.selectors.cards import Board, Card, dress_story
from boards.selectors.classified import (
    classified_board,
    classified_column_page,
    classified_story,
    il6_waiting_for_classified,
    story_card,
)
from boards.selectors.columns import (
    Column,
    ColumnView,
    board_version,
    column_named,
    cursor_of,
    epic_columns,
    etag_for,
    now,
    page_size,
    parse_cursor,
    story_columns,
)
from boards.selectors.epic_board import (
    epic_board,
    epic_card,
    epic_column_page,
    epic_to_move,
    epic_with_work,
)
from boards.selectors.filters import Filters, filter_choices, people_in
from boards.selectors.queues import (
    clashing_new_ctf_names,
    my_work,
    triage_queue,
    waiting_for_triage,
    work_story,
)

__all__ = [
    "Board",
    "Card",
    "Column",
    "ColumnView",
    "Filters",
    "board_version",
    "clashing_new_ctf_names",
    "classified_board",
    "classified_column_page",
    "classified_story",
    "column_named",
    "cursor_of",
    "dress_story",
    "epic_board",
    "epic_card",
    "epic_column_page",
    "epic_columns",
    "epic_to_move",
    "epic_with_work",
    "etag_for",
    "filter_choices",
    "il6_waiting_for_classified",
    "my_work",
    "now",
    "page_size",
    "parse_cursor",
    "people_in",
    "story_card",
    "story_columns",
    "triage_queue",
    "waiting_for_triage",
    "work_story",
]
