"""The whole portal on one machine, with no server to install: `make run`'s last step.

Starts the web server (Django's runserver), one Celery worker for every queue and Celery
beat, all on the broker kept in files under var/broker (CELERY_FILE_BROKER_DIR, kombu's
filesystem transport) and the database of DATABASE_URL (SQLite under var/ by default).
They start and stop together: Ctrl-C (or SIGTERM) stops all three, and if one of them
exits on its own the others are stopped too and this exits with its status, so nothing
is left running that the person cannot see.

    .venv/bin/python scripts/devstack.py [--port 8000]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CELERY = str(Path(PY).with_name("celery"))
STOP_SECONDS = 15  # how long each process gets to finish what it is doing when stopped


def commands(port: int, var: Path) -> dict[str, list[str]]:
    return {
        "web": [PY, "manage.py", "runserver", f"127.0.0.1:{port}"],
        # Every queue (deliveries by e-mail and webhook too); two processes are plenty here.
        "worker": [
            CELERY, "-A", "portal", "worker", "-Q", "celery,email,webhook", "-c", "2",
            "-l", "warning", "-n", "devstack@%h", "--without-mingle", "--without-gossip",
        ],
        "beat": [
            CELERY, "-A", "portal", "beat", "-l", "warning",
            "-s", str(var / "celerybeat-schedule"), "--pidfile", str(var / "celerybeat.pid"),
        ],
    }


def environment(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CELERY_FILE_BROKER_DIR", str(var / "broker"))
    env.pop("REDIS_URL", None)  # one machine, no server: the broker in files
    env["PYTHONUNBUFFERED"] = "1"
    return env


def stop(processes: dict[str, subprocess.Popen]) -> None:
    """SIGTERM to each (to the web server's whole group: its reloader runs a child; a
    Celery process stops its own children, after their task), then SIGKILL to the group of
    whatever has not finished in STOP_SECONDS."""
    for name, process in processes.items():
        if process.poll() is None:
            if name == "web":
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()
    var = Path(os.environ.get("DEVSTACK_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    env = environment(var)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # Each in its own session: Ctrl-C reaches this process alone, which stops them in order.
    processes = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        for name, command in commands(args.port, var).items()
    }
    for name, process in processes.items():
        print(f"devstack: {name} started (pid {process.pid})", flush=True)
    print(f"devstack: serving http://127.0.0.1:{args.port}/ - Ctrl-C stops all", flush=True)
    status = 0
    while not stopping:
        exited = {name: p.returncode for name, p in processes.items() if p.poll() is not None}
        if exited:
            name, status = next(iter(exited.items()))
            print(f"devstack: {name} exited ({status}); stopping the others", flush=True)
            break
        time.sleep(0.5)
    stop(processes)
    print("devstack: stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
