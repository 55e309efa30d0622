"""Failed notifications are visible and can be sent again (the page, the admin, the
command), each audited; publishing never holds a request up; the demo delivers nothing."""

import socket
import threading
import time

import pytest
from django.core.management import call_command

from notifications.models import Notification, Webhook
from tests.factories import UserFactory
from tests.fakes import FakeWebhook
from tests.notifications.test_views import signed_in
from workflow import services
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def file_ticket(member, epic):
    return services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )


@pytest.fixture
def failed_webhook(
    in_process_tasks, settings, member, pm, epic, django_capture_on_commit_callbacks
):
    """A webhook row given up as failed (its receiver was down past the time allowed), and
    the receiver, now answering."""
    hook = FakeWebhook(statuses=[500])
    Webhook.objects.create(name="PMs", url=hook.url, role="mdo_pm")
    settings.NOTIFICATION_GIVE_UP_AFTER = 0
    with django_capture_on_commit_callbacks(execute=True):
        file_ticket(member, epic)
    row = Notification.objects.get(channel="webhook")
    assert row.state == "failed" and "500" in row.last_error
    settings.NOTIFICATION_GIVE_UP_AFTER = 86400
    yield row
    hook.close()


def sent_again_events():
    return AuditEvent.objects.filter(action__in=["send_again", "deliver_now"])


def test_an_mdo_pm_sees_failed_rows_and_sends_them_again(failed_webhook, pm):
    client = signed_in(pm)
    page = client.get("/notifications/undelivered/")
    assert page.status_code == 200
    assert b"1 failed" in page.content and failed_webhook.subject.encode() in page.content

    answer = client.post("/notifications/undelivered/")
    assert answer.status_code == 302
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "delivered"
    event = sent_again_events().get()
    assert event.actor == pm and event.detail["failed_before"] == [failed_webhook.pk]


def test_undelivered_is_not_for_product_teams(failed_webhook, member):
    client = signed_in(member)
    assert client.get("/notifications/undelivered/").status_code == 403
    assert client.post("/notifications/undelivered/").status_code == 403
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "failed" and not sent_again_events().exists()


def test_the_admin_sends_again_and_says_so_in_the_trail(failed_webhook):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = signed_in(admin)
    answer = client.post(
        "/admin/notifications/notification/",
        {"action": "send_again_now", "_selected_action": [failed_webhook.pk]},
    )
    assert answer.status_code == 302
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "delivered"
    assert sent_again_events().get().actor == admin


def test_the_command_sends_failed_rows_again_only_when_asked(failed_webhook):
    call_command("deliver_notifications")
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "failed"

    call_command("deliver_notifications", "--retry-failed")
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "delivered"
    assert sent_again_events().get().actor_name == "system"


def test_a_row_being_sent_is_not_sent_again(failed_webhook):
    from django.utils import timezone

    Notification.objects.filter(pk=failed_webhook.pk).update(
        state="pending", lease_until=timezone.now() + timezone.timedelta(minutes=1)
    )
    call_command("deliver_notifications")
    failed_webhook.refresh_from_db()
    assert failed_webhook.state == "pending" and not sent_again_events().exists()


@pytest.fixture
def silent_broker():
    """A 'Redis' that accepts connections and never answers (a frozen server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_broker_that_never_answers_holds_a_request_up_half_a_second_at_most(
    silent_broker, member, pm, epic, django_capture_on_commit_callbacks
):
    from portal.celery import app

    UserFactory.create_batch(10, roles=["mdo_pm"])  # many rows: still one bounded attempt
    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, silent_broker
    app._pool = app.amqp._producer_pool = None
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            file_ticket(member, epic)
        took = time.monotonic() - started
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        app._pool = app.amqp._producer_pool = None
    assert took < 1.0, f"filing took {took:.2f} s"
    assert Notification.objects.filter(channel="email", state="pending").count() == 11


def test_the_demo_writes_nothing_that_could_leave_the_process(settings, webhook):
    settings.DEBUG = True
    settings.WEBHOOK_URLS = {"mdo_pm": webhook.url, "Team Alpha": webhook.url}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    call_command("seed_demo")
    assert Notification.objects.filter(channel="in_app").exists()
    assert not Notification.objects.exclude(channel="in_app").exists()
    assert webhook.received == []
