"""The new-request form's live checklist: the gates of workflow.services.filing_checks, each
with a link to where the team can fix it when one exists. The gates say whether they hold
and what to do; this module only adds the links and what is still to be chosen."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from epics.models import Document
from workflow import request_types
from workflow.gates import Check


@dataclass(frozen=True)
class Item:
    check: Check
    fix_url: str = ""
    fix_label: str = ""
    # Documents uploaded for this gate that wait for verification.
    waiting: tuple[Document, ...] = ()

    @property
    def passed(self) -> bool:
        return self.check.passed

    @property
    def message(self) -> str:
        return self.check.message

    @property
    def code(self) -> str:
        return self.check.code


def _upload_url(epic, *, kind: str, level: str = "", back: str = "") -> str:
    query = {"kind": kind}
    if level:
        query["levels"] = level
    if back:
        query["next"] = back
    return f"{reverse('epic_detail', args=[epic.pk])}?{urlencode(query)}#upload"


def _waiting(documents, kind: str, level: str = "") -> tuple[Document, ...]:
    return tuple(
        doc
        for doc in documents
        if doc.kind == kind
        and doc.status == Document.Status.UPLOADED
        and (not level or doc.covers(level))
    )


def items(checks, *, team, epic, impact_level: str, back: str = "", documents=()) -> list[Item]:
    """Each check with where to fix it. `back` is the form's address with the current
    choices, so an upload made from a link returns to it; `documents` are the epic's."""
    result = []
    for check in checks:
        fix_url = fix_label = ""
        waiting: tuple[Document, ...] = ()
        if not check.passed and epic is not None:
            if check.code == "signed_ctf_letter":
                fix_url = _upload_url(
                    epic, kind=Document.Kind.CTF_LETTER, level=impact_level, back=back
                )
                fix_label = f"Upload a CtF letter to “{epic}”"
                waiting = _waiting(documents, Document.Kind.CTF_LETTER, impact_level)
            elif check.code == "ctf_approves_il6":
                fix_url = _upload_url(epic, kind=Document.Kind.CTF_LETTER, level="IL6", back=back)
                fix_label = f"Upload a CtF letter to “{epic}”"
                waiting = _waiting(documents, Document.Kind.CTF_LETTER, "IL6")
            elif check.code == "signed_cisso_document":
                fix_url = _upload_url(epic, kind=Document.Kind.CISSO_DOCUMENT, back=back)
                fix_label = f"Upload the CISSO document to “{epic}”"
                waiting = _waiting(documents, Document.Kind.CISSO_DOCUMENT)
        if not check.passed and check.code == "has_il245_pipeline":
            query = {"team": team.pk, "request_type": request_types.adding_a_pipeline().value}
            fix_url = f"{reverse('ticket_new')}?{urlencode(query)}"
            fix_label = "Request an IL2/IL4/IL5 pipeline"
        if not check.passed and check.code == "pipeline_at_level" and epic is not None:
            query = {
                "team": team.pk,
                "request_type": request_types.adding_a_pipeline().value,
                "epic": epic.pk,
                "impact_level": impact_level,
            }
            fix_url = f"{reverse('ticket_new')}?{urlencode(query)}"
            fix_label = f"Request an {impact_level} pipeline on “{epic}”"
        if waiting:  # nothing to upload: it waits for verification, on the epic's page
            fix_url = f"{reverse('epic_detail', args=[epic.pk])}#documents"
            fix_label = f"See the documents of “{epic}”"
        result.append(Item(check, fix_url, fix_label, waiting))
    return result
