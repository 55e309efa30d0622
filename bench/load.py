"""The load test: 300 people with the epic board open, each polling its live endpoint every
4 s with the ETag the page gave them (If-None-Match, as static/js/board.js sends it: a 304
when nothing changed, the columns again when something did), while an MDO PM and five
engineers make one move a second through the board's move endpoint (start a pipeline,
assign, pick up, complete, in turn), with their sessions and CSRF tokens as a browser sends
them. Against gunicorn (portal/gunicorn_conf.py: 2 workers x BENCH_LOAD_THREADS threads) on
the load's own PostgreSQL database (the bench database's name + "_load<epics>"), seeded as
bench/board.py seeds a board (2,000 epics) and put back as it was afterwards.

Latency is a request's time from its send to its last byte (p50, p95, per kind and over
all); a poll not sent because the person's last one still waits (as htmx drops it) is
counted in `polls_dropped`; `errors` counts any answer but 200/304 (a move: but 200) and any
failed request; `lag` says how late the generator itself sent (it shares the machine's cores
with the server).

    python -m bench load                 # merged into bench/results.json as `load`
    BENCH_LOAD_SECONDS=20 python -m bench load
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, Queue

from bench.setup import BASE_DIR, percentile, section_database_url

EPICS = int(os.environ.get("BENCH_LOAD_EPICS", "2000"))
USERS = int(os.environ.get("BENCH_LOAD_USERS", "300"))
POLL_SECONDS = 4.0
DURATION = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = 2
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "4"))
CLIENT_THREADS = 100
TIMEOUT = 30
# The moves in turn: (who, epics from, to); an MDO PM starts and assigns, engineers pick up
# and complete.
MOVES = (
    ("pm", "new", "pipeline_in_progress"),
    ("pm", "pipeline_in_progress", "pipeline_being_built"),
    ("dev", "pipeline_in_progress", "pipeline_being_built"),
    ("dev", "pipeline_being_built", "pipeline_complete"),
)


def run() -> dict:
    """The parent's part: the test runs in a child pointed at the load's database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  skipped: the load test runs on PostgreSQL (set DATABASE_URL=postgres://...)")
        return {"skipped": "needs PostgreSQL"}
    env = {**os.environ, "BENCH_DATABASE_URL": section_database_url("load", EPICS)}
    child = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    _print(result)
    return result


def _print(result: dict) -> None:
    print(
        f"{result['users']} pollers every {POLL_SECONDS:g} s + {result['moves']} moves in "
        f"{result['duration_s']} s at {result['epics']} epics, gunicorn {result['server']}"
    )
    print(f"{'':10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for kind in ("all", "poll_304", "poll_200", "move"):
        row = result["by_kind"].get(kind) if kind != "all" else result
        if row:
            count = row.get("count", result["polls"] + result["moves"])
            print(
                f"{kind:10} {count:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                f"{row.get('errors', 0):>7}"
            )
    print(
        f"target p95 <= 250 ms with 0 errors: {result['target_met']}; generator lag p95 "
        f"{result['lag_p95_ms']} ms"
    )


# The child ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server(port: int) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "DEBUG": "false",
        # The key the sessions were signed with here.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "STATIC_MANIFEST": "false",  # no collectstatic for the bench: plain static URLs
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    server = subprocess.Popen(
        [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "portal/gunicorn_conf.py"]
        + ["portal.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(BASE_DIR / "var" / "bench_load_gunicorn.log", "w"),  # noqa: SIM115
    )
    for _ in range(120):
        try:
            if _request(port, "GET", "/healthz", {})[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz: see var/bench_load_gunicorn.log")


_local = threading.local()


def _request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    """(status, headers, body bytes) over this thread's keep-alive connection."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        _local.conn = None
        raise
    return response.status, response, data


class _Person:
    """A browser: its session cookie, its CSRF token, the board's ETag it last saw."""

    def __init__(self, session: str):
        self.cookie = f"sessionid={session}"
        self.csrf = ""
        self.etag = ""
        self.waiting = False

    def sign_page(self, port: int) -> None:
        """Load the board as the browser does: its CSRF cookie and token, its ETag."""
        status, response, data = _request(port, "GET", "/boards/epics/", {"Cookie": self.cookie})
        assert status == 200, status
        cookie = response.getheader("Set-Cookie") or ""
        if found := re.search(r"csrftoken=([^;]+)", cookie):
            self.cookie += f"; csrftoken={found.group(1)}"
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', data)
        self.csrf = token.group(1).decode() if token else ""
        self.etag = response.getheader("ETag") or ""


def _people():
    """Sessions for the movers (the MDO PM, five engineers) and the pollers (spread over
    them and the product member), as signing in would make them."""
    from django.contrib.auth import get_user_model

    from bench.setup import signed_in_client

    users = get_user_model().objects
    pm = users.get(username="bench-pm")
    devs = list(users.filter(username__startswith="bench-dev-").order_by("username"))

    def session(user) -> str:
        return signed_in_client(user).cookies["sessionid"].value

    viewers = [pm, *devs]
    pollers = [_Person(session(viewers[n % len(viewers)])) for n in range(USERS)]
    return _Person(session(pm)), [_Person(session(dev)) for dev in devs], devs, pollers


def _open_boards(port: int, movers: list[_Person], pollers: list[_Person]) -> None:
    """Each mover loads the board; each poller starts from the ETag its user's page had
    (the ETag names the user, not the session: see boards/selectors)."""
    for person in movers:
        person.sign_page(port)
    for n, poller in enumerate(pollers):
        poller.etag = movers[n % len(movers)].etag


def _pools() -> dict:
    """Epics ready for each move, distinct across moves, with their state to put back."""
    from bench.board import _waiting_in

    wanted = int(DURATION) + 5
    waiting = {source: list(_waiting_in(source)) for _, source, _ in MOVES}
    pools = {n: [] for n in range(len(MOVES))}
    for n, (_, source, _) in enumerate(MOVES):
        share = [m for m, (_, s, _) in enumerate(MOVES) if s == source]
        pools[n] = waiting[source][share.index(n) :: len(share)][:wanted]
    return pools


def _put_everything_back(moved: dict) -> None:
    from bench.board import restore
    from epics.models import Epic

    for source, epics in moved.items():
        for epic in epics:
            Epic.objects.filter(pk=epic.pk).update(
                status=source, status_changed_at=epic.status_changed_at
            )
        restore(source, [epic.pk for epic in epics])


def main() -> None:
    from bench.board import _seed

    _seed(EPICS)
    pm, engineers, devs, pollers = _people()
    pools = _pools()
    moved: dict[str, list] = {}
    for n, (_, source, _) in enumerate(MOVES):
        moved.setdefault(source, []).extend(pools[n])
    port = _free_port()
    server = _server(port)
    results: Queue = Queue()
    try:
        _open_boards(port, [pm, *engineers], pollers)
        _load(port, pm, engineers, devs, pollers, pools, results)
    finally:
        server.terminate()
        server.wait(timeout=60)
        _put_everything_back(moved)
    print(json.dumps(_summary(results)))


def _load(port, pm, engineers, devs, pollers, pools, results: Queue) -> None:
    """Every poller on its own 4 s beat (spread over the first 4 s), one move a second."""
    live = "/boards/epics/live/"
    started = time.monotonic()
    end = started + DURATION

    def poll(person: _Person, due: float) -> None:
        """One poll; none while the person's last is still waiting (htmx drops a trigger
        that fires on an element with a request in flight)."""
        try:
            _poll(person, due)
        finally:
            person.waiting = False

    def _poll(person: _Person, due: float) -> None:
        lag = time.monotonic() - due
        headers = {"Cookie": person.cookie, "HX-Request": "true"}
        if person.etag:
            headers["If-None-Match"] = person.etag
        sent = time.perf_counter()
        try:
            status, response, _ = _request(port, "GET", live, headers)
            person.etag = response.getheader("ETag") or person.etag
        except (OSError, http.client.HTTPException):
            status = 0
        ms = (time.perf_counter() - sent) * 1000
        kind = "poll_304" if status == 304 else "poll_200" if status == 200 else "poll_error"
        results.put((kind, ms, status not in (200, 304), lag))

    def move(n: int, due: float) -> None:
        who, source, target = MOVES[n % len(MOVES)]
        pool = pools[n % len(MOVES)]
        if not pool:
            return
        epic = pool.pop(0)
        person = pm if who == "pm" else engineers[(n // len(MOVES)) % len(engineers)]
        if target == "pipeline_complete":  # only the story's assignee (or an MDO PM) may
            person = engineers[[dev.pk for dev in devs].index(assignees[epic.pk])]
        fields = {"from": source, "to": target}
        if n % len(MOVES) == 1:
            fields["assignee"] = str(devs[(n // len(MOVES)) % len(devs)].pk)
        body = "&".join(f"{k}={v}" for k, v in fields.items())
        headers = {
            "Cookie": person.cookie,
            "X-CSRFToken": person.csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/boards/epics/",
        }
        lag = time.monotonic() - due
        sent = time.perf_counter()
        try:
            status = _request(port, "POST", f"/boards/epics/{epic.pk}/move/", headers, body)[0]
        except (OSError, http.client.HTTPException):
            status = 0
        results.put(("move", (time.perf_counter() - sent) * 1000, status != 200, lag))
        if status != 200:
            print(f"  move {source} -> {target} of {epic.pk}: {status}", file=sys.stderr)

    from epics.models import Story

    completing = [epic.pk for epic in pools[len(MOVES) - 1]]
    stories = Story.objects.filter(epic_id__in=completing, board=Story.Board.PRODUCT)
    assignees = dict(stories.values_list("epic_id", "assignee_id"))
    schedule = [(started + (n * POLL_SECONDS / len(pollers)), "poll", n) for n in range(USERS)]
    schedule += [(started + n + 0.5, "move", n) for n in range(int(DURATION))]
    schedule.sort()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        pending = schedule
        while pending:
            due, kind, n = pending.pop(0)
            if due >= end:
                continue
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            if kind == "poll":
                person = pollers[n]
                if person.waiting:
                    results.put(("poll_dropped", 0.0, False, 0.0))
                else:
                    person.waiting = True
                    pool.submit(poll, person, due)
                _insert(pending, (due + POLL_SECONDS, "poll", n))
            else:
                pool.submit(move, n, due)
    results.put(("duration", time.monotonic() - started, False, 0.0))


def _insert(pending: list, item) -> None:
    """Keep `pending` ordered by due time (it stays short: one entry per poller)."""
    low, high = 0, len(pending)
    while low < high:
        mid = (low + high) // 2
        if pending[mid] < item:
            low = mid + 1
        else:
            high = mid
    pending.insert(low, item)


def _summary(results: Queue) -> dict:
    rows, duration = [], DURATION
    while True:
        try:
            kind, ms, failed, lag = results.get_nowait()
        except Empty:
            break
        if kind == "duration":
            duration = ms
        else:
            rows.append((kind, ms, failed, lag))
    dropped = sum(1 for kind, *_ in rows if kind == "poll_dropped")
    rows = [row for row in rows if row[0] != "poll_dropped"]
    times = [ms for _, ms, _, _ in rows]
    by_kind = {}
    for kind in sorted({kind for kind, *_ in rows}):
        mine = [row for row in rows if row[0] == kind]
        by_kind[kind] = {
            "count": len(mine),
            "p50_ms": round(percentile([r[1] for r in mine], 0.50), 1),
            "p95_ms": round(percentile([r[1] for r in mine], 0.95), 1),
            "errors": sum(r[2] for r in mine),
        }
    errors = sum(failed for _, _, failed, _ in rows)
    p95 = round(percentile(times, 0.95), 1)
    return {
        "users": USERS,
        "poll_every_s": POLL_SECONDS,
        "epics": EPICS,
        "server": f"{WORKERS} workers x {THREADS} threads",
        "duration_s": round(duration, 1),
        "polls": sum(1 for kind, *_ in rows if kind.startswith("poll")),
        "moves": sum(1 for kind, *_ in rows if kind == "move"),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": p95,
        "errors": errors,
        "polls_dropped": dropped,  # a poll not sent: the person's last one still waited
        "by_kind": by_kind,
        "lag_p95_ms": round(percentile([lag for *_, lag in rows], 0.95) * 1000, 1),
        "target_met": p95 <= 250 and errors == 0,
    }


if __name__ == "__main__":
    from bench.setup import configure

    configure()
    main()
