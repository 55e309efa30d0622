from django.urls import path

from workflow import exports, hooks

urlpatterns = [
    path("exports/requests.csv", exports.tickets_csv, name="export_tickets"),
    path("exports/epics.csv", exports.epics_csv, name="export_epics"),
    path("hooks/gitlab/", hooks.gitlab_hook, name="gitlab_hook"),
]
