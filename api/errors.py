"""Every error the API answers is JSON with a human `detail` (API.md, "Errors").

A workflow Refusal answers with its own status code and payload (400 with field errors,
403, 409 with the current `status`, 422 with every `unmet` gate); DRF's validation errors
are reshaped to the same 400 body; DRF's own errors keep their answer, with a `detail`;
anything unforeseen is a JSON 500 saying the outcome is unknown (never an HTML page).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from api.idempotency import Replay
from workflow.errors import Refusal

log = logging.getLogger(__name__)

FIELDS_NEED_FIXING = "Some fields need fixing."


def exception_handler(exc, context):
    if isinstance(exc, Refusal):
        set_rollback()
        return Response(exc.payload(), status=exc.status_code)
    if isinstance(exc, Replay):
        row = exc.row
        return Response(row.answer, status=row.status_code, headers={"Idempotent-Replayed": "true"})
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_failed(exc)
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_payload(exc.detail)
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": _first_message(response.data) or "The request failed."}
    return response


UNKNOWN_OUTCOME = (
    "The server failed while answering. If you asked for a change, look at the object "
    "again before you retry (a retry with the same Idempotency-Key is always safe)."
)


def _server_failed(exc) -> Response:
    """Anything unforeseen: logged with its traceback, answered as JSON (API.md)."""
    log.error("API request failed", exc_info=exc)
    set_rollback()
    return Response({"detail": UNKNOWN_OUTCOME}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def server_error(request):
    """Django's 500 page, as JSON under /api/ (an error outside the API's views)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": UNKNOWN_OUTCOME}, status=500)
    return defaults.server_error(request)


class NotFoundView(APIView):
    """Any address under /api/v1/ that names no endpoint (`/tickets/0.5/`, `/nothing/`): a
    JSON 404, after the caller is known (signed out: 401), as for an id that names nothing."""

    schema = None  # not an endpoint of the schema

    def dispatch_404(self, request, *args, **kwargs):
        path = request.path[:200]
        slash = "" if path.endswith("/") else " (every address ends with “/”)"
        raise exceptions.NotFound(f"Nothing at {path}{slash}: see /api/v1/docs/.")

    get = post = put = patch = delete = head = options = dispatch_404


def _as_drf(exc):
    """Django's 404 and 403 as DRF's, keeping their sentence ("No ticket 12 that you can
    see.") over DRF's "Not found."."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def validation_payload(detail) -> dict:
    """`{"detail": "…", "<field>": ["message", …]}` from any shape DRF's errors take."""
    if isinstance(detail, dict):
        fields = {name: _messages(value) for name, value in detail.items()}
        if list(fields) == ["non_field_errors"]:
            return {"detail": " ".join(fields["non_field_errors"]), **fields}
        return {"detail": FIELDS_NEED_FIXING, **fields}
    messages = _messages(detail)
    return {"detail": " ".join(messages) or FIELDS_NEED_FIXING, "non_field_errors": messages}


def _messages(value) -> list[str]:
    """A field's messages as a flat list of strings (nested serializers flattened)."""
    if isinstance(value, dict):
        return [f"{key}: {msg}" for key, item in value.items() for msg in _messages(item)]
    if isinstance(value, list | tuple):
        return [msg for item in value for msg in _messages(item)]
    return [str(value)]


def _first_message(data) -> str:
    messages = _messages(data) if data is not None else []
    return messages[0] if messages else ""
