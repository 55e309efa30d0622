"""The API's error answers as the schema documents them (api/errors.py writes them): what
each endpoint declares beside its success."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api import serializers as s

FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="Malformed input: `detail`, and each field in error with its messages.",
)
NOT_SIGNED_IN = OpenApiResponse(s.ErrorSerializer, description="Not signed in.")
NOT_PERMITTED = OpenApiResponse(s.ErrorSerializer, description="The caller's role may not.")
NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="No such object that you can see.")
CONFLICT = OpenApiResponse(
    s.ConflictSerializer, description="Not possible from the object's current status."
)
GATES_UNMET = OpenApiResponse(s.GatesUnmetSerializer, description="Every unmet gate.")

READ_ERRORS = {401: NOT_SIGNED_IN, 404: NOT_FOUND}
# A list or a history: a malformed filter or `?page=` is a 400, a page past the last a 404
# (api/pagination.py).
PAGE_ERRORS = {400: FIELD_ERRORS, **READ_ERRORS}
WRITE_ERRORS = {400: FIELD_ERRORS, 401: NOT_SIGNED_IN, 403: NOT_PERMITTED}
REFUSALS = {**WRITE_ERRORS, 404: NOT_FOUND, 409: CONFLICT, 422: GATES_UNMET}


TOO_MANY = OpenApiResponse(
    s.ErrorSerializer, description="Too many requests: try again after `Retry-After` seconds."
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)
