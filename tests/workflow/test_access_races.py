"""The clock's rounds racing (two beats, a task run twice) tell a requester once and expire an
approval once; two Classified Ops members revoking the same grant: one wins, the other is
a Conflict. PostgreSQL only: each thread has its own connection and real row locks."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from notifications.models import Notification
from tests.factories import AccessRequestFactory, UserFactory
from tests.workflow.test_concurrency import fresh, outcomes, race
from workflow import services
from workflow.errors import Conflict
from workflow.models import AccessRequest, AuditEvent, portal_today
from workflow.permissions import CLASSIFIED_OPS, DEVOPS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

A = AccessRequest.Status


def test_four_clock_rounds_at_once_remind_once_and_expire_once():
    riley, quinn = UserFactory(roles=[DEVOPS]), UserFactory(roles=[DEVOPS])
    ending = AccessRequestFactory(
        user=riley, status=A.APPROVED, expires_on=portal_today() + dt.timedelta(days=3)
    )
    ended = AccessRequestFactory(
        user=quinn, status=A.APPROVED, expires_on=portal_today() - dt.timedelta(days=1)
    )

    results = race([services.access_requests_expire] * 4)

    wins, losses = outcomes(results)
    assert losses == [] and len(wins) == 4
    assert sum(r["reminded"] for r in wins) == 1
    assert sum(r["expired"] for r in wins) == 1
    reminders = Notification.objects.filter(event_type="access_expiring", channel="in_app")
    assert list(reminders.values_list("recipient_id", flat=True)) == [riley.pk]
    # One expiry in the trail, and no refusal for the rounds that found it done.
    assert list(AuditEvent.objects.for_object(ended).values_list("action", "outcome")) == [
        ("expire", "done")
    ]
    ending.refresh_from_db()
    ended.refresh_from_db()
    assert (ending.status, ended.status) == (A.APPROVED, A.EXPIRED)


def test_two_members_revoke_one_grant_one_wins():
    User = get_user_model()
    members = [UserFactory(roles=[CLASSIFIED_OPS]).pk for _ in range(2)]
    grant = AccessRequestFactory(user=UserFactory(roles=[DEVOPS]), status=A.APPROVED)

    results = race(
        [
            lambda pk=pk: services.access_request_revoke(
                by=fresh(User, pk),
                access_request=fresh(AccessRequest, grant.pk),
                reason=f"Revoked by {pk}.",
            )
            for pk in members
        ]
    )

    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict)
    grant.refresh_from_db()
    assert grant.status == A.REVOKED and grant.decided_by_id in members
    assert AuditEvent.objects.for_object(grant).filter(action="revoke", outcome="done").count() == 1
