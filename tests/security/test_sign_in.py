"""Sign-in hardening: three failed sign-ins within 15 minutes lock the account, ten from one
address stop password checks from it, a superuser or a new password unlocks, local passwords
have 15 characters at least, idle sessions end (10 minutes for administrators, 15 for
everyone else), signing out destroys the session, and every sign-in, sign-out, failure, lock
and unlock is in the audit trail. (Parallel guesses against real gunicorn workers:
tests/security/test_lockout_workers.py.)"""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import auth, lockout
from portal.middleware import ACTIVITY_SESSION_KEY
from portal.models import SignInCounter
from tests.factories import PASSWORD, UserFactory
from tests.portal.pages import acknowledge_banner, sign_in, text_of
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM, PRODUCT_TEAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", roles=[PRODUCT_TEAM])


def attempt(client, username, password, address="127.0.0.1"):
    acknowledge_banner(client)
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


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
    assert settings.ADDRESS_FAILURES == 10
    assert settings.ADDRESS_THROTTLE_SECONDS == 15 * 60
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


# The count, its window and its slots -------------------------------------------------------


def test_the_count_is_kept_in_its_own_table_not_read_from_the_audit_trail(client, alice):
    attempt(client, "alice", "wrong")
    counter = SignInCounter.objects.get(key="user:alice")
    assert len(counter.failures) == 1 and counter.running == [] and counter.locked_until is None
    assert SignInCounter.objects.get(key="address:127.0.0.1").failures == counter.failures
    attempt(client, "alice", "wrong")
    attempt(client, "alice", "wrong")
    counter.refresh_from_db()
    assert counter.failures == [] and counter.locked_until == auth.locked_until("alice")


def test_three_failures_within_any_fifteen_minutes_lock_the_window_slides(client, alice):
    attempt(client, "alice", "wrong")
    with later(14 * 60):
        attempt(client, "alice", "wrong")
    with later(16 * 60):  # the first is out of the window: two count
        attempt(client, "alice", "wrong")
        assert auth.locked_until("alice") is None
    with later(17 * 60):  # 14, 16 and 17 minutes: three within 15 minutes
        page = attempt(client, "alice", "wrong")
        assert "this account is locked" in text_of(page)


def test_no_password_is_checked_while_the_names_checks_are_all_running(client, alice):
    running = [lockout.reserve(lockout.for_name("alice")) for _ in range(3)]
    assert all(isinstance(check, lockout.Check) for check in running)
    page = attempt(client, "alice", PASSWORD)
    assert page.status_code == 200 and not signed_in(client)
    assert "Too many sign-in attempts at once. Try again in a few seconds." in text_of(page)
    assert account_events("alice", "sign_in", "sign_in_throttled") == [
        ("sign_in_throttled", "refused")
    ]
    lockout.finish(running[0], failed=True)  # one of them was wrong: two slots stay taken
    assert "at once" in text_of(attempt(client, "alice", PASSWORD))
    lockout.finish(running[1], failed=None)  # one ended without an answer: its slot is back
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_a_check_that_never_finished_gives_its_slot_back_after_a_while(client, alice):
    for _ in range(3):
        lockout.reserve(lockout.for_name("alice"))  # their processes died mid-check
    assert "at once" in text_of(attempt(client, "alice", PASSWORD))
    with later(lockout.RUNNING_CHECK_SECONDS + 1):
        assert attempt(client, "alice", PASSWORD).status_code == 302


# One address cannot lock everyone ----------------------------------------------------------

ATTACKER = "203.0.113.9"


