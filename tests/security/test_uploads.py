"""Uploads that lie about their type, are too large, or are PDF/HTML polyglots are refused,
on the epic page and through the API alike: 400, and nothing stored (no row, no file)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.tokens import issue
from epics.models import Document
from tests.factories import pdf_bytes
from tests.portal.pages import sign_in, world

SIGNED = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
SCRIPT = b"<script>alert(document.domain)</script>"
LIMIT = 8 * 1024

LIES = {
    "html named .pdf": (b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"),
    "html with a pdf header": b"%PDF-1.4\n<html><body>" + SCRIPT + b"</body></html>\n%%EOF\n",
    "pdf/html polyglot": pdf_bytes(b"<html><body>" + SCRIPT + b"</body></html>"),
    "html after the pdf's end": pdf_bytes() + b"<html>" + SCRIPT + b"</html>",
    "svg inside the pdf": pdf_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "javascript: link inside": pdf_bytes(b"/A << /S /URI /URI (javascript:alert(1)) >>"),
    "iframe inside": pdf_bytes(b"<iframe src=//evil.example>"),
    # Polyglots that need no <script>: every one was taken before issue 14.
    "img onerror inside": pdf_bytes(b"<img src=x onerror=alert(document.domain)>"),
    "IMG in capitals, tab-separated": pdf_bytes(b"<IMG\tSRC=x OnError=alert(1)>"),
    "body onload inside": pdf_bytes(b"<body onload=alert(1)>"),
    "object inside": pdf_bytes(b'<object data="//evil.example/x.swf"></object>'),
    "embed inside": pdf_bytes(b"<embed src=//evil.example/x>"),
    "meta refresh inside": pdf_bytes(b'<meta http-equiv="refresh" content="0;url=//evil.example">'),
    "xhtml-namespaced script inside": pdf_bytes(
        b'<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>'
    ),
    "svg with a slash for a space": pdf_bytes(b"<svg/onload=alert(1)>"),
    "a doctype inside": pdf_bytes(b"<!doctype html><p>hi"),
    "an xml stylesheet inside": pdf_bytes(b'<?xml-stylesheet href="//evil.example/x.xsl"?>'),
    "vbscript: inside": pdf_bytes(b"(vbscript:msgbox(1))"),
    "too large": pdf_bytes(b"x" * (LIMIT + 1)),
    "a pdf cut short": pdf_bytes()[:-8],
    "empty": b"",
    "an image": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
}


@pytest.fixture
def demo(db, settings):
    settings.DOCUMENT_MAX_BYTES = LIMIT
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT * 4
    return world()


def stored_files(settings) -> set:
    root = settings.MEDIA_ROOT
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def upload(content: bytes, name: str = "letter.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def _form(epic=None, **file):
    data = {"kind": "ctf_letter", "signed_on": SIGNED, "impact_levels": ["IL4"], **file}
    if epic is not None:
        data["epic"] = epic.pk
    return data


@pytest.mark.parametrize("lie", LIES)
def test_the_epic_page_refuses_it_and_stores_nothing(client, demo, settings, lie):
    documents, files = Document.objects.count(), stored_files(settings)

    response = sign_in(client, demo.alice).post(
        f"/epics/{demo.mission.pk}/documents/", _form(file=upload(LIES[lie]))
    )

    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    assert Document.objects.count() == documents
    assert stored_files(settings) == files


@pytest.mark.parametrize("lie", LIES)
def test_the_api_refuses_it_and_stores_nothing(client, demo, settings, lie):
    documents, files = Document.objects.count(), stored_files(settings)
    token = issue(demo.alice)

    response = client.post(
        "/api/v1/documents/",
        _form(demo.mission, file=upload(LIES[lie])),
        headers={"Authorization": f"Token {token}"},
    )

    assert response.status_code == 400
    assert response.json()["file"]
    assert Document.objects.count() == documents
    assert stored_files(settings) == files


def test_a_name_or_type_that_lies_about_a_real_pdf_changes_nothing(client, demo, settings):
    """The content decides: a real PDF under an HTML name and type is a PDF, stored under a
    name the server made and served back only as a PDF attachment."""
    signed_in = sign_in(client, demo.alice)

    response = signed_in.post(
        f"/epics/{demo.mission.pk}/documents/",
        _form(file=upload(pdf_bytes(), name="index.html", content_type="text/html")),
    )

    assert response.status_code == 302
    document = Document.objects.latest("pk")
    assert document.file.name.endswith(".pdf") and "index" not in document.file.name
    download = signed_in.get(f"/documents/{document.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
