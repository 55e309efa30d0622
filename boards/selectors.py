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

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from boards.templatetags.boards import age
from epics.models import Epic, ImpactLevel, Pipeline, Story
from requests_app.models import Ticket
from workflow import request_types
from workflow.models import AuditEvent
from workflow.permissions import CLASSIFIED_OPS, DEVOPS, sees_all_teams, team_ids_of
from workflow.selectors import epics_for, stories_for, teams_for, tickets_for

OPEN_STORY = (Story.Status.TO_DO, Story.Status.IN_PROGRESS)


def page_size() -> int:
    return settings.BOARD_PAGE_SIZE


# Columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    status: str
    label: str
    # Where work waits, the longest-waiting card comes first; where work has arrived (at
    # rest, done), the latest arrival does.
    newest_first: bool = False
    wip_limit: int | None = None


def epic_columns() -> list[Column]:
    limits = settings.BOARD_WIP_LIMITS
    arrived = {*Epic.AT_REST}
    return [
        Column(status, label, status in arrived, limits.get(status))
        for status, label in Epic.Status.choices
    ]


def story_columns() -> list[Column]:
    limits = settings.CLASSIFIED_BOARD_WIP_LIMITS
    return [
        Column(status, Story.Status(status).label, status == Story.Status.DONE, limits.get(status))
        for status in (Story.Status.TO_DO, Story.Status.IN_PROGRESS, Story.Status.DONE)
    ]


def column_named(columns: list[Column], status: str) -> Column | None:
    return next((column for column in columns if column.status == status), None)


@dataclass
class ColumnView:
    column: Column
    cards: list
    count: int  # cards matching the filters
    total: int  # every card of the column the user may see (what the WIP limit counts)
    more: str = ""  # the cursor of the next page, or "" when this is all

    @property
    def over_by(self) -> int:
        limit = self.column.wip_limit
        return max(0, self.total - limit) if limit else 0


# Keyset cursors -----------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def cursor_of(obj) -> str:
    """ "<microseconds since 1970>.<id>" of the card a page ends with."""
    return f"{(obj.status_changed_at - _EPOCH) // _MICROSECOND}.{obj.pk}"


def parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = (int(part) for part in (text or "").split("."))
        return _EPOCH + dt.timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


def _ordered(queryset, column: Column):
    if column.newest_first:
        return queryset.order_by("-status_changed_at", "-pk")
    return queryset.order_by("status_changed_at", "pk")


def _after(queryset, column: Column, cursor: tuple[dt.datetime, int]):
    at, pk = cursor
    if column.newest_first:
        return queryset.filter(Q(status_changed_at__lt=at) | Q(status_changed_at=at, pk__lt=pk))
    return queryset.filter(Q(status_changed_at__gt=at) | Q(status_changed_at=at, pk__gt=pk))


def _sort_key(card):
    return (card.status_changed_at, card.pk)


def _views(columns, cards, counts, filtered: bool) -> list[ColumnView]:
    by_status: dict[str, list] = {column.status: [] for column in columns}
    for card in cards:
        by_status.setdefault(card.status, []).append(card)
    views = []
    for column in columns:
        shown = sorted(by_status[column.status], key=_sort_key)
        if column.newest_first:
            shown.reverse()
        total, count = counts.get(column.status, (0, 0))
        count = count if filtered else total
        more = cursor_of(shown[-1]) if shown and count > len(shown) else ""
        views.append(ColumnView(column, shown, count, total, more))
    return views


def _counts(queryset, condition: Q | None) -> dict[str, tuple[int, int]]:
    """(every card, cards matching the filters) per status, in one aggregate query."""
    extra = {"matching": Count("pk", filter=condition)} if condition is not None else {}
    rows = queryset.order_by().values("status").annotate(total=Count("pk"), **extra)
    return {row["status"]: (row["total"], row.get("matching", row["total"])) for row in rows}


# Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The board's filters, from the query string; what does not parse is ignored."""

    team: int | None = None
    level: str = ""
    assignee: int | None = None
    q: str = ""

    NAMES = ("team", "level", "assignee", "q")

    @classmethod
    def from_query(cls, data) -> Filters:
        def number(name):
            raw = data.get(name, "")
            # An id the database could not hold (or a non-ASCII digit) matches nothing.
            if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19):
                return None
            return int(raw)

        level = data.get("level", "")
        return cls(
            team=number("team"),
            level=level if level in ImpactLevel.values else "",
            assignee=number("assignee"),
            q=(data.get("q") or "").strip()[:100],
        )

    @property
    def active(self) -> bool:
        return any(self.query().values())

    def query(self) -> dict[str, str]:
        values = {"team": self.team, "level": self.level, "assignee": self.assignee, "q": self.q}
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def for_epics(self) -> Q | None:
        conditions = []
        open_stories = Story.objects.filter(board=Story.Board.PRODUCT, status__in=OPEN_STORY)
        if self.team is not None:
            conditions.append(Q(team_id=self.team))
        if self.level:
            conditions.append(
                Q(pk__in=Pipeline.objects.filter(impact_level=self.level).values("epic_id"))
                | Q(pk__in=open_stories.filter(ticket__impact_level=self.level).values("epic_id"))
            )
        if self.assignee is not None:
            conditions.append(
                Q(pk__in=open_stories.filter(assignee_id=self.assignee).values("epic_id"))
            )
        if self.q:
            conditions.append(Q(title__icontains=self.q) | Q(team__name__icontains=self.q))
        return _all(conditions)

    def for_stories(self) -> Q | None:
        conditions = []
        if self.team is not None:
            conditions.append(Q(epic__team_id=self.team))
        if self.level:
            conditions.append(Q(ticket__impact_level=self.level))
        if self.assignee is not None:
            conditions.append(Q(assignee_id=self.assignee))
        if self.q:
            conditions.append(
                Q(title__icontains=self.q)
                | Q(epic__title__icontains=self.q)
                | Q(epic__team__name__icontains=self.q)
            )
        return _all(conditions)


def _all(conditions: list[Q]) -> Q | None:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined


def people_in(role: str):
    return get_user_model().objects.filter(is_active=True, groups__name=role).order_by("username")


CHOICES_SECONDS = 60


def filter_choices(user, worker_role: str) -> tuple[list, list]:
    """The teams the user may see and the people who work the board, in one query, kept a
    minute: a new team or engineer shows in the filters within a minute."""
    scope = "all" if sees_all_teams(user) else ",".join(map(str, sorted(team_ids_of(user))))
    key = f"boards:choices:{worker_role}:{scope}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    teams = (
        teams_for(user)
        .prefetch_related(None)
        .order_by()
        .annotate(kind=Value("team", output_field=CharField()))
        .values_list("kind", "pk", "name")
    )
    people = (
        people_in(worker_role)
        .order_by()
        .annotate(kind=Value("person", output_field=CharField()))
        .values_list("kind", "pk", "username")
    )
    by_kind: dict[str, list] = {"team": [], "person": []}
    for kind, pk, name in teams.union(people, all=True):
        by_kind[kind].append((pk, name))
    choices = (
        sorted(by_kind["team"], key=lambda row: row[1].lower()),
        sorted(by_kind["person"], key=lambda row: row[1].lower()),
    )
    cache.set(key, choices, CHOICES_SECONDS)
    return choices


# Board versions (live updates) --------------------------------------------------------------

# Audit events that change nothing a board shows: reading is not changing.
_READS = ("open", "open_board")


