"""Smoke test of a running stack: gunicorn, a Celery worker and beat (see .ci/run).

    python scripts/smoke.py --base-url http://127.0.0.1:8123 --mail-dir /tmp/mail \
        [--metrics-token TOKEN] [--worker-log worker.log] [--https-proxy-header]

Needs the demo data (`manage.py seed_demo --force`). Only the standard library: it talks to
the portal as a client would. It checks the probes, security headers and a static file
through WhiteNoise; signs in through the API's token endpoint as alice, files a request,
signs in as pat and triages it; waits for the worker to deliver its e-mail (the file-based
mail backend writes to --mail-dir); finds the filing request's id in the worker's log; and
reads /metrics. Exits non-zero, saying what failed, at the first failure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

PASSWORD = "partybus-demo"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Portal:
    def __init__(self, base_url: str, *, https_proxy_header: bool):
        self.base = base_url.rstrip("/")
        self.opener = urllib.request.build_opener(NoRedirect)
        # Behind the TLS-terminating proxy that production runs behind.
        self.headers = {"X-Forwarded-Proto": "https"} if https_proxy_header else {}

    def call(self, method: str, path: str, *, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        for name, value in {**self.headers, **(headers or {})}.items():
            request.add_header(name, value)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, method, path, *, expect=200, **kwargs):
        status, headers, content = self.call(method, path, **kwargs)
        check(status == expect, f"{method} {path}: {status}, not {expect}: {content[:300]!r}")
        return json.loads(content), headers

    def token(self, username: str) -> str:
        body, _ = self.json(
            "POST", "/api/v1/auth/token/", body={"username": username, "password": PASSWORD}
        )
        return body["token"]


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"SMOKE FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def step(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def probes(portal: Portal) -> None:
    body, headers = portal.json("GET", "/healthz")
    check(body == {"status": "ok"}, f"/healthz said {body}")
    check(bool(headers.get("X-Request-ID")), "/healthz has no X-Request-ID")
    body, _ = portal.json("GET", "/readyz")
    readiness = {name: body["checks"][name] for name in ("database", "redis", "migrations")}
    check(readiness == dict.fromkeys(readiness, "ok"), f"/readyz said {body}")
    # Beat records its first tick as it starts; give it the time a loaded machine needs.
    deadline = time.monotonic() + 60
    while body["checks"].get("scheduler") != "ok" and time.monotonic() < deadline:
        time.sleep(1)
        body, _ = portal.json("GET", "/readyz")
    check(body["checks"].get("scheduler") == "ok", f"/readyz has no recent tick: {body}")
    step(f"healthz and readyz (database, redis, migrations, beat's tick {body['last_tick']}) ok")


def pages_and_static(portal: Portal) -> None:
    status, headers, content = portal.call("GET", "/consent/")
    check(status == 200, f"/consent/ answered {status}")
    csp = headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "unsafe" not in csp, f"CSP is {csp!r}")
    for name in ("Permissions-Policy", "Referrer-Policy", "X-Frame-Options"):
        check(bool(headers.get(name)), f"/consent/ has no {name}")
    if portal.headers:
        check("max-age=" in headers.get("Strict-Transport-Security", ""), "no HSTS over https")
    stylesheet = re.search(rb'href="(/static/css/portal\.[0-9a-f]+\.css)"', content)
    check(stylesheet is not None, "the page does not link a hashed (collected) stylesheet")
    status, headers, _ = portal.call("GET", stylesheet.group(1).decode())
    check(status == 200, f"static file answered {status}")
    check("immutable" in headers.get("Cache-Control", ""), "static file is not cached forever")
    step("pages carry CSP, HSTS and friends; WhiteNoise serves hashed static files")


def request_flow(portal: Portal) -> tuple[int, str, str]:
    alice = portal.token("alice")
    teams, _ = portal.json("GET", "/api/v1/teams/", token=alice)
    alpha = next(team for team in teams["results"] if team["name"] == "Team Alpha")
    epics, _ = portal.json("GET", f"/api/v1/epics/?team={alpha['id']}", token=alice)
    epic = next(epic for epic in epics["results"] if epic["title"] == "Mission Planner")
    title = f"Smoke test {uuid.uuid4().hex[:8]}"
    ticket, headers = portal.json(
        "POST",
        "/api/v1/tickets/",
        expect=201,
        token=alice,
        body={
            "team": alpha["id"],
            "request_type": "pipeline",
            "impact_level": "IL5",
            "epic": epic["id"],
            "title": title,
        },
    )
    filed_request_id = headers.get("X-Request-ID", "")
    check(ticket["status"] == "submitted", f"filed ticket is {ticket['status']}")
    step(f"alice filed request #{ticket['id']} ({title!r}) through the API")
    pat = portal.token("pat")
    triaged, _ = portal.json(
        "POST", f"/api/v1/tickets/{ticket['id']}/transitions/triage/", token=pat, body={}
    )
    check(triaged["status"] == "triaged", f"triaged ticket is {triaged['status']}")
    check(bool(triaged["stories"]), "triage opened no story")
    step(f"pat triaged it: story {triaged['stories']} opened")
    return ticket["id"], title, filed_request_id


def mail_delivered(mail_dir: Path, title: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*.log"):
            if title in path.read_text(errors="replace"):
                step(f"the worker delivered its e-mail ({path.name})")
                return
        time.sleep(1)
    check(False, f"no e-mail about {title!r} in {mail_dir} after {timeout:.0f}s")


def worker_logged(worker_log: Path, request_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in worker_log.read_text(errors="replace").splitlines():
            if request_id in line and line.startswith("{"):
                entry = json.loads(line)
                check(entry.get("request_id") == request_id, f"odd worker log line {line}")
                step(f"the worker's JSON log carries the request id {request_id}")
                return
        time.sleep(1)
    check(False, f"request id {request_id} not in the worker's log {worker_log}")


def metrics(portal: Portal, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    status, _, content = portal.call("GET", "/metrics", headers=headers)
    check(status == 200, f"/metrics answered {status}")
    text = content.decode()
    for pattern in (
        r'mdo_transitions_total\{[^}]*action="file"[^}]*model="ticket"[^}]*outcome="done"',
        r'mdo_transitions_total\{[^}]*action="triage"[^}]*model="ticket"',
        r'mdo_transitions_total\{[^}]*action="sign_in"[^}]*model="user"',
        r"mdo_http_requests_total\{",
        r'mdo_notifications_undelivered\{state="pending"\}',
    ):
        check(re.search(pattern, text) is not None, f"/metrics lacks {pattern}")
    if token:
        status, _, _ = portal.call("GET", "/metrics")
        check(status == 403, f"/metrics without the token answered {status}")
    step("/metrics counts transitions, sign-ins, requests and the outbox")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--mail-dir", type=Path, required=True)
    parser.add_argument("--metrics-token", default="")
    parser.add_argument("--worker-log", type=Path)
    parser.add_argument("--https-proxy-header", action="store_true")
    args = parser.parse_args()
    portal = Portal(args.base_url, https_proxy_header=args.https_proxy_header)
    probes(portal)
    pages_and_static(portal)
    _, title, request_id = request_flow(portal)
    mail_delivered(args.mail_dir, title)
    if args.worker_log:
        worker_logged(args.worker_log, request_id)
    metrics(portal, args.metrics_token)
    print("SMOKE PASSED", flush=True)


if __name__ == "__main__":
    main()
