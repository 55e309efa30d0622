"""Query and form parameters no view could use, refused before any view runs.

A NUL character in a parameter's name or value (`?q=%00`, a form field) can be stored in no
column of PostgreSQL, and a query that holds one fails: every such request, of the pages
and of the API, is a 400 naming the parameter (JSON under /api/, a short plain page
elsewhere), and changes nothing. A form body that does not parse is a 400 too, not an error
deep in a view. JSON bodies are the API parser's to check (api/parsers.py).
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from workflow.text import NO_NUL, nul_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refused(request, detail: str, field: str | None = None) -> HttpResponse:
    """A 400 the caller can read: JSON with `detail` (and the field) under /api/."""
    if request.path.startswith("/api/"):
        body = {"detail": detail, **({field: [NO_NUL]} if field else {})}
        return JsonResponse(body, status=400)
    return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")


def nul_parameter(params) -> str | None:
    """The first parameter whose name or any value holds a NUL (its name, NUL shown)."""
    for name, values in params.lists():
        if nul_problem(name) or any(nul_problem(value) for value in values):
            return name.replace("\x00", "\\u0000")
    return None


class RefuseMalformedParamsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (name := nul_parameter(request.GET)) is not None:
            return refused(request, f"The parameter “{name}”: {NO_NUL}", name)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                form = request.POST
            except MultiPartParserError as exc:
                return refused(request, f"The form data does not parse: {exc}")
            if (name := nul_parameter(form)) is not None:
                return refused(request, f"The field “{name}”: {NO_NUL}", name)
        return self.get_response(request)
