"""Reading the whole audit trail, as auditors do on its page (workflow/audit_page.py) and in
the API (`/api/v1/audit-events/`): its filters, its pages, each event as both show it, and
its streamed export (CSV and JSON Lines).

- Filters: `actor`, `object_type` (with `object_id`), `action`, `outcome`, `since`
  (inclusive) and `until` (exclusive), checked like any input: a bad value is an error
  naming its parameter, never a guess.
- Pages: newest first in time (`created_at`, then id), cut by the position of an event
  (`before=<id>`: older than it; `after=<id>`: newer), never by OFFSET, so any page of any
  trail costs the same one query on the indexes of the AuditEvent model.
- Export: every match, oldest first, streamed over one query in chunks (constant memory).
  Exporting is itself recorded in the trail, and so is a refusal to read it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Subquery
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from workflow.audit import SYSTEM, record
from workflow.exports import csv_lines
from workflow.models import AuditEvent

# What an event says, in this order: the API's fields, the CSV's header, each JSON line.
FIELDS = (
    "id",
    "at",
    "actor",
    "object_type",
    "object_id",
    "action",
    "from_status",
    "to_status",
    "outcome",
    "reason",
    "client_address",
    "hash",
    "previous_hash",
)

_USER = tuple(settings.AUTH_USER_MODEL.lower().split("."))
# The object types of API.md, by the content type each names; then what else the trail
# records (a notification sent again, the trail's own export and refused reads).
OBJECT_TYPES: dict[str, tuple[str, str]] = {
    "ticket": ("requests_app", "ticket"),
    "epic": ("epics", "epic"),
    "story": ("epics", "story"),
    "document": ("epics", "document"),
    "release": ("epics", "release"),
    "access_request": ("workflow", "accessrequest"),
    "team": ("epics", "team"),
    "comment": ("requests_app", "comment"),
    "user": _USER,
    "notification": ("notifications", "notification"),
    "audit_event": ("workflow", "auditevent"),
}
_TYPE_NAMES = {key: name for name, key in OBJECT_TYPES.items()}

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200
BIGGEST_ID = 2**63 - 1  # a 64-bit id: a larger one names nothing
NEWEST_FIRST, OLDEST_FIRST = ("-created_at", "-id"), ("created_at", "id")
CHUNK = 2000  # events read per round trip of an export
LINES_PER_WRITE = 500  # lines handed to the server at once
FORMATS = {"csv": "text/csv", "jsonl": "application/jsonl"}

# A "+" of an offset that a query string decoded as a space: "…T10:00 02:00" is "…+02:00".
_DECODED_PLUS = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def object_type_of(content_type_id: int) -> str:
    """An event's object type by name (`access_request`), from Django's content-type cache."""
    content_type = ContentType.objects.get_for_id(content_type_id)
    key = (content_type.app_label, content_type.model)
    return _TYPE_NAMES.get(key, content_type.model)


def utc_text(moment: dt.datetime) -> str:
    """`2026-01-31T14:05:09.123456Z`, as the API writes every time."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def represented(event: AuditEvent, *, addresses: bool = True) -> dict:
    """The event as the page, the API (list and every history) and the export give it;
    `addresses=False` leaves the client address out (null) for those who may not see it."""
    return {
        "id": event.pk,
        "at": utc_text(event.created_at),
        "actor": event.actor_name or SYSTEM.username,
        "object_type": object_type_of(event.content_type_id),
        "object_id": event.object_id,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "outcome": event.outcome,
        "reason": event.reason,
        "client_address": event.client_address if addresses else None,
        "hash": event.hash,
        "previous_hash": event.previous_hash,
    }


# Filters -----------------------------------------------------------------------------------


