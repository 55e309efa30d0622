from django.urls import path

from epics import views

# Flat names: notifications (notifications/rules.py) link to "epic_detail".
urlpatterns = [
    path("epics/<int:pk>/", views.epic_detail, name="epic_detail"),
    path("epics/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("epics/<int:pk>/releases/", views.release_create, name="release_create"),
    path("epics/<int:pk>/verify-cyber/", views.epic_verify_cyber, name="epic_verify_cyber"),
    path("documents/", views.documents_to_verify, name="documents_to_verify"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/verify/", views.document_verify, name="document_verify"),
    path("documents/<int:pk>/reject/", views.document_reject, name="document_reject"),
]
