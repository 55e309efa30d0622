"""Classified Ops access requests: anyone asks with a justification; a Classified Ops member
(never the requester) approves or denies a Pending one; approval opens the board."""

import pytest

from tests.factories import AccessRequestFactory, UserFactory
from tests.workflow.support import ROLES, done, refused
from workflow import selectors, services
from workflow.errors import Conflict, InvalidInput, NotPermitted
from workflow.models import AccessRequest
from workflow.permissions import DEVOPS, has_classified_access

pytestmark = pytest.mark.django_db

A = AccessRequest.Status
SERVICES = {"approve": services.access_request_approve, "deny": services.access_request_deny}


@pytest.fixture
def requester(db):
    return UserFactory(username="riley", roles=[DEVOPS])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", A.values)
@pytest.mark.parametrize("action", list(SERVICES))
def test_decide_by_status_and_role(request, action, status, role, requester):
    access = AccessRequestFactory(user=requester, status=status)
    user = request.getfixturevalue(role)
    service = SERVICES[action]

    if role != "classified":
        refused(NotPermitted, service, action=action, by=user, access_request=access)
    elif status != A.PENDING:
        error = refused(Conflict, service, action=action, by=user, access_request=access)
        assert error.status == status
    else:
        done(service, action=action, subject=access, by=user, access_request=access)
        assert access.status == {"approve": A.APPROVED, "deny": A.DENIED}[action]
        assert access.decided_by == user and access.decided_at is not None


@pytest.mark.parametrize("action", list(SERVICES))
def test_a_classified_ops_member_may_not_decide_their_own_request(action, classified):
    access = AccessRequestFactory(user=classified)
    refused(NotPermitted, SERVICES[action], action=action, by=classified, access_request=access)


def test_request_then_approval_opens_the_board(requester, classified):
    access = services.access_request_create(by=requester, justification="On call for IL6.")
    assert (access.status, access.user) == (A.PENDING, requester)
    assert not has_classified_access(UserFactory(username="riley"))

    services.access_request_approve(by=classified, access_request=access)
    assert has_classified_access(UserFactory(username="riley"))
    assert list(selectors.access_requests_for(requester)) == [access]


def test_denial_keeps_the_board_closed(requester, classified):
    access = services.access_request_create(by=requester, justification="Curious.")
    services.access_request_deny(by=classified, access_request=access)
    assert not has_classified_access(UserFactory(username="riley"))
    # A denied requester may ask again.
    again = services.access_request_create(by=requester, justification="Now on the IL6 rota.")
    assert again.status == A.PENDING


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


def test_asking_while_holding_access_is_a_conflict(requester, classified):
    AccessRequestFactory(user=requester, status=A.APPROVED)
    refused(
        Conflict, services.access_request_create, action="request", by=requester, justification="x"
    )
    refused(
        Conflict, services.access_request_create, action="request", by=classified, justification="x"
    )


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
