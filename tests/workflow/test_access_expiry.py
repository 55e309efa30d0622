"""Access that expires (issue 13): an approval lasts `days` (default CLASSIFIED_ACCESS_DAYS),
a denial and a revocation carry a reason the requester is told, access ends with its last
day even before the clock marks it Expired (audited by `system`), and the requester is
reminded once, 14 days before."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Notification
from tests.factories import AccessRequestFactory, UserFactory
from tests.workflow.support import audit_mark, events_since, refused
from workflow import services, tasks
from workflow.errors import Conflict, InvalidInput, NotPermitted
from workflow.fsm import starts_from
from workflow.models import AccessRequest, AuditEvent, portal_today
from workflow.permissions import DEVOPS, has_classified_access

pytestmark = pytest.mark.django_db

A = AccessRequest.Status


@pytest.fixture
def riley(db):
    return UserFactory(username="riley", roles=[DEVOPS])


@pytest.fixture
def asked(riley):
    return services.access_request_create(by=riley, justification="On the IL6 rota.")


def granted(user, days_left: int, **extra) -> AccessRequest:
    """An approval whose last day is `days_left` days from today (negative: past)."""
    return AccessRequestFactory(
        user=user,
        status=A.APPROVED,
        expires_on=portal_today() + dt.timedelta(days=days_left),
        **extra,
    )


def has_access(user) -> bool:
    """Asked afresh, as on the person's next request."""
    return has_classified_access(UserFactory(username=user.username))


def told(user, event_type: str) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, event_type=event_type, channel="in_app")
    )


# Approve: for how long ------------------------------------------------------------------------


def test_an_approval_lasts_the_default_days_and_says_so(asked, classified):
    services.access_request_approve(by=classified, access_request=asked)
    asked.refresh_from_db()
    assert settings.CLASSIFIED_ACCESS_DAYS == 90
    assert asked.expires_on == portal_today() + dt.timedelta(days=90)
    event = AuditEvent.objects.for_object(asked).get(action="approve")
    assert event.detail == {"expires_on": asked.expires_on.isoformat()}
    (message,) = told(asked.user, "access_decided")
    assert f"you have access until {asked.expires_on:%-d %b %Y}" in message.body


def test_the_default_comes_from_the_setting(asked, classified, settings):
    settings.CLASSIFIED_ACCESS_DAYS = 30
    services.access_request_approve(by=classified, access_request=asked)
    asked.refresh_from_db()
    assert asked.expires_on == portal_today() + dt.timedelta(days=30)


@pytest.mark.parametrize("days, lasts", [(1, 1), ("7", 7), (" 365 ", 365)])
def test_an_approval_lasts_the_days_given(asked, classified, days, lasts):
    services.access_request_approve(by=classified, access_request=asked, days=days)
    asked.refresh_from_db()
    assert asked.expires_on == portal_today() + dt.timedelta(days=lasts)


@pytest.mark.parametrize("days", [0, -3, 366, 10**30, "ten", "7.5", 7.5, True, "٣٠"])
def test_days_out_of_range_or_not_whole_are_refused(asked, classified, days):
    error = refused(
        InvalidInput,
        services.access_request_approve,
        action="approve",
        by=classified,
        access_request=asked,
        days=days,
    )
    assert list(error.fields) == ["days"]
    assert "a whole number from 1 to 365" in error.fields["days"][0]
    asked.refresh_from_db()
    assert (asked.status, asked.expires_on) == (A.PENDING, None)


def test_a_role_refusal_comes_before_bad_days(asked, pm):
    refused(
        NotPermitted,
        services.access_request_approve,
        action="approve",
        by=pm,
        access_request=asked,
        days="ten",
    )


# Deny: with a reason --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_denial_needs_a_reason(asked, classified, reason):
    error = refused(
        InvalidInput,
        services.access_request_deny,
        action="deny",
        by=classified,
        access_request=asked,
        reason=reason,
    )
    assert error.fields == {"reason": ["Say why it is denied: the requester is told."]}


def test_the_requester_is_told_why_it_was_denied(asked, classified):
    services.access_request_deny(by=classified, access_request=asked, reason="  Not on IL6.  ")
    asked.refresh_from_db()
    assert (asked.status, asked.reason, asked.expires_on) == (A.DENIED, "Not on IL6.", None)
    event = AuditEvent.objects.for_object(asked).get(action="deny")
    assert event.reason == "Not on IL6."
    (message,) = told(asked.user, "access_decided")
    assert message.body == "cleo denied your request. Reason: Not on IL6."


# Revoke -----------------------------------------------------------------------------------------


def test_revoking_ends_access_at_once_and_tells_the_requester(riley, classified):
    access = granted(riley, days_left=40)
    assert has_access(riley)
    mark = audit_mark()

    services.access_request_revoke(by=classified, access_request=access, reason="Left the rota.")

    assert not has_access(riley)
    access.refresh_from_db()
    assert (access.status, access.reason, access.decided_by) == (
        A.REVOKED,
        "Left the rota.",
        classified,
    )
    (event,) = events_since(mark)
    assert (event.action, event.from_status, event.to_status, event.reason) == (
        "revoke",
        "approved",
        "revoked",
        "Left the rota.",
    )
    (message,) = told(riley, "access_revoked")
    assert "Reason: Left the rota." in message.body


@pytest.mark.parametrize("reason", ["", " ", None])
def test_a_revocation_needs_a_reason(riley, classified, reason):
    access = granted(riley, days_left=40)
    error = refused(
        InvalidInput,
        services.access_request_revoke,
        action="revoke",
        by=classified,
        access_request=access,
        reason=reason,
    )
    assert error.fields == {"reason": ["Say why it is revoked: the requester is told."]}
    assert has_access(riley)


