"""The database drops connections: every ~0.3 s, every connection to the test database but
the killer's and this process's own is terminated (pg_terminate_backend), during a burst of
filings through the API (each telling 5 MDO PMs: 5 e-mails and a webhook post, ~120 rows)
and while the workers send them.

Expected: no notification lost; duplicates (the window docs/notifications.md names: a send
that arrived, then a mark that could not be written) at most 2%; every API answer JSON;
a filing that committed never answered an error; each filing, retried by its client with
its Idempotency-Key until it succeeds, filed exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.db import connection

from requests_app.models import Ticket
from tests.faults.conftest import MARKS
from tests.faults.tally import all_arrived, eventually, tally

pytestmark = MARKS

FILINGS = 20
CLIENTS = 4
KILL_EVERY = 0.3  # seconds
KILL_AT_LEAST = 20.0  # seconds: the burst, and the sends after it
RETRY_FOR = 90.0  # how long a client keeps retrying one filing


class Killer(threading.Thread):
    """Terminates every other connection to the database, every KILL_EVERY seconds."""

    def __init__(self, spare_pid: int):
        super().__init__(daemon=True)
        db = connection.settings_dict
        self.conninfo = psycopg.conninfo.make_conninfo(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
        )
        self.name_, self.spare = db["NAME"], spare_pid
        self.halt, self.killed, self.rounds = threading.Event(), 0, 0

    def run(self):
        with psycopg.connect(self.conninfo, autocommit=True) as killer:
            while not self.halt.is_set():
                killed = killer.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s",
                    (self.name_, self.spare),
                ).fetchone()[0]
                self.killed += killed
                self.rounds += 1
                self.halt.wait(KILL_EVERY)


def file_until_filed(world, i: int) -> list:
    """One client's filing: retried with the same Idempotency-Key until it succeeds."""
    key, answers = f"burst-{i}", []
    deadline = time.monotonic() + RETRY_FOR
    while time.monotonic() < deadline:
        answer = world.filer.file_ticket(world, world.epics[i], f"burst {i}", key=key)
        answers.append(answer)
        if answer.ok:
            break
        time.sleep(0.2)
    return answers


def committed_in(answers: list, ticket: Ticket):
    """The answer to the attempt during which the ticket was written (None if none)."""
    created = ticket.created_at.timestamp()
    for answer in answers:
        if answer.started - 0.05 <= created <= answer.ended + 0.05:
            return answer
    return None


def test_database_connections_terminated_during_sends(world, receivers):
    smtp, hook = receivers
    world = world(pms=5, epics=FILINGS)
    with connection.cursor() as cursor:  # this process's own connection is spared
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    killer = Killer(own_pid)
    started = time.monotonic()
    killer.start()
    try:
        with ThreadPoolExecutor(CLIENTS) as clients:
            per_filing = list(clients.map(lambda i: file_until_filed(world, i), range(FILINGS)))
        burst = time.monotonic() - started
        eventually(lambda: time.monotonic() - started > KILL_AT_LEAST, KILL_AT_LEAST + 1)
    finally:
        killer.halt.set()
        killer.join(10)
    killing = time.monotonic() - started

    answers = [a for attempts in per_filing for a in attempts]
    errors = [a for a in answers if not a.ok]
    not_json = [(a.status, a.error or a.text[:120]) for a in answers if not a.is_json]
    tickets = {i: list(Ticket.objects.filter(description=f"burst {i}")) for i in range(FILINGS)}
    unfiled = [i for i, found in tickets.items() if not found]
    twice = [i for i, found in tickets.items() if len(found) > 1]
    # A filing that committed and answered an error: its client was told it failed.
    committed_errors = []
    for i, found in tickets.items():
        for ticket in found:
            answer = committed_in(per_filing[i], ticket)
            if answer is not None and not answer.ok:
                committed_errors.append((i, answer.status, answer.text[:200]))
    nothing_changed = [a.text[:200] for a in errors if "nothing was changed" in a.text.lower()]

    eventually(all_arrived(smtp, hook), 120)
    found = tally(smtp, hook)
    print(
        found.line(
            "database connections terminated",
            terminated=f"{killer.killed} connections in {killer.rounds} rounds, {killing:.0f} s",
            burst=f"{burst:.1f} s",
            api_answers=len(answers),
            errors=f"{len(errors)} (JSON {sum(a.is_json for a in errors)})",
            statuses=dict(Counter(a.status for a in answers)),
            committed_but_error=len(committed_errors),
            filed_twice=len(twice),
        )
    )
    assert killer.killed > 0
    assert not_json == [], f"answers that are not JSON: {not_json}"
    assert nothing_changed == []
    assert committed_errors == [], committed_errors
    assert unfiled == [] and twice == [], (unfiled, twice)
    assert found.rows >= FILINGS * 6
    assert found.lost == [], f"{len(found.lost)} lost: {found.states}"
    assert found.strangers == 0
    assert found.duplicated <= 0.02 * found.rows
