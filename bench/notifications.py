"""Commit-to-delivered latency and throughput of e-mail notifications through a real
Celery worker on Redis, to a fake SMTP server on loopback.

Each filed ticket tells every MDO PM (three made for the run, at least): one e-mail each
goes through the outbox, the broker and the worker. Latency is a row's delivered_at minus
its created_at (written in the filing's transaction, milliseconds before its commit),
measured at a steady pace of filings; throughput is measured on a burst of filings.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.setup import BASE_DIR, percentile

PACED_FILINGS = int(os.environ.get("BENCH_NOTIFICATION_FILINGS", "100"))
PACE_SECONDS = 0.1  # ten filings a second: thirty or more e-mails a second
BURST_FILINGS = 2 * PACED_FILINGS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_url(tmp: Path) -> tuple[str, subprocess.Popen | None]:
    """The configured Redis, or a private redis-server for the run."""
    if url := os.environ.get("REDIS_URL"):
        return url, None
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("notifications bench needs REDIS_URL or redis-server installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0", process


def _wait_until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)


def run() -> dict:

    from epics.models import Epic, Team
    from notifications.models import Notification
    from portal.celery import app
    from tests.factories import UserFactory
    from tests.fakes import FakeSMTPServer
    from workflow import services

    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    redis_url, redis_process = _redis_url(tmp)
    smtp = FakeSMTPServer()
    log = tmp / "worker.log"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-l",
            "warning",
            "-c",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "bench@%h",
        ],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    app.conf.task_always_eager, app.conf.broker_url = False, redis_url
    app._pool = app.amqp._producer_pool = None
    try:
        time.sleep(3)  # the worker connects
        run_id = int(time.time())
        team = Team.objects.create(name=f"Bench notify {run_id}", funded=True, onboarded=True)
        epic = Epic.objects.create(team=team, title="Bench epic")
        member = UserFactory(username=f"bench-member-{run_id}", roles=["product_team"])
        team.members.add(member)
        for i in range(3):
            UserFactory(username=f"bench-pm-{i}", roles=["mdo_pm"])

        def file(count: int, pace: float) -> tuple[list, float]:
            """File `count` tickets `pace` seconds apart; wait for every e-mail they cause."""
            started = time.monotonic()
            first = None
            for _ in range(count):
                ticket = services.ticket_file(
                    by=member, team=team, request_type="pipeline", impact_level="IL4", epic=epic
                )
                first = first or ticket
                time.sleep(pace)
            # Every MDO PM in the database hears of each filing.
            rows = Notification.objects.filter(
                channel="email", event_type="ticket_filed", created_at__gte=first.created_at
            )
            expected = rows.count()
            _wait_until(lambda: rows.filter(state="delivered").count() >= expected, 180)
            return list(rows.values_list("state", "created_at", "delivered_at")), (
                time.monotonic() - started
            )

        paced, _ = file(PACED_FILINGS, PACE_SECONDS)
        latencies = [(done - made).total_seconds() * 1000 for state, made, done in paced if done]
        burst, elapsed = file(BURST_FILINGS, 0)
        delivered = sum(state == "delivered" for state, _, _ in burst)
        result = {
            "paced_emails": len(paced),
            "p50_ms": round(percentile(latencies, 0.50), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "burst_emails": len(burst),
            "burst_delivered": delivered,
            "per_second": round(delivered / elapsed, 1),
            "undelivered": sum(state != "delivered" for state, _, _ in paced + burst),
            "duplicates_at_smtp": len(smtp.messages) - len(set(smtp.message_ids())),
        }
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
        smtp.close()
        if redis_process:
            redis_process.terminate()
    print(
        f"{'paced e-mails':>14} {'p50 ms':>8} {'p95 ms':>8} {'burst e-mails':>14} "
        f"{'per s':>8} {'duplicates':>11}\n"
        f"{result['paced_emails']:>14} {result['p50_ms']:>8} {result['p95_ms']:>8} "
        f"{result['burst_emails']:>14} {result['per_second']:>8} "
        f"{result['duplicates_at_smtp']:>11}"
    )
    return result