def test_an_approval_past_its_last_day_has_nothing_left_to_revoke(riley, classified):
    access = granted(riley, days_left=-1)
    error = refused(
        Conflict,
        services.access_request_revoke,
        action="revoke",
        by=classified,
        access_request=access,
        reason="Too late.",
    )
    assert "there is no access left to revoke" in error.detail
    assert error.status == A.APPROVED


# Expiry: access ends with its last day; the clock marks it --------------------------------------


def test_access_holds_through_its_last_day_and_ends_after_it(riley):
    last_day = granted(riley, days_left=0)
    assert has_access(riley) and last_day.in_force
    AccessRequest.objects.filter(pk=last_day.pk).update(
        expires_on=portal_today() - dt.timedelta(days=1)
    )
    last_day.refresh_from_db()
    # Gone before the clock has run: the request still says Approved.
    assert last_day.status == A.APPROVED
    assert not last_day.in_force and not has_access(riley)
    assert list(AccessRequest.objects.in_force()) == []


def test_the_clock_expires_what_is_past_its_last_day_as_system(riley, classified):
    ended = granted(riley, days_left=-1, decided_by=classified)
    running = granted(UserFactory(username="quinn"), days_left=30)
    mark = audit_mark()

    assert tasks.expire_classified_access() == {"expired": 1, "reminded": 0}

    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.status, running.status) == (A.EXPIRED, A.APPROVED)
    assert ended.decided_by == classified  # who approved it stays
    (event,) = events_since(mark)
    assert (event.actor_id, event.actor_name, event.action) == (None, "system", "expire")
    assert (event.from_status, event.to_status, event.outcome) == ("approved", "expired", "done")
    assert event.detail == {"expires_on": ended.expires_on.isoformat()}
    (message,) = told(riley, "access_expired")
    assert f"until the end of {ended.expires_on:%-d %b %Y}" in message.body
    # Run again: nothing more.
    mark = audit_mark()
    assert tasks.expire_classified_access() == {"expired": 0, "reminded": 0}
    assert events_since(mark) == [] and len(told(riley, "access_expired")) == 1


def test_nothing_expires_an_approval_early(riley):
    access = granted(riley, days_left=0)
    assert tasks.expire_classified_access()["expired"] == 0
    access.refresh_from_db()
    assert access.status == A.APPROVED
    assert not starts_from(access.expire)  # the machine itself refuses it on its last day
    access.expires_on = portal_today() - dt.timedelta(days=1)
    assert starts_from(access.expire)


def test_the_clock_is_scheduled():
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-access"]
    assert schedule["task"] == "workflow.tasks.expire_classified_access"
    assert schedule["schedule"] <= 3600


# The reminder, 14 days before ------------------------------------------------------------------


def test_the_requester_is_reminded_once_14_days_before(riley):
    access = granted(riley, days_left=14)
    later = granted(UserFactory(username="quinn"), days_left=15)

    assert services.access_requests_expire() == {"expired": 0, "reminded": 1}
    assert services.access_requests_expire() == {"expired": 0, "reminded": 0}

    access.refresh_from_db()
    later.refresh_from_db()
    assert access.reminded_at is not None and later.reminded_at is None
    (message,) = told(riley, "access_expiring")
    assert message.subject == "Your Classified Ops access ends in 14 days"
    assert f"until the end of {access.expires_on:%-d %b %Y}" in message.body
    assert (
        Notification.objects.filter(event_type="access_expiring").exclude(recipient=riley).count()
        == 0
    )


def test_a_grant_ending_today_is_reminded_in_those_words(riley):
    granted(riley, days_left=0)
    services.access_requests_expire()
    (message,) = told(riley, "access_expiring")
    assert message.subject == "Your Classified Ops access ends today"


@pytest.mark.parametrize("status", [A.REVOKED, A.EXPIRED])
def test_an_approval_that_ended_is_not_reminded(riley, status):
    AccessRequestFactory(user=riley, status=status, expires_on=portal_today())
    assert services.access_requests_expire()["reminded"] == 0
    assert told(riley, "access_expiring") == []


# The demo -----------------------------------------------------------------------------------------


def test_the_demo_shows_access_that_ends_and_access_refused_with_a_reason(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    today = portal_today()
    # pat was granted 180 days before the season's IL6 work, and holds it past today.
    pat = AccessRequest.objects.get(user__username="pat", status=A.APPROVED)
    approved = AuditEvent.objects.get(
        action="approve", object_id=pat.pk, content_type__model="accessrequest"
    )
    assert pat.expires_on == timezone.localdate(approved.created_at) + dt.timedelta(days=180)
    assert pat.expires_on > today + dt.timedelta(days=14)
    dana = AccessRequest.objects.get(user__username="dana", status=A.APPROVED)
    assert today < dana.expires_on <= today + dt.timedelta(days=14)
    assert dana.reminded_at is not None and told(dana.user, "access_expiring")
    revoked = AccessRequest.objects.get(user__username="dana", status=A.REVOKED)
    denied = AccessRequest.objects.get(user__username="casey", status=A.DENIED)
    assert revoked.reason and denied.reason
    assert AccessRequest.objects.filter(user__username="devon", status=A.PENDING).exists()

    events = AuditEvent.objects.count()
    call_command("seed_demo")
    assert AuditEvent.objects.count() == events
