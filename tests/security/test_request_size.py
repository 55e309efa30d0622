"""A body over the limit is refused from its headers, before a byte of it is read (issue 14):
413 naming the limit, JSON under /api/, plain text elsewhere; a chunked body (no
Content-Length) is refused with 411. In-process with a body that records what is read of
it, and against a real gunicorn on loopback with 150 MB declared and a few bytes sent.
"""

from __future__ import annotations

import io
import socket
import time

import pytest

from epics.models import Document
from tests.portal.pages import sign_in, world
from tests.stack import BIN, free_port, kill, production_env, spawn, wait

MB = 1024 * 1024
DECLARED = 150 * MB
JSON = "application/json"


class Recorder(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes = b""):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def post(client, path, *, length: int, body: bytes = b"--x\r\n", kind="multipart/form-data"):
    """POST declaring `length` bytes, of which `body` is all there is."""
    recorder = Recorder(body)
    content_type = f"{kind}; boundary=x" if kind.startswith("multipart/") else kind
    response = client.generic(
        "POST",
        path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": recorder},
    )
    return response, recorder


@pytest.fixture
def demo(db):
    return world()


def test_an_api_upload_over_the_limit_is_refused_unread(client, demo):
    documents = Document.objects.count()
    response, body = post(sign_in(client, demo.alice), "/api/v1/documents/", length=DECLARED)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The upload is 150 MB; a file may be at most 10 MB (the limit for the "
        "whole form is 11 MB): upload a smaller file."
    }
    assert response["Connection"] == "close"
    assert body.bytes_read == 0
    assert Document.objects.count() == documents


def test_a_page_upload_over_the_limit_is_refused_unread(client, demo):
    documents = Document.objects.count()
    response, body = post(
        sign_in(client, demo.alice), f"/epics/{demo.mission.pk}/documents/", length=DECLARED
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "The upload is 150 MB; a file may be at most 10 MB" in response.content.decode()
    assert body.bytes_read == 0
    assert Document.objects.count() == documents


def test_the_upload_limit_follows_the_document_limit(client, demo, settings):
    settings.DOCUMENT_MAX_BYTES = 2 * MB
    signed_in = sign_in(client, demo.alice)

    over, body = post(signed_in, "/api/v1/documents/", length=3 * MB + 1)
    at_the_limit, _ = post(signed_in, "/api/v1/documents/", length=3 * MB)

    assert over.status_code == 413 and body.bytes_read == 0
    assert "at most 2 MB (the limit for the whole form is 3 MB)" in over.json()["detail"]
    assert at_the_limit.status_code == 400  # read, and found to be a broken form


def test_an_address_that_takes_several_files_allows_that_many(client, demo):
    """A comment carries up to 5 attachments of DOCUMENT_MAX_BYTES: 51 MB in all."""
    signed_in = sign_in(client, demo.alice)

    within, _ = post(signed_in, "/api/v1/tickets/1/comments/", length=40 * MB)
    over, body = post(signed_in, "/api/v1/tickets/1/comments/", length=52 * MB)

    assert within.status_code != 413
    assert over.status_code == 413 and body.bytes_read == 0
    assert "(the limit for the whole form is 51 MB)" in over.json()["detail"]


def test_any_other_body_has_the_smaller_limit(client, demo, settings):
    signed_in = sign_in(client, demo.alice)
    big_json = b'{"title": "' + b"x" * (3 * MB) + b'"}'

    response, body = post(
        signed_in, "/api/v1/tickets/", length=len(big_json), body=big_json, kind=JSON
    )
    page, page_body = post(signed_in, "/requests/new/", length=len(big_json), body=big_json)

    assert response.status_code == 413 and body.bytes_read == 0
    assert response.json()["detail"] == (
        "The request body is 3 MB; the limit here is 2.5 MB."
    )
    assert page.status_code == 413 and page_body.bytes_read == 0
    # Within the limit, the request goes on to its view.
    settings.REQUEST_MAX_BYTES = 4 * MB
    response, body = post(
        signed_in, "/api/v1/tickets/", length=len(big_json), body=big_json, kind=JSON
    )
    assert response.status_code != 413 and body.bytes_read > 0


def test_a_chunked_body_is_refused_with_411(client, demo):
    recorder = Recorder(b"5\r\nhello\r\n0\r\n\r\n")
    response = sign_in(client, demo.alice).generic(
        "POST",
        "/api/v1/documents/",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": recorder},
    )

    assert response.status_code == 411
    assert "Content-Length" in response.json()["detail"]
    assert recorder.bytes_read == 0


# --- Against a real server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn (1 sync worker, production settings) on a free loopback port. The refusals
    come before any database work, so its database is an empty SQLite file."""
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **production_env(tmp, f"sqlite:///{tmp / 'db.sqlite3'}", f"http://127.0.0.1:{port}"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    log = tmp / "web.log"
    process = spawn(
        [BIN / "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"], env=env, log=log
    )
    try:
        wait(lambda: _answers(port) or process.poll() is not None, 60, "gunicorn to start")
        assert process.poll() is None, log.read_text()[-4000:]
        yield port
    finally:
        kill(process)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def exchange(port: int, head: str, body: bytes = b"", timeout: float = 10) -> tuple[bytes, float]:
    """Send the request's head and the first bytes of its body; the whole answer (until the
    server closes) and how long it took. Fails if no answer comes within `timeout` s."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer, time.monotonic() - started


def test_a_real_server_refuses_150_mb_declared_without_waiting_for_it(gunicorn):
    head = (
        "POST /api/v1/documents/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: multipart/form-data; boundary=x\n"
        f"Content-Length: {DECLARED}\n"
    )

    answer, took = exchange(gunicorn, head, b"--x\r\nContent-Disposition: form-data")

    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:500]
    assert b'"detail": "The upload is 150 MB' in rest
    assert took < 5, f"the refusal took {took:.1f} s"


def test_a_real_server_refuses_a_chunked_upload(gunicorn):
    head = (
        "POST /epics/1/documents/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: multipart/form-data; boundary=x\nTransfer-Encoding: chunked\n"
    )

    answer, took = exchange(gunicorn, head, b"5\r\n--x\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 411"), answer[:500]
    assert b"Send the request with a Content-Length header" in answer
    assert took < 5


def test_a_real_server_passes_a_body_within_the_limit_on(gunicorn):
    body = b"--x--\r\n"
    head = (
        "POST /api/v1/documents/ HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n"
        f"Content-Type: multipart/form-data; boundary=x\nContent-Length: {len(body)}\n"
    )

    answer, _ = exchange(gunicorn, head, body)

    assert answer.split(b" ", 2)[1] in (b"401", b"403"), answer[:500]  # not signed in
