"""The Classified Ops decision page (/boards/classified/access/) and the requester's page
(/classified-access/): approve for some days, deny or revoke with a reason, who holds access
today with its last day, and refusals answered beside the field, changing nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.boards.conftest import count_queries
from tests.factories import AccessRequestFactory, UserFactory
from tests.portal.pages import HTMX, text_of
from workflow import services
from workflow.models import AccessRequest, AuditEvent, portal_today
from workflow.permissions import DEVOPS

pytestmark = pytest.mark.django_db

A = AccessRequest.Status
PAGE = reverse("board_access_requests")


def decide(pk: int, decision: str) -> str:
    return reverse("board_access_decide", args=[pk, decision])


def words(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def snapshot(access: AccessRequest) -> tuple:
    access.refresh_from_db()
    return access.status, access.reason, access.expires_on, access.decided_by_id


def refusals(access: AccessRequest, action: str):
    return AuditEvent.objects.for_object(access).filter(action=action, outcome="refused")


@pytest.fixture
def asked(people):
    return services.access_request_create(by=people.dana, justification="On the IL6 rota.")


@pytest.fixture
def grant(people):
    return AccessRequestFactory(
        user=people.dana,
        status=A.APPROVED,
        decided_by=people.cleo,
        decided_at=dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC),
        expires_on=portal_today() + dt.timedelta(days=10),
    )


# Approve, for how long --------------------------------------------------------------------------


def test_the_approve_form_offers_the_default_days(people, as_user, asked):
    response = as_user(people.cleo).get(PAGE)
    html = response.content.decode()
    assert f'name="days" id="days-{asked.pk}"' in html and 'value="90"' in html
    assert f'id="deny-reason-{asked.pk}"' in html


def test_approving_for_some_days_shows_until_when(people, as_user, asked):
    client = as_user(people.cleo)
    response = client.post(decide(asked.pk, "approve"), {"days": "30"}, headers=HTMX)
    assert response.status_code == 200
    last_day = portal_today() + dt.timedelta(days=30)
    assert f"dana has access until the end of {words(last_day)}." in text_of(response)
    assert snapshot(asked)[::2] == (A.APPROVED, last_day)
    held = text_of(client.get(PAGE)).split("Who holds access today")[1]
    assert f"dana Until the end of {words(last_day)} · approved by cleo" in held


@pytest.mark.parametrize("days", ["0", "366", "thirty"])
def test_bad_days_are_refused_beside_the_field(people, as_user, asked, days):
    before = snapshot(asked)
    response = as_user(people.cleo).post(decide(asked.pk, "approve"), {"days": days}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="field__error" id="days-{asked.pk}-error">Give the days access lasts' in html
    assert 'aria-invalid="true"' in html
    assert snapshot(asked) == before
    assert refusals(asked, "approve").count() == 1


def test_a_refusal_without_htmx_answers_the_whole_page_with_its_status(people, as_user, asked):
    before = snapshot(asked)
    response = as_user(people.cleo).post(decide(asked.pk, "approve"), {"days": "0"})
    assert response.status_code == 400
    assert "Waiting for a decision" in text_of(response)
    assert f'id="days-{asked.pk}-error"' in response.content.decode()
    assert snapshot(asked) == before


# Deny, with a reason ----------------------------------------------------------------------------


def test_a_denial_without_a_reason_is_refused_beside_the_field(people, as_user, asked):
    before = snapshot(asked)
    response = as_user(people.cleo).post(decide(asked.pk, "deny"), {"reason": " "}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        f'<p class="field__error" id="deny-reason-{asked.pk}-error">Say why it is denied: the '
        "requester is told.</p>"
    ) in html
    assert '<details class="reject" open>' in html
    assert snapshot(asked) == before
    assert refusals(asked, "deny").count() == 1


def test_the_requester_sees_why_it_was_denied_and_may_ask_again(people, as_user, asked):
    as_user(people.cleo).post(decide(asked.pk, "deny"), {"reason": "Not on IL6 this quarter."})
    page = text_of(as_user(people.dana).get(reverse("classified_access")))
    assert "Denied by cleo" in page
    assert "Reason: Not on IL6 this quarter." in page
    assert "Ask again" in page


# Who holds access today, and revoking it ---------------------------------------------------------


def test_who_holds_access_today_lists_each_grant_with_its_last_day(people, as_user, grant):
    ended = AccessRequestFactory(
        user=people.casey, status=A.APPROVED, expires_on=portal_today() - dt.timedelta(days=1)
    )
    response = as_user(people.cleo).get(PAGE)
    held = text_of(response).split("Who holds access today")[1].split("Decided lately")[0]
    assert f"dana Until the end of {words(grant.expires_on)} · approved by cleo, 2 Nov 2026" in held
    assert "casey" not in held  # its last day is past: no access, even before the clock ran
    assert ended.status == A.APPROVED
    assert f'action="{decide(grant.pk, "revoke")}"' in response.content.decode()


def test_revoking_closes_the_board_on_their_very_next_request(people, as_user, grant):
    assert as_user(people.dana).get(reverse("board_classified")).status_code == 200
    response = as_user(people.cleo).post(
        decide(grant.pk, "revoke"), {"reason": "Left the IL6 rota."}, headers=HTMX
    )
    assert response.status_code == 200
    assert "dana's access is revoked: it has ended." in text_of(response)
    assert "Revoked by cleo" in text_of(response)
    assert as_user(people.dana).get(reverse("board_classified")).status_code == 403
    page = text_of(as_user(people.dana).get(reverse("classified_access")))
    assert "Revoked by cleo" in page and "Reason: Left the IL6 rota." in page


def test_a_revocation_without_a_reason_is_refused_beside_the_field(people, as_user, grant):
    before = snapshot(grant)
    response = as_user(people.cleo).post(decide(grant.pk, "revoke"), {"reason": ""}, headers=HTMX)
    assert response.status_code == 400
    assert (
        f'id="revoke-reason-{grant.pk}-error">Say why it is revoked: the requester is told.'
    ) in response.content.decode()
    assert snapshot(grant) == before
    assert refusals(grant, "revoke").count() == 1
    assert as_user(people.dana).get(reverse("board_classified")).status_code == 200


def test_revoking_what_is_not_approved_is_a_conflict(people, as_user, asked):
    before = snapshot(asked)
    response = as_user(people.cleo).post(
        decide(asked.pk, "revoke"), {"reason": "Why not."}, headers=HTMX
    )
    assert response.status_code == 409
    assert "only Approved access can be revoked" in text_of(response)
    assert snapshot(asked) == before
    assert refusals(asked, "revoke").count() == 1


def test_only_classified_ops_revokes(people, as_user, grant):
    before = snapshot(grant)
    response = as_user(people.pat).post(decide(grant.pk, "revoke"), {"reason": "Mine to say."})
    assert response.status_code == 403
    assert snapshot(grant) == before


def test_the_page_costs_the_same_queries_for_3_or_30_grants(people, as_user):
    def grant(n):
        for _ in range(n):
            AccessRequestFactory(
                user=UserFactory(roles=[DEVOPS]), status=A.APPROVED, decided_by=people.cleo
            )
            AccessRequestFactory(user=UserFactory(), status=A.REVOKED, decided_by=people.cleo)
            AccessRequestFactory(user=UserFactory())

    client = as_user(people.cleo)
    grant(3)
    count_queries(client, PAGE)  # the session's first request does its own bookkeeping
    few, _ = count_queries(client, PAGE)
    grant(27)
    many, response = count_queries(client, PAGE)
    assert many == few, f"{few} queries with 3 grants, {many} with 30"
    assert response.content.decode().count('id="grant-') == 30


# The requester's page ---------------------------------------------------------------------------


def test_the_requester_sees_until_when_they_hold_access(people, as_user, grant):
    page = text_of(as_user(people.dana).get(reverse("classified_access")))
    assert f"It holds until the end of {words(grant.expires_on)}, approved by cleo." in page
    assert "Request access" not in page and "Ask again" not in page


def test_an_expired_grant_says_when_it_ended_and_offers_to_ask_again(people, as_user):
    last_day = portal_today() - dt.timedelta(days=3)
    AccessRequestFactory(user=people.dana, status=A.EXPIRED, expires_on=last_day)
    page = text_of(as_user(people.dana).get(reverse("classified_access")))
    assert f"Expired · ended with {words(last_day)}" in page
    assert "Ask again" in page
    response = as_user(people.dana).post(
        reverse("classified_access"), {"justification": "Back on the rota."}
    )
    assert response.status_code == 302
    assert people.dana.access_requests.filter(status=A.PENDING).exists()


def test_asking_while_pending_is_refused_with_its_status(people, as_user, asked):
    response = as_user(people.dana).post(reverse("classified_access"), {"justification": "Again"})
    assert response.status_code == 409
    assert "You already have a pending access request." in text_of(response)
    assert people.dana.access_requests.count() == 1
