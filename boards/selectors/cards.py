"""What a card shows, read as plain values, and the board as columns of cards; the first
page of every column comes from one statement (a UNION ALL of one index-ordered LIMIT per
column)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from boards.selectors.columns import Column, ColumnView, page_size
from boards.selectors.filters import Filters
from epics.models import Epic, ImpactLevel, Pipeline, Story
from workflow import request_types

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


def levels_mask():
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


def levels_of(mask) -> list[str]:
    return [level for level, value in LEVEL_BITS.items() if (mask or 0) & value]


def as_datetime(value) -> dt.datetime:
    """A timestamp read through a raw cursor (SQLite gives text; PostgreSQL, aware values)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def short_label(request_type: str, level: str) -> str:
    """What a card calls the request behind its story, short enough for a card."""
    return request_types.of(request_type).short_for(level)


def rows_of_columns(branches) -> list[tuple]:
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


@dataclass
class Board:
    columns: list[ColumnView]
    filters: Filters
    version: int = 0
    teams: list = field(default_factory=list)
    people: list = field(default_factory=list)


def first_page_limits(columns: list[Column], loaded: dict[str, int] | None) -> dict[str, int]:
    """Each column's first page; a live refresh keeps what the viewer had loaded (at most
    ten pages), so cards they scrolled to do not vanish under them."""
    loaded = loaded or {}
    size = page_size()
    return {
        column.status: min(max(size, loaded.get(column.status, 0)), 10 * size) for column in columns
    }


def dress_story(story: Story) -> Story:
    story.short = short_label(story.ticket.request_type, story.ticket.impact_level)
    return story
