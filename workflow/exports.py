"""CSV exports of the tickets and epics a user may see, with the lists' filters.

Streamed row by row over one query (`.iterator()` of the user's selector, workflow.selectors),
so an export costs the same few queries and little memory however many rows it holds.
Cells that a spreadsheet would run as a formula are written as text (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from epics.models import Epic
from requests_app.forms import TicketFilterForm
from workflow.selectors import epics_for, team_for_user, tickets_for

# What a spreadsheet reads as the start of a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


def cell(value):
    """A value as a spreadsheet should show it: text that cannot run as a formula, times in
    UTC (ISO 8601), numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file whose `write` hands the line back, for csv.writer to stream."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: list[str], rows, *, bom: bool = True):
    """The header, then a line per row, each value through `cell`, one string at a time.
    The byte-order mark makes spreadsheets read the file as UTF-8 (programs may not want it)."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" if bom else "") + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def streamed_csv(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _filename(kind: str, team) -> str:
    scope = slugify(team.name) if team is not None else "all-teams"
    return f"{kind}-{scope}-{timezone.localdate():%Y-%m-%d}.csv"


def _link(name: str, pk: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _team(request):
    """The team asked for (?team=), which the user must see (404 otherwise), or None."""
    pk = request.GET.get("team")
    return team_for_user(request.user, pk) if pk else None


# Tickets ---------------------------------------------------------------------------------------

TICKET_COLUMNS = [
    "id",
    "team",
    "epic_id",
    "epic",
    "request_type",
    "request_type_display",
    "impact_level",
    "title",
    "application_name",
    "description",
    "status",
    "status_display",
    "rejection_reason",
    "created_by",
    "created_at",
    "link",
]


def _ticket_rows(tickets):
    for ticket in tickets:
        yield [
            ticket.pk,
            ticket.team.name,
            ticket.epic_id,
            ticket.epic.title if ticket.epic else "",
            ticket.request_type,
            ticket.get_request_type_display(),
            ticket.impact_level,
            ticket.title,
            ticket.application_name,
            ticket.description,
            ticket.status,
            ticket.get_status_display(),
            ticket.rejection_reason,
            ticket.created_by.get_username(),
            ticket.created_at,
            _link("ticket_detail", ticket.pk),
        ]


@login_required
@require_http_methods(["GET"])
def tickets_csv(request):
    """The tickets the user sees, filtered as the team's request list is (`?team=`, `q`,
    `status`, `request_type`, `impact_level`)."""
    team = _team(request)
    tickets = tickets_for(request.user).prefetch_related(None)
    if team is not None:
        tickets = tickets.filter(team=team)
    tickets = TicketFilterForm(request.GET).filter(tickets)
    rows = _ticket_rows(tickets.iterator(chunk_size=CHUNK))
    return streamed_csv(_filename("requests", team), TICKET_COLUMNS, rows)


# Epics -------------------------------------------------------------------------------------------


class EpicFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", "Any status"), *Epic.Status.choices], required=False)

    def filter(self, epics):
        """The epics that match; all of them when the filters do not parse (as for tickets)."""
        if not self.is_valid():
            return epics
        if self.cleaned_data["status"]:
            epics = epics.filter(status=self.cleaned_data["status"])
        if query := self.cleaned_data["q"].strip():
            epics = epics.filter(title__icontains=query)
        return epics


EPIC_COLUMNS = [
    "id",
    "team",
    "title",
    "status",
    "status_display",
    "requires_new_ctf",
    "cyber_compliant_at",
    "production_at",
    "repository_url",
    "created_at",
    "link",
]


def _epic_rows(epics):
    for epic in epics:
        yield [
            epic.pk,
            epic.team.name,
            epic.title,
            epic.status,
            epic.get_status_display(),
            epic.requires_new_ctf,
            epic.cyber_compliant_at,
            epic.production_at,
            epic.repository_url,
            epic.created_at,
            _link("epic_detail", epic.pk),
        ]


@login_required
@require_http_methods(["GET"])
def epics_csv(request):
    """The epics the user sees (`?team=`, `status`, `q` in the title)."""
    team = _team(request)
    epics = epics_for(request.user)
    if team is not None:
        epics = epics.filter(team=team)
    epics = EpicFilterForm(request.GET).filter(epics)
    rows = _epic_rows(epics.iterator(chunk_size=CHUNK))
    return streamed_csv(_filename("epics", team), EPIC_COLUMNS, rows)