class MomentField(forms.Field):
    """An ISO 8601 date (its midnight, UTC) or date-time (UTC when it names no offset)."""

    default_error_messages = {
        "invalid": (
            "Give an ISO 8601 date (2026-01-31) or date-time (2026-01-31T14:05:00Z, or with "
            "an offset such as +02:00; UTC when none is given)."
        ),
    }

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 40 or "\x00" in text:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            moment = dt.datetime.fromisoformat(_DECODED_PLUS.sub(r"\1+\2", text))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def _id_field(help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=BIGGEST_ID,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


def _text_field(name: str, label: str, help_text: str) -> forms.CharField:
    limit = AuditEvent._meta.get_field(name).max_length
    return forms.CharField(
        required=False, max_length=limit, label=label, help_text=help_text, strip=True
    )


class TrailFilters(forms.Form):
    """The trail's filters and paging, from a query string (the page's form, the API's
    parameters): `events()` is what matches, `cursor()` where the page starts."""

    actor = _text_field("actor_name", "Who", "A username, “system” or “gitlab:<pusher>”, exactly.")
    object_type = forms.ChoiceField(
        required=False,
        label="Object",
        choices=[("", "Any object"), *((name, name.replace("_", " ")) for name in OBJECT_TYPES)],
        error_messages={"invalid_choice": "Choose one of: " + ", ".join(OBJECT_TYPES) + "."},
    )
    object_id = _id_field("With an object type: that one object's events.")
    object_id.label = "Object id"
    action = _text_field("action", "Action", "As the trail names it: file, triage, sign_in…")
    outcome = forms.ChoiceField(
        required=False,
        label="Outcome",
        choices=[("", "Done or refused"), *AuditEvent.Outcome.choices],
        error_messages={"invalid_choice": "Choose done or refused."},
    )
    since = MomentField(
        required=False,
        label="Since",
        help_text="From this date or time on (UTC unless an offset is given).",
        widget=forms.TextInput(attrs={"placeholder": "2026-01-31"}),
    )
    until = MomentField(
        required=False,
        label="Until",
        help_text="Before this date or time: until 2026-02-01 ends with 31 January.",
        widget=forms.TextInput(attrs={"placeholder": "2026-02-01"}),
    )
    before = _id_field("Events older than this event (the “Older” link).")
    after = _id_field("Events newer than this event (the “Newer” link).")
    page_size = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, help_text="Events per page."
    )
    page = forms.CharField(required=False)

    FILTERS = ("actor", "object_type", "object_id", "action", "outcome", "since", "until")

    def clean_page(self):
        if self.cleaned_data["page"]:
            raise forms.ValidationError(
                "The audit trail is paged by position, not by number: follow the `next` and "
                "`previous` links (`before` and `after`)."
            )
        return ""

    def clean(self):
        data = super().clean()
        if data.get("object_id") and not data.get("object_type"):
            self.add_error(
                "object_id", "Give the object_type too: an id names an object only with its type."
            )
        since, until = data.get("since"), data.get("until")
        if since and until and until <= since:
            self.add_error(
                "until", "Give an until later than since (since is inclusive, until exclusive)."
            )
        if data.get("before") and data.get("after"):
            self.add_error("after", "Give before or after, not both.")
        return data

    @property
    def problems(self) -> dict[str, list[str]]:
        return {name: list(messages) for name, messages in self.errors.items()}

    def events(self):
        """The events that match the filters (in no order yet)."""
        data = self.cleaned_data
        events = AuditEvent.objects.defer("detail")
        if actor := data.get("actor"):
            if actor == SYSTEM.username:  # the portal itself (no one signed in) or the clock
                events = events.filter(actor_name__in=("", SYSTEM.username))
            else:
                events = events.filter(actor_name=actor)
        if name := data.get("object_type"):
            try:
                content_type = ContentType.objects.get_by_natural_key(*OBJECT_TYPES[name])
            except ContentType.DoesNotExist:  # a kind of object the portal has no rows of
                return events.none()
            events = events.filter(content_type=content_type)
            if data.get("object_id"):
                events = events.filter(object_id=data["object_id"])
        for name in ("action", "outcome"):
            if data.get(name):
                events = events.filter(**{name: data[name]})
        if data.get("since"):
            events = events.filter(created_at__gte=data["since"])
        if data.get("until"):
            events = events.filter(created_at__lt=data["until"])
        return events

    def query(self) -> dict[str, str]:
        """The filters as given (not the paging), for links that keep them."""
        return {name: self.data[name] for name in self.FILTERS if self.data.get(name)}

    def cursor(self) -> dict:
        data = self.cleaned_data
        return {
            "before": data.get("before"),
            "after": data.get("after"),
            "size": data.get("page_size") or PAGE_SIZE,
        }


# Pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    events: list
    older: int | None  # `before=` of the next page back, if there is one
    newer: int | None  # `after=` of the page before, if there is one


def _time_of(pk: int) -> Subquery:
    """When event `pk` happened, read in the page's own query (NULL, so nothing, if none)."""
    return Subquery(AuditEvent.objects.filter(pk=pk).order_by().values("created_at")[:1])


def _older_than(events, pk: int):
    at = _time_of(pk)
    return events.filter(created_at__lte=at).exclude(created_at=at, id__gte=pk)


def _newer_than(events, pk: int):
    at = _time_of(pk)
    return events.filter(created_at__gte=at).exclude(created_at=at, id__lte=pk)


def page_of(events, *, before: int | None = None, after: int | None = None, size: int) -> Page:
    """One page of `events`, newest first, in one query: the newest, the ones just older
    than event `before`, or the ones just newer than event `after`."""
    if after is not None:
        rows = list(_newer_than(events, after).order_by(*OLDEST_FIRST)[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        return Page(rows, older=rows[-1].pk if rows else None, newer=rows[0].pk if more else None)
    if before is not None:
        events = _older_than(events, before)
    rows = list(events.order_by(*NEWEST_FIRST)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    newer = rows[0].pk if before is not None and rows else None
    return Page(rows, older=rows[-1].pk if more else None, newer=newer)


# Reading it, recorded -------------------------------------------------------------------------

REFUSED = (
    "Only auditors read the whole audit trail. What happened to a request, an epic or a "
    "document is in the timeline on its page."
)


def refused_reading(user, where: str) -> None:
    """Someone signed in who may not read the trail asked for it: that is recorded too."""
    record(
        by=user,
        obj=None,
        model=AuditEvent,
        action="read_trail",
        refused=True,
        reason=REFUSED,
        detail={"path": where[:200]},
    )


def export(user, kind: str, filters: TrailFilters, *, bom: bool = False):
    """The filtered trail streamed as `kind`, recorded first (who, the format, the filters);
    the export holds the trail as it was asked for, not its own record."""
    recorded = record(
        by=user,
        obj=None,
        model=AuditEvent,
        action="export_trail",
        detail={"format": kind, "filters": filters.query()},
    )
    return streamed(kind, filters.events().exclude(pk=recorded.pk), bom=bom)


# The export -----------------------------------------------------------------------------------


def _csv_lines(rows: Iterable[dict], *, bom: bool) -> Iterator[str]:
    """A header of the field names, then a line per event (workflow.exports.csv_lines: cells
    a spreadsheet would run as a formula are written as text). `bom` marks the file as UTF-8
    for spreadsheets (the page's download); the API's is for programs, without it."""
    return csv_lines(FIELDS, ([row[name] for name in FIELDS] for row in rows), bom=bom)


def _json_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def _batched(lines: Iterator[str]) -> Iterator[str]:
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= LINES_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def streamed(kind: str, events, *, bom: bool = False) -> StreamingHttpResponse:
    """Every event of `events`, oldest first, as CSV or JSON Lines (`kind`), read in chunks
    of one query: memory stays the same however many there are."""
    rows = map(represented, events.order_by(*OLDEST_FIRST).iterator(chunk_size=CHUNK))
    lines = _csv_lines(rows, bom=bom) if kind == "csv" else _json_lines(rows)
    response = StreamingHttpResponse(
        _batched(lines), content_type=f"{FORMATS[kind]}; charset=utf-8"
    )
    filename = f"audit-trail-{timezone.now():%Y-%m-%d}.{kind}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
