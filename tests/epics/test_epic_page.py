"""The epic page: status, pipelines, documents (upload, statuses, expiry, download) and
release tags."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Release
from tests.factories import DocumentFactory, ReleaseFactory, pdf_bytes, pdf_upload
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def epic_page(client, epic, **params):
    return client.get(reverse("epic_detail", args=[epic.pk]), params)


def upload(client, epic, **data):
    payload = {
        "kind": "ctf_letter",
        "file": pdf_upload(),
        "signed_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "impact_levels": ["IL4"],
        **data,
    }
    return client.post(reverse("document_upload", args=[epic.pk]), payload)


def test_the_page_shows_status_pipelines_documents_and_releases(client, w):
    ReleaseFactory(epic=w.payments, tag="v2.0.0", created_by=w.alice)
    page = text_of(epic_page(sign_in(client, w.alice), w.payments))
    assert "Payments Service Prod Deploy - Complete" in page
    assert "Live since" in page
    assert "IL4 since" in page
    assert "CtF letter IL2, IL4, IL5, IL6" in page
    assert "CISSO document" in page
    assert page.count("Verified") >= 2
    assert "v2.0.0 alice" in page


def test_another_team_epic_is_not_found(client, w):
    bob = sign_in(client, w.bob)
    assert epic_page(bob, w.payments).status_code == 404
    assert upload(bob, w.payments).status_code == 404
    response = bob.post(reverse("release_create", args=[w.payments.pk]), {"tag": "v9"})
    assert response.status_code == 404
    assert not Release.objects.filter(tag="v9").exists()


def test_rejected_documents_say_why(client, w):
    DocumentFactory(
        epic=w.logistics,
        status=Document.Status.REJECTED,
        rejection_reason="The signature page is missing.",
        uploaded_by=w.alice,
    )
    page = text_of(epic_page(sign_in(client, w.alice), w.logistics))
    assert "Rejected Reason: The signature page is missing." in page


def signed_for_days_left(days: int) -> dt.date:
    """The signing date of a CtF letter that expires (one year on) in `days` days."""
    expires = timezone.localdate() + dt.timedelta(days=days)
    return expires.replace(year=expires.year - 1)


def test_a_ctf_letter_warns_from_thirty_days_before_it_expires(client, w):
    DocumentFactory(epic=w.logistics, signed_on=signed_for_days_left(20))
    alice = sign_in(client, w.alice)
    page = text_of(epic_page(alice, w.logistics))
    assert "Expires in 20 days" in page
    assert "upload a newly signed CtF letter before then." in page


def test_no_warning_more_than_thirty_days_before(client, w):
    DocumentFactory(epic=w.logistics, signed_on=signed_for_days_left(31))
    page = text_of(epic_page(sign_in(client, w.alice), w.logistics))
    assert "Expires in" not in page and "Expired" not in page


def test_an_expired_letter_says_it_no_longer_counts(client, w):
    DocumentFactory(epic=w.logistics, signed_on=signed_for_days_left(-1))
    page = text_of(epic_page(sign_in(client, w.alice), w.logistics))
    assert "it no longer counts. Upload a newly signed CtF letter." in page


# Uploading --------------------------------------------------------------------------------------


def test_alice_uploads_a_ctf_letter(client, w):
    alice = sign_in(client, w.alice)
    response = upload(alice, w.logistics, impact_levels=["IL4", "IL5"])
    assert response.status_code == 302
    assert response["Location"] == reverse("epic_detail", args=[w.logistics.pk]) + "#documents"
    document = Document.objects.get(epic=w.logistics)
    assert (document.kind, document.status, document.impact_levels) == (
        "ctf_letter",
        "uploaded",
        ["IL4", "IL5"],
    )
    page = text_of(alice.get(response["Location"]))
    assert "CtF letter uploaded to “Logistics Tracker”. It counts once the Cyber team" in page
    assert "CtF letter IL4, IL5" in page and "Uploaded" in page


def test_an_upload_from_a_checklist_link_returns_to_the_request(client, w):
    back = reverse("ticket_new") + f"?request_type=prod_deploy&epic={w.logistics.pk}"
    alice = sign_in(client, w.alice)
    page = epic_page(alice, w.logistics, kind="ctf_letter", levels="IL4", next=back)
    html = page.content.decode()
    assert '<details id="upload" class="card upload" open>' in html
    assert 'value="IL4"' in html and 'id="id_impact_levels_1" checked' in html
    assert "Back to your request" in text_of(page)
    response = upload(alice, w.logistics, next=back)
    assert response["Location"] == back


def test_a_return_address_elsewhere_is_ignored(client, w):
    response = upload(sign_in(client, w.alice), w.logistics, next="https://evil.example/")
    assert response["Location"].startswith(reverse("epic_detail", args=[w.logistics.pk]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"file": SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>")},
            "The file is not a PDF (its content does not start with %PDF-): upload the PDF.",
        ),
        ({"impact_levels": []}, "Say which impact levels the CtF letter covers."),
        ({"signed_on": ""}, "Give the date the document was signed."),
        (
            {"signed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
            "is in the future everywhere on Earth",
        ),
        ({"file": ""}, "Attach the signed document as a PDF."),
    ],
)
def test_a_refused_upload_says_what_to_fix_and_stores_nothing(client, w, data, message):
    response = upload(sign_in(client, w.alice), w.logistics, **data)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was uploaded: some fields need fixing." in page
    assert message in page
    assert not Document.objects.filter(epic=w.logistics).exists()


def test_a_cisso_document_needs_no_impact_levels(client, w):
    upload(sign_in(client, w.alice), w.logistics, kind="cisso_document", impact_levels=[])
    document = Document.objects.get(epic=w.logistics)
    assert document.kind == "cisso_document" and document.impact_levels == []


def test_uploading_enforces_csrf(w):
    strict = sign_in(Client(enforce_csrf_checks=True), w.alice)
    assert upload(strict, w.logistics).status_code == 403
    assert not Document.objects.filter(epic=w.logistics).exists()


# Downloading ------------------------------------------------------------------------------------


def test_a_document_downloads_as_an_attachment_under_a_server_made_name(client, w):
    upload(sign_in(client, w.alice), w.logistics, file=pdf_upload("<script>evil</script>.pdf"))
    document = Document.objects.get(epic=w.logistics)
    assert "evil" not in document.file.name
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.pdf"'
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_documents_download_only_for_those_who_see_the_epic(client, w):
    url = reverse("document_download", args=[w.payments.documents.first().pk])
    assert sign_in(client, w.bob).get(url).status_code == 404
    assert sign_in(Client(), w.casey).get(url).status_code == 200


# Releases -----------------------------------------------------------------------------------


def test_alice_records_a_release_tag(client, w):
    alice = sign_in(client, w.alice)
    response = alice.post(reverse("release_create", args=[w.payments.pk]), {"tag": "v3.1.0"})
    assert response["Location"].endswith("#releases")
    release = Release.objects.get(tag="v3.1.0")
    assert (release.epic, release.created_by, release.source) == (w.payments, w.alice, "portal")
    page = text_of(alice.get(response["Location"]))
    assert "Release v3.1.0 recorded." in page and "v3.1.0 alice" in page


def test_recording_through_htmx_answers_the_releases_region(client, w):
    response = sign_in(client, w.alice).post(
        reverse("release_create", args=[w.payments.pk]), {"tag": "v3.2.0"}, headers=HTMX
    )
    assert response.status_code == 200 and is_fragment(response)
    assert response.content.decode().lstrip().startswith('<section id="releases"')
    assert "Release v3.2.0 recorded." in text_of(response)


def test_a_duplicate_tag_is_refused_on_the_field(client, w):
    ReleaseFactory(epic=w.payments, tag="v1.0.0")
    response = sign_in(client, w.alice).post(
        reverse("release_create", args=[w.payments.pk]), {"tag": "v1.0.0"}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Tag “v1.0.0” is already recorded for epic “Payments Service”." in text_of(response)
    assert Release.objects.filter(tag="v1.0.0").count() == 1


def test_an_epic_without_production_explains_why_there_is_no_release_form(client, w):
    alice = sign_in(client, w.alice)
    page = text_of(epic_page(alice, w.mission))
    message = (
        "Epic “Mission Planner” has no completed production deployment yet: release tags are "
        "recorded once its production deployment is complete."
    )
    assert message in page and "Record release" not in page
    response = alice.post(reverse("release_create", args=[w.mission.pk]), {"tag": "v0.1"})
    assert response.status_code == 422
    assert f"Not recorded: Not allowed yet: {message}" in text_of(response)
    assert not Release.objects.exists()


def test_recording_enforces_csrf(w):
    strict = sign_in(Client(enforce_csrf_checks=True), w.alice)
    response = strict.post(reverse("release_create", args=[w.payments.pk]), {"tag": "v5"})
    assert response.status_code == 403
    assert not Release.objects.exists()


def test_the_epic_page_takes_a_fixed_number_of_queries(client, w, django_assert_num_queries):
    alice = sign_in(client, w.alice)
    epic_page(alice, w.payments)
    with CaptureQueriesContext(connection) as few:
        epic_page(alice, w.payments)
    for n in range(10):
        ReleaseFactory(epic=w.payments, tag=f"v9.{n}", created_by=w.alice)
        DocumentFactory(epic=w.payments, uploaded_by=w.alice)
    with django_assert_num_queries(len(few)):
        epic_page(alice, w.payments)
