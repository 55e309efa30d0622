"""REST API v1 (API.md): thin views over workflow/selectors.py and workflow/services/.

A view parses the input, calls one service, and renders the object re-read through its
selector (so `transitions` reflect the new state). What the caller may not see is absent
from lists and answers 404 everywhere else. No rule of WORKFLOWS.md is decided here.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.templatetags.static import static
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import idempotency
from api import serializers as s
from api.responses import (
    PAGE_ERRORS,
    READ_ERRORS,
    REFUSALS,
)
from epics.models import Document, Epic, Release, Story, Team
from requests_app.models import Ticket
from workflow import selectors, services
from workflow.actions import ACTIONS, action_named
from workflow.models import AccessRequest


def creates(input_serializer, output_serializer, summary: str, *, multipart: bool = False):
    request = {"multipart/form-data": input_serializer} if multipart else input_serializer
    return extend_schema(
        summary=summary,
        request=request,
        responses={201: output_serializer, **REFUSALS},
    )


def documented(model, output_serializer, filters=None):
    """The schema of a resource's list, detail, history and transitions."""
    noun, nouns = model._meta.verbose_name, model._meta.verbose_name_plural
    names = [a.name for a in ACTIONS.get(model, ())]
    if names:
        transition = extend_schema(
            summary=f"{noun.capitalize()}: take a transition",
            description="Names: " + ", ".join(f"`{n}`" for n in names) + ". Answers the "
            f"{noun} as it is now.",
            parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=names)],
            request=s.TransitionInputSerializer,
            responses={200: output_serializer, **REFUSALS},
        )
    else:
        transition = extend_schema(exclude=True)
    return extend_schema_view(
        list=extend_schema(
            summary=f"List the {nouns} you can see",
            parameters=[filters] if filters else None,
            responses={200: output_serializer(many=True), **PAGE_ERRORS},
        ),
        retrieve=extend_schema(
            summary=f"One {noun}", responses={200: output_serializer, **READ_ERRORS}
        ),
        history=extend_schema(
            summary=f"{noun.capitalize()}: its audit trail, oldest first",
            responses={200: s.AuditEventSerializer(many=True), **PAGE_ERRORS},
        ),
        transition=transition,
    )


# What every resource shares ------------------------------------------------------------------


class HistoryAndTransitionsMixin:
    """`GET …/{id}/history/` and `POST …/{id}/transitions/{name}/` for any resource."""

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        events = selectors.history_of(self.get_object())
        page = self.paginate_queryset(events)
        shown = s.AuditEventSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(shown.data)

    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[^/.]+)")
    def transition(self, request, pk=None, name=None):
        obj = self.get_object()
        taken = action_named(type(obj), name)
        if taken is None:
            kind = obj._meta.verbose_name.capitalize()
            raise Http404(f"{kind} {obj.pk} has no transition “{name}”.")
        params = s.TransitionInputSerializer(
            data=request.data, takes=taken.params, context=self.get_serializer_context()
        )
        params.is_valid(raise_exception=True)
        taken.perform(obj, request.user, **params.arguments(taken.params))
        return self.rendered(obj)


