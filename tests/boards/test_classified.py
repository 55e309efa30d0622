"""The Classified Ops board: IL6 Production Deploy stories, opened by an MDO PM once the
structure is prepared, worked by Classified Ops; access asked for and decided."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from epics.models import Story
from tests.boards.conftest import story_of, triaged
from tests.factories import AccessRequestFactory
from tests.portal.pages import HTMX, is_fragment, text_of
from workflow import services
from workflow.models import AccessRequest, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def il6(people):
    """An IL6 request triaged and its structure prepared by dana; pat holds access."""
    ticket = triaged(people, people.payments, "il6_prod_deploy", "IL6")
    prep = story_of(ticket)
    services.story_pick_up(by=people.dana, story=prep)
    services.story_complete(by=people.dana, story=prep)
    AccessRequestFactory(user=people.pat, status="approved")
    return ticket


def opened(people, ticket) -> Story:
    services.ticket_open_classified_story(by=people.pat, ticket=ticket)
    return story_of(ticket, Story.Board.CLASSIFIED_OPS)


def card_titles(response, status) -> list[str]:
    html = response.content.decode()
    match = re.search(rf'id="col-{status}".*?</section>', html, re.S)
    return re.findall(r'<li class="tile"[^>]*><a href="[^"]+">([^<]+)</a>', match.group(0))


def test_the_pm_opens_the_classified_story_from_the_board(people, as_user, il6):
    client = as_user(people.pat)
    board = client.get(reverse("board_classified"))
    waiting = text_of(board)
    assert "IL6 requests waiting for their Classified Ops story" in waiting
    assert "Met: The structure for this IL6 deploy is prepared" in waiting
    response = client.post(reverse("board_open_classified", args=[il6.pk]), headers=HTMX)
    assert response.status_code == 200
    assert is_fragment(response)
    assert "is with Classified Ops: its Production Deploy story is To Do" in text_of(response)
    assert 'hx-swap-oob="beforeend:#cards-to_do"' in response.content.decode()
    il6.refresh_from_db()
    assert il6.status == "in_progress"
    assert card_titles(client.get(reverse("board_classified")), "to_do") == [
        "Production Deploy (IL6): Payments Service"
    ]


def test_the_story_cannot_open_before_the_structure_is_prepared(people, as_user):
    ticket = triaged(people, people.payments, "il6_prod_deploy", "IL6")
    AccessRequestFactory(user=people.pat, status="approved")
    client = as_user(people.pat)
    waiting = text_of(client.get(reverse("board_classified")))
    assert "Not met: The structure for this IL6 deploy is not prepared yet" in waiting
    response = client.post(reverse("board_open_classified", args=[ticket.pk]), headers=HTMX)
    assert response.status_code == 422
    assert "a DevOps engineer must complete its product-board story first" in text_of(response)


def test_cleo_picks_up_and_completes_by_dragging(people, as_user, il6):
    story = opened(people, il6)
    client = as_user(people.cleo)
    url = reverse("board_story_move", args=[story.pk])
    picked = client.post(url, {"from": "to_do", "to": "in_progress"}, headers=HTMX)
    assert picked.status_code == 200
    assert f'id="story-{story.pk}" data-status="in_progress"' in picked.content.decode()
    done = client.post(url, {"from": "in_progress", "to": "done"}, headers=HTMX)
    assert f'id="story-{story.pk}" data-status="done"' in done.content.decode()
    il6.refresh_from_db()
    assert il6.status == "done"


def test_a_pm_dragging_a_classified_story_is_asked_which_classified_engineer(people, as_user, il6):
    story = opened(people, il6)
    client = as_user(people.pat)
    url = reverse("board_story_move", args=[story.pk])
    asked = client.post(url, {"from": "to_do", "to": "in_progress"}, headers=HTMX)
    html = asked.content.decode()
    assert f'<option value="{people.cleo.pk}">cleo' in html
    assert f'<option value="{people.dana.pk}">' not in html
    assigned = client.post(
        url, {"from": "to_do", "to": "in_progress", "assignee": people.cleo.pk}, headers=HTMX
    )
    assert assigned.status_code == 200
    story.refresh_from_db()
    assert story.assignee == people.cleo


def test_a_story_skipping_in_progress_snaps_back(people, as_user, il6):
    story = opened(people, il6)
    response = as_user(people.cleo).post(
        reverse("board_story_move", args=[story.pk]), {"from": "to_do", "to": "done"}, headers=HTMX
    )
    assert response.status_code == 409
    assert f'id="story-{story.pk}" data-status="to_do"' in response.content.decode()
    assert "From To Do it moves to In Progress." in text_of(response)


def test_opening_a_story_card_is_audited_granted_or_refused(people, as_user, il6):
    story = opened(people, il6)
    story_type = ContentType.objects.get_for_model(Story)
    opens = AuditEvent.objects.filter(content_type=story_type, object_id=story.pk, action="open")
    panel = as_user(people.cleo).get(reverse("board_story_card", args=[story.pk]), headers=HTMX)
    assert panel.status_code == 200
    assert "Pick up: move to In Progress" in text_of(panel)
    assert opens.filter(actor=people.cleo, outcome="done").count() == 1
    refused = as_user(people.dana).get(reverse("board_story_card", args=[story.pk]))
    assert refused.status_code == 403
    assert opens.filter(actor=people.dana, outcome="refused").count() == 1


def test_classified_ops_approves_and_denies_access(people, as_user):
    asked = services.access_request_create(by=people.dana, justification="Helping on IL6")
    client = as_user(people.cleo)
    page = text_of(client.get(reverse("board_access_requests")))
    assert "dana" in page and "Helping on IL6" in page
    response = client.post(reverse("board_access_decide", args=[asked.pk, "approve"]), headers=HTMX)
    assert response.status_code == 200
    # The answer is the page's sections again: dana now holds access.
    assert "approved by cleo" in text_of(response).split("Who holds access today")[1]
    asked.refresh_from_db()
    assert asked.status == AccessRequest.Status.APPROVED
    assert as_user(people.dana).get(reverse("board_classified")).status_code == 200

    other = services.access_request_create(by=people.casey, justification="Curious")
    client = as_user(people.cleo)
    client.post(
        reverse("board_access_decide", args=[other.pk, "deny"]),
        {"reason": "Cyber works no IL6 story."},
        headers=HTMX,
    )
    other.refresh_from_db()
    assert (other.status, other.reason) == (
        AccessRequest.Status.DENIED,
        "Cyber works no IL6 story.",
    )


def test_nobody_decides_their_own_request(people, as_user):
    from tests.factories import UserFactory
    from workflow.permissions import CLASSIFIED_OPS

    newcomer = UserFactory(username="cora", roles=[CLASSIFIED_OPS])
    own = AccessRequestFactory(user=newcomer)
    response = as_user(newcomer).post(
        reverse("board_access_decide", args=[own.pk, "approve"]), headers=HTMX
    )
    assert response.status_code == 403
    assert "not their own" in text_of(response)
    own.refresh_from_db()
    assert own.status == "pending"


def test_the_board_refreshes_only_when_something_changed(people, as_user, il6):
    client = as_user(people.cleo)
    etag = client.get(reverse("board_classified"))["ETag"]
    live = reverse("board_classified_live")
    assert client.get(live, headers={**HTMX, "If-None-Match": etag}).status_code == 304
    opened(people, il6)
    changed = client.get(live, headers={**HTMX, "If-None-Match": etag})
    assert changed.status_code == 200
    assert card_titles(changed, "to_do") == ["Production Deploy (IL6): Payments Service"]
