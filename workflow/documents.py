"""Uploaded documents are checked by what they contain, never by their name.

A PDF is taken only when it looks like a PDF and nothing else (docs/security.md, "Uploads"):
it starts with %PDF- and ends at its %%EOF; no web markup anywhere in its bytes (a PDF/HTML
polyglot); pypdf reads it, unencrypted, with at least one page; nothing in its object graph
runs or carries anything (JavaScript, launch or other actions beyond page jumps and web
links, embedded files, XFA forms, multimedia); and its streams unpack to a bounded size
(no compression bomb). `check_pdf` is the one check, for every PDF the portal accepts.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zlib

import pypdf
from django.conf import settings
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
_CHUNK = 1 << 20
_MB = 1024 * 1024

# Markup a browser would render or run, anywhere in the bytes (case-insensitive). Element
# names are followed by a delimiter, and none is shorter than three letters, so that random
# bytes of compressed streams do not match by chance (docs/security.md, "Uploads").
_TAGS = (
    "html|head|body|script|noscript|template|img|svg|math|iframe|frame|frameset|object|embed"
    "|applet|meta|link|base|style|form|input|button|textarea|video|audio|portal|marquee"
)
_MARKUP = re.compile(
    rb"<(?:" + _TAGS.encode() + rb")(?=[\s/>])|<!doctype|<\?xml-stylesheet"
    rb"|javascript:|vbscript:|http://www\.w3\.org/1999/xhtml",
    re.IGNORECASE,
)
_OVERLAP = 64

# Actions a reviewer's viewer may perform: a jump inside the document, a web or e-mail link,
# viewer navigation, showing layers or annotations. Every other action type is refused.
_SAFE_ACTIONS = {"/GoTo", "/URI", "/Named", "/Thread", "/SetOCGState", "/Hide", "/Trans"}
_SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")
# What the other action types do, for the message.
_ACTION_DOES = {
    "/JavaScript": "runs a script",
    "/Launch": "starts a program or opens a file",
    "/GoToR": "opens another file",
    "/GoToE": "opens an embedded file",
    "/SubmitForm": "sends the form's data to a server",
    "/ImportData": "reads data from a file",
    "/Rendition": "plays media",
    "/Sound": "plays a sound",
    "/Movie": "plays a movie",
    "/RichMediaExecute": "runs rich media",
    "/GoTo3DView": "drives 3D content",
}
_ACTION_KEYS = ("/A", "/OpenAction", "/Next", "/PA")
# Keys and types that carry content besides the page: scripts, attachments, forms, media.
_SCRIPT_KEYS = {"/JS", "/JavaScript"}
_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF"}
_EMBEDDED_TYPES = {"/EmbeddedFile", "/FileAttachment"}
_MEDIA_KEYS = {"/RichMediaContent", "/RichMediaSettings", "/3DD"}
_MEDIA_TYPES = {"/RichMedia", "/3D", "/Movie", "/Sound", "/Screen"}
# Filters that only a viewer's image decoder unpacks: counted as stored.
_IMAGE_FILTERS = {"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"}
_FLATE = {"/FlateDecode", "/Fl"}

AGAIN = "print it to PDF again (Print, then Save as PDF) and upload that copy"
UNREADABLE = f"The file cannot be read as a PDF (it is damaged or not a real PDF): {AGAIN}."
ENCRYPTED = (
    "The PDF is encrypted or password-protected, so its content cannot be checked: "
    f"remove the protection, or {AGAIN}."
)
NO_PAGES = "The PDF has no pages: upload the signed document itself."
SCRIPT = f"The PDF contains JavaScript, which would run when a reviewer opens it: {AGAIN}."
EMBEDDED = (
    "The PDF carries attached (embedded) files: remove the attachments, or "
    f"{AGAIN} without them."
)
XFA = f"The PDF is an XFA form, which runs in the viewer: flatten the form, or {AGAIN}."
MEDIA = f"The PDF carries sound, video, 3D or Flash content: {AGAIN} without it."


def _read(file, start: int, length: int) -> bytes:
    file.seek(start)
    data = file.read(length)
    file.seek(0)
    return data


def _markup_in(file) -> str:
    """The first web markup in the file, or '': the whole file in overlapping chunks (no
    marker hides across a boundary)."""
    tail = b""
    file.seek(0)
    try:
        while chunk := file.read(_CHUNK):
            window = tail + chunk
            if found := _MARKUP.search(window):
                return found.group().decode("ascii").lower()
            tail = window[-_OVERLAP:]
    finally:
        file.seek(0)
    return ""


def too_much_content(limit: int) -> str:
    return (
        f"The PDF unpacks to more than {limit / _MB:.0f} MB (a compression bomb, or far more "
        f"than a signed document needs): {AGAIN}."
    )


class _TooMuch(Exception):
    """The streams unpack to more than a bound: the bound, in bytes."""


def check_pdf(file) -> list[str]:
    """Every reason the file is not an acceptable PDF (empty: it is acceptable). The first
    reasons that make the rest moot (missing, empty, too large, not a PDF, unreadable,
    encrypted) come alone. `file` is any seekable binary file with a `size` or not."""
    if file is None:
        return ["Attach the signed document as a PDF."]
    limit = settings.DOCUMENT_MAX_BYTES
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    if size == 0:
        return ["The file is empty."]
    if size > limit:
        return [f"The file is {size / _MB:.1f} MB; the limit is {limit / _MB:.0f} MB."]
    if _read(file, 0, len(PDF_MAGIC)) != PDF_MAGIC:
        return ["The file is not a PDF (its content does not start with %PDF-): upload the PDF."]
    end = _read(file, max(0, size - 1024), 1024)
    if PDF_END not in end:
        return ["The PDF is incomplete (no %%EOF at its end): upload the whole file again."]
    if end[end.rindex(PDF_END) + len(PDF_END) :].strip():
        return ["The file carries data after the end of the PDF: upload the PDF as signed."]
    problems = []
    if markup := _markup_in(file):
        problems.append(
            f'The file contains web page markup ("{markup}") besides the PDF, which a browser '
            f"could run: {AGAIN}."
        )
    file.seek(0)
    try:
        problems += _content_problems(file)
    finally:
        file.seek(0)
    return list(dict.fromkeys(problems))


def pdf_problem(file) -> str:
    """Why the upload is not an acceptable PDF (the first reason), or '' when it is."""
    problems = check_pdf(file)
    return problems[0] if problems else ""


def _content_problems(file) -> list[str]:
    """Read the PDF with pypdf, every decoding bounded, and walk all of its objects."""
    per_stream = settings.PDF_MAX_STREAM_BYTES
    limits = dict.fromkeys(
        (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "image_maximum_buffer_size",
            "stream_decoding_work_maximum_length",
        ),
        per_stream,
    )
    with pypdf.apply_configuration(jbig2dec_binary=None, **limits):
        try:
            reader = pypdf.PdfReader(file)
            if reader.is_encrypted:
                return [ENCRYPTED]
            if len(reader.pages) == 0:
                return [NO_PAGES]
            return _walk(reader, _Budget(per_stream, settings.PDF_MAX_INFLATED_BYTES))
        except LimitReachedError:
            return [too_much_content(per_stream)]
        except _TooMuch as error:
            return [too_much_content(error.args[0])]
        except Exception as error:  # pypdf raises many kinds on a broken file
            log.info("unreadable PDF upload: %r", error)
            return [UNREADABLE]


def _walk(reader, budget: _Budget) -> list[str]:
    """Every object: the trailer, every one the cross-reference tables and object streams
    list, and every one a reference reaches (a viewer may find objects the tables miss)."""
    problems: list[str] = []
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
    numbers |= {(num, 0) for num in reader.xref_objStm}
    stack = [reader.trailer, *(IndirectObject(n, g, reader) for n, g in sorted(numbers))]
    seen: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) not in seen:
                seen.add((obj.idnum, obj.generation))
                stack.append(reader.get_object(obj))
        elif isinstance(obj, DictionaryObject):
            problems += _dictionary_problems(obj)
            if isinstance(obj, StreamObject):
                budget.spend(obj)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return problems


def _dictionary_problems(obj: DictionaryObject) -> list[str]:
    """What one dictionary carries, by its keys and types, and the actions it triggers."""
    problems = []
    keys = set(obj.keys())
    types = {str(obj.get("/Type", "")), str(obj.get("/Subtype", ""))}
    if keys & _SCRIPT_KEYS:
        problems.append(SCRIPT)
    if keys & _EMBEDDED_KEYS or types & _EMBEDDED_TYPES:
        problems.append(EMBEDDED)
    if "/XFA" in keys:
        problems.append(XFA)
    if keys & _MEDIA_KEYS or types & _MEDIA_TYPES:
        problems.append(MEDIA)
    actions = [obj[key] for key in _ACTION_KEYS if key in obj]
    if isinstance(additional := obj.get("/AA"), DictionaryObject):
        actions += list(additional.values())
    if "/Type" in obj and obj["/Type"] == "/Action":
        actions.append(obj)
    for action in actions:
        problems += _action_problems(action)
    return problems


def _action_problems(action) -> list[str]:
    """An action (or a chain of them under /Next) outside the safe ones."""
    action = action.get_object() if isinstance(action, IndirectObject) else action
    if isinstance(action, ArrayObject):  # /Next [a b], or /OpenAction [page /Fit]: a jump
        return [p for item in action if _is_action(item) for p in _action_problems(item)]
    if not isinstance(action, DictionaryObject) or "/S" not in action:
        return []  # a destination or a structure attribute, not an action
    kind = str(action["/S"])
    if kind == "/JavaScript":
        return [SCRIPT]
    if kind not in _SAFE_ACTIONS:
        does = _ACTION_DOES.get(kind, "is not a plain link or page jump")
        return [
            f"The PDF contains a {kind[1:]} action, which {does} when a reviewer opens or "
            f"clicks it: {AGAIN}."
        ]
    if kind == "/URI":
        uri = str(action.get("/URI", "")).strip().lower()
        if not uri.startswith(_SAFE_URI_SCHEMES):
            scheme = uri.split(":", 1)[0][:20] if ":" in uri else "a relative address"
            return [
                f"The PDF contains a link to {scheme}: only web (http, https) and e-mail "
                f"(mailto) links may be in it: remove the link, or {AGAIN}."
            ]
    return []


def _is_action(item) -> bool:
    item = item.get_object() if isinstance(item, IndirectObject) else item
    return isinstance(item, DictionaryObject) and "/S" in item


class _Budget:
    """What the streams may unpack to: each at most `per_stream` bytes, all together at most
    `total`. A FlateDecode stream (nearly all, and every bomb seen) is inflated piecewise and
    thrown away, so a bomb costs no memory; other filters are decoded by pypdf within its
    limits; image codecs (JPEG, JPEG 2000, fax, JBIG2) count as stored."""

    def __init__(self, per_stream: int, total: int):
        self.per_stream, self.total, self.left = per_stream, total, total

    def spend(self, stream: StreamObject) -> None:
        filters = stream.get("/Filter")
        filters = filters.get_object() if isinstance(filters, IndirectObject) else filters
        if filters is None:
            names = []
        elif isinstance(filters, ArrayObject):
            names = [str(f.get_object() if isinstance(f, IndirectObject) else f) for f in filters]
        else:
            names = [str(filters)]
        most = min(self.per_stream, self.left)
        if not names or names[-1] in _IMAGE_FILTERS:
            size = len(stream._data)
        elif names[0] in _FLATE and len(names) == 1:
            size = _inflated_size(stream._data, most)
        else:
            try:
                size = len(stream.get_data())
            except LimitReachedError:
                raise
            except Exception:  # a filter pypdf cannot decode: no viewer unpacks it either
                size = len(stream._data)
        if size > self.per_stream:
            raise _TooMuch(self.per_stream)
        self.left -= size
        if self.left < 0:
            raise _TooMuch(self.total)


def _inflated_size(data: bytes, most: int) -> int:
    """How many bytes zlib data inflates to, counting no further than past `most`."""
    inflater = zlib.decompressobj()
    total, pending = 0, data
    try:
        while total <= most and not inflater.eof:
            out = inflater.decompress(pending, _CHUNK)
            total += len(out)
            if not out and inflater.unconsumed_tail == pending:
                break  # no progress: the data ends here
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # a damaged stream: what inflated so far is what a viewer would show
    return total


_PLAIN_OBJECTS = (
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>",
)


def plain_pdf(note: bytes = b"") -> bytes:
    """The smallest PDF `check_pdf` takes: one blank page, its cross-reference table and
    trailer, and `note` in a comment (the demo's documents, the tests' factories)."""
    content, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(_PLAIN_OBJECTS, 1):
        offsets.append(len(content))
        content += b"%d 0 obj" % number + obj + b"endobj\n"
    content += b"% " + note.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"
    xref = len(content)
    content += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    content += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n"
    return content + trailer % (len(offsets) + 1, xref)


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
