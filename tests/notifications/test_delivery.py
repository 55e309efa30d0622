"""Delivery in-process (the embedded default): after commit, once per channel, to a fake
SMTP server and a fake Mattermost webhook on loopback."""

import pytest
from django.utils import timezone

from notifications import delivery, tasks
from notifications.models import Notification, Webhook
from tests.fakes import FakeWebhook
from workflow import services

pytestmark = pytest.mark.django_db


def file_ticket(member, epic):
    return services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )


def test_delivered_after_commit_once_per_channel(
    in_process_tasks, smtp, webhook, member, pm, epic, django_capture_on_commit_callbacks
):
    Webhook.objects.create(name="PMs", url=webhook.url, role="mdo_pm")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_ticket(member, epic)

    assert [m["To"] for m in smtp.messages] == [pm.email]
    assert f"#{ticket.pk}" in smtp.messages[0]["Subject"]
    assert len(webhook.received) == 1 and f"#{ticket.pk}" in webhook.received[0]["text"]
    assert set(Notification.objects.values_list("channel", "state", "attempts")) == {
        ("in_app", "delivered", 0),
        ("email", "delivered", 1),
        ("webhook", "delivered", 1),
    }
    # A repeated task or a sweep finds nothing left to send.
    for notification in Notification.objects.exclude(channel="in_app"):
        assert delivery.deliver(notification.pk) == "skipped"
    assert len(smtp.messages) == 1 and len(webhook.received) == 1


def test_nothing_is_sent_before_commit(
    in_process_tasks, smtp, member, pm, epic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_ticket(member, epic)
    assert smtp.messages == [] and len(callbacks) == 1
    assert Notification.objects.get(channel="email").state == "pending"


def test_a_failing_webhook_is_recorded_and_the_sweeper_delivers_it_later(
    in_process_tasks, settings, member, pm, epic, django_capture_on_commit_callbacks
):
    hook = FakeWebhook(statuses=[500])
    settings.NOTIFICATION_BACKOFF_SECONDS = 0  # the next attempt is due at once
    try:
        Webhook.objects.create(name="PMs", url=hook.url, role="mdo_pm")
        with django_capture_on_commit_callbacks(execute=True):
            file_ticket(member, epic)
        row = Notification.objects.get(channel="webhook")
        assert (row.state, row.attempts) == ("pending", 1)
        assert "500" in row.last_error

        settings.NOTIFICATION_RETRY_AFTER_SECONDS = 0
        assert tasks.sweep_undelivered() >= 1
        row.refresh_from_db()
        assert (row.state, row.attempts, row.last_error) == ("delivered", 2, "")
        assert hook.answered == [500, 200] and len(hook.received) == 1
    finally:
        hook.close()


def test_backs_off_between_attempts_and_gives_up_after_the_time_allowed(
    in_process_tasks, settings, member, pm, epic, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(member, epic)
    row = Notification.objects.get(channel="email")
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at > timezone.now()  # backing off: not due yet
    assert delivery.deliver(row.pk) == "skipped"  # a second copy of the task does nothing

    settings.NOTIFICATION_BACKOFF_SECONDS = 0
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=None)
    settings.NOTIFICATION_GIVE_UP_AFTER = 0  # the row has waited long enough
    with pytest.raises(delivery.DeliveryFailed):
        delivery.deliver(row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 2)
    assert delivery.deliver(row.pk) == "skipped"


def test_the_backoff_doubles_up_to_its_maximum(settings):
    settings.NOTIFICATION_BACKOFF_SECONDS, settings.NOTIFICATION_BACKOFF_MAX_SECONDS = 2, 300
    assert [delivery.backoff(n) for n in (1, 2, 3, 4, 8, 9, 20)] == [2, 4, 8, 16, 256, 300, 300]


def test_the_broker_being_down_does_not_fail_the_action(
    caplog, member, pm, epic, django_capture_on_commit_callbacks
):
    """With Celery on a broker nobody listens on, filing still succeeds; the row waits."""
    from portal.celery import app

    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:9/0"
    app._pool = app.amqp._producer_pool = None  # forget connections to the real broker
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = file_ticket(member, epic)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        app._pool = app.amqp._producer_pool = None
    assert ticket.pk and Notification.objects.get(channel="email").state == "pending"
    assert "the sweeper will retry" in caplog.text


def test_deliver_notifications_command_retries_what_is_pending(
    in_process_tasks, member, pm, epic, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    hook = FakeWebhook(statuses=[503])
    try:
        Webhook.objects.create(name="PMs", url=hook.url, role="mdo_pm")
        with django_capture_on_commit_callbacks(execute=True):
            file_ticket(member, epic)
        assert Notification.objects.get(channel="webhook").state == "pending"
        call_command("deliver_notifications")
        assert Notification.objects.get(channel="webhook").state == "delivered"
        assert hook.answered == [503, 200]
    finally:
        hook.close()
