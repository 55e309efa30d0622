"""A board's columns, read a page at a time: each column ordered by (status_changed_at,
id), the order of the (status, status_changed_at, id) indexes on Epic and Story, and paged
by keyset (a page is "the next 50 after this (status_changed_at, id)", which costs the same on
the first page and the thousandth); the counts per column; and the board's version, which a
live refresh compares."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Q,
)
from django.utils import timezone

from epics.models import Epic, Story
from workflow.models import AuditEvent

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

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def cursor_of(obj) -> str:
    """ "<microseconds since 1970>.<id>" of the card a page ends with."""
    return f"{(obj.status_changed_at - EPOCH) // MICROSECOND}.{obj.pk}"


def parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    try:
        micros, pk = (int(part) for part in (text or "").split("."))
        return EPOCH + dt.timedelta(microseconds=micros), pk
    except (ValueError, OverflowError):
        return None


def ordered(queryset, column: Column):
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


def column_views(columns, cards, counts, filtered: bool) -> list[ColumnView]:
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


def counts_by_status(queryset, condition: Q | None) -> dict[str, tuple[int, int]]:
    """(every card, cards matching the filters) per status, in one aggregate query."""
    extra = {"matching": Count("pk", filter=condition)} if condition is not None else {}
    rows = queryset.order_by().values("status").annotate(total=Count("pk"), **extra)
    return {row["status"]: (row["total"], row.get("matching", row["total"])) for row in rows}


def after_cursor(queryset, column, cursor):
    return _after(queryset, column, cursor) if cursor is not None else queryset


def fetch_size() -> int:
    return page_size() + 1  # one more than a page says whether another follows


def paged(cards: list) -> tuple[list, str]:
    """A page of cards (or stories), and the cursor after it ("" when it is the last)."""
    size = page_size()
    more = cursor_of(cards[size - 1]) if len(cards) > size else ""
    return cards[:size], more


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


def now() -> dt.datetime:
    return timezone.now()
