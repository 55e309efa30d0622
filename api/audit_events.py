"""`GET /api/v1/audit-events/` (API.md): the whole audit trail, for auditors and superusers,
filtered and paged as its page is (workflow/audit_query.py); `?format=csv` or
`?format=jsonl` (or `Accept: text/csv`, `application/jsonl`) streams every match instead.

The streamed formats are renderers so that DRF's `?format=` chooses them and the schema
lists them; the view streams the body itself. Every error is JSON whatever was asked, and a
`format` the endpoint does not speak is a 400 naming the parameter.
"""

from __future__ import annotations

from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.responses import FIELD_ERRORS, NOT_PERMITTED, NOT_SIGNED_IN
from api.serializers.audit import AuditEventPageSerializer, AuditEventSerializer
from workflow import audit_query
from workflow.errors import InvalidInput
from workflow.permissions import reads_the_trail


class StreamRenderer(BaseRenderer):
    """Chooses a streamed export; never renders a body (the view streams it)."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("The audit export is streamed by its view.")


class CSVRenderer(StreamRenderer):
    media_type, format = audit_query.FORMATS["csv"], "csv"


class JSONLinesRenderer(StreamRenderer):
    media_type, format = audit_query.FORMATS["jsonl"], "jsonl"


class ReadsTheTrail(BasePermission):
    message = audit_query.REFUSED

    def has_permission(self, request, view) -> bool:
        if reads_the_trail(request.user):
            return True
        audit_query.refused_reading(request.user, request.get_full_path())
        return False


def _filter(name: str, description: str, kind=str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **kwargs)


def _checked(name: str) -> dict:
    """The parameter's schema, with the limits TrailFilters enforces (workflow/audit_query.py)."""
    field = audit_query.TrailFilters.base_fields[name]
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    return {"type": "string", "maxLength": field.max_length}


# `since` and `until`: a date or a date-time; empty is no bound (as the page's form sends it).
MOMENT = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "date"},
        {"type": "string", "enum": [""]},
    ]
}


def _choices(name: str) -> list[str]:
    """A choice filter's values; "" (any) included, as TrailFilters takes it."""
    return [value for value, _label in audit_query.TrailFilters.base_fields[name].choices]


PARAMETERS = [
    _filter(
        "actor", "Who acted: a username, `system` or `gitlab:<pusher>`, exactly.", _checked("actor")
    ),
    _filter("object_type", "The kind of object.", enum=_choices("object_type")),
    _filter("object_id", "With `object_type`: that one object's events.", _checked("object_id")),
    _filter(
        "action",
        "The action as the trail names it (`file`, `triage`, `sign_in`…).",
        _checked("action"),
    ),
    _filter("outcome", "`done` or `refused`.", enum=_choices("outcome")),
    _filter(
        "since",
        "From this ISO 8601 date or date-time on (inclusive; UTC when no offset).",
        MOMENT,
    ),
    _filter(
        "until",
        "Before this ISO 8601 date or date-time (exclusive; UTC when no offset).",
        MOMENT,
    ),
    _filter("before", "Events older than this event id (the `next` link).", _checked("before")),
    _filter("after", "Events newer than this event id (the `previous` link).", _checked("after")),
    _filter(
        "page_size",
        f"Events per page, up to {audit_query.MAX_PAGE_SIZE}.",
        _checked("page_size"),
    ),
    _filter(
        "format",
        "`csv` or `jsonl` streams every match, oldest first, instead of a page.",
        enum=["json", "csv", "jsonl"],
    ),
]
STREAM = OpenApiResponse(OpenApiTypes.STR, description="Every match, oldest first.")
JSON = "application/json"


class PageSchema(AutoSchema):
    """The list answers one page object (`next`, `previous`, `results`), not an array."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class AuditEventViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ReadsTheTrail]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer, JSONLinesRenderer]
    serializer_class = AuditEventSerializer
    pagination_class = None
    schema = PageSchema()

    @extend_schema(
        summary="The whole audit trail, newest first (auditors, superusers)",
        description=(
            "Paged by position: follow `next` (older) and `previous` (newer). The CSV's "
            "header row is the field names. Exporting is recorded in the trail."
        ),
        parameters=PARAMETERS,
        responses={
            (200, JSON): AuditEventPageSerializer,
            (200, audit_query.FORMATS["csv"]): STREAM,
            (200, audit_query.FORMATS["jsonl"]): STREAM,
            (400, JSON): FIELD_ERRORS,
            (401, JSON): NOT_SIGNED_IN,
            (403, JSON): NOT_PERMITTED,
        },
    )
    def list(self, request, *args, **kwargs):
        filters = audit_query.TrailFilters(request.query_params)
        if not filters.is_valid():
            raise InvalidInput(filters.problems)
        kind = request.accepted_renderer.format
        if kind in audit_query.FORMATS:
            return audit_query.export(request.user, kind, filters)
        page = audit_query.page_of(filters.events(), **filters.cursor())
        context = self.get_serializer_context()
        return Response(
            {
                "next": self._link("before", page.older, "after"),
                "previous": self._link("after", page.newer, "before"),
                "results": AuditEventSerializer(page.events, many=True, context=context).data,
            }
        )

    def _link(self, name: str, pk: int | None, other: str) -> str | None:
        if pk is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), other)
        return replace_query_param(url, name, pk)

    def perform_content_negotiation(self, request, force=False):
        asked = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        known = [renderer.format for renderer in self.get_renderers()]
        if not force and asked is not None and asked not in known:
            raise InvalidInput({"format": [f"Choose one of: {', '.join(known)}."]})
        return super().perform_content_negotiation(request, force=force)

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), StreamRenderer
        ):  # an error, asked for as a stream: answered in JSON, as every error is
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
