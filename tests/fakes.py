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
    """Minimal SMTP: records each complete message (after the final '.'), and when it came
    (`arrivals`: (Message-ID, time.time()) pairs).

    `hold` makes the server wait that many seconds after the DATA command before it lets
    the message come, so a test can kill the sender in the middle of a delivery: a sender
    that vanishes before the final '.' has delivered nothing.

    `mode` (changeable at any time) is how it greets a new connection: "accept" (a working
    relay), "refuse" (554, then it hangs up) or "hang" (it accepts the connection and never
    says a word, until the mode changes or the server closes; then it hangs up).
    """

    def __init__(self, hold: float = 0.0, mode: str = "accept"):
        self.messages: list[email.message.Message] = []
        self.arrivals: list[tuple[str, float]] = []
        self.hold = hold
        self.mode = mode
        self.data_started = threading.Event()
        self.closing = threading.Event()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                with contextlib.suppress(OSError):  # the sender may be gone
                    self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                if fake.mode == "refuse":
                    self.reply("554 5.3.2 fake-smtp: no service here")
                    return
                while fake.mode == "hang" and not fake.closing.is_set():
                    fake.closing.wait(0.05)
                if fake.mode != "accept" or fake.closing.is_set():
                    return
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
                message = email.message_from_bytes(b"".join(lines))
                fake.messages.append(message)
                fake.arrivals.append((message["Message-ID"], time.time()))
                self.reply("250 queued")

        self.server = _Threaded(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages]

    def reset(self) -> None:
        """Forget what arrived; accept again."""
        self.messages.clear()
        self.arrivals.clear()
        self.hold, self.mode = 0.0, "accept"
        self.data_started.clear()

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


class FakeWebhook:
    """Answers each POST with the next status of `statuses` (then 200), recording bodies
    and when each accepted one came (`arrivals`: (X-Notification-Id, time.time()) pairs).
    `fail_for(seconds)` answers 500 to everything for that long (once `statuses` is used up).
    """

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.answered: list[int] = []
        self.arrivals: list[tuple[str, float]] = []
        self.failing_until = 0.0  # time.monotonic()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if fake.statuses:
                    status = fake.statuses.pop(0)
                else:
                    status = 500 if time.monotonic() < fake.failing_until else 200
                fake.answered.append(status)
                if status == 200:
                    notification_id = self.headers.get("X-Notification-Id")
                    fake.received.append({"id": notification_id, **json.loads(body)})
                    fake.arrivals.append((notification_id, time.time()))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = _Threaded(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mattermost"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail_for(self, seconds: float) -> None:
        self.failing_until = time.monotonic() + seconds

    def reset(self) -> None:
        """Forget what arrived; answer 200 again."""
        self.statuses.clear()
        self.received.clear()
        self.answered.clear()
        self.arrivals.clear()
        self.failing_until = 0.0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
