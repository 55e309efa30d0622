"""Classified Ops access: anyone signed in requests it; a Classified Ops member decides."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from workflow.audit import record
from workflow.errors import Conflict
from workflow.models import AccessRequest
from workflow.permissions import CLASSIFIED_OPS, forget, has_role
from workflow.services.runner import (
    Verdict,
    audited,
    locked,
    moved,
    require_role,
    require_text,
    status_conflict,
)


@audited("request", model=AccessRequest)
def access_request_create(*, by, justification: str) -> AccessRequest:
    justification = require_text(
        justification, "justification", "Say why you need Classified Ops access."
    )
    if has_role(by, CLASSIFIED_OPS) or AccessRequest.objects.filter(user=by).in_force().exists():
        raise Conflict("You already have Classified Ops access.", status="approved")
    if AccessRequest.objects.filter(user=by, status=AccessRequest.Status.PENDING).exists():
        raise Conflict("You already have a pending access request.", status="pending")
    try:
        with transaction.atomic():
            access = AccessRequest.objects.create(user=by, justification=justification)
    except IntegrityError as exc:  # a second request racing the first
        raise Conflict("You already have a pending access request.", status="pending") from exc
    record(by=by, obj=access, action="request", to_status=access.status)
    return access


def check_access_request_decide(access: AccessRequest, user=None) -> Verdict:
    return status_conflict(access, access.approve, "only Pending requests can be decided")


def _decide(by, access: AccessRequest, action: str) -> AccessRequest:
    require_role(
        getattr(access, action),
        by,
        "Only Classified Ops members decide access requests, and not their own.",
    )
    access = locked(AccessRequest, access.pk)
    check_access_request_decide(access).enforce()
    before = access.status
    getattr(access, action)(by=by, at=timezone.now())
    moved(by, access, action, before)
    forget(access.user)
    return access


@audited("approve", subject="access_request")
def access_request_approve(*, by, access_request: AccessRequest) -> AccessRequest:
    return _decide(by, access_request, "approve")


@audited("deny", subject="access_request")
def access_request_deny(*, by, access_request: AccessRequest) -> AccessRequest:
    return _decide(by, access_request, "deny")
