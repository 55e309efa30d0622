"""REST API v1, under /api/v1/ (API.md)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import audit_events, views

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
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    *router.urls,
]
