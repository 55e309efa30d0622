from django.urls import path

from boards import views

urlpatterns = [
    path("", views.index, name="boards"),
    path("triage/", views.triage_queue, name="board_triage"),
    path("triage/<int:pk>/triage/", views.triage_ticket, name="board_triage_ticket"),
    path("triage/<int:pk>/reject/", views.reject_ticket, name="board_reject_ticket"),
    path("epics/", views.epic_board, name="board_epics"),
    path("epics/live/", views.epic_board_live, name="board_epics_live"),
    path("epics/column/<slug:status>/", views.epic_column, name="board_epic_column"),
    path("epics/<int:pk>/", views.epic_card, name="board_epic_card"),
    path("epics/<int:pk>/move/", views.epic_move, name="board_epic_move"),
    path("epics/<int:pk>/verify-cyber/", views.epic_verify_cyber, name="board_epic_verify_cyber"),
    path("my-work/", views.my_work, name="board_my_work"),
    path("stories/<int:pk>/<slug:action>/", views.story_act, name="board_story_act"),
    path("classified/", views.classified_board, name="board_classified"),
    path("classified/live/", views.classified_board_live, name="board_classified_live"),
    path(
        "classified/column/<slug:status>/", views.classified_column, name="board_classified_column"
    ),
    path("classified/<int:pk>/", views.story_card, name="board_story_card"),
    path("classified/<int:pk>/move/", views.story_move, name="board_story_move"),
    path("classified/open/<int:pk>/", views.open_classified_story, name="board_open_classified"),
    path("classified/access/", views.access_requests, name="board_access_requests"),
    path(
        "classified/access/<int:pk>/<slug:decision>/",
        views.access_decide,
        name="board_access_decide",
    ),
]
