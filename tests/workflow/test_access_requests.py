"""Classified Ops access requests: anyone asks with a justification; a Classified Ops member
(never the requester) approves a Pending one for some days or denies it with a reason; any
Classified Ops member revokes an approval with a reason; approval opens the board."""

import pytest

from tests.factories import AccessRequestFactory, UserFactory
from tests.workflow.support import ROLES, done, refused
from workflow import selectors, services
from workflow.errors import Conflict, InvalidInput, NotPermitted
from workflow.models import AccessRequest
from workflow.permissions import DEVOPS, has_classified_access

pytestmark = pytest.mark.django_db

A = AccessRequest.Status
# Each transition, its service, what it takes, the status it starts from and leads to.
TRANSITIONS = {
    "approve": (services.access_request_approve, {}, A.PENDING, A.APPROVED),
    "deny": (services.access_request_deny, {"reason": "Not on the rota."}, A.PENDING, A.DENIED),
    "revoke": (services.access_request_revoke, {"reason": "Left IL6."}, A.APPROVED, A.REVOKED),
}


@pytest.fixture
def requester(db):
    return UserFactory(username="riley", roles=[DEVOPS])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", A.values)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_by_status_and_role(request, action, status, role, requester):
    service, params, source, target = TRANSITIONS[action]
    access = AccessRequestFactory(user=requester, status=status)
    user = request.getfixturevalue(role)
    call = {"by": user, "access_request": access, **params}

    if role != "classified":
        error = refused(NotPermitted, service, action=action, **call)
        assert "Only Classified Ops members" in error.detail
    elif status != source:
        error = refused(Conflict, service, action=action, **call)
        assert error.status == status
        assert f"is {A(status).label}" in error.detail
    else:
        done(service, action=action, subject=access, **call)
        assert access.status == target
        assert access.decided_by == user and access.decided_at is not None
        assert access.reason == params.get("reason", "")


@pytest.mark.parametrize("action", ["approve", "deny"])
def test_a_classified_ops_member_may_not_decide_their_own_request(action, classified):
    service, params, _, _ = TRANSITIONS[action]
    access = AccessRequestFactory(user=classified)
    error = refused(
        NotPermitted, service, action=action, by=classified, access_request=access, **params
    )
    assert error.detail == "Only Classified Ops members decide access requests, and not their own."


def test_a_classified_ops_member_may_revoke_their_own_grant(classified):
    """Giving a grant up is never a risk, and the role keeps the board open for them."""
    access = AccessRequestFactory(user=classified, status=A.APPROVED)
    services.access_request_revoke(by=classified, access_request=access, reason="In the team now.")
    access.refresh_from_db()
    assert access.status == A.REVOKED
    assert has_classified_access(classified)


def test_request_then_approval_opens_the_board(requester, classified):
    access = services.access_request_create(by=requester, justification="On call for IL6.")
    assert (access.status, access.user) == (A.PENDING, requester)
    assert not has_classified_access(UserFactory(username="riley"))

    services.access_request_approve(by=classified, access_request=access)
    assert has_classified_access(UserFactory(username="riley"))
    assert list(selectors.access_requests_for(requester)) == [access]


def test_denial_keeps_the_board_closed_and_the_requester_may_ask_again(requester, classified):
    access = services.access_request_create(by=requester, justification="Curious.")
    services.access_request_deny(by=classified, access_request=access, reason="Not on IL6.")
    assert not has_classified_access(UserFactory(username="riley"))
    again = services.access_request_create(by=requester, justification="Now on the IL6 rota.")
    assert again.status == A.PENDING


@pytest.mark.parametrize("status", [A.EXPIRED, A.REVOKED])
def test_after_an_expiry_or_a_revocation_the_requester_may_ask_again(requester, status):
    AccessRequestFactory(user=requester, status=status, reason="Rota ended.")
    assert services.access_request_create(by=requester, justification="Back on call.").pk


def test_asking_twice_while_pending_is_a_conflict(requester):
    services.access_request_create(by=requester, justification="On call for IL6.")
    error = refused(
        Conflict,
        services.access_request_create,
        action="request",
        by=requester,
        justification="Please.",
    )
    assert error.status == A.PENDING
    assert AccessRequest.objects.filter(user=requester).count() == 1


def test_asking_while_holding_access_is_a_conflict_that_names_its_end(requester, classified):
    held = AccessRequestFactory(user=requester, status=A.APPROVED)
    error = refused(
        Conflict, services.access_request_create, action="request", by=requester, justification="x"
    )
    assert error.detail.startswith(
        f"You already have Classified Ops access, until {held.expires_on:%-d %b %Y}"
    )
    error = refused(
        Conflict, services.access_request_create, action="request", by=classified, justification="x"
    )
    assert "you are in its team" in error.detail


@pytest.mark.parametrize("justification", ["", "   ", None])
def test_a_request_needs_a_justification(requester, justification):
    error = refused(
        InvalidInput,
        services.access_request_create,
        action="request",
        by=requester,
        justification=justification,
    )
    assert list(error.fields) == ["justification"]


def test_access_requests_are_seen_by_the_requester_and_classified_ops(requester, classified, pm):
    mine = AccessRequestFactory(user=requester)
    others = AccessRequestFactory(user=UserFactory(username="quinn"))
    assert set(selectors.access_requests_for(classified)) == {mine, others}
    assert list(selectors.access_requests_for(requester)) == [mine]
    assert list(selectors.access_requests_for(pm)) == []
    with pytest.raises(selectors.Http404):
        selectors.access_request_for_user(requester, others.pk)
