"""The Document machine: upload (team members and MDO PMs), verify and reject (MDO PMs and
Cyber, from Uploaded only)."""

import datetime as dt

import pytest
from django.utils import timezone

from epics.models import Document, one_year_after
from tests.factories import DocumentFactory, pdf_upload
from tests.workflow.support import ROLES, done, refused
from workflow import services
from workflow.errors import Conflict, NotPermitted

pytestmark = pytest.mark.django_db

D = Document.Status
SERVICES = {
    "verify": (services.document_verify, {}),
    "reject": (services.document_reject, {"reason": "The signature page is missing."}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", D.values)
@pytest.mark.parametrize("action", list(SERVICES))
def test_decide_by_status_and_role(request, action, status, role, epic):
    document = DocumentFactory(epic=epic, status=status)
    user = request.getfixturevalue(role)
    service, params = SERVICES[action]

    if role not in ("pm", "cyber"):
        refused(NotPermitted, service, action=action, by=user, document=document, **params)
    elif status != D.UPLOADED:
        error = refused(Conflict, service, action=action, by=user, document=document, **params)
        assert error.status == status
    else:
        done(service, action=action, subject=document, by=user, document=document, **params)
        assert document.status == {"verify": D.VERIFIED, "reject": D.REJECTED}[action]
        assert document.decided_by == user and document.decided_at is not None
        if action == "reject":
            assert document.rejection_reason == "The signature page is missing."


@pytest.mark.parametrize("role", ["member", "pm"])
def test_upload_by_team_member_or_pm(request, role, epic, settings):
    user = request.getfixturevalue(role)
    signed = timezone.localdate() - dt.timedelta(days=10)
    document = services.document_upload(
        by=user,
        epic=epic,
        kind=Document.Kind.CTF_LETTER,
        file=pdf_upload("../../etc/passwd.pdf"),
        signed_on=signed,
        impact_levels=["IL5", "IL2", "IL5"],
    )
    document.refresh_from_db()
    assert (document.status, document.impact_levels, document.uploaded_by) == (
        D.UPLOADED,
        ["IL2", "IL5"],
        user,
    )
    assert document.expires_on == one_year_after(signed)
    # Stored under a server-made name inside MEDIA_ROOT, not the uploader's.
    stored = list((settings.MEDIA_ROOT / "documents").iterdir())
    assert [path.name for path in stored] == [document.file.name.split("/")[-1]]
    assert "passwd" not in document.file.name
    assert document.original_name == "passwd.pdf"
    assert len(document.sha256) == 64 and document.size == stored[0].stat().st_size


@pytest.mark.parametrize("role", ["outsider", "devops", "cyber", "classified"])
def test_upload_by_anyone_else_is_refused(request, role, epic, settings):
    refused(
        NotPermitted,
        services.document_upload,
        action="upload",
        by=request.getfixturevalue(role),
        epic=epic,
        kind=Document.Kind.CISSO_DOCUMENT,
        file=pdf_upload(),
        signed_on=timezone.localdate(),
    )
    assert not (settings.MEDIA_ROOT / "documents").exists()


def test_a_cisso_document_covers_no_impact_level(member, epic):
    document = services.document_upload(
        by=member,
        epic=epic,
        kind=Document.Kind.CISSO_DOCUMENT,
        file=pdf_upload(),
        signed_on=timezone.localdate(),
        impact_levels=["IL6"],
    )
    assert document.impact_levels == [] and document.expires_on is None


def test_a_ctf_letter_signed_on_29_february_expires_on_28_february(epic, member):
    document = DocumentFactory(epic=epic, signed_on=dt.date(2024, 2, 29))
    assert document.expires_on == dt.date(2025, 2, 28)
