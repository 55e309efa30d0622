from django.urls import path

from workflow import exports, hooks, views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.bell, name="notification_bell"),
    path("notifications/read/", views.mark_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notification_read"),
    path("notifications/preferences/", views.preferences, name="notification_preferences"),
    path("exports/requests.csv", exports.tickets_csv, name="export_tickets"),
    path("exports/epics.csv", exports.epics_csv, name="export_epics"),
    path("hooks/gitlab/", hooks.gitlab_hook, name="gitlab_hook"),
]
