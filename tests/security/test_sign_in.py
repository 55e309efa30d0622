"""Sign-in hardening: three failed sign-ins within 15 minutes lock the account, idle
sessions end (10 minutes for administrators, 15 for everyone else), signing out destroys
the session, and every sign-in, sign-out, failure and lock is in the audit trail."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from portal import auth
from portal.middleware import ACTIVITY_SESSION_KEY
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import acknowledge_banner, sign_in, text_of
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM, PRODUCT_TEAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", roles=[PRODUCT_TEAM])


def attempt(client, username, password):
    acknowledge_banner(client)
    return client.post(reverse("login"), {"username": username, "password": password})


def account_events(username, *actions):
    return list(
        AuditEvent.objects.filter(object_repr=username, action__in=actions)
        .order_by("pk")
        .values_list("action", "outcome")
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def later(seconds):
    """Pretend `seconds` have passed (the audit trail's timestamps are real)."""
    return mock.patch(
        "django.utils.timezone.now",
        return_value=timezone.now() + dt.timedelta(seconds=seconds),
    )


def test_settings_are_the_ones_the_issue_asks_for():
    assert settings.LOCKOUT_FAILURES == 3
    assert settings.LOCKOUT_WINDOW_SECONDS == 15 * 60
    assert settings.LOCKOUT_SECONDS == 15 * 60
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 15 * 60
    assert settings.ADMIN_SESSION_IDLE_TIMEOUT_SECONDS == 10 * 60


def test_a_sign_in_is_audited_with_its_address(client, alice):
    acknowledge_banner(client)
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302 and signed_in(client)
    event = AuditEvent.objects.get(action="sign_in")
    assert (event.actor, event.outcome, event.client_address) == (alice, "done", "10.1.2.3")
    assert event.detail == {"method": "password"}


def test_three_failures_lock_the_account_even_for_the_right_password(client, alice):
    for _ in range(2):
        page = attempt(client, "alice", "wrong")
        assert "That user name and password do not match" in text_of(page)
    page = attempt(client, "alice", "wrong")
    assert "this account is locked" in text_of(page)
    assert "Try again in 15 minutes" in text_of(page)
    page = attempt(client, "alice", PASSWORD)
    assert page.status_code == 200 and not signed_in(client)
    assert "this account is locked" in text_of(page)
    assert account_events("alice", "sign_in", "lock", "sign_in_locked") == [
        ("sign_in", "refused"),
        ("sign_in", "refused"),
        ("sign_in", "refused"),
        ("lock", "done"),
        ("sign_in_locked", "refused"),
    ]
    lock = AuditEvent.objects.get(action="lock")
    assert lock.object_id == alice.pk and lock.actor is None
    assert lock.detail["failures"] == 3 and "3 failed sign-ins" in lock.reason


def test_the_lock_ends_after_lockout_seconds(client, alice):
    for _ in range(3):
        attempt(client, "alice", "wrong")
    with later(14 * 60):
        assert not signed_in(client) and attempt(client, "alice", PASSWORD).status_code == 200
        assert not signed_in(client)
    with later(15 * 60 + 5):
        assert attempt(client, "alice", PASSWORD).status_code == 302
        assert signed_in(client)


def test_failures_outside_the_window_do_not_add_up(client, alice):
    attempt(client, "alice", "wrong")
    attempt(client, "alice", "wrong")
    with later(16 * 60):
        attempt(client, "alice", "wrong")
        assert auth.locked_until("alice") is None
        assert attempt(client, "alice", PASSWORD).status_code == 302


def test_a_successful_sign_in_starts_the_count_again(client, alice):
    attempt(client, "alice", "wrong")
    attempt(client, "alice", "wrong")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    attempt(client, "alice", "wrong")
    assert auth.locked_until("alice") is None


def test_a_name_that_does_not_exist_locks_too_so_a_lock_reveals_nothing(client, db):
    for _ in range(3):
        attempt(client, "nobody-here", "guess")
    assert "this account is locked" in text_of(attempt(client, "nobody-here", "guess"))
    event = AuditEvent.objects.filter(action="sign_in", object_repr="nobody-here").first()
    assert event.object_id is None and event.outcome == "refused"
    assert event.content_type.model == get_user_model()._meta.model_name


def test_the_api_token_endpoint_counts_and_honours_the_lock(client, alice):
    url = reverse("api:token")
    for _ in range(3):
        assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 400
    assert auth.locked_until("alice") is not None
    assert client.post(url, {"username": "alice", "password": PASSWORD}).status_code == 400
    assert account_events("alice", "sign_in_locked") == [("sign_in_locked", "refused")]


def test_an_api_token_handed_out_is_a_sign_in(client, alice):
    response = client.post(reverse("api:token"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="sign_in", outcome="done")
    assert event.object_id == alice.pk and event.detail == {"method": "api_token"}


def test_the_admin_sign_in_is_locked_too(client, db):
    admin = UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    acknowledge_banner(client)
    for _ in range(3):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert not signed_in(client)
    assert auth.locked_until("root") is not None


def test_signing_out_destroys_the_session_and_is_audited(client, alice):
    attempt(client, "alice", PASSWORD)
    key = client.session.session_key
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert account_events("alice", "sign_in", "sign_out") == [
        ("sign_in", "done"),
        ("sign_out", "done"),
    ]
    event = AuditEvent.objects.get(action="sign_out")
    assert event.actor == alice and event.reason == ""


def _idle(client, seconds):
    session = client.session
    session[ACTIVITY_SESSION_KEY] = time.time() - seconds
    session.save()


def test_an_administrator_idles_out_after_ten_minutes(client, db):
    admin = UserFactory(username="root", roles=[MDO_PM])
    admin.is_staff = True
    admin.save()
    sign_in(client, admin)
    _idle(client, 10 * 60 - 30)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 10 * 60 + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    page = text_of(client.get(response["Location"]))
    assert "You were signed out after 10 minutes without activity." in page


def test_everyone_else_has_fifteen_minutes(client, alice):
    sign_in(client, alice)
    _idle(client, 14 * 60)
    assert client.get(reverse("home")).status_code == 200
    _idle(client, 15 * 60 + 5)
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_idling_out_is_an_audited_sign_out_saying_why(client, alice):
    attempt(client, "alice", PASSWORD)
    _idle(client, 16 * 60)
    client.get(reverse("home"))
    event = AuditEvent.objects.get(action="sign_out")
    assert event.actor == alice and event.reason == "Idle for more than 15 minutes."
