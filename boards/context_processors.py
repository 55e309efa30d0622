"""The staff's work pages in the main navigation, by role: the boards and the documents to
verify (asked only on pages that show them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, STAFF_ROLES, has_role


def nav_entries(user) -> list[dict]:
    if user is None or not user.is_authenticated or not has_role(user, *STAFF_ROLES):
        return []
    entries = []
    if has_role(user, MDO_PM):
        entries.append(("triage", "board_triage", "Triage"))
    entries.append(("epic_board", "board_epics", "Epic board"))
    if has_role(user, DEVOPS, CLASSIFIED_OPS):
        entries.append(("my_work", "board_my_work", "My work"))
    entries.append(("classified", "board_classified", "Classified Ops"))
    if has_role(user, CLASSIFIED_OPS):
        entries.append(("access_requests", "board_access_requests", "Access requests"))
    if has_role(user, MDO_PM, CYBER):  # documents to verify (epics/views.py)
        entries.append(("documents", "documents_to_verify", "Documents"))
    return [{"key": key, "url": reverse(name), "label": label} for key, name, label in entries]


def boards(request):
    user = getattr(request, "user", None)
    return {"board_nav": SimpleLazyObject(lambda: nav_entries(user))}
