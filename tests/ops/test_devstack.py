"""`make run`'s whole product on one machine (scripts/devstack.py): the web server, a real
Celery worker and beat on the broker kept in files, started and stopped together.

Run as a newcomer runs it: a fresh SQLite database migrated and seeded, no Redis, no
server of any kind. Beat's heartbeat reaches /readyz, a request filed over the API is
e-mailed by the worker (not in the web process), and one SIGINT (Ctrl-C) stops all three.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.stack import REPO, free_port, wait

BIN = Path(sys.executable).parent


def _get(url, token=None, body=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not running either.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.fixture
def newcomer_env(tmp_path):
    """The environment of a fresh clone: nothing set but where its files go."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_FILE_BROKER_DIR", "EMAIL_BACKEND"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        DEVSTACK_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="true",
    )
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=REPO, env=env, check=True,
            capture_output=True,
        )
    return env


def test_make_run_serves_with_a_worker_and_beat_and_stops_them_together(newcomer_env, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "devstack.log").open("w")
    stack = subprocess.Popen(
        [sys.executable, "scripts/devstack.py", "--port", str(port)],
        cwd=REPO, env=newcomer_env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        def scheduler_ticked():
            try:
                ready = _get(f"{base}/readyz")
            except OSError:
                return False
            return ready["checks"].get("scheduler") == "ok" and ready["last_tick"]

        wait(scheduler_ticked, timeout=120, what="beat's first tick in /readyz", every=0.5)

        token = _get(
            f"{base}/api/v1/auth/token/",
            body={"username": "alice", "password": "partybus-demo"},
        )["token"]
        epic = next(
            e for e in _get(f"{base}/api/v1/epics/", token)["results"]
            if e["status"] == "pipeline_complete"
        )
        mail = Path(newcomer_env["EMAIL_FILE_PATH"])
        before = set(mail.glob("*.eml")) if mail.exists() else set()
        _get(f"{base}/api/v1/tickets/", token, body={
            "team": epic["team"], "epic": epic["id"], "request_type": "pipeline",
            "impact_level": "IL2", "title": "An extra pipeline, filed on make run",
            "description": "Checking the worker.", "application_name": "devstack-check",
        })
        wait(lambda: set(mail.glob("*.eml")) - before, timeout=60,
             what="the worker's e-mail to the MDO PMs", every=0.5)

        # The worker, over the broker in files, says it ran the deliveries.
        stats = subprocess.run(
            [str(BIN / "celery"), "-A", "portal", "inspect", "stats", "--json", "--timeout", "10"],
            cwd=REPO, env={**newcomer_env, "CELERY_FILE_BROKER_DIR": str(
                Path(newcomer_env["DEVSTACK_VAR_DIR"]) / "broker")},
            capture_output=True, text=True, timeout=60,
        )
        ran = {
            task
            for node in json.loads(stats.stdout.strip().splitlines()[-1]).values()
            for task in node["total"]
        }
        assert "notifications.tasks.deliver_notification" in ran, stats.stdout
    finally:
        stack.send_signal(signal.SIGINT)  # Ctrl-C
        status = stack.wait(timeout=60)
        log.close()
    output = (tmp_path / "devstack.log").read_text()
    pids = [int(line.rsplit("pid ", 1)[1].rstrip(")")) for line in output.splitlines()
            if line.startswith("devstack: ") and "started (pid" in line]
    assert len(pids) == 3, output
    assert not [pid for pid in pids if _alive(pid)], "a process outlived Ctrl-C"
    assert status == 0, output
    assert "Traceback" not in output, output
