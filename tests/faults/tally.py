"""What the fault tests measure: the actions' answers through HTTP, and, per outbox row,
whether it reached its fake receiver never, once or more often (matched by Message-ID and
X-Notification-Id), and how long after it was written."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from notifications.models import Notification


@dataclass
class Answer:
    """One HTTP request's outcome, as the client saw it."""

    method: str
    path: str
    status: int | None  # None: no answer at all (connection error, timeout)
    took: float
    started: float  # time.time()
    ended: float
    body: object = None
    text: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def is_json(self) -> bool:
        return self.body is not None


class Api:
    """The REST API through gunicorn, as one user (their token)."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.answers: list[Answer] = []

    def warm(self, times: int = 6) -> None:
        """Read a page a few times (unrecorded), so that both gunicorn workers have loaded
        what an action needs before a fault is measured."""
        for _ in range(times):
            self.session.get(self.base_url + "/api/v1/epics/", timeout=30).raise_for_status()

    def post(self, path: str, body: dict, *, key: str = "", timeout: float = 30.0) -> Answer:
        headers = {"Idempotency-Key": key} if key else {}
        started, clock = time.time(), time.monotonic()
        try:
            response = self.session.post(
                self.base_url + path, json=body, headers=headers, timeout=timeout
            )
        except requests.RequestException as exc:
            answer = Answer("POST", path, None, time.monotonic() - clock, started, time.time())
            answer.error = f"{type(exc).__name__}: {exc}"
        else:
            answer = Answer(
                "POST",
                path,
                response.status_code,
                time.monotonic() - clock,
                started,
                time.time(),
                text=response.text[:2000],
            )
            try:
                answer.body = response.json()
            except (ValueError, json.JSONDecodeError):
                answer.body = None
        self.answers.append(answer)
        return answer

    def file_ticket(self, world, epic, description: str, key: str = "") -> Answer:
        body = {
            "team": world.team.pk,
            "request_type": "pipeline",
            "impact_level": "IL4",
            "epic": epic.pk,
            "description": description,
        }
        return self.post("/api/v1/tickets/", body, key=key)

    def triage(self, ticket_id: int) -> Answer:
        return self.post(f"/api/v1/tickets/{ticket_id}/transitions/triage/", {})


def message_id(pk: int) -> str:
    return f"<notification-{pk}@mdo-portal>"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Tally:
    """Per outbox row (e-mail and webhook): how often it arrived, and how late."""

    rows: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: int = 0  # arrivals beyond the first, over all rows
    strangers: int = 0  # arrivals matching no row
    latencies: dict[str, list[float]] = field(default_factory=dict)  # channel: seconds
    attempts: list[int] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)

    def latency(self, channel: str | None = None) -> list[float]:
        if channel:
            return self.latencies.get(channel, [])
        return [value for values in self.latencies.values() for value in values]

    def line(self, name: str, channel: str | None = None, **extra) -> str:
        values = self.latency(channel)
        what = f"{channel} " if channel else ""
        pct = 100.0 * self.duplicated / self.rows if self.rows else 0.0
        parts = [
            f"FAULT {name}: {self.rows} notifications",
            f"lost {len(self.lost)}",
            f"duplicated {self.duplicated} ({pct:.1f}%)",
            f"{what}p50 {percentile(values, 0.5):.2f} s",
            f"{what}p95 {percentile(values, 0.95):.2f} s",
            f"{what}max {max(values, default=math.nan):.2f} s",
            f"attempts max {max(self.attempts, default=0)}",
        ]
        parts += [f"{key.replace('_', ' ')} {value}" for key, value in extra.items()]
        return ", ".join(parts)


def tally(smtp, hook, rows=None) -> Tally:
    """Match what the fakes received against the outbox's e-mail and webhook rows."""
    rows = rows if rows is not None else Notification.objects.exclude(channel="in_app")
    rows = list(rows.values("pk", "channel", "created_at", "attempts", "state"))
    mails, posts = list(smtp.arrivals), list(hook.arrivals)
    arrivals: dict[tuple[str, str], list[float]] = {}
    for key, at in [(("email", m), t) for m, t in mails] + [(("webhook", i), t) for i, t in posts]:
        arrivals.setdefault(key, []).append(at)
    found = Tally(rows=len(rows))
    expected = set()
    for row in rows:
        key = (
            row["channel"],
            message_id(row["pk"]) if row["channel"] == "email" else str(row["pk"]),
        )
        expected.add(key)
        times = arrivals.get(key, [])
        found.attempts.append(row["attempts"])
        found.states[row["state"]] += 1
        if not times:
            found.lost.append(row["pk"])
            continue
        found.duplicated += len(times) - 1
        found.latencies.setdefault(row["channel"], []).append(
            min(times) - row["created_at"].timestamp()
        )
    found.strangers = sum(len(times) for key, times in arrivals.items() if key not in expected)
    return found


def all_arrived(smtp, hook):
    """A predicate: every e-mail and webhook row has reached its fake and is marked."""

    def check() -> bool:
        rows = Notification.objects.exclude(channel="in_app")
        if rows.exclude(state="delivered").exists():
            return False
        return not tally(smtp, hook, rows).lost

    return check


def eventually(predicate, timeout: float, every: float = 0.25) -> bool:
    """Poll until `predicate` holds (True) or the deadline passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())
