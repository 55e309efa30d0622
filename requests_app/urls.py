from django.urls import path

from requests_app import comments, views

# Flat names: notifications (notifications/rules.py) link to "ticket_detail".
urlpatterns = [
    path("requests/new/", views.request_new, name="ticket_new"),
    path("requests/<int:pk>/", views.request_detail, name="ticket_detail"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="ticket_withdraw"),
    path("requests/<int:pk>/comments/", views.request_comment, name="ticket_comment"),
    path("requests/<int:pk>/ask/", views.request_ask_for_info, name="ticket_ask_for_info"),
    path("requests/<int:pk>/answer/", views.request_provide_info, name="ticket_provide_info"),
    path(
        "requests/<int:pk>/attachments/<int:attachment>/",
        comments.attachment_download,
        name="ticket_attachment",
    ),
    path("teams/<int:pk>/requests/", views.team_requests, name="team_requests"),
]
