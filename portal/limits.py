"""Request bodies over the limit are refused before a byte of them is read.

Django reads an upload whole (to memory or a temporary file) before any view can look at its
size; this middleware, early in MIDDLEWARE, answers from the headers alone: 413 when the
declared Content-Length is over the limit for the address (one that takes files, in
UPLOAD_URL_NAMES: DOCUMENT_MAX_BYTES per file and UPLOAD_FORM_OVERHEAD_BYTES of form around
them; anything else: REQUEST_MAX_BYTES), and 411 for
a body sent without a Content-Length (chunked), which Django would read as empty. The answer
is JSON under /api/, plain text elsewhere, and closes the connection, so that the server does
not read the rest of the body either (docs/security.md, "Uploads").
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

_MB = 1024 * 1024


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    try:
        match = resolve(path)
    except Resolver404:
        return settings.REQUEST_MAX_BYTES
    if files := settings.UPLOAD_URL_NAMES.get(match.view_name):
        return files * settings.DOCUMENT_MAX_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES
    return settings.REQUEST_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / _MB:.1f}".removesuffix(".0")


def _refusal(request, status: int, detail: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=status)
    else:
        response = HttpResponse(detail + "\n", status=status, content_type="text/plain")
    response["Connection"] = "close"
    return response


class RequestSizeMiddleware:
    """413 for a declared body over the address's limit, 411 for a chunked one, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING") and "CONTENT_LENGTH" not in request.META:
            return _refusal(
                request,
                411,
                "Send the request with a Content-Length header: bodies sent in chunks are not "
                "accepted.",
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # what Django reads of it: nothing
        limit = body_limit(request.path_info)
        if declared <= limit:
            return self.get_response(request)
        if limit == settings.REQUEST_MAX_BYTES:
            detail = (
                f"The request body is {_megabytes(declared)} MB; the limit here is "
                f"{_megabytes(limit)} MB."
            )
        else:
            detail = (
                f"The upload is {_megabytes(declared)} MB; a file may be at most "
                f"{_megabytes(settings.DOCUMENT_MAX_BYTES)} MB (the limit for the whole form "
                f"is {_megabytes(limit)} MB): upload a smaller file."
            )
        return _refusal(request, 413, detail)
