"""Uploaded documents are checked by what they contain, never by their name."""

from __future__ import annotations

import hashlib

from django.conf import settings

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
# Markup a browser would run, anywhere in the file: a PDF/HTML polyglot. (Not "<body":
# XFA forms carry XHTML rich text legitimately.)
_ACTIVE_MARKUP = (b"<script", b"<html", b"<!doctype html", b"<iframe", b"<svg", b"javascript:")
_CHUNK = 1 << 20


def _read(file, start: int, length: int) -> bytes:
    file.seek(start)
    data = file.read(length)
    file.seek(0)
    return data


def _has_active_markup(file) -> bool:
    """Scan the whole file in chunks (overlapping, so no marker hides across a boundary)."""
    overlap = max(len(marker) for marker in _ACTIVE_MARKUP)
    tail = b""
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK):
            window = (tail + chunk).lower()
            if any(marker in window for marker in _ACTIVE_MARKUP):
                return True
            tail = window[-overlap:]
    finally:
        file.seek(0)
    return False


def pdf_problem(file) -> str:
    """Why the upload is not an acceptable PDF, or '' when it is."""
    if file is None:
        return "Attach the signed document as a PDF."
    limit = settings.DOCUMENT_MAX_BYTES
    size = file.size
    if size == 0:
        return "The file is empty."
    if size > limit:
        return f"The file is {size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."
    if _read(file, 0, len(PDF_MAGIC)) != PDF_MAGIC:
        return "The file is not a PDF (its content does not start with %PDF-): upload the PDF."
    end = _read(file, max(0, size - 1024), 1024)
    if PDF_END not in end:
        return "The PDF is incomplete (no %%EOF at its end): upload the whole file again."
    if end[end.rindex(PDF_END) + len(PDF_END) :].strip():
        return "The file carries data after the end of the PDF: upload the PDF as signed."
    if _has_active_markup(file):
        return "The file contains web markup or script besides the PDF: upload a plain PDF."
    return ""


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
