"""The Ticket machine: which role may take which transition from which status.

Role first (403), then status (409); a refusal changes nothing and is audited once.
"""

import pytest

from epics.models import Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import AccessRequestFactory, StoryFactory, TicketFactory
from tests.workflow.support import ROLES, done, pipeline_story, refused, statuses
from workflow import services
from workflow.actions import transitions_for
from workflow.errors import Conflict, NotPermitted

pytestmark = pytest.mark.django_db

T = Ticket.Status


def ticket_in(status, *, epic, devops):
    """A pipeline ticket of `epic`'s team in `status`, with its story and epic to match."""
    if status == T.SUBMITTED:
        return TicketFactory(epic=epic)
    if status in (T.WITHDRAWN, T.NEEDS_INFO):
        return TicketFactory(epic=epic, status=status)
    story_status = {
        T.TRIAGED: Story.Status.TO_DO,
        T.IN_PROGRESS: Story.Status.IN_PROGRESS,
        T.DONE: Story.Status.DONE,
        T.REJECTED: Story.Status.CANCELLED,
    }[status]
    return pipeline_story(epic.team, story_status, devops).ticket


# Who may take each transition, and the statuses it starts from.
TICKET_RULES = {
    "triage": ("pm", {T.SUBMITTED}),
    "reject": ("pm", {T.SUBMITTED, T.NEEDS_INFO, T.TRIAGED}),
    "withdraw": ("member", {T.SUBMITTED, T.NEEDS_INFO}),
}
SERVICES = {
    "triage": (services.ticket_triage, {}),
    "reject": (services.ticket_reject, {"reason": "Out of scope for this quarter."}),
    "withdraw": (services.ticket_withdraw, {}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", T.values)
@pytest.mark.parametrize("action", list(TICKET_RULES))
def test_ticket_transitions_by_status_and_role(request, action, status, role, epic, devops):
    ticket = ticket_in(status, epic=epic, devops=devops)
    user = request.getfixturevalue(role)
    service, params = SERVICES[action]
    who, sources = TICKET_RULES[action]

    if role != who:
        refused(NotPermitted, service, action=action, by=user, ticket=ticket, **params)
    elif status not in sources:
        error = refused(Conflict, service, action=action, by=user, ticket=ticket, **params)
        assert error.status == status
    else:
        done(service, action=action, subject=ticket, by=user, ticket=ticket, **params)
        target = {"triage": T.TRIAGED, "reject": T.REJECTED, "withdraw": T.WITHDRAWN}[action]
        assert ticket.status == target


def test_triage_opens_one_product_story_linked_to_the_epic(pm, member, epic):
    ticket = TicketFactory(epic=epic, created_by=member)
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    assert (story.epic, story.board, story.status) == (
        epic,
        Story.Board.PRODUCT,
        Story.Status.TO_DO,
    )
    assert story.assignee is None
    assert statuses(ticket, epic) == (T.TRIAGED, Epic.Status.NEW)


def test_reject_from_triaged_cancels_the_story_and_puts_the_epic_back(pm, devops, team):
    story = pipeline_story(team, Story.Status.TO_DO, devops)
    ticket, epic = story.ticket, story.epic
    assert epic.status == Epic.Status.PIPELINE_IN_PROGRESS

    services.ticket_reject(by=pm, ticket=ticket, reason="Duplicate of #12.")

    assert statuses(ticket, story, epic) == (T.REJECTED, Story.Status.CANCELLED, Epic.Status.NEW)
    assert ticket.rejection_reason == "Duplicate of #12."


def test_reject_is_a_conflict_once_the_story_is_in_progress(pm, devops, team):
    story = pipeline_story(team, Story.Status.TO_DO, devops)
    services.story_pick_up(by=devops, story=story)
    ticket = story.ticket
    ticket.refresh_from_db()
    assert ticket.status == T.IN_PROGRESS

    error = refused(
        Conflict, services.ticket_reject, action="reject", by=pm, ticket=ticket, reason="Late."
    )
    assert error.status == T.IN_PROGRESS


@pytest.mark.parametrize("structure", [Story.Status.IN_PROGRESS, Story.Status.DONE])
def test_reject_is_a_conflict_for_a_triaged_ticket_whose_story_started(structure, pm, devops, team):
    """An IL6 ticket stays Triaged while its structure story is worked: no rejecting then."""
    ticket = TicketFactory(
        team=team,
        epic=pipeline_story(team, Story.Status.DONE, devops).epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=T.TRIAGED,
    )
    StoryFactory(ticket=ticket, status=structure, assignee=devops)
    error = refused(
        Conflict, services.ticket_reject, action="reject", by=pm, ticket=ticket, reason="No."
    )
    assert "whose story is still To Do" in error.detail
    assert "reject" not in [t["name"] for t in transitions_for(ticket, pm)]


def test_withdraw_by_a_member_of_two_teams_only_for_their_own(member, outsider, epic):
    ticket = TicketFactory(epic=epic, created_by=member)
    refused(NotPermitted, services.ticket_withdraw, action="withdraw", by=outsider, ticket=ticket)
    outsider.teams.add(epic.team)
    outsider_again = type(outsider).objects.get(pk=outsider.pk)  # roles and teams are cached
    services.ticket_withdraw(by=outsider_again, ticket=ticket)
    assert statuses(ticket) == (T.WITHDRAWN,)


# Opening the Classified Ops story (IL6 only) --------------------------------------------------


def il6_ticket_in(status, *, epic, devops, classified):
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=status,
        rejection_reason="No IL6 CtF." if status == T.REJECTED else "",
    )
    if status in (T.TRIAGED, T.IN_PROGRESS, T.DONE):
        StoryFactory(ticket=ticket, epic=epic, status=Story.Status.DONE, assignee=devops)
    if status in (T.IN_PROGRESS, T.DONE):
        StoryFactory(
            ticket=ticket,
            epic=epic,
            board=Story.Board.CLASSIFIED_OPS,
            status=Story.Status.DONE if status == T.DONE else Story.Status.TO_DO,
            assignee=classified if status == T.DONE else None,
        )
    return ticket


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", T.values)
def test_open_classified_story_by_status_and_role(
    request, status, role, epic, pm, devops, classified
):
    AccessRequestFactory(user=pm, status="approved")
    ticket = il6_ticket_in(status, epic=epic, devops=devops, classified=classified)
    user = request.getfixturevalue(role)
    service = services.ticket_open_classified_story
    action = "open_classified_story"

    if role != "pm":
        refused(NotPermitted, service, action=action, by=user, ticket=ticket)
    elif status != T.TRIAGED:
        refused(Conflict, service, action=action, by=user, ticket=ticket)
    else:
        done(service, action=action, subject=ticket, by=user, ticket=ticket)
        assert ticket.status == T.IN_PROGRESS
        story = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
        assert (story.status, story.epic) == (Story.Status.TO_DO, epic)


def test_open_classified_story_is_a_conflict_for_a_triaged_non_il6_ticket(pm, devops, team):
    AccessRequestFactory(user=pm, status="approved")
    ticket = pipeline_story(team, Story.Status.TO_DO, devops).ticket
    refused(
        Conflict,
        services.ticket_open_classified_story,
        action="open_classified_story",
        by=pm,
        ticket=ticket,
    )
    assert not ticket.stories.filter(board=Story.Board.CLASSIFIED_OPS).exists()