class ResourceViewSet(
    idempotency.IdempotentPosts,  # Idempotency-Key on every POST (api/idempotency.py)
    HistoryAndTransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reads through the resource's selectors: `selector(user)` is what the caller may see,
    `fetch(user, pk, action=…)` one object of it or an audited Http404. `related` names what
    `transitions` reads beside what the selector fetches, so a page costs a fixed number of
    queries."""

    selector = None
    fetch = None
    related: tuple[str, ...] = ()
    filters_class: type[s.Filters] | None = None

    def get_queryset(self):
        queryset = self.selector(self.request.user)
        return queryset.prefetch_related(*self.related) if self.related else queryset

    def get_object(self):
        # What the caller asked to do with it: the audit trail's action when it is refused.
        asked = {"retrieve": "open", "file": "download", "partial_update": "update"}
        return self.visible(self.kwargs["pk"], asked.get(self.action, self.action or "open"))

    def visible(self, pk, action: str = "open"):
        """The object, or a 404 the selectors audit (the same for another team's object and
        for an id that names nothing, which is not even asked of the database)."""
        obj = self.fetch(self.request.user, pk, action=action)
        if self.related:
            prefetch_related_objects([obj], *self.related)
        return obj

    def filter_queryset(self, queryset):
        if self.action != "list" or self.filters_class is None:
            return queryset
        return self.filters_class(data=self.request.query_params).filter(queryset)

    def parsed(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def rendered(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as the caller now sees it, re-read through its selector.

        Called once an action has committed: if reading it back fails (the database
        connection lost meanwhile), the answer is still the action's success, saying what
        is known, never an error for an action that happened."""
        try:
            return Response(self.get_serializer(self.visible(obj.pk)).data, status=status_code)
        except DatabaseError:  # Django drops a broken connection at the request's end
            done = {"id": obj.pk, "status": getattr(obj, "status", None)}
            detail = "Done. Reading it back failed: GET it again for the whole of it."
            return Response({**done, "detail": detail}, status=status_code)


# Resources -------------------------------------------------------------------------------------


@documented(Team, s.TeamSerializer)
class TeamViewSet(ResourceViewSet):
    serializer_class = s.TeamSerializer
    selector = staticmethod(selectors.teams_for)
    fetch = staticmethod(selectors.team_for_user)

    @creates(s.TeamInputSerializer, s.TeamSerializer, "Create a team (MDO PM)")
    def create(self, request):
        data = self.parsed(s.TeamInputSerializer)
        team = services.team_create(by=request.user, **{"name": "", **data})
        return self.rendered(team, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a team (MDO PM)",
        request=s.TeamInputSerializer,
        responses={200: s.TeamSerializer, **REFUSALS},
    )
    def partial_update(self, request, pk=None):
        team = self.get_object()
        changes = self.parsed(s.TeamInputSerializer, partial=True)
        services.team_update(by=request.user, team=team, **changes)
        return self.rendered(team)


@documented(Epic, s.EpicSerializer, s.EpicFilters)
class EpicViewSet(ResourceViewSet):
    serializer_class = s.EpicSerializer
    selector = staticmethod(selectors.epics_for)
    fetch = staticmethod(selectors.epic_for_user)
    # start_pipeline reads the epic's stories (epic_free) and its triaged requests.
    related = ("stories", Prefetch("tickets", queryset=Ticket.objects.filter(status="triaged")))
    filters_class = s.EpicFilters

    @creates(s.EpicInputSerializer, s.EpicSerializer, "Create an epic (MDO PM)")
    def create(self, request):
        epic = services.epic_create(by=request.user, **self.parsed(s.EpicInputSerializer))
        return self.rendered(epic, status.HTTP_201_CREATED)


@documented(Document, s.DocumentSerializer, s.DocumentFilters)
class DocumentViewSet(ResourceViewSet):
    serializer_class = s.DocumentSerializer
    selector = staticmethod(selectors.documents_for)
    fetch = staticmethod(selectors.document_for_user)
    filters_class = s.DocumentFilters

    @creates(
        s.DocumentInputSerializer,
        s.DocumentSerializer,
        "Upload a signed PDF to an epic (its team, MDO PM)",
        multipart=True,
    )
    def create(self, request):
        data = self.parsed(s.DocumentInputSerializer)
        document = services.document_upload(by=request.user, **data)
        return self.rendered(document, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the document's PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **READ_ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        document = self.get_object()
        try:
            pdf = document.file.open("rb")
        except FileNotFoundError:
            raise Http404(f"The PDF of document {document.pk} is missing.") from None
        response = FileResponse(
            pdf,
            as_attachment=True,
            filename=f"document-{document.pk}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def perform_content_negotiation(self, request, force=False):
        # The PDF is not rendered by DRF: `Accept: application/pdf` must not answer 406.
        return super().perform_content_negotiation(request, force=force or self.action == "file")


@documented(Ticket, s.TicketSerializer, s.TicketFilters)
class TicketViewSet(ResourceViewSet):
    serializer_class = s.TicketSerializer
    selector = staticmethod(selectors.tickets_for)
    fetch = staticmethod(selectors.ticket_for_user)
    # The triage gates read the epic's documents, stories and pipelines (signed_ctf_letter,
    # epic_free, pipeline_at_level, ctf_approves_il6, signed_cisso_document); the selector
    # already fetches the ticket's.
    related = ("epic__documents", "epic__stories", "epic__pipelines")
    filters_class = s.TicketFilters

    @creates(s.TicketInputSerializer, s.TicketSerializer, "File a request (team member)")
    def create(self, request):
        ticket = services.ticket_file(by=request.user, **self.parsed(s.TicketInputSerializer))
        return self.rendered(ticket, status.HTTP_201_CREATED)


@documented(Story, s.StorySerializer, s.StoryFilters)
class StoryViewSet(ResourceViewSet):
    serializer_class = s.StorySerializer
    selector = staticmethod(selectors.stories_for)
    fetch = staticmethod(selectors.story_open)
    related = ("epic__stories",)  # the epic_free gate of pick_up
    filters_class = s.StoryFilters

    def list(self, request, *args, **kwargs):
        """A page that shows Classified Ops stories is audited as a read of them."""
        response = super().list(request, *args, **kwargs)
        shown = [
            story["id"]
            for story in response.data.get("results", ())
            if story["board"] == Story.Board.CLASSIFIED_OPS
        ]
        if shown:
            selectors.record_board_read(request.user, api=True, stories=shown)
        return response


@documented(Release, s.ReleaseSerializer, s.ReleaseFilters)
class ReleaseViewSet(ResourceViewSet):
    serializer_class = s.ReleaseSerializer
    selector = staticmethod(selectors.releases_for)
    fetch = staticmethod(selectors.release_for_user)
    filters_class = s.ReleaseFilters

    @creates(s.ReleaseInputSerializer, s.ReleaseSerializer, "Record a release tag (team member)")
    def create(self, request):
        data = self.parsed(s.ReleaseInputSerializer)
        release = services.release_create(by=request.user, source=Release.Source.API, **data)
        return self.rendered(release, status.HTTP_201_CREATED)


@documented(AccessRequest, s.AccessRequestSerializer, s.AccessRequestFilters)
class AccessRequestViewSet(ResourceViewSet):
    serializer_class = s.AccessRequestSerializer
    selector = staticmethod(selectors.access_requests_for)
    fetch = staticmethod(selectors.access_request_for_user)
    filters_class = s.AccessRequestFilters

    @creates(
        s.AccessRequestInputSerializer,
        s.AccessRequestSerializer,
        "Ask for Classified Ops access, with a justification",
    )
    def create(self, request):
        data = self.parsed(s.AccessRequestInputSerializer)
        access = services.access_request_create(by=request.user, **data)
        return self.rendered(access, status.HTTP_201_CREATED)


# Documentation ---------------------------------------------------------------------------------


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI served from this server's static files (drf-spectacular-sidecar), whatever
    SPECTACULAR_SETTINGS say: the product loads nothing from a CDN. The split view serves
    its start-up script as a file, so the page runs under the Content Security Policy (no
    inline script); SWAGGER_UI_SETTINGS turn off the outside validator."""

    url_name = "api:schema"
    title = "MDO Portal API v1"

    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")
