"""Parallel guesses against real gunicorn workers on PostgreSQL: however many requests try one
user name at once, across processes and threads, no more than LOCKOUT_FAILURES (3) wrong
passwords are checked before it locks, and the right password is refused once it has.

gunicorn runs 2 workers of 5 threads each (production settings, DEBUG off), so all ten
attempts are in flight together; the password hash is Django's real PBKDF2, slow enough that
the attempts overlap. Success is judged by what the client sees (a token, a session), the
count by the audit trail, which hears of every password checked.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.factories import UserFactory
from tests.stack import BIN, database_url, free_port, kill, production_env, spawn, wait
from workflow.models import AuditEvent

# Every table is emptied after each test but django_content_type's: gunicorn's workers,
# which outlive the tests, keep the content types' ids in their caches (as tests/faults do).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(
        transaction=True,
        available_apps=[
            app for app in settings.INSTALLED_APPS if app != "django.contrib.contenttypes"
        ],
    ),
]

RIGHT = "the right passphrase, at last"
ATTEMPTS = 10  # 9 wrong, 1 right


@pytest.fixture(scope="module")
def web(django_db_setup, tmp_path_factory):
    """gunicorn (2 workers × 5 threads) on the test database, in production settings."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the workers share the test database")
    tmp = tmp_path_factory.mktemp("web")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **production_env(tmp, database_url(connection.settings_dict), base_url),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "5",
        "PROMETHEUS_MULTIPROC_DIR": tmp / "prom",
        "API_TOKEN_RATE": "",  # the endpoint's own rate limit is not what is measured here
    }
    log = tmp / "web.log"
    command = [BIN / "gunicorn", "-c", "portal/gunicorn_conf.py", "portal.wsgi"]
    process = spawn(command, env=env, log=log)

    def ready():
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        try:
            return requests.get(f"{base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait(ready, timeout=60, what="gunicorn to answer")
        yield base_url
    finally:
        kill(process)


@pytest.fixture
def alice(web):
    """A user whose password the workers check with the real (slow) PBKDF2 hasher."""
    hasher = PBKDF2PasswordHasher()
    user = UserFactory(username="alice")
    user.password = hasher.encode(RIGHT, hasher.salt())
    user.save(update_fields=["password"])
    return user


def all_at_once(calls):
    """Run the calls in threads released together; their answers in the calls' order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def password_checks(username: str) -> list[str]:
    """The trail of the name's attempts, in order: "wrong" and "right" for the passwords
    checked, "lock" when it locked, "refused" for an attempt refused unchecked."""
    kinds = {
        ("sign_in", "refused"): "wrong",
        ("sign_in", "done"): "right",
        ("lock", "done"): "lock",
        ("sign_in_locked", "refused"): "refused",
        ("sign_in_throttled", "refused"): "refused",
    }
    events = AuditEvent.objects.filter(object_repr=username).order_by("pk")
    return [kinds[e.action, e.outcome] for e in events if (e.action, e.outcome) in kinds]


def assert_the_lockout_held(trail: list[str], right_answered: bool):
    """No more than 3 wrong passwords were checked after the last right one (or at all),
    the third locked the name, and the right password got in only if checked before it."""
    assert trail.count("wrong") + trail.count("right") + trail.count("refused") == ATTEMPTS
    since_right = trail[trail.index("right") + 1 :] if "right" in trail else trail
    assert since_right.count("wrong") <= settings.LOCKOUT_FAILURES, trail
    if since_right.count("wrong") == settings.LOCKOUT_FAILURES:
        assert since_right.count("lock") == 1, trail
    assert right_answered == ("right" in trail), trail
    if "lock" in trail and "right" in trail:
        assert trail.index("right") < trail.index("lock"), trail


def token_request(base_url, password):
    def call():
        return requests.post(
            f"{base_url}/api/v1/auth/token/",
            json={"username": "alice", "password": password},
            timeout=60,
        )

    return call


def got_a_token(response) -> bool:
    return response.status_code == 200 and "token" in response.json()


def test_parallel_token_requests_check_no_more_than_three_wrong_passwords(web, alice):
    answers = all_at_once([token_request(web, f"guess-{i}") for i in range(9)] + [
        token_request(web, RIGHT)
    ])
    wrong, right = answers[:9], answers[9]
    assert not any(got_a_token(answer) for answer in wrong)
    assert {answer.status_code for answer in answers} <= {200, 400, 429}
    assert_the_lockout_held(password_checks("alice"), right_answered=got_a_token(right))
    if not got_a_token(right):
        assert right.status_code in (400, 429) and "token" not in right.json()


def test_after_parallel_guesses_lock_the_name_the_right_password_is_refused(web, alice):
    answers = all_at_once([token_request(web, f"guess-{i}") for i in range(9)])
    trail = password_checks("alice")
    assert trail.count("wrong") == 3 and trail.count("lock") == 1, trail
    assert trail.count("refused") == 6, trail
    assert sorted(a.status_code for a in answers)[:3] == [400, 400, 400]

    right = token_request(web, RIGHT)()
    assert right.status_code == 400 and "token" not in right.json()
    assert "this account is locked" in str(right.json())
    assert password_checks("alice")[-1] == "refused"


def sign_in_page(base_url, password):
    """A browser that has acknowledged the banner and holds the sign-in form, ready to post."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/consent/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    browser.post(f"{base_url}/consent/", {"csrfmiddlewaretoken": token}, timeout=30)
    page = browser.get(f"{base_url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {"csrfmiddlewaretoken": token, "username": "alice", "password": password}

    def call():
        return browser.post(
            f"{base_url}/accounts/login/",
            form,
            headers={"Referer": f"{base_url}/accounts/login/"},
            allow_redirects=False,
            timeout=60,
        )

    return call


def test_parallel_sign_ins_on_the_page_check_no_more_than_three_wrong_passwords(web, alice):
    calls = [sign_in_page(web, f"guess-{i}") for i in range(9)] + [sign_in_page(web, RIGHT)]
    answers = all_at_once(calls)
    assert all(answer.status_code == 200 for answer in answers[:9])
    right = answers[9]
    assert right.status_code in (200, 302)
    assert_the_lockout_held(password_checks("alice"), right_answered=right.status_code == 302)
    if right.status_code == 200:
        assert "this account is locked" in right.text or "at once" in right.text
