"""What each user may see (workflow/selectors.py): a product team member sees only their own
teams' work, the staff roles see every team's, and the Classified Ops board needs access.
What a user may not see is absent from their lists and answers 404."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from epics.models import Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    ReleaseFactory,
    StoryFactory,
    TicketFactory,
)
from workflow import selectors
from workflow.permissions import forget

pytestmark = pytest.mark.django_db

# kind -> (list selector, fetch selector)
SELECTORS = {
    "ticket": (selectors.tickets_for, selectors.ticket_for_user),
    "epic": (selectors.epics_for, selectors.epic_for_user),
    "story": (selectors.stories_for, selectors.story_open),
    "document": (selectors.documents_for, selectors.document_for_user),
    "release": (selectors.releases_for, selectors.release_for_user),
}


def work_of(epic) -> dict:
    """One of each thing a team owns."""
    ticket = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED)
    return {
        "ticket": ticket,
        "epic": epic,
        "story": StoryFactory(ticket=ticket),
        "document": DocumentFactory(epic=epic),
        "release": ReleaseFactory(epic=epic),
    }


@pytest.fixture
def alpha(epic):
    return work_of(epic)


@pytest.fixture
def bravo(outsider):
    return work_of(EpicFactory(team=outsider.teams.get(), title="Dispatch"))


@pytest.mark.parametrize("kind", list(SELECTORS))
def test_another_teams_work_is_invisible(kind, member, outsider, alpha, bravo):
    listed, fetch = SELECTORS[kind]
    assert list(listed(member)) == [alpha[kind]]
    assert list(listed(outsider)) == [bravo[kind]]
    assert fetch(member, alpha[kind].pk) == alpha[kind]
    with pytest.raises(Http404):
        fetch(outsider, alpha[kind].pk)
    with pytest.raises(Http404):
        fetch(member, bravo[kind].pk)


@pytest.mark.parametrize("kind", list(SELECTORS))
@pytest.mark.parametrize("role", ["pm", "devops", "cyber", "classified"])
def test_staff_roles_see_every_team(request, role, kind, alpha, bravo):
    user = request.getfixturevalue(role)
    listed, fetch = SELECTORS[kind]
    assert set(listed(user)) == {alpha[kind], bravo[kind]}
    assert fetch(user, bravo[kind].pk) == bravo[kind]


def test_a_member_of_two_teams_sees_both(member, alpha, bravo, outsider):
    outsider.teams.get().members.add(member)
    forget(member)
    assert set(selectors.tickets_for(member)) == {alpha["ticket"], bravo["ticket"]}
    assert set(selectors.teams_for(member).values_list("name", flat=True)) == {
        "Team Alpha",
        "Team Bravo",
    }


def test_pipelines_and_teams_follow_the_same_rule(member, outsider, pm, epic):
    ours = PipelineFactory(epic=epic)
    PipelineFactory(epic=EpicFactory(team=outsider.teams.get()))
    assert list(selectors.pipelines_for(member)) == [ours]
    assert selectors.pipelines_for(pm).count() == 2
    assert list(selectors.teams_for(member).values_list("name", flat=True)) == ["Team Alpha"]
    with pytest.raises(Http404):
        selectors.team_for_user(member, outsider.teams.get().pk)


@pytest.mark.parametrize("kind", list(SELECTORS))
def test_nothing_for_the_anonymous(kind, alpha):
    listed, fetch = SELECTORS[kind]
    assert not listed(AnonymousUser()).exists()
    with pytest.raises(Http404):
        fetch(AnonymousUser(), alpha[kind].pk)


@pytest.mark.parametrize("pk", ["abc", None, 10**9])
def test_a_malformed_or_unknown_id_is_404(pk, pm, alpha):
    with pytest.raises(Http404):
        selectors.ticket_for_user(pm, pk)


# The Classified Ops board ---------------------------------------------------------------------


@pytest.fixture
def classified_story(epic, devops):
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
    )
    StoryFactory(ticket=ticket, status=Story.Status.DONE, assignee=devops)
    return StoryFactory(ticket=ticket, board=Story.Board.CLASSIFIED_OPS)


def sees(user, story) -> bool:
    listed = story in selectors.stories_for(user)
    try:
        fetched = selectors.story_open(user, story.pk) == story
    except Http404:
        fetched = False
    assert listed == fetched
    return listed


@pytest.mark.parametrize("role", ["pm", "devops", "cyber", "member", "outsider"])
def test_a_classified_story_is_invisible_without_access(request, role, classified_story):
    assert not sees(request.getfixturevalue(role), classified_story)


@pytest.mark.parametrize("role", ["pm", "devops", "member"])
def test_an_approved_access_request_opens_the_board(request, role, classified_story):
    user = request.getfixturevalue(role)
    AccessRequestFactory(user=user, status="approved")
    assert sees(user, classified_story)


@pytest.mark.parametrize("status", ["pending", "denied"])
def test_a_pending_or_denied_request_does_not(status, devops, classified_story):
    AccessRequestFactory(user=devops, status=status)
    assert not sees(devops, classified_story)


def test_classified_ops_see_the_board_of_every_team(classified, classified_story, outsider):
    other = EpicFactory(team=outsider.teams.get())
    theirs = StoryFactory(
        ticket=TicketFactory(
            epic=other,
            request_type=RequestType.IL6_PROD_DEPLOY,
            impact_level="IL6",
            status=Ticket.Status.IN_PROGRESS,
        ),
        board=Story.Board.CLASSIFIED_OPS,
    )
    assert sees(classified, classified_story) and sees(classified, theirs)


def test_access_does_not_open_another_teams_work(outsider, classified_story):
    AccessRequestFactory(user=outsider, status="approved")
    assert not sees(outsider, classified_story)


def test_the_product_board_story_of_the_same_ticket_stays_visible(devops, classified_story):
    structure = classified_story.ticket.stories.get(board=Story.Board.PRODUCT)
    assert sees(devops, structure)
