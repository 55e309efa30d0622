"""Real processes on loopback for the tests that need them (tests/notifications/test_worker.py,
tests/faults/): a private redis-server, Celery workers, Celery beat and gunicorn.

Every process runs in a session of its own, so killing its process group kills its children
(a worker's pool, gunicorn's workers) too; `kill()` SIGKILLs the group, whatever it is doing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(predicate, timeout=30.0, what="condition", every=0.1):
    """Poll `predicate` until it is true; fail saying what was awaited after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def database_url(settings_dict) -> str:
    """The DATABASE_URL of a Django database's settings (the test database, for processes)."""
    db = settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def spawn(args, *, env: dict, log: Path) -> subprocess.Popen:
    """Start a process in its own session (its group dies with it), logging to `log`."""
    return subprocess.Popen(
        [str(a) for a in args],
        cwd=REPO,
        env={**os.environ, **{k: str(v) for k, v in env.items()}},
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process):
    """SIGKILL the process and its group (a worker's pool, gunicorn's workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGCONT)  # a stopped process must be able to die
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


class Redis:
    """A private redis-server on a free loopback port: started, stopped, frozen, thawed."""

    def __init__(self, tmp_path):
        self.port, self.dir, self.process = free_port(), tmp_path, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait(self._answers, what="redis to start")

    def command(self, *words: str) -> bytes:
        """One command, in the inline protocol; its first reply line (empty if none)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(" ".join(words).encode() + b"\r\n")
                return s.recv(64)
        except OSError:
            return b""

    def _answers(self):
        return self.command("PING").startswith(b"+PONG")

    def flush(self):
        """Forget every queued task (what a previous test left)."""
        assert self.command("FLUSHALL").startswith(b"+OK")

    def freeze(self):
        """SIGSTOP: the port still accepts connections; nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)

    def stop(self):
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait(10)

    def kill(self):
        kill(self.process)


@contextlib.contextmanager
def private_redis(tmp_path):
    """A private redis-server that this process's Celery publishes to (tasks not eager),
    for the length of the block; stopped (thawed first) after it."""
    from portal.celery import app

    server = Redis(tmp_path)
    server.start()
    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, server.url
    app._pool = app.amqp._producer_pool = None  # forget connections to another broker
    try:
        yield server
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        app._pool = app.amqp._producer_pool = None
        if server.process.poll() is None:
            server.stop()


def worker_process(
    env: dict, log: Path, *, queues="celery,email,webhook", concurrency=1, name="test"
) -> subprocess.Popen:
    """A Celery worker on `queues`, ready to consume (its log says "ready.")."""
    process = spawn(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queues,
            "-l",
            "info",
            "-c",
            concurrency,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        env=env,
        log=log,
    )
    return process


def wait_ready(process, log: Path, marker: str, what: str, timeout=60.0):
    wait(
        lambda: marker in log.read_text(errors="replace") or process.poll() is not None,
        timeout=timeout,
        what=what,
    )
    assert process.poll() is None, log.read_text(errors="replace")[-4000:]


# The queues as `make worker` consumes them: one worker per queue, each its own concurrency.
QUEUES = {"celery": 2, "email": 2, "webhook": 2}


def production_env(tmp: Path, db_url: str, base_url: str) -> dict:
    """Production settings (DEBUG off) on loopback over plain HTTP, on `db_url`, with the
    static and media files under `tmp`."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_MANIFEST": "false",
        "STATIC_ROOT": tmp / "static",
        "MEDIA_ROOT": tmp / "media",
        "LOG_FORMAT": "text",
        "DATABASE_URL": db_url,
        "PORTAL_BASE_URL": base_url,
    }


class Stack:
    """gunicorn (2 workers), one Celery worker per queue and Celery beat, in production
    settings (DEBUG off) on the given database and Redis."""

    def __init__(self, tmp: Path, redis: Redis, db_url: str, env: dict):
        self.tmp, self.redis = tmp, redis
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **production_env(tmp, db_url, self.base_url),
            "REDIS_URL": redis.url,
            **env,
        }
        self.overrides: dict = {}
        self.workers: dict[str, subprocess.Popen] = {}
        self.web = self.beat = None
        self.starts = 0

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def environment(self) -> dict:
        return {**self.env, **self.overrides}

    def start(self):
        env = {
            **self.environment(),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": self.tmp / "prom",
        }
        self.web = spawn(
            [BIN / "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"],
            env=env,
            log=self.log("web"),
        )
        self.start_workers()
        self.beat = spawn(
            [
                sys.executable,
                *("-m", "celery", "-A", "portal", "beat", "-l", "info"),
                *("-s", self.tmp / "celerybeat-schedule"),
            ],
            env=self.environment(),
            log=self.log("beat"),
        )
        wait(self._ready, timeout=60, what="gunicorn's /readyz")
        assert self.beat.poll() is None, self.log("beat").read_text()[-4000:]

    def _ready(self) -> bool:
        assert self.web.poll() is None, self.log("web").read_text()[-4000:]
        try:
            with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def start_workers(self):
        self.starts += 1
        for queue, concurrency in QUEUES.items():
            log = self.log(f"worker-{queue}")
            log.write_text(f"---- start {self.starts} ----\n", encoding="utf-8")
            self.workers[queue] = worker_process(
                self.environment(),
                log,
                queues=queue,
                concurrency=concurrency,
                name=f"{queue}{self.starts}",
            )
        for queue, process in self.workers.items():
            wait_ready(process, self.log(f"worker-{queue}"), "ready.", f"the {queue} worker")

    def configure(self, **overrides):
        """Run the workers with these settings beside the stack's (restarting them only if
        they differ from what runs now)."""
        wanted = {k: str(v) for k, v in overrides.items()}
        if wanted == self.overrides:
            return
        self.overrides = wanted
        for process in self.workers.values():
            kill(process)
        self.start_workers()

    def manage(self, *args, env=None, timeout=300) -> subprocess.CompletedProcess:
        """`manage.py <args>` with the stack's settings (plus `env`)."""
        settings = {**self.environment(), **(env or {})}
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**os.environ, **{k: str(v) for k, v in settings.items()}},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def alive(self) -> list[str]:
        processes = {"web": self.web, "beat": self.beat, **self.workers}
        return [name for name, p in processes.items() if p is not None and p.poll() is None]

    def stop(self):
        for process in (self.web, self.beat, *self.workers.values()):
            if process is not None:
                kill(process)
