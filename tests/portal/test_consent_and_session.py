"""The DoD Notice and Consent banner, signing in and out, and idle sessions."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.middleware import ACTIVITY_SESSION_KEY, CONSENT_SESSION_KEY
from tests.factories import PASSWORD
from tests.portal.pages import HTMX, acknowledge_banner, sign_in, text_of, world

pytestmark = pytest.mark.django_db


def test_every_page_sends_a_newcomer_to_the_banner_first(client):
    for url in ("/", reverse("login"), reverse("ticket_new"), "/admin/login/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("consent") + "?next="), url


def test_the_banner_shows_the_standard_dod_notice_by_default(client):
    page = text_of(client.get(reverse("consent")))
    assert "You are accessing a U.S. Government (USG) Information System (IS)" in page
    assert "I acknowledge and consent" in page


def test_the_banner_text_comes_from_the_setting(client, settings):
    settings.CONSENT_BANNER_TEXT = "Line one of our notice.\nLine two."
    response = client.get(reverse("consent"))
    assert "Line one of our notice.<br>Line two." in response.content.decode()
    assert "USG-authorized use only" not in text_of(response)


def test_acknowledging_returns_to_the_page_asked_for_then_sign_in_works(client):
    people = world()
    asked = reverse("ticket_new")
    response = client.post(reverse("consent"), {"next": asked})
    assert response.status_code == 302 and response["Location"] == asked
    # Not signed in yet: the page sends on to sign in, not back to the banner.
    response = client.get(asked)
    assert response["Location"].startswith(reverse("login"))
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD, "next": asked}
    )
    assert response["Location"] == asked
    assert client.get(asked).status_code == 200
    assert people.alice.pk == int(client.session["_auth_user_id"])


def test_acknowledging_never_sends_elsewhere(client):
    response = client.post(reverse("consent"), {"next": "https://evil.example/steal"})
    assert response["Location"] == "/"


def test_signing_in_with_a_wrong_password_says_so(client):
    world()
    acknowledge_banner(client)
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "That user name and password do not match" in text_of(response)


def test_a_signed_in_session_without_acknowledgement_still_gets_the_banner(client):
    people = world()
    client.force_login(people.alice)
    response = client.get("/")
    assert response["Location"].startswith(reverse("consent"))


def test_static_files_and_the_api_are_not_held_by_the_banner(client):
    assert client.get("/api/v1/tickets/").status_code in (401, 403)
    response = client.get(settings.STATIC_URL + "css/portal.css")
    assert not (response.status_code == 302 and "consent" in response.get("Location", ""))


def test_an_htmx_request_is_sent_to_the_banner_as_a_whole_page(client):
    response = client.get(reverse("ticket_new"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("consent"))
    assert response.content == b""


def test_an_htmx_request_after_the_session_ended_signs_in_as_a_whole_page(client):
    acknowledge_banner(client)
    response = client.get(reverse("ticket_new"), headers=HTMX)
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_signing_out_destroys_the_session_and_brings_the_banner_back(client):
    people = world()
    sign_in(client, people.alice)
    key = client.session.session_key
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/")["Location"].startswith(reverse("consent"))


def test_signing_out_is_a_post(client):
    people = world()
    sign_in(client, people.alice)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").status_code == 200


def test_idle_sessions_end_after_fifteen_minutes_and_each_request_pushes_the_end(client):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 15 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_SECONDS
    people = world()
    sign_in(client, people.alice)
    key = client.session.session_key
    # Nearly idle for the whole timeout: one more request pushes the end 15 minutes out.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=5)
    )
    assert client.get("/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + dt.timedelta(minutes=14)
    # Idle past the end: the session is over, the banner and sign-in come back.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/")["Location"].startswith(reverse("consent"))


def _set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_idle_past_the_timeout_signs_out_and_says_why(client):
    people = world()
    sign_in(client, people.alice)
    key = client.session.session_key
    _set_session(client, **{ACTIVITY_SESSION_KEY: time.time() - 15 * 60 - 5})
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("consent"))
    assert not Session.objects.filter(session_key=key).exists()
    page = text_of(client.get(response["Location"]))
    assert "You were signed out after 15 minutes without activity." in page


def test_a_request_just_within_the_timeout_keeps_the_session(client):
    people = world()
    sign_in(client, people.alice)
    _set_session(client, **{ACTIVITY_SESSION_KEY: time.time() - 15 * 60 + 30})
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[ACTIVITY_SESSION_KEY] < 5


def test_background_polling_does_not_keep_an_idle_session_alive(client):
    people = world()
    sign_in(client, people.alice)
    client.get(reverse("home"))
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    last = client.session[ACTIVITY_SESSION_KEY]
    time.sleep(1.1)
    assert client.get(reverse("notification_bell"), headers=HTMX).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before
    assert client.session[ACTIVITY_SESSION_KEY] == last
    # Once idle too long, the next poll ends the session and the page goes to the banner.
    _set_session(client, **{ACTIVITY_SESSION_KEY: time.time() - 16 * 60})
    response = client.get(reverse("notification_bell"), headers=HTMX)
    assert response["HX-Redirect"].startswith(reverse("consent"))


def test_the_banner_form_enforces_csrf():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("consent"), {"next": "/"}).status_code == 403
    page = strict.get(reverse("consent"))
    token = page.cookies["csrftoken"].value
    response = strict.post(reverse("consent"), {"next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert strict.session.get(CONSENT_SESSION_KEY)


def test_signing_out_enforces_csrf():
    people = world()
    strict = sign_in(Client(enforce_csrf_checks=True), people.alice)
    assert strict.post(reverse("logout")).status_code == 403
    assert strict.get("/").status_code == 200  # still signed in


def test_unknown_pages_answer_a_helpful_404(client):
    people = world()
    sign_in(client, people.alice)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "belongs to a team you are not a member of" in text_of(response)
