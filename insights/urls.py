from django.urls import path

from insights import views

app_name = "insights"
urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/teams/<int:pk>/", views.team_dashboard, name="team_dashboard"),
    path("insights/workflows/", views.workflows, name="workflows"),
]
