"""Files for the conversation's tests, built byte by byte: a real (tiny) PNG and JPEG, plain
text, and a Windows program renamed to look like each."""

from __future__ import annotations

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import pdf_bytes


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bytes(width: int = 2, height: int = 1) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int = 8, height: int = 8) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof + sos + b"\x12\x34" + b"\xff\xd9"


# A PE program's first bytes: "MZ", then the DOS stub with its NULs.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name: str = "plan.pdf"):
    return upload(name, pdf_bytes(b"architecture"), "application/pdf")


def png(name: str = "screen.png"):
    return upload(name, png_bytes(), "image/png")


def jpeg(name: str = "photo.jpg"):
    return upload(name, jpeg_bytes(), "image/jpeg")


def text(name: str = "notes.txt", content: str = "Enclave: IL4-east\n"):
    return upload(name, content.encode(), "text/plain")
