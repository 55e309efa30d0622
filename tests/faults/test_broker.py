"""The broker fails: Redis shut down, Redis frozen (SIGSTOP). Every action still answers
its success within a second, and once Redis is back the sweeper (beat) delivers all that
waited: nothing is lost, nothing is sent twice.

Each filing tells 15 MDO PMs (15 e-mails and a post to the PMs' webhook); each triage, by
an MDO PM, tells the 15 members of the team (15 e-mails, a post to the team's webhook)."""

from __future__ import annotations

import time

from notifications.models import Notification
from tests.faults.conftest import MARKS
from tests.faults.tally import all_arrived, eventually, percentile, tally

pytestmark = MARKS

ACTIONS_WITHIN = 1.0  # seconds, each
DELIVERED_WITHIN = 90.0  # seconds after Redis is back
HELD = 12.0  # seconds the fault lasts, at least: beyond the broker's 5 s socket timeout


def act(world, name: str) -> list:
    """File a request on each epic, then triage each as an MDO PM (through gunicorn),
    spread over the first half of the fault."""
    answers = []
    for i, epic in enumerate(world.epics):
        filed = world.filer.file_ticket(world, epic, f"{name} {i}", key=f"{name}-{i}")
        answers.append(filed)
        if filed.ok:
            answers.append(world.pm.triage(filed.body["id"]))
        time.sleep(1.0)  # spreading the actions out, not waiting for a condition
    return answers


def hold(began: float) -> None:
    """Let the fault last HELD seconds from `began` (time.monotonic())."""
    eventually(lambda: time.monotonic() - began >= HELD, HELD + 1)


def check_answers(answers, name):
    slow = [(a.path, a.status, round(a.took, 2)) for a in answers if not a.ok or a.took > 1.0]
    took = [a.took for a in answers]
    print(
        f"FAULT {name} actions: {len(answers)} answered, all 2xx: {all(a.ok for a in answers)}, "
        f"p95 {percentile(took, 0.95):.2f} s, max {max(took):.2f} s"
    )
    assert slow == [], f"actions not 2xx within {ACTIONS_WITHIN} s: {slow}"


def deliver_after(smtp, hook, name, since, **extra):
    eventually(all_arrived(smtp, hook), DELIVERED_WITHIN)
    found = tally(smtp, hook)
    recovered = time.time() - since
    print(found.line(name, **extra, fault=f"{HELD:g} s", all_delivered_after=f"{recovered:.1f} s"))
    assert found.rows >= 3 * 32  # 3 filings and 3 triages, 16 rows each
    assert found.lost == [], f"{len(found.lost)} lost: {found.states}"
    assert found.duplicated == 0 and found.strangers == 0
    return found


def test_redis_shut_down(world, redis, receivers):
    smtp, hook = receivers
    world = world(pms=15, members=15, epics=3, team_hook=True)
    redis.stop()
    began = time.monotonic()
    answers = act(world, "redis-down")
    hold(began)
    waiting = Notification.objects.exclude(channel="in_app").filter(state="pending").count()

    redis.start()
    back = time.time()
    check_answers(answers, "Redis shut down")
    assert waiting >= 3 * 32
    deliver_after(smtp, hook, "Redis shut down", back, pending_while_down=waiting)


def test_redis_frozen(world, redis, receivers):
    smtp, hook = receivers
    world = world(pms=15, members=15, epics=3, team_hook=True)
    redis.freeze()
    began = time.monotonic()
    try:
        answers = act(world, "redis-frozen")
        hold(began)
    finally:
        redis.thaw()
    back = time.time()
    check_answers(answers, "Redis frozen (SIGSTOP)")
    deliver_after(smtp, hook, "Redis frozen (SIGSTOP)", back)
