"""/api/v1/access-requests/: `reason` and `expires_on` shown; `approve` takes `days`
(default 90), `deny` and `revoke` take a `reason`; refusals answer 400/403/409 in the API's
error shape, change nothing and are audited."""

import datetime as dt

import pytest

from tests.api.helpers import rows, snapshot, transition, url
from tests.factories import AccessRequestFactory, StoryFactory, TicketFactory
from workflow.models import AccessRequest, AuditEvent, portal_today

pytestmark = pytest.mark.django_db

A = AccessRequest.Status


@pytest.fixture
def asked(member):
    return AccessRequestFactory(user=member, justification="IL6 deploys")


@pytest.fixture
def grant(member, classified):
    return AccessRequestFactory(
        user=member,
        status=A.APPROVED,
        decided_by=classified,
        expires_on=portal_today() + dt.timedelta(days=20),
    )


def refused(client, access, name, body=None):
    """POST the transition; check it changed nothing and its refusal is audited."""
    before, before_rows = snapshot(access), rows()
    before_refusals = AuditEvent.objects.filter(outcome="refused").count()
    response = client.post(transition("access-requests", access.pk, name), body, format="json")
    assert snapshot(access) == before and rows() == before_rows
    assert AuditEvent.objects.filter(outcome="refused").count() == before_refusals + 1
    if response.status_code != 404:  # a 404 is audited as what was asked of the API
        last = AuditEvent.objects.filter(outcome="refused").latest("pk")
        assert (last.action, last.reason) == (name, response.json()["detail"])
    return response


def test_approve_for_days_answers_with_until_when(api, asked, classified):
    response = api(classified).post(
        transition("access-requests", asked.pk, "approve"), {"days": 14}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_display"], body["decided_by"]) == (
        "approved",
        "Approved",
        "cleo",
    )
    assert body["expires_on"] == (portal_today() + dt.timedelta(days=14)).isoformat()
    assert body["reason"] == ""
    assert [t["name"] for t in body["transitions"]] == ["revoke"]


def test_approve_without_days_lasts_90(api, asked, classified):
    response = api(classified).post(transition("access-requests", asked.pk, "approve"))
    assert response.status_code == 200
    assert response.json()["expires_on"] == (portal_today() + dt.timedelta(days=90)).isoformat()


@pytest.mark.parametrize("days", [0, 366, "abc", 7.5, True, [30], None])
def test_bad_days_are_a_field_error(api, asked, classified, days):
    if days is None:  # null is "not given": the default
        response = api(classified).post(
            transition("access-requests", asked.pk, "approve"), {"days": None}, format="json"
        )
        assert response.status_code == 200
        return
    response = refused(api(classified), asked, "approve", {"days": days})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields need fixing."
    assert body["days"][0].startswith("Give the days access lasts: a whole number from 1 to 365")


def test_deny_needs_a_reason_and_the_reason_is_shown(api, asked, classified, member):
    missing = refused(api(classified), asked, "deny", {"reason": "  "})
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["Say why it is denied: the requester is told."]

    denied = api(classified).post(
        transition("access-requests", asked.pk, "deny"), {"reason": "No IL6 work."}, format="json"
    )
    assert denied.status_code == 200
    assert (denied.json()["status"], denied.json()["reason"]) == ("denied", "No IL6 work.")
    mine = api(member).get(url("access-requests", asked.pk)).json()
    assert (mine["status_display"], mine["reason"], mine["expires_on"]) == (
        "Denied",
        "No IL6 work.",
        None,
    )


def test_revoke_by_role_status_and_reason(api, grant, asked, classified, member, pm):
    by_pm = refused(api(pm), grant, "revoke", {"reason": "Mine to say."})
    assert by_pm.status_code == 404  # an MDO PM does not see someone else's request
    by_member = refused(api(member), grant, "revoke", {"reason": "Done with it."})
    assert by_member.status_code == 403
    assert by_member.json() == {"detail": "Only Classified Ops members revoke access."}

    pending = refused(api(classified), asked, "revoke", {"reason": "Why not."})
    assert pending.status_code == 409
    assert pending.json()["status"] == "pending"
    assert "only Approved access can be revoked" in pending.json()["detail"]

    no_reason = refused(api(classified), grant, "revoke", {})
    assert no_reason.status_code == 400
    assert no_reason.json()["reason"] == ["Say why it is revoked: the requester is told."]

    revoked = api(classified).post(
        transition("access-requests", grant.pk, "revoke"), {"reason": "Left."}, format="json"
    )
    assert revoked.status_code == 200
    body = revoked.json()
    assert (body["status"], body["status_display"], body["reason"]) == (
        "revoked",
        "Revoked",
        "Left.",
    )
    assert body["expires_on"] == grant.expires_on.isoformat()
    assert body["transitions"] == []
    again = refused(api(classified), grant, "revoke", {"reason": "Twice."})
    assert again.status_code == 409 and again.json()["status"] == "revoked"


def test_a_revoked_holder_loses_the_stories_on_their_next_call(api, devops, classified):
    ticket = TicketFactory(request_type="il6_prod_deploy", impact_level="IL6", status="in_progress")
    story = StoryFactory(ticket=ticket, board="classified_ops")
    grant = AccessRequestFactory(user=devops, status=A.APPROVED)
    engineer = api(devops)
    assert engineer.get(url("stories", story.pk)).status_code == 200

    api(classified).post(
        transition("access-requests", grant.pk, "revoke"), {"reason": "Left."}, format="json"
    )

    assert engineer.get(url("stories", story.pk)).status_code == 404
    assert engineer.get(url("stories"), {"board": "classified_ops"}).json()["count"] == 0


def test_transitions_name_revoke_for_classified_ops_only(api, grant, classified, member):
    offered = api(classified).get(url("access-requests", grant.pk)).json()["transitions"]
    assert [t["name"] for t in offered] == ["revoke"]
    assert api(member).get(url("access-requests", grant.pk)).json()["transitions"] == []
