"""The audit trail's page (`/audit/`) and its export (`/audit/export`), for auditors: the
filters in the query string (a filtered view is an address to share, and its export link
carries the same filters), newest first, a page at a time (workflow/audit_query.py).

Both only read the trail (an export is recorded in it). Another role asking gets the
registry's refusal page (portal/pages.py), and the refusal is recorded too, in the same
words as the API's (workflow.audit_query.refused_reading).
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from portal.http import private, with_query
from portal.pages import guarded
from workflow import audit_query

PAGE = "audit"
TEMPLATE = "workflow/audit.html"

# Where an object of each type has a page of its own (an id is enough to link to it).
OBJECT_PAGES = {
    "ticket": "ticket_detail",
    "epic": "epic_detail",
    "team": "team_requests",
    "document": "document_download",
}


def _refused(request) -> None:
    audit_query.refused_reading(request.user, request.get_full_path())


def _row(event) -> dict:
    shown = audit_query.represented(event)
    url_name = OBJECT_PAGES.get(shown["object_type"])
    link = reverse(url_name, args=[event.object_id]) if url_name and event.object_id else ""
    return {
        **shown,
        "when": event.created_at,
        "object_repr": event.object_repr,
        "link": link,
        "refused": event.outcome == event.Outcome.REFUSED,
    }


def _links(filters: audit_query.TrailFilters, page: audit_query.Page) -> dict:
    query = filters.query()
    size = filters.cleaned_data.get("page_size")
    paging = {"page_size": size} if size else {}

    def to(name: str, extra: dict) -> str:
        return with_query(reverse(name), {**query, **extra})

    return {
        "newest": to("audit_trail", paging),
        "older": to("audit_trail", {**paging, "before": page.older}) if page.older else "",
        "newer": to("audit_trail", {**paging, "after": page.newer}) if page.newer else "",
        "csv": to("audit_export", {"format": "csv"}),
        "jsonl": to("audit_export", {"format": "jsonl"}),
    }


def _page(request, filters: audit_query.TrailFilters, *, status: int = 200, problem: str = ""):
    context = {
        "filters": filters,
        "filter_fields": [filters[name] for name in filters.FILTERS],
        "filtered": bool(filters.query()),
        "nav": PAGE,
    }
    if filters.is_valid() and not problem:
        page = audit_query.page_of(filters.events(), **filters.cursor())
        context.update(
            rows=[_row(event) for event in page.events],
            links=_links(filters, page),
            paged=bool(filters.cleaned_data.get("before") or filters.cleaned_data.get("after")),
        )
    else:
        status = status if problem else 400
        context["problem"] = problem or "Nothing is shown: a filter needs fixing."
    return private(render(request, TEMPLATE, context, status=status))


@guarded(PAGE, on_refusal=_refused)
def audit_trail(request):
    """The trail, newest first, filtered by who, object, action, outcome and dates."""
    return _page(request, audit_query.TrailFilters(request.GET))


@guarded(PAGE, on_refusal=_refused)
def audit_export(request):
    """Every event the filters match, oldest first, as CSV (`?format=csv`, for a
    spreadsheet) or JSON Lines (`?format=jsonl`), streamed."""
    filters = audit_query.TrailFilters(request.GET)
    kind = request.GET.get("format", "csv")
    if kind not in audit_query.FORMATS:
        return _page(
            request, filters, status=400, problem="Choose the export's format: CSV or JSON Lines."
        )
    if not filters.is_valid():
        return _page(request, filters)
    return audit_query.export(request.user, kind, filters, bom=kind == "csv")
