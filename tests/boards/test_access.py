"""Who gets which board: product team members none of the PM boards, DevOps engineers no
triage, the Classified Ops board only with access (every attempt, granted or refused, in the
audit trail)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from epics.models import Story
from tests.factories import AccessRequestFactory
from tests.portal.pages import HTMX, text_of
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def board_opens(user, outcome):
    return AuditEvent.objects.filter(
        actor=user,
        action="open_board",
        outcome=outcome,
        content_type=ContentType.objects.get_for_model(Story),
        object_id__isnull=True,
    )


@pytest.mark.parametrize(
    "name,args",
    [
        ("board_triage", []),
        ("board_epics", []),
        ("board_epics_live", []),
        ("board_epic_column", ["new"]),
        ("board_my_work", []),
        ("board_access_requests", []),
    ],
)
def test_a_product_team_member_gets_none_of_the_pm_boards(people, as_user, name, args):
    response = as_user(people.alice).get(reverse(name, args=args))
    assert response.status_code == 403
    page = text_of(response)
    assert "is not for your role" in page
    assert "Logistics Tracker" not in page  # nothing of the board leaks
    assert "Back to your home page · Team Alpha requests" in page


def test_a_product_team_member_cannot_open_or_move_a_card(people, as_user):
    client = as_user(people.alice)
    assert client.get(reverse("board_epic_card", args=[people.logistics.pk])).status_code == 403
    response = client.post(
        reverse("board_epic_move", args=[people.logistics.pk]),
        {"from": "new", "to": "pipeline_in_progress"},
        headers=HTMX,
    )
    assert response.status_code == 403
    people.logistics.refresh_from_db()
    assert people.logistics.status == "new"


def test_a_devops_engineer_sees_the_epic_board_and_my_work_but_not_triage(people, as_user):
    client = as_user(people.dana)
    assert client.get(reverse("board_epics")).status_code == 200
    assert client.get(reverse("board_my_work")).status_code == 200
    response = client.get(reverse("board_triage"))
    assert response.status_code == 403
    page = text_of(response)
    assert "The triage queue is not for your role" in page
    assert "The triage queue is for MDO PMs, who triage or reject every request." in page


def test_cyber_sees_the_epic_board_but_has_no_work_queue(people, as_user):
    client = as_user(people.casey)
    assert client.get(reverse("board_epics")).status_code == 200
    response = client.get(reverse("board_my_work"))
    assert response.status_code == 403
    assert "My work is for DevOps and Classified Ops engineers" in text_of(response)
    assert client.get(reverse("board_triage")).status_code == 403


def test_a_devops_engineer_without_access_gets_no_classified_board_and_it_is_audited(
    people, as_user
):
    client = as_user(people.dana)
    response = client.get(reverse("board_classified"))
    assert response.status_code == 403
    page = text_of(response)
    assert "The Classified Ops board needs access" in page
    assert "To Do" not in page and "In Progress" not in page
    request_link = reverse("classified_access") + "?next=%2Fboards%2Fclassified%2F"
    assert f'href="{request_link}"' in response.content.decode()
    refused = board_opens(people.dana, AuditEvent.Outcome.REFUSED).get()
    assert refused.reason == "No Classified Ops access."
    assert refused.detail == {"board": "classified_ops"}


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("board_classified_live", [], "get"),
        ("board_classified_column", ["to_do"], "get"),
        ("board_story_move", [1], "post"),
        ("board_open_classified", [1], "post"),
    ],
)
def test_every_classified_endpoint_refuses_without_access_and_audits(
    people, as_user, name, args, method
):
    client = as_user(people.dana)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 403
    assert board_opens(people.dana, AuditEvent.Outcome.REFUSED).count() == 1


def test_a_pending_request_is_shown_instead_of_asking_again(people, as_user):
    AccessRequestFactory(user=people.dana)
    page = text_of(as_user(people.dana).get(reverse("board_classified")))
    assert "You asked for access on" in page
    assert "Request access" not in page


def test_classified_ops_opens_the_board_and_it_is_audited(people, as_user):
    response = as_user(people.cleo).get(reverse("board_classified"))
    assert response.status_code == 200
    page = text_of(response)
    for label in ("To Do", "In Progress", "Done"):
        assert label in page
    assert board_opens(people.cleo, AuditEvent.Outcome.DONE).count() == 1


def test_an_approved_request_opens_the_board(people, as_user):
    AccessRequestFactory(user=people.dana, status="approved")
    assert as_user(people.dana).get(reverse("board_classified")).status_code == 200
    assert board_opens(people.dana, AuditEvent.Outcome.DONE).count() == 1


def test_only_classified_ops_decides_access(people, as_user):
    for user in (people.pat, people.dana):
        response = as_user(user).get(reverse("board_access_requests"))
        assert response.status_code == 403
    assert as_user(people.cleo).get(reverse("board_access_requests")).status_code == 200


def test_the_boards_start_where_each_role_works(people, as_user):
    assert as_user(people.pat).get(reverse("boards")).url == reverse("board_triage")
    assert as_user(people.dana).get(reverse("boards")).url == reverse("board_my_work")
    assert as_user(people.casey).get(reverse("boards")).url == reverse("board_epics")


def test_the_navigation_offers_each_role_its_boards(people, rf):
    from portal.pages import nav_entries

    def labels(user):
        return [entry["label"] for entry in nav_entries(user)]

    assert labels(people.alice) == []
    assert labels(people.pat) == ["Triage", "Epic board", "Classified Ops", "Documents"]
    assert labels(people.dana) == ["Epic board", "My work", "Classified Ops"]
    assert labels(people.cleo) == ["Epic board", "My work", "Classified Ops", "Access requests"]
    assert labels(people.casey) == ["Epic board", "Classified Ops", "Documents"]
