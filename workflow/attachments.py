"""A comment's attachments are checked by what they contain, never by their name or the
type the browser declared: a PDF (workflow/documents.py's `check_pdf`, the one check for
every PDF the portal accepts), a PNG or JPEG image whose structure holds together, or plain
text (valid UTF-8, no NUL). Anything else (a program renamed .pdf or .txt) is refused.

Images are not decoded pixel by pixel (no imaging library is installed): a PNG must start
with its signature, then chunks whose lengths and CRCs match, the first an IHDR with a real
size, bit depth and colour type, the last IEND; a JPEG must start with SOI, reach a frame
header (SOF) through well-formed segments, have a real size and 1-4 components, and end
with EOI.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

from django.conf import settings

from workflow.documents import PDF_MAGIC, check_pdf

_MB = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8\xff"

KINDS = "a PDF, a PNG or JPEG image, or plain text"
# How many files one comment carries (WORKFLOWS.md is silent; docs/workflow.md).
MAX_ATTACHMENTS = 5

# PNG colour types and the bit depths each allows (PNG specification, IHDR).
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
# JPEG frame headers: SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers that stand alone, with no length: TEM and RST0-7.
_JPEG_BARE = {0x01, *range(0xD0, 0xD8)}


@dataclass(frozen=True)
class Checked:
    """What the content says the file is (its MIME type), or every reason it is refused."""

    content_type: str = ""
    problems: tuple[str, ...] = ()


def _size_of(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
    file.seek(0)
    return size


def _read_all(file) -> bytes:
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def check_attachment(file) -> Checked:
    """The file's type by its content, or why it is not one the conversation takes."""
    size = _size_of(file)
    limit = settings.DOCUMENT_MAX_BYTES
    if size == 0:
        return Checked(problems=("The file is empty.",))
    if size > limit:
        return Checked(
            problems=(f"The file is {size / _MB:.1f} MB; the limit is {limit / _MB:.0f} MB.",)
        )
    head = file.read(len(PNG_SIGNATURE))
    file.seek(0)
    if head.startswith(PDF_MAGIC):
        return Checked("application/pdf", tuple(check_pdf(file)))
    data = _read_all(file)
    if head == PNG_SIGNATURE:
        return Checked("image/png", tuple(filter(None, [png_problem(data)])))
    if head.startswith(JPEG_SOI):
        return Checked("image/jpeg", tuple(filter(None, [jpeg_problem(data)])))
    if problem := text_problem(data):
        return Checked(problems=(problem,))
    return Checked("text/plain")


def png_problem(data: bytes) -> str:
    """Why `data` is not a well-formed PNG, or ''."""
    broken = "The PNG image is damaged (its {} does not hold together): export it again."
    position, first = len(PNG_SIGNATURE), True
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        if len(body) != length or len(crc) != 4:
            return broken.format("chunk lengths")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return broken.format("checksums")
        if first:
            if kind != b"IHDR" or length != 13:
                return broken.format("header (IHDR)")
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if not (0 < width < 2**31 and 0 < height < 2**31):
                return broken.format("size")
            if depth not in _PNG_DEPTHS.get(colour, ()):
                return broken.format("colour type and bit depth")
            first = False
        position += 12 + length
        if kind == b"IEND":
            if data[position:].strip(b"\x00"):
                return "The file carries data after the end of the PNG image: export it again."
            return ""
    return broken.format("end (IEND)")


def jpeg_problem(data: bytes) -> str:
    """Why `data` is not a well-formed JPEG, or ''."""
    broken = "The JPEG image is damaged (its {} does not hold together): export it again."
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return broken.format("end (EOI)")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return broken.format("segments")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _JPEG_BARE:
            position += 2
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment = data[position + 4 : position + 2 + length]
        if length < 2 or len(segment) != length - 2:
            return broken.format("segment lengths")
        if marker in _JPEG_SOF:
            if len(segment) < 6:
                return broken.format("frame header (SOF)")
            precision, height, width, components = struct.unpack(">BHHB", segment[:6])
            if precision not in (8, 12, 16) or not width or not height:
                return broken.format("frame header (SOF)")
            if not 1 <= components <= 4 or len(segment) != 6 + 3 * components:
                return broken.format("components")
            return ""
        if marker in (0xD9, 0xDA):  # the image ends, or its data starts, before any frame
            return broken.format("frame header (SOF)")
        position += 2 + length
    return broken.format("frame header (SOF)")


def text_problem(data: bytes) -> str:
    """Why `data` is not plain text (UTF-8, no NUL), or ''."""
    refused = f"The file is not {KINDS} (checked by its content, not its name)."
    if b"\x00" in data:
        return refused
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return refused
    return ""
