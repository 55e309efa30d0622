from django.urls import path

from notifications import mailbox, undelivered, views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.bell, name="notification_bell"),
    path("notifications/read/", views.mark_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notification_read"),
    path("notifications/preferences/", views.preferences, name="notification_preferences"),
    path(
        "notifications/undelivered/",
        undelivered.undelivered,
        name="notifications_undelivered",
    ),
    path("dev/mailbox/", mailbox.mailbox, name="dev_mailbox"),
]
