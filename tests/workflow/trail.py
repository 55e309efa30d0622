"""What the audit trail's reading tests share (tests/workflow/test_audit_query.py,
tests/api/test_audit_events.py, tests/portal/test_audit_page.py): events written by the
trail's own writer (workflow.audit.record) at the moment a test names, and a small trail
with something of every kind to filter on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest import mock

from django.contrib.auth import get_user_model

from tests.factories import DocumentFactory, EpicFactory, TeamFactory, TicketFactory, UserFactory
from workflow.audit import SYSTEM, record
from workflow.models import AccessRequest
from workflow.permissions import AUDITOR, MDO_PM, PRODUCT_TEAM

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def event(by, obj, action: str, at: dt.datetime, **kwargs):
    """One event as record() writes it, at `at` (the clock it reads is moved there)."""
    with mock.patch("django.utils.timezone.now", lambda: at):
        return record(by=by, obj=obj, action=action, **kwargs)


def small_trail() -> SimpleNamespace:
    """Eight events over three days (T0 to T0 + 2 days), ids in time order:

    0 alice files ticket 1           T0              done
    1 pat triages ticket 1           T0 + 1 h        done (submitted → triaged)
    2 alice withdraws ticket 1       T0 + 2 h        refused
    3 pat creates the epic           T0 + 1 d        done
    4 alice uploads a document       T0 + 1 d 1 h    done
    5 the system (no one) sign_in    T0 + 1 d 2 h    refused, about the user "ghost"
    6 bob withdraws ticket 2         T0 + 2 d        refused
    7 "system" reminds on the doc    T0 + 2 d 1 h    done
    """
    alpha = TeamFactory(name="Team Alpha")
    alice = UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[alpha])
    bob = UserFactory(username="bob", roles=[PRODUCT_TEAM])
    pat = UserFactory(username="pat", roles=[MDO_PM])
    avery = UserFactory(username="avery", roles=[AUDITOR])
    epic = EpicFactory(team=alpha, title="Payments")
    ticket = TicketFactory(epic=epic, created_by=alice, title="Pipeline for payments")
    other = TicketFactory(epic=epic, created_by=alice, title="Another")
    document = DocumentFactory(epic=epic, uploaded_by=alice)
    ghost = get_user_model()(username="ghost")
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    events = [
        event(alice, ticket, "file", T0, to_status="submitted"),
        event(pat, ticket, "triage", T0 + hour, from_status="submitted", to_status="triaged"),
        event(alice, ticket, "withdraw", T0 + 2 * hour, refused=True, reason="Triaged already."),
        event(pat, epic, "create", T0 + day, to_status="new"),
        event(alice, document, "upload", T0 + day + hour, to_status="uploaded"),
        event(None, ghost, "sign_in", T0 + day + 2 * hour, refused=True, model=type(ghost)),
        event(bob, other, "withdraw", T0 + 2 * day, refused=True, reason="=HYPERLINK(1)"),
        event(SYSTEM, document, "renewal_due", T0 + 2 * day + hour, reason="- due"),
    ]
    return SimpleNamespace(
        alice=alice,
        bob=bob,
        pat=pat,
        avery=avery,
        epic=epic,
        ticket=ticket,
        document=document,
        events=events,
        ids=[e.pk for e in events],
    )


def access_request_event(user, at):
    access = AccessRequest.objects.create(user=user, justification="IL6 on call.")
    return event(user, access, "request", at, to_status="pending")