def test_ten_failures_from_one_address_stop_checks_from_it_not_the_names(client, db):
    names = [UserFactory(username=n).username for n in ("ann", "ben", "cat", "dan", "eve")]
    for name in names[:3]:
        for _ in range(3):
            attempt(client, name, "guess", ATTACKER)
    assert all(auth.locked_until(name) for name in names[:3])
    attempt(client, "dan", "guess", ATTACKER)  # the tenth: the address is throttled
    throttle = AuditEvent.objects.get(action="throttle")
    assert throttle.object_repr == "dan" and throttle.detail["address"] == ATTACKER
    assert throttle.detail["failures"] == 10 and ATTACKER in throttle.reason

    page = attempt(client, "dan", PASSWORD, ATTACKER)  # a 4th name, even its right password
    assert page.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-ins from your network address" in text_of(page)
    assert "Try again in 15 minutes." in text_of(page)
    page = attempt(client, "eve", "guess", ATTACKER)  # a 5th: no password checked at all
    assert account_events("eve", "sign_in", "sign_in_throttled") == [
        ("sign_in_throttled", "refused")
    ]
    # The names' counts are untouched: dan and eve are not locked and sign in elsewhere.
    assert len(SignInCounter.objects.get(key="user:dan").failures) == 1
    assert not SignInCounter.objects.filter(key="user:eve").exclude(failures=[]).exists()
    assert auth.locked_until("dan") is None and auth.locked_until("eve") is None
    assert attempt(client, "eve", PASSWORD, "198.51.100.7").status_code == 302
    with later(15 * 60 + 5):
        client.post(reverse("logout"))
        assert attempt(client, "dan", PASSWORD, ATTACKER).status_code == 302


def test_a_right_password_does_not_clear_its_addresss_count(client, alice):
    for _ in range(2):
        attempt(client, "alice", "wrong", ATTACKER)
    attempt(client, "alice", PASSWORD, ATTACKER)
    assert len(SignInCounter.objects.get(key=f"address:{ATTACKER}").failures) == 2
    assert SignInCounter.objects.get(key="user:alice").failures == []


def test_an_ipv6_client_is_counted_by_its_64_block():
    assert lockout.address_key("2001:db8:1:2:aaaa::1") == lockout.address_key("2001:db8:1:2::ff")
    assert lockout.address_key("2001:db8:1:3::1") != lockout.address_key("2001:db8:1:2::1")
    assert lockout.address_key("::ffff:192.0.2.1") == "address:192.0.2.1"


