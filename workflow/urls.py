from django.urls import path

from workflow import audit_page, closures, exports, hooks

urlpatterns = [
    path("exports/requests.csv", exports.tickets_csv, name="export_tickets"),
    path("exports/epics.csv", exports.epics_csv, name="export_epics"),
    path("hooks/gitlab/", hooks.gitlab_hook, name="gitlab_hook"),
    path("audit/", audit_page.audit_trail, name="audit_trail"),
    path("audit/export", audit_page.audit_export, name="audit_export"),
    path("closures/", closures.closure_days, name="closure_days"),
]
