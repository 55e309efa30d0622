"""The receivers fail: an SMTP relay refusing and a webhook answering 500 for an outage
spanning many attempts; a relay that accepts connections and never answers; rows given up
as failed, sent again by `deliver_notifications --retry-failed`. And the demo seed, run on
the full stack with the fakes configured, sends them nothing."""

from __future__ import annotations

import re
import threading
import time

from django.contrib.auth.models import Group

from notifications.models import Notification, Webhook
from tests.faults.conftest import MARKS, SETTINGS
from tests.faults.tally import all_arrived, eventually, percentile, tally
from tests.stack import wait
from workflow.models import AuditEvent
from workflow.permissions import ROLES

pytestmark = MARKS

OUTAGE = 15.0  # seconds: with a backoff of 0.5 s doubling to 2 s, about nine attempts


def file_all(world, name: str, pause: float = 0.0) -> list:
    answers = []
    for i, epic in enumerate(world.epics):
        answers.append(world.filer.file_ticket(world, epic, f"{name} {i}", key=f"{name}-{i}"))
        time.sleep(pause)  # spreading the filings out, not waiting for a condition
    assert [a.status for a in answers] == [201] * len(answers), [a.text for a in answers]
    return answers


def attempts_within(seconds: float) -> int:
    """How many attempts a row's retry chain makes in `seconds` (the shortened backoff)."""
    first = SETTINGS["NOTIFICATION_BACKOFF_SECONDS"]
    most = SETTINGS["NOTIFICATION_BACKOFF_MAX_SECONDS"]
    attempts, at = 1, 0.0
    while at <= seconds:
        at += min(first * 2 ** (attempts - 1), most)
        attempts += 1
    return attempts


def test_smtp_refusing_and_webhook_failing_for_an_outage(world, receivers):
    smtp, hook = receivers
    world = world(pms=4, epics=5)
    smtp.mode = "refuse"
    hook.fail_for(OUTAGE)
    began = time.time()
    relay_back = threading.Timer(OUTAGE, lambda: setattr(smtp, "mode", "accept"))
    relay_back.daemon = True
    relay_back.start()
    try:
        file_all(world, "outage")
        eventually(all_arrived(smtp, hook), OUTAGE + 60)
    finally:
        relay_back.cancel()
    found = tally(smtp, hook)
    ended = began + OUTAGE
    first = min((t for _, t in smtp.arrivals + hook.arrivals), default=0.0)
    refused = sum(status == 500 for status in hook.answered)
    print(
        found.line(
            f"SMTP refusing + webhook 500 for {OUTAGE:g} s",
            attempts_min=min(found.attempts),
            webhook_500s=refused,
            first_delivery_after_outage=f"{first - ended:+.1f} s",
            states=dict(found.states),
        )
    )
    assert found.rows == 5 * (4 + 1)
    assert found.lost == [], f"{len(found.lost)} lost: {found.states}"
    assert found.duplicated == 0 and found.strangers == 0
    assert first >= ended - 0.5  # nothing got through during the outage
    # The outage spanned several attempts of every row, and each row had one retry chain
    # (copies of a chain would make attempts pile up beyond what one chain makes).
    expected = attempts_within(OUTAGE)
    assert min(found.attempts) >= 4
    assert max(found.attempts) <= expected + 3, (found.attempts, expected)


def test_smtp_hanging_does_not_delay_webhooks(world, receivers):
    smtp, hook = receivers
    world = world(pms=3, epics=10, role_hooks=2)
    smtp.mode = "hang"
    file_all(world, "hang", pause=0.8)  # ~8 s of filings while the relay hangs
    webhooks = Notification.objects.filter(channel="webhook")
    wait(
        lambda: not webhooks.exclude(state="delivered").exists(),
        timeout=30,
        what="the webhook posts while SMTP hangs",
    )
    during = tally(smtp, hook, webhooks)
    emails = Notification.objects.filter(channel="email")
    held = emails.exclude(state="delivered").count()
    tried = sum(emails.values_list("attempts", flat=True))
    assert smtp.messages == []

    smtp.mode = "accept"
    eventually(all_arrived(smtp, hook), 90)
    found = tally(smtp, hook)
    print(during.line("SMTP hanging", channel="webhook", held_emails=held, hung_attempts=tried))
    print(found.line("SMTP hanging, after it answers again", channel="email"))
    assert during.rows == 20 and during.lost == [] and during.duplicated == 0
    assert percentile(during.latency("webhook"), 0.95) <= 2.0
    assert held == 30 and tried > 0  # the e-mails were stuck meanwhile, and tried
    assert found.lost == [] and found.duplicated == 0 and found.strangers == 0


def sweeps(stack) -> int:
    log = stack.log("worker-celery").read_text(errors="replace")
    return len(re.findall(r"sweep_undelivered\[[^\]]+\] succeeded", log))


def test_seed_demo_on_the_full_stack_sends_nothing(stack, receivers):
    smtp, hook = receivers
    for role in ROLES:  # the groups the migrations made (the flush after each test empties them)
        Group.objects.get_or_create(name=role)
        Webhook.objects.create(name=role, url=f"{hook.url}/{role}", role=role)
    teams = ["Team Alpha", "Team Bravo", "Team Charlie", "Team Delta", "Team Echo"]
    urls = ",".join(f"{name}={hook.url}/urls" for name in ["mdo_pm", "devops", *teams])
    done = stack.manage("seed_demo", "--force", env={"WEBHOOK_URLS": urls})
    assert done.returncode == 0, done.stderr[-3000:]

    swept = sweeps(stack)
    wait(lambda: sweeps(stack) >= swept + 3, timeout=30, what="three sweeps after the seed")
    in_app = Notification.objects.filter(channel="in_app").count()
    outside = Notification.objects.exclude(channel="in_app").count()
    print(
        f"FAULT seed_demo --force: {in_app} in-app notifications written, {outside} e-mail or "
        f"webhook rows, {len(smtp.messages)} e-mails and {len(hook.answered)} posts received"
    )
    assert in_app > 0
    assert outside == 0
    assert smtp.messages == [] and hook.answered == []


def test_failed_rows_are_sent_again_by_the_command(stack, world, receivers):
    """Against the real workers (tests/notifications/test_send_again.py runs it in-process)."""
    smtp, hook = receivers
    stack.configure(NOTIFICATION_GIVE_UP_AFTER=0)  # the first failed attempt gives up
    world = world(pms=3, epics=2)
    smtp.mode = "refuse"
    hook.fail_for(3600)
    file_all(world, "failed")
    rows = Notification.objects.exclude(channel="in_app")
    wait(
        lambda: rows.filter(state="failed").count() == 8,
        timeout=30,
        what="the rows given up as failed",
    )
    failed = sorted(rows.values_list("pk", flat=True))

    smtp.mode, hook.failing_until = "accept", 0.0
    done = stack.manage("deliver_notifications", "--retry-failed")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "8 undelivered notification(s) queued" in done.stdout
    eventually(all_arrived(smtp, hook), 30)
    found = tally(smtp, hook)
    event = AuditEvent.objects.get(action="deliver_now")
    print(found.line("failed rows sent again (--retry-failed)", audited=event.actor_name))
    assert found.rows == 8 and found.lost == [] and found.duplicated == 0
    assert sorted(event.detail["failed_before"]) == failed
