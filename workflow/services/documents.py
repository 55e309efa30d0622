"""Documents: a team's CtF letters and CISSO documents, uploaded, then verified or
rejected."""

from __future__ import annotations

from django.utils import timezone

from epics.models import Document, Epic, ImpactLevel
from workflow import documents, gates
from workflow.audit import record
from workflow.dates import day, latest_date_on_earth
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
    elif signed_on > (latest := latest_date_on_earth()):
        errors["signed_on"] = [
            f"The signing date {day(signed_on)} is in the future everywhere on Earth (the latest "
            f"date anywhere now is {day(latest)}): give the date on the signature."
        ]
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


def _check_decision(document: Document, user, transition, wanted: str) -> Verdict:
    """From Uploaded only (409); then, two people: not by the one who uploaded it (422)."""
    verdict = status_conflict(document, transition, wanted)
    if not verdict.allowed:
        return verdict
    return Verdict(unmet=gates.unmet([gates.not_own_document(document, user)]))


def check_document_verify(document: Document, user) -> Verdict:
    return _check_decision(
        document, user, document.verify, "only Uploaded documents can be verified"
    )


def check_document_reject(document: Document, user) -> Verdict:
    return _check_decision(
        document, user, document.reject, "only Uploaded documents can be rejected"
    )


@audited("verify", subject="document")
def document_verify(*, by, document: Document) -> Document:
    require_role(document.verify, by, "Only MDO PMs and the Cyber team verify documents.")
    document = locked(Document, document.pk)
    check_document_verify(document, by).enforce()
    before = document.status
    document.verify(by=by, at=timezone.now())
    moved(by, document, "verify", before)
    if document.kind == Document.Kind.CTF_LETTER:
        _supersede_older_letters(by, document)
    return document


def _supersede_older_letters(by, letter: Document) -> None:
    """A newer verified CtF letter on the epic supersedes the older ones (signed on or
    before it): they stop counting, and both stay in the history."""
    older = Document.objects.select_for_update().filter(
        epic_id=letter.epic_id,
        kind=Document.Kind.CTF_LETTER,
        status=Document.Status.VERIFIED,
        superseded_by__isnull=True,
        signed_on__lte=letter.signed_on,
    )
    for document in older.exclude(pk=letter.pk).order_by("pk"):
        document.superseded_by = letter
        document.save(update_fields=["superseded_by"])
        record(by=by, obj=document, action="supersede", detail={"superseded_by": letter.pk})


def mark_renewal_due(by, epic, reason: str) -> list[Document]:
    """The epic's CtF letters in force are due for renewal (a major change such as a new
    pipeline): each keeps counting until it expires or is superseded; the team and Cyber
    are told (notifications/rules.py). A letter already due stays as it was."""
    today = timezone.localdate()
    letters = [
        letter
        for letter in Document.objects.select_for_update().filter(
            epic=epic, kind=Document.Kind.CTF_LETTER, renewal_due_since__isnull=True
        )
        if letter.valid_on(today)
    ]
    for letter in letters:
        letter.renewal_due_since, letter.renewal_reason = timezone.now(), reason[:300]
        letter.save(update_fields=["renewal_due_since", "renewal_reason"])
        record(by=by, obj=letter, action="renewal_due", reason=reason[:300])
    return letters


@audited("reject", subject="document")
def document_reject(*, by, document: Document, reason: str) -> Document:
    require_role(document.reject, by, "Only MDO PMs and the Cyber team reject documents.")
    reason = require_text(reason, "reason", "Say why the document is rejected.")
    document = locked(Document, document.pk)
    check_document_reject(document, by).enforce()
    before = document.status
    document.reject(by=by, at=timezone.now(), reason=reason)
    moved(by, document, "reject", before, reason=reason)
    return document