def test_the_token_endpoint_answers_429_with_retry_after_when_throttled(client, alice):
    url = reverse("api:token")
    for name in ("ann", "ben", "cat", "dan"):
        for _ in range(3 if name != "dan" else 1):
            client.post(url, {"username": name, "password": "x"}, REMOTE_ADDR=ATTACKER)
    response = client.post(
        url, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429 and "token" not in response.json()
    assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60
    assert account_events("alice", "sign_in", "sign_in_throttled") == [
        ("sign_in_throttled", "refused")
    ]


# Unlocking ---------------------------------------------------------------------------------


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def users_changelist():
    return reverse("admin:auth_user_changelist")


def unlock_in_admin(client, *users, **form):
    data = {"action": "unlock", "_selected_action": [user.pk for user in users], "index": 0}
    if form:
        data = {"action": "unlock", "_selected_action": data["_selected_action"], "apply": "yes"}
        data.update(form)
    return client.post(users_changelist(), data, follow=bool(form))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def lock_out(client, username):
    for _ in range(3):
        attempt(client, username, "wrong", "192.0.2.50")
    assert auth.locked_until(username) is not None


def test_a_superuser_unlocks_a_locked_account_saying_why(client, alice, root):
    lock_out(client, "alice")
    sign_in(client, root)
    page = unlock_in_admin(client, alice)
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    page = unlock_in_admin(client, alice, reason="Called the help desk; identity checked.")
    assert "Unlock sign-in: done for alice." in messages_of(page)
    assert auth.locked_until("alice") is None
    event = AuditEvent.objects.get(action="unlock")
    assert (event.actor, event.object_id, event.outcome) == (root, alice.pk, "done")
    assert event.reason == "Called the help desk; identity checked."
    assert event.from_status == "locked" and event.detail["was_locked_until"]
    client.post(reverse("logout"))
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_an_unlock_without_a_reason_is_refused_and_changes_nothing(client, alice, root):
    lock_out(client, "alice")
    sign_in(client, root)
    page = unlock_in_admin(client, alice, reason="  ")
    assert page.status_code == 200
    assert page.context["form"].errors == {"reason": ["This field is required."]}
    assert auth.locked_until("alice") is not None
    with pytest.raises(auth.Refusal, match="reason: a reason is required"):
        auth.account_unlock(by=root, user=alice, reason="")
    assert auth.locked_until("alice") is not None
    assert account_events("alice", "unlock") == [("unlock", "refused")]


def test_only_a_superuser_may_unlock(client, alice, db):
    staff = UserFactory(username="helpdesk", is_staff=True)
    may = Permission.objects.filter(codename__in=["view_user", "change_user"])
    staff.user_permissions.add(*may)
    lock_out(client, "alice")
    sign_in(client, staff)
    page = client.get(users_changelist())
    assert page.status_code == 200 and page.context["action_form"] is None  # no action offered
    unlock_in_admin(client, alice, reason="Because.")  # posted anyway: nothing runs
    assert auth.locked_until("alice") is not None
    assert not AuditEvent.objects.filter(action="unlock").exists()
    with pytest.raises(auth.NotPermitted, match="Only a superuser may unlock a sign-in."):
        auth.account_unlock(by=staff, user=alice, reason="Because.")
    assert auth.locked_until("alice") is not None
    assert account_events("alice", "unlock") == [("unlock", "refused")]


def test_unlocking_what_is_not_locked_is_refused_saying_so(client, alice, root):
    sign_in(client, root)
    page = unlock_in_admin(client, alice, reason="Just in case.")
    assert any("alice's sign-in is not locked" in m for m in messages_of(page))
    event = AuditEvent.objects.get(action="unlock")
    assert event.outcome == "refused" and event.actor == root


def test_a_new_password_set_by_an_administrator_unlocks_and_is_audited(client, alice, root):
    lock_out(client, "alice")
    sign_in(client, root)
    new = "correct horse battery staple"
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    page = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert page.status_code == 302, page.context["form"].errors
    assert auth.locked_until("alice") is None
    event = AuditEvent.objects.get(action="unlock")
    assert (event.actor, event.object_id, event.reason) == (root, alice.pk, auth.NEW_PASSWORD)
    client.post(reverse("logout"))
    assert attempt(client, "alice", new).status_code == 302


def test_a_password_set_anywhere_unlocks_audited_as_the_systems(client, alice):
    lock_out(client, "alice")
    alice.set_password("another long passphrase")
    alice.save()
    assert auth.locked_until("alice") is None
    event = AuditEvent.objects.get(action="unlock")
    assert (event.actor, event.actor_name, event.reason) == (None, "system", auth.NEW_PASSWORD)
    alice.save()  # a save that sets no password unlocks nothing more
    assert AuditEvent.objects.filter(action="unlock").count() == 1


# Passwords ---------------------------------------------------------------------------------


def test_a_local_password_has_at_least_fifteen_characters():
    with pytest.raises(ValidationError, match="at least 15 characters"):
        validate_password("Tr0ub4dor&3xyz")  # 14
    validate_password("Tr0ub4dor&3xyzw")  # 15
    with pytest.raises(ValidationError, match="too common"):
        validate_password("1q2w3e4r5t6y7u8i9o0p")


def test_the_admin_refuses_a_fourteen_character_password(client, root):
    sign_in(client, root)
    short = "Tr0ub4dor&3xyz"
    page = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newbie", "password1": short, "password2": short, "usable_password": "true"},
    )
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors["password2"]
    assert any("at least 15 characters" in error for error in errors)
    assert not get_user_model().objects.filter(username="newbie").exists()
