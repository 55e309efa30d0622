from django.urls import path

from requests_app import views

# Flat names: notifications (notifications/rules.py) link to "ticket_detail".
urlpatterns = [
    path("requests/new/", views.request_new, name="ticket_new"),
    path("requests/<int:pk>/", views.request_detail, name="ticket_detail"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="ticket_withdraw"),
    path("teams/<int:pk>/requests/", views.team_requests, name="team_requests"),
]
