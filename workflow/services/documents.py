"""Documents: a team's CtF letters and CISSO documents, uploaded, then verified or
rejected."""

from __future__ import annotations

from django.utils import timezone

from epics.models import Document, Epic, ImpactLevel
from workflow import documents
from workflow.audit import record
from workflow.errors import InvalidInput, NotPermitted
from workflow.permissions import may_upload_documents
from workflow.services.runner import (
    Verdict,
    audited,
    locked,
    moved,
    require_role,
    require_text,
    status_conflict,
)


def _upload_errors(*, kind, levels, signed_on, file) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Document.Kind.values:
        errors["kind"] = ["Choose ctf_letter or cisso_document."]
    if unknown := [level for level in levels if level not in ImpactLevel.values]:
        errors["impact_levels"] = [f"Unknown impact level: {', '.join(unknown)}."]
    elif kind == Document.Kind.CTF_LETTER and not levels:
        errors["impact_levels"] = ["Say which impact levels the CtF letter covers."]
    if signed_on is None:
        errors["signed_on"] = ["Give the date the document was signed."]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = ["The signing date is in the future."]
    if problem := documents.pdf_problem(file):
        errors["file"] = [problem]
    return errors


@audited("upload", model=Document)
def document_upload(*, by, epic: Epic, kind: str, file, signed_on, impact_levels=()) -> Document:
    """A PDF (checked by content) for the epic; a CtF letter says which levels it covers."""
    if not may_upload_documents(by, epic):
        raise NotPermitted(f"Only members of {epic.team.name} and MDO PMs upload its documents.")
    levels = sorted(set(impact_levels or ()))
    if errors := _upload_errors(kind=kind, levels=levels, signed_on=signed_on, file=file):
        raise InvalidInput(errors)
    if kind == Document.Kind.CISSO_DOCUMENT:
        levels = []
    document = Document(
        epic=epic,
        kind=kind,
        signed_on=signed_on,
        impact_levels=levels,
        uploaded_by=by,
        original_name=(getattr(file, "name", "") or "")[-255:],
        size=file.size,
        sha256=documents.sha256_of(file),
    )
    document.file.save("upload.pdf", file, save=False)
    document.save()
    record(by=by, obj=document, action="upload", to_status=document.status)
    return document


def check_document_verify(document: Document, user=None) -> Verdict:
    return status_conflict(document, document.verify, "only Uploaded documents can be verified")


def check_document_reject(document: Document, user=None) -> Verdict:
    return status_conflict(document, document.reject, "only Uploaded documents can be rejected")


@audited("verify", subject="document")
def document_verify(*, by, document: Document) -> Document:
    require_role(document.verify, by, "Only MDO PMs and the Cyber team verify documents.")
    document = locked(Document, document.pk)
    check_document_verify(document).enforce()
    before = document.status
    document.verify(by=by, at=timezone.now())
    moved(by, document, "verify", before)
    return document


@audited("reject", subject="document")
def document_reject(*, by, document: Document, reason: str) -> Document:
    require_role(document.reject, by, "Only MDO PMs and the Cyber team reject documents.")
    reason = require_text(reason, "reason", "Say why the document is rejected.")
    document = locked(Document, document.pk)
    check_document_reject(document).enforce()
    before = document.status
    document.reject(by=by, at=timezone.now(), reason=reason)
    moved(by, document, "reject", before, reason=reason)
    return document
