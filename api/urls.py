"""REST API v1, under /api/v1/ (API.md)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import audit_events, comments, token_views, views
from api.errors import NotFoundView

app_name = "api"

router = DefaultRouter()
router.register("teams", views.TeamViewSet, basename="team")
router.register("epics", views.EpicViewSet, basename="epic")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("stories", views.StoryViewSet, basename="story")
router.register("releases", views.ReleaseViewSet, basename="release")
router.register("access-requests", views.AccessRequestViewSet, basename="access-request")
router.register("audit-events", audit_events.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("auth/token/", token_views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path(
        "tickets/<str:pk>/comments/", comments.TicketCommentsView.as_view(), name="ticket-comments"
    ),
    path(
        "tickets/<str:pk>/attachments/<str:attachment>/",
        comments.AttachmentView.as_view(),
        name="ticket-attachment",
    ),
    *router.urls,
    # Last: whatever names no endpoint (a malformed id too) is a JSON 404, never a page.
    re_path(r"^(?P<address>[\s\S]*)$", NotFoundView.as_view(), name="not_found"),
]
