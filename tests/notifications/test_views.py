"""The bell, the list, marking read and the e-mail choices, as a signed-in person uses them."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import EmailOptOut, Notification
from portal.middleware import CONSENT_SESSION_KEY
from workflow import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(member, pm, epic):
    """alice files a request: pat (an MDO PM) hears of it."""
    return services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    session = client.session
    session[CONSENT_SESSION_KEY] = "2026-01-01T00:00:00+00:00"
    session.save()
    return client


def test_the_list_shows_my_notifications_and_the_bell_counts_them(filed, pm, member):
    page = signed_in(pm).get(reverse("notifications"))
    assert page.status_code == 200
    assert f"New request #{filed.pk}" in page.content.decode()
    assert 'class="badge">1<' in page.content.decode()
    # alice filed it: she is not told of her own request
    assert f"#{filed.pk}" not in signed_in(member).get(reverse("notifications")).content.decode()


def test_marking_read_with_htmx_answers_the_item_and_the_bell_only(filed, pm):
    row = Notification.objects.get(recipient=pm, channel="in_app")
    response = signed_in(pm).post(
        reverse("notification_read", args=[row.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and f'id="notification-{row.pk}"' in html
    assert 'hx-swap-oob="true"' in html and 'class="badge"' not in html  # nothing unread now
    row.refresh_from_db()
    assert row.read_at is not None


def test_nobody_marks_another_persons_notification(filed, pm, member):
    row = Notification.objects.get(recipient=pm, channel="in_app")
    response = signed_in(member).post(reverse("notification_read", args=[row.pk]))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_without_javascript_comes_back_to_the_list(filed, pm):
    response = signed_in(pm).post(reverse("notifications_read_all"))
    assert response.status_code == 302 and response.url == reverse("notifications")
    assert not Notification.objects.filter(
        recipient=pm, channel="in_app", read_at__isnull=True
    ).exists()


def test_marking_read_needs_the_csrf_token(filed, pm):
    row = Notification.objects.get(recipient=pm, channel="in_app")
    response = signed_in(pm, enforce_csrf_checks=True).post(
        reverse("notification_read", args=[row.pk])
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.read_at is None


def test_choosing_what_comes_by_email(pm, member, epic):
    client = signed_in(pm)
    page = client.get(reverse("notification_preferences"))
    assert 'value="ticket_filed" checked' in page.content.decode()
    client.post(reverse("notification_preferences"), {"email": ["ticket_done"]})
    assert set(EmailOptOut.objects.filter(user=pm).values_list("event_type", flat=True)) == (
        {key for key in _event_types() if key != "ticket_done"}
    )
    services.ticket_file(
        by=member, team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    assert set(Notification.objects.filter(recipient=pm).values_list("channel", flat=True)) == {
        "in_app"
    }


def _event_types():
    from notifications.rules import EVENT_TYPES

    return EVENT_TYPES


def test_signed_out_visitors_are_sent_to_sign_in(db):
    response = Client().get(reverse("notifications"))
    assert response.status_code == 302