def board_version() -> int:
    """The latest change anyone made: every action that changes state appends a done event
    to the audit trail, so its newest id moves whenever a board may look different. Read
    backwards along the primary key: the newest matching row is found at once."""
    latest = (
        AuditEvent.objects.filter(outcome=AuditEvent.Outcome.DONE)
        .exclude(action__in=_READS)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest or 0


def etag_for(version: int, user, *parts) -> str:
    """The board as this user sees it with these filters, at this version."""
    digest = hashlib.sha256(repr((user.pk, *parts)).encode()).hexdigest()[:16]
    return f'"b{version}-{digest}"'


# Cards ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Card:
    """What a card shows, read as plain values (no model instances: a board shows hundreds)."""

    kind: str  # "epic" or "story"
    pk: int
    title: str
    status: str
    status_changed_at: dt.datetime
    team: str
    levels: str  # "IL2 IL4": an epic's completed pipelines, a story's request level
    age: str  # how long it has been in its column
    line: str = ""  # the open story and who works it (an epic), or who works it (a story)
    line_status: str = ""  # that story's status

    @property
    def ref(self) -> str:
        return str(self.pk)

    @property
    def status_label(self) -> str:
        return (Epic.Status if self.kind == "epic" else Story.Status)(self.status).label

    @property
    def dom_id(self) -> str:
        return f"{self.kind}-{self.pk}"


LEVEL_BITS = {ImpactLevel.IL2: 1, ImpactLevel.IL4: 2, ImpactLevel.IL5: 4}


def _levels_mask():
    """The epic's completed pipelines as one number (IL2 = 1, IL4 = 2, IL5 = 4): a scalar
    subquery per card, which reads the (epic, impact_level) index."""
    bit = Case(
        *(When(impact_level=level, then=Value(value)) for level, value in LEVEL_BITS.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    per_epic = (
        Pipeline.objects.filter(epic=OuterRef("pk"))
        .order_by()
        .values("epic")
        .annotate(mask=Sum(bit))
        .values("mask")[:1]
    )
    return Subquery(per_epic, output_field=IntegerField())


def _levels(mask) -> list[str]:
    return [level for level, value in LEVEL_BITS.items() if (mask or 0) & value]


def _as_datetime(value) -> dt.datetime:
    """A timestamp read through a raw cursor (SQLite gives text; PostgreSQL, aware values)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _short(request_type: str, level: str) -> str:
    """What a card calls the request behind its story, short enough for a card."""
    return request_types.of(request_type).short_for(level)


def _rows_of_columns(branches) -> list[tuple]:
    """Run one query per column as one statement: each column's (sql, params) becomes a
    derived table of a UNION ALL, so each keeps its own ORDER BY and LIMIT."""
    parts, params = [], []
    for number, branch in enumerate(branches):
        sql, branch_params = branch.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS board_column_{number}")
        params.extend(branch_params)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


# The Product Team Epic Board -------------------------------------------------------------------


def _epic_rows(queryset):
    return queryset.annotate(team_name=F("team__name"), levels_mask=_levels_mask()).values_list(
        "pk", "title", "status", "status_changed_at", "team_name", "levels_mask"
    )


def _epic_cards(rows, now) -> list[Card]:
    cards = [_epic_card(row, now) for row in rows]
    if cards:
        _attach_open_stories(cards, _open_story_rows([card.pk for card in cards]))
    return cards


def _epic_card(row, now) -> Card:
    pk, title, status, changed, team, mask = row
    changed = _as_datetime(changed)
    return Card(
        "epic", pk, title, status, changed, team, " ".join(_levels(mask)), age(changed, now)
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
        stories.setdefault(epic_id, []).append((status, _short(request_type, level), assignee))
    for card in cards:
        open_stories = stories.get(card.pk)
        if not open_stories:
            continue
        status, short, assignee = open_stories[0]
        more = f" (+{len(open_stories) - 1} more)" if len(open_stories) > 1 else ""
        card.line = f"{short} · {assignee or 'unassigned'}{more}"
        card.line_status = status


@dataclass
class Board:
    columns: list[ColumnView]
    filters: Filters
    version: int = 0
    teams: list = field(default_factory=list)
    people: list = field(default_factory=list)


def _limits(columns: list[Column], loaded: dict[str, int] | None) -> dict[str, int]:
    """Each column's first page; a live refresh keeps what the viewer had loaded (at most
    ten pages), so cards they scrolled to do not vanish under them."""
    loaded = loaded or {}
    size = page_size()
    return {
        column.status: min(max(size, loaded.get(column.status, 0)), 10 * size) for column in columns
    }


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
    limits = _limits(columns, loaded)
    branches = [
        _epic_rows(_ordered(matching.filter(status=column.status), column))[: limits[column.status]]
        for column in columns
    ]
    cards = _epic_cards(_rows_of_columns(branches), now())
    counts = _counts(visible, condition)
    teams, people = filter_choices(user, DEVOPS) if choices else ([], [])
    views = _views(columns, cards, counts, condition is not None)
    return Board(views, filters, version, teams, people)


def epic_column_page(user, filters: Filters, column: Column, cursor) -> tuple[list, str]:
    """The next page of one column after `cursor`, and the cursor after it ("" at the end)."""
    condition = filters.for_epics()
    queryset = epics_for(user).filter(status=column.status)
    if condition is not None:
        queryset = queryset.filter(condition)
    rows = list(_epic_rows(_ordered(_after_cursor(queryset, column, cursor), column))[: _more()])
    return _paged(_epic_cards(rows, now()))


def _after_cursor(queryset, column, cursor):
    return _after(queryset, column, cursor) if cursor is not None else queryset


def _more() -> int:
    return page_size() + 1  # one more than a page says whether another follows


def _paged(cards: list[Card]) -> tuple[list[Card], str]:
    size = page_size()
    more = cursor_of(cards[size - 1]) if len(cards) > size else ""
    return cards[:size], more


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
            levels_mask=_levels_mask(),
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
        .annotate(levels_mask=_levels_mask())
        .prefetch_related(Prefetch("stories", queryset=open_stories, to_attr="open_stories"))
        .filter(pk=pk)
        .first()
    )
    if epic is not None:
        epic.levels = _levels(epic.levels_mask)
        for story in epic.open_stories:
            dress_story(story)
    return epic


def epic_to_move(user, pk) -> Epic | None:
    """The epic a drop moves (its stories are read only when the move acts on one)."""
    return epics_for(user).filter(pk=pk).first()


def dress_story(story: Story) -> Story:
    story.short = _short(story.ticket.request_type, story.ticket.impact_level)
    return story


# The Classified Ops board --------------------------------------------------------------------


def _classified_stories(user):
    return stories_for(user).filter(board=Story.Board.CLASSIFIED_OPS)


def _story_rows(queryset):
    return queryset.annotate(
        team_name=F("epic__team__name"),
        level=F("ticket__impact_level"),
        assignee_name=F("assignee__username"),
    ).values_list(
        "pk", "title", "status", "status_changed_at", "team_name", "level", "assignee_name"
    )


def _story_cards(rows, now) -> list[Card]:
    cards = []
    for pk, title, status, changed, team, level, assignee in rows:
        changed = _as_datetime(changed)
        cards.append(
            Card(
                "story",
                pk,
                title,
                status,
                changed,
                team,
                level,
                age(changed, now),
                line=assignee or "unassigned",
                line_status=status,
            )
        )
    return cards


def classified_board(user, filters: Filters, *, loaded=None, choices=True, version=None) -> Board:
    """The Classified Ops stories the user may see (none without access), by status."""
    version = board_version() if version is None else version
    columns = story_columns()
    visible = _classified_stories(user)
    condition = filters.for_stories()
    matching = visible.filter(condition) if condition is not None else visible
    limits = _limits(columns, loaded)
    branches = [
        _story_rows(_ordered(matching.filter(status=column.status), column))[
            : limits[column.status]
        ]
        for column in columns
    ]
    cards = _story_cards(_rows_of_columns(branches), now())
    counts = _counts(visible.filter(status__in=[c.status for c in columns]), condition)
    teams, people = filter_choices(user, CLASSIFIED_OPS) if choices else ([], [])
    views = _views(columns, cards, counts, condition is not None)
    return Board(views, filters, version, teams, people)


def classified_column_page(user, filters: Filters, column: Column, cursor) -> tuple[list, str]:
    condition = filters.for_stories()
    queryset = _classified_stories(user).filter(status=column.status)
    if condition is not None:
        queryset = queryset.filter(condition)
    rows = list(_story_rows(_ordered(_after_cursor(queryset, column, cursor), column))[: _more()])
    return _paged(_story_cards(rows, now()))


def story_card(user, pk) -> Card | None:
    cards = _story_cards(list(_story_rows(_classified_stories(user).filter(pk=pk))), now())
    return cards[0] if cards else None


def classified_story(user, pk) -> Story | None:
    """The story itself for its card's moves (not audited: the caller already opened it
    through workflow.selectors.story_for_user)."""
    story = _classified_stories(user).filter(pk=pk).first()
    return dress_story(story) if story is not None else None


def il6_waiting_for_classified(user, limit: int = 50) -> list[Ticket]:
    """IL6 requests triaged and not yet with Classified Ops: where the PM opens their
    Production Deploy story (once the structure is prepared)."""
    return list(
        tickets_for(user)
        .filter(
            request_type__in=request_types.where(lambda kind: kind.classified),
            status=Ticket.Status.TRIAGED,
        )
        .order_by("created_at", "pk")[:limit]
    )


# The triage queue ---------------------------------------------------------------------------


def triage_queue(user, cursor=None) -> tuple[list[Ticket], str, int]:
    """Submitted tickets, oldest first, a page at a time, with what their gates read (the
    epic's documents and stories); the next page's cursor; how many wait in all."""
    waiting = _waiting_for_triage(user)
    queryset = (
        waiting.prefetch_related(None)
        .prefetch_related("epic__documents", "epic__stories")
        .order_by("created_at", "pk")
    )
    if cursor is not None:
        at, pk = cursor
        queryset = queryset.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    size = page_size()
    tickets = list(queryset[: size + 1])
    more = ""
    if len(tickets) > size:
        last = tickets[size - 1]
        more = f"{(last.created_at - _EPOCH) // _MICROSECOND}.{last.pk}"
    return tickets[:size], more, waiting.count()


def _waiting_for_triage(user):
    return tickets_for(user).filter(status=Ticket.Status.SUBMITTED)


def waiting_for_triage(user) -> int:
    """How many requests wait for triage (the queue's count, after a decision in place)."""
    return _waiting_for_triage(user).count()


def clashing_new_ctf_names(tickets: list[Ticket]) -> set[int]:
    """The new-CtF tickets whose application name an epic of their team now has, in one
    query (the epic triage would open cannot take that name)."""
    pairs = [
        (ticket.pk, ticket.team_id, ticket.application_name)
        for ticket in tickets
        if ticket.kind.opens_epic
    ]
    if not pairs:
        return set()
    condition = Q()
    for _, team_id, name in pairs:
        condition |= Q(team_id=team_id, title__iexact=name)
    taken = {
        (team_id, title.lower())
        for team_id, title in Epic.objects.filter(condition).values_list("team_id", "title")
    }
    return {pk for pk, team_id, name in pairs if (team_id, name.lower()) in taken}


# My work ------------------------------------------------------------------------------------


def _work_stories(user):
    return (
        stories_for(user)
        .select_related(None)
        .select_related("epic__team", "ticket", "assignee")
        .order_by("status_changed_at", "pk")
    )


def my_work(user, boards: list[str], after: str = "") -> tuple[list, list, str]:
    """The user's stories in progress; the unassigned To Do stories of the boards they work,
    longest waiting first, a page at a time (with the epic's stories, which the pick-up
    check reads); the cursor of the next page."""
    mine = [
        dress_story(story)
        for story in _work_stories(user).filter(
            board__in=boards, assignee=user, status=Story.Status.IN_PROGRESS
        )[:100]
    ]
    column = Column(Story.Status.TO_DO, Story.Status.TO_DO.label)
    queryset = (
        _work_stories(user)
        .filter(board__in=boards, status=Story.Status.TO_DO, assignee__isnull=True)
        .prefetch_related("epic__stories")
    )
    queryset = _ordered(_after_cursor(queryset, column, parse_cursor(after)), column)
    ready, more = _paged([dress_story(story) for story in queryset[: _more()]])
    return mine, ready, more


def work_story(user, pk) -> Story | None:
    story = _work_stories(user).prefetch_related("epic__stories").filter(pk=pk).first()
    return dress_story(story) if story is not None else None


def now() -> dt.datetime:
    return timezone.now()
