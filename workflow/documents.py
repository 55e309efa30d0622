"""Uploaded documents are checked by what they contain, never by their name."""

from __future__ import annotations

import hashlib

from django.conf import settings

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
# Markup that makes a file something else besides a PDF (a PDF/HTML polyglot).
_MARKUP = (b"<html", b"<script", b"<!doctype", b"<svg", b"<body", b"<iframe")


def _read(file, start: int, length: int) -> bytes:
    file.seek(start)
    data = file.read(length)
    file.seek(0)
    return data


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
    if PDF_END not in _read(file, max(0, size - 1024), 1024):
        return "The PDF is incomplete (no %%EOF at its end): upload the whole file again."
    head = _read(file, 0, 4096).lower()
    if any(tag in head for tag in _MARKUP):
        return "The file contains web markup besides the PDF: upload a plain PDF."
    return ""


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
