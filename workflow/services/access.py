"""Classified Ops access: anyone signed in requests it; a Classified Ops member (never the
requester) approves it for a number of days or denies it with a reason; any Classified Ops
member revokes it with a reason; the clock marks it Expired after its last day and tells the
requester 14 days before (docs/access.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import outbox
from notifications.rules import access_expiring
from workflow.audit import SYSTEM, record
from workflow.dates import day
from workflow.errors import Conflict, InvalidInput
from workflow.models import AccessRequest, portal_today
from workflow.permissions import CLASSIFIED_OPS, forget, has_role
from workflow.services.runner import (
    Verdict,
    audited,
    locked,
    moved,
    name_of,
    require_role,
    require_text,
    status_conflict,
)

# WORKFLOWS.md: the requester is told when their access ends within this many days.
REMINDER_DAYS = 14
# The longest an approval runs; a longer need is asked for again, with a new justification.
MOST_DAYS = 365

DECIDERS = "Only Classified Ops members decide access requests, and not their own."


@audited("request", model=AccessRequest)
def access_request_create(*, by, justification: str) -> AccessRequest:
    justification = require_text(
        justification, "justification", "Say why you need Classified Ops access."
    )
    if has_role(by, CLASSIFIED_OPS):
        raise Conflict("You already have Classified Ops access: you are in its team.", "approved")
    if held := AccessRequest.objects.filter(user=by).in_force().order_by("-expires_on").first():
        raise Conflict(
            f"You already have Classified Ops access, until {day(held.expires_on)}: ask again "
            "once it has ended.",
            status="approved",
        )
    if AccessRequest.objects.filter(user=by, status=AccessRequest.Status.PENDING).exists():
        raise Conflict("You already have a pending access request.", status="pending")
    try:
        with transaction.atomic():
            access = AccessRequest.objects.create(user=by, justification=justification)
    except IntegrityError as exc:  # a second request racing the first
        raise Conflict("You already have a pending access request.", status="pending") from exc
    record(by=by, obj=access, action="request", to_status=access.status)
    return access


def approval_days(days) -> int:
    """How long an approval runs: settings.CLASSIFIED_ACCESS_DAYS when not given, else a
    whole number of days from 1 to 365 (a number, or its digits as a form sends them)."""
    if days is None or days == "":
        return settings.CLASSIFIED_ACCESS_DAYS
    text = str(days).strip()
    digits = not isinstance(days, bool) and text.isascii() and text.isdigit() and len(text) <= 3
    if digits and 1 <= int(text) <= MOST_DAYS:
        return int(text)
    raise InvalidInput(
        {
            "days": [
                f"Give the days access lasts: a whole number from 1 to {MOST_DAYS} (“{text[:20]}” "
                f"is not one; leave it out for {settings.CLASSIFIED_ACCESS_DAYS})."
            ]
        }
    )


def check_access_request_decide(access: AccessRequest, user=None) -> Verdict:
    return status_conflict(access, access.approve, "only Pending requests can be decided")


def check_access_request_revoke(access: AccessRequest, user=None) -> Verdict:
    if access.status == AccessRequest.Status.APPROVED and not access.in_force:
        return Verdict(
            conflict=f"{name_of(access)} ended on {day(access.expires_on)}: there is no access "
            "left to revoke (the clock marks it Expired).",
            status=access.status,
        )
    return status_conflict(access, access.revoke, "only Approved access can be revoked")


def _check_expire(access: AccessRequest, user=None) -> Verdict:
    return status_conflict(access, access.expire, "only an approval past its last day expires")


def _move(actor, access_request: AccessRequest, action: str, check, **params) -> AccessRequest:
    """Lock the request, check its status, take the transition and record it as `actor`'s
    (with the reason given, and the last day of access it had or now has)."""
    access = locked(AccessRequest, access_request.pk)
    check(access).enforce()
    before = access.status
    getattr(access, action)(**params)
    ends = {"expires_on": access.expires_on.isoformat()} if access.expires_on else {}
    moved(actor, access, action, before, reason=params.get("reason", ""), detail=ends)
    # Access is read afresh on every request; a user object the caller holds is, too.
    forget(access_request.user)
    return access


@audited("approve", subject="access_request")
def access_request_approve(*, by, access_request: AccessRequest, days=None) -> AccessRequest:
    """Access for `days` days (default settings.CLASSIFIED_ACCESS_DAYS) from today."""
    require_role(access_request.approve, by, DECIDERS)
    days = approval_days(days)
    return _move(
        by,
        access_request,
        "approve",
        check_access_request_decide,
        by=by,
        at=timezone.now(),
        days=days,
    )


@audited("deny", subject="access_request")
def access_request_deny(*, by, access_request: AccessRequest, reason: str) -> AccessRequest:
    require_role(access_request.deny, by, DECIDERS)
    reason = require_text(reason, "reason", "Say why it is denied: the requester is told.")
    return _move(
        by,
        access_request,
        "deny",
        check_access_request_decide,
        by=by,
        at=timezone.now(),
        reason=reason,
    )


@audited("revoke", subject="access_request")
def access_request_revoke(*, by, access_request: AccessRequest, reason: str) -> AccessRequest:
    """Access ends now: the requester's very next request is refused."""
    require_role(access_request.revoke, by, "Only Classified Ops members revoke access.")
    reason = require_text(reason, "reason", "Say why it is revoked: the requester is told.")
    return _move(
        by,
        access_request,
        "revoke",
        check_access_request_revoke,
        by=by,
        at=timezone.now(),
        reason=reason,
    )


@audited("expire", subject="access_request")
def _access_request_expire(*, by, access_request: AccessRequest) -> AccessRequest | None:
    try:
        return _move(by, access_request, "expire", _check_expire)
    except Conflict:  # expired by another round, or revoked meanwhile: nothing is left to do
        return None


def access_requests_expire() -> dict[str, int]:
    """The clock's round (workflow/tasks.py): each approval past its last day becomes
    Expired, one audited action each by `system`; then each requester whose access ends
    within 14 days and who was not told yet is told, once per approval."""
    expired = sum(
        _access_request_expire(by=SYSTEM, access_request=access) is not None
        for access in AccessRequest.objects.past_their_end().order_by("pk")
    )
    horizon = portal_today() + dt.timedelta(days=REMINDER_DAYS)
    ending = AccessRequest.objects.in_force().filter(expires_on__lte=horizon, reminded_at=None)
    reminded = sum(_remind(pk) for pk in ending.order_by("pk").values_list("pk", flat=True))
    return {"expired": expired, "reminded": reminded}


def _remind(pk: int) -> bool:
    """Tell the requester that their access ends soon, and remember that they were told."""
    with transaction.atomic(durable=True):
        access = (
            AccessRequest.objects.select_for_update()
            .in_force()
            .filter(pk=pk, reminded_at=None)
            .first()
        )
        if access is None:  # told, revoked or expired meanwhile
            return False
        access.reminded_at = timezone.now()
        access.save(update_fields=["reminded_at"])
        outbox.send(access_expiring(access), event_key=f"access_expiring:{access.pk}")
    return True
