"""The Product Team Epic Board's reads: its columns, a column's next page, one card, and
the epic behind a card's moves."""

from __future__ import annotations

from django.db.models import (
    F,
    FilteredRelation,
    Prefetch,
    Q,
)

from boards.selectors.cards import (
    Board,
    Card,
    as_datetime,
    dress_story,
    first_page_limits,
    levels_mask,
    levels_of,
    rows_of_columns,
    short_label,
)
from boards.selectors.columns import (
    OPEN_STORY,
    Column,
    after_cursor,
    board_version,
    column_views,
    counts_by_status,
    epic_columns,
    fetch_size,
    now,
    ordered,
    paged,
)
from boards.selectors.filters import Filters, filter_choices
from boards.templatetags.boards import age
from epics.models import Epic, Story
from workflow.permissions import DEVOPS
from workflow.selectors import epics_for

# The Product Team Epic Board -------------------------------------------------------------------


def _epic_rows(queryset):
    return queryset.annotate(team_name=F("team__name"), levels_mask=levels_mask()).values_list(
        "pk", "title", "status", "status_changed_at", "team_name", "levels_mask"
    )


def _epic_cards(rows, now) -> list[Card]:
    cards = [_epic_card(row, now) for row in rows]
    if cards:
        _attach_open_stories(cards, _open_story_rows([card.pk for card in cards]))
    return cards


def _epic_card(row, now) -> Card:
    pk, title, status, changed, team, mask = row
    changed = as_datetime(changed)
    return Card(
        "epic", pk, title, status, changed, team, " ".join(levels_of(mask)), age(changed, now)
    )


def _open_story_rows(epic_ids: list[int]):
    """The epics' open product-board stories (in progress first, then the longest waiting)
    and who works them, in one query. Product-board stories are seen by whoever sees their
    epic, and these epics are the user's own to see (epics_for chose them)."""
    return (
        Story.objects.filter(board=Story.Board.PRODUCT, status__in=OPEN_STORY, epic_id__in=epic_ids)
        .order_by("status", "status_changed_at", "pk")  # "in_progress" < "to_do"
        .values_list("epic_id", "status", "ticket__request_type", "ticket__impact_level")
        .annotate(assignee_name=F("assignee__username"))
    )


def _attach_open_stories(cards: list[Card], rows) -> None:
    """Each card's line: its first open story and who works it (rows as _open_story_rows
    gives them)."""
    stories: dict[int, list] = {}
    for epic_id, status, request_type, level, assignee in rows:
        stories.setdefault(epic_id, []).append((status, short_label(request_type, level), assignee))
    for card in cards:
        open_stories = stories.get(card.pk)
        if not open_stories:
            continue
        status, short, assignee = open_stories[0]
        more = f" (+{len(open_stories) - 1} more)" if len(open_stories) > 1 else ""
        card.line = f"{short} · {assignee or 'unassigned'}{more}"
        card.line_status = status


def epic_board(user, filters: Filters, *, loaded=None, choices=True, version=None) -> Board:
    """Every column's first page, counts and filter choices, in the same five queries at
    any size: the version (unless given), the cards (every column's first page at once, with
    team and pipeline levels), their open stories, the counts, the filter choices (kept a
    minute)."""
    version = board_version() if version is None else version
    columns = epic_columns()
    visible = epics_for(user)
    condition = filters.for_epics()
    matching = visible.filter(condition) if condition is not None else visible
    limits = first_page_limits(columns, loaded)
    branches = [
        _epic_rows(ordered(matching.filter(status=column.status), column))[: limits[column.status]]
        for column in columns
    ]
    cards = _epic_cards(rows_of_columns(branches), now())
    counts = counts_by_status(visible, condition)
    teams, people = filter_choices(user, DEVOPS) if choices else ([], [])
    views = column_views(columns, cards, counts, condition is not None)
    return Board(views, filters, version, teams, people)


def epic_column_page(user, filters: Filters, column: Column, cursor) -> tuple[list, str]:
    """The next page of one column after `cursor`, and the cursor after it ("" at the end)."""
    condition = filters.for_epics()
    queryset = epics_for(user).filter(status=column.status)
    if condition is not None:
        queryset = queryset.filter(condition)
    rows = list(_epic_rows(ordered(after_cursor(queryset, column, cursor), column))[: fetch_size()])
    return paged(_epic_cards(rows, now()))


def epic_card(user, pk) -> Card | None:
    """One card, as the board shows it (None when the user may not see it), in one query:
    the epic's row once per open story (the card after a move, where every query counts)."""
    story = FilteredRelation(
        "stories", condition=Q(stories__board=Story.Board.PRODUCT, stories__status__in=OPEN_STORY)
    )
    rows = list(
        epics_for(user)
        .filter(pk=pk)
        .annotate(open_story=story)
        .order_by("open_story__status", "open_story__status_changed_at", "open_story__pk")
        .annotate(
            team_name=F("team__name"),
            levels_mask=levels_mask(),
            story_status=F("open_story__status"),
            request_type=F("open_story__ticket__request_type"),
            level=F("open_story__ticket__impact_level"),
            assignee_name=F("open_story__assignee__username"),
        )
        .values_list(
            "pk",
            "title",
            "status",
            "status_changed_at",
            "team_name",
            "levels_mask",
            "story_status",
            "request_type",
            "level",
            "assignee_name",
        )
    )
    if not rows:
        return None
    card = _epic_card(rows[0][:6], now())
    _attach_open_stories([card], [(card.pk, *row[6:]) for row in rows if row[6] is not None])
    return card


def epic_with_work(user, pk) -> Epic | None:
    """The epic itself for its card's moves: its open product-board stories (with their
    tickets and assignees) and its completed pipelines' levels."""
    open_stories = (
        Story.objects.filter(board=Story.Board.PRODUCT, status__in=OPEN_STORY)
        .select_related("ticket", "assignee")
        .order_by("status", "status_changed_at", "pk")
    )
    epic = (
        epics_for(user)
        .annotate(levels_mask=levels_mask())
        .prefetch_related(Prefetch("stories", queryset=open_stories, to_attr="open_stories"))
        .filter(pk=pk)
        .first()
    )
    if epic is not None:
        epic.levels = levels_of(epic.levels_mask)
        for story in epic.open_stories:
            dress_story(story)
    return epic


def epic_to_move(user, pk) -> Epic | None:
    """The epic a drop moves (its stories are read only when the move acts on one)."""
    return epics_for(user).filter(pk=pk).first()
