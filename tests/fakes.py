"""Fakes of what lies outside the machine, as real servers on loopback: an SMTP server and
a Mattermost-style webhook receiver. They speak the protocol; they record what arrived."""

from __future__ import annotations

import contextlib
import email
import http.server
import json
import socketserver
import threading
import time


class _Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeSMTPServer:
    """Minimal SMTP: records each complete message (after the final '.').

    `hold` makes the server wait that many seconds after the DATA command before it lets
    the message come, so a test can kill the sender in the middle of a delivery: a sender
    that vanishes before the final '.' has delivered nothing.
    """

    def __init__(self, hold: float = 0.0):
        self.messages: list[email.message.Message] = []
        self.hold = hold
        self.data_started = threading.Event()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                with contextlib.suppress(OSError):  # the sender may be gone
                    self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 fake-smtp ready")
                while line := self.rfile.readline():
                    verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 fake-smtp")
                    elif verb == "DATA":
                        fake.data_started.set()
                        time.sleep(fake.hold)
                        self.reply("354 end with .")
                        self.receive()
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RCPT, RSET, NOOP
                        self.reply("250 ok")

            def receive(self):
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                if line == b"":
                    return  # the sender vanished mid-message: nothing was delivered
                fake.messages.append(email.message_from_bytes(b"".join(lines)))
                self.reply("250 queued")

        self.server = _Threaded(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeWebhook:
    """Answers each POST with the next status of `statuses` (then 200), recording bodies."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.answered: list[int] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = fake.statuses.pop(0) if fake.statuses else 200
                fake.answered.append(status)
                if status == 200:
                    fake.received.append(
                        {"id": self.headers.get("X-Notification-Id"), **json.loads(body)}
                    )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = _Threaded(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mattermost"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
