"""Needs Info: an MDO PM asks the team a question (Submitted → Needs Info), a team member
answers (Needs Info → Submitted) once the filing gates hold again; each text is a comment;
Needs Info tickets may still be rejected or withdrawn. Every move and refusal is audited."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.reminders import remind_unanswered
from requests_app.models import Comment, Ticket
from tests.factories import TicketFactory, UserFactory
from tests.workflow.support import codes, done, refused, statuses
from workflow import services
from workflow.actions import transitions_for
from workflow.errors import Conflict, GatesUnmet, InvalidInput, NotPermitted
from workflow.models import AuditEvent
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db

T = Ticket.Status


@pytest.fixture
def ticket(epic, member):
    return TicketFactory(epic=epic, created_by=member)


@pytest.fixture
def asked(ticket, pm):
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which IL4 enclave?")
    ticket.refresh_from_db()
    return ticket


def test_ask_for_info_moves_to_needs_info_and_the_question_is_a_comment(ticket, pm, member):
    done(
        services.ticket_ask_for_info,
        action="ask_for_info",
        subject=ticket,
        by=pm,
        ticket=ticket,
        question="  Which IL4 enclave?  ",
    )
    assert ticket.status == T.NEEDS_INFO
    assert ticket.get_status_display() == "Needs Info"
    question = ticket.comments.get()
    assert (question.body, question.kind, question.internal, question.author) == (
        "Which IL4 enclave?",
        Comment.Kind.QUESTION,
        False,
        pm,
    )
    audited = AuditEvent.objects.for_object(question).get()
    assert (audited.action, audited.detail["via"]) == ("create", "ask_for_info")
    told = Notification.objects.filter(event_type="info_asked", channel="in_app")
    assert [n.recipient for n in told] == [member]
    assert "Which IL4 enclave?" in told.get().body


def test_provide_info_answers_and_goes_back_to_submitted(asked, member, pm):
    done(
        services.ticket_provide_info,
        action="provide_info",
        subject=asked,
        by=member,
        ticket=asked,
        answer="The Payments enclave.",
    )
    assert asked.status == T.SUBMITTED
    answer = asked.comments.order_by("pk").last()
    assert (answer.kind, answer.body, answer.author) == (
        Comment.Kind.ANSWER,
        "The Payments enclave.",
        member,
    )
    told = Notification.objects.filter(event_type="info_provided", channel="in_app")
    assert [n.recipient for n in told] == [pm]


@pytest.mark.parametrize("param", ["", "   ", None])
def test_a_question_and_an_answer_are_required(ticket, pm, member, param):
    error = refused(
        InvalidInput,
        services.ticket_ask_for_info,
        action="ask_for_info",
        by=pm,
        ticket=ticket,
        question=param,
    )
    assert list(error.fields) == ["question"]
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which enclave?")
    error = refused(
        InvalidInput,
        services.ticket_provide_info,
        action="provide_info",
        by=member,
        ticket=ticket,
        answer=param,
    )
    assert list(error.fields) == ["answer"]
    assert ticket.comments.count() == 1


def test_a_question_longer_than_a_comment_is_refused(ticket, pm):
    error = refused(
        InvalidInput,
        services.ticket_ask_for_info,
        action="ask_for_info",
        by=pm,
        ticket=ticket,
        question="x" * (Comment.MAX_LENGTH + 1),
    )
    assert "10,000" in error.fields["question"][0]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role", ["member", "outsider", "devops", "cyber", "classified"])
def test_only_mdo_pms_ask(request, ticket, role):
    refused(
        NotPermitted,
        services.ticket_ask_for_info,
        action="ask_for_info",
        by=request.getfixturevalue(role),
        ticket=ticket,
        question="Why?",
    )


@pytest.mark.parametrize("role", ["pm", "outsider", "devops", "cyber", "classified"])
def test_only_the_team_answers(request, asked, role):
    refused(
        NotPermitted,
        services.ticket_provide_info,
        action="provide_info",
        by=request.getfixturevalue(role),
        ticket=asked,
        answer="Because.",
    )
    assert statuses(asked) == (T.NEEDS_INFO,)


@pytest.mark.parametrize("status", [T.TRIAGED, T.REJECTED, T.WITHDRAWN, T.NEEDS_INFO])
def test_asking_is_a_conflict_outside_submitted(epic, pm, status):
    reason = "No." if status == T.REJECTED else ""
    ticket = TicketFactory(epic=epic, status=status, rejection_reason=reason)
    error = refused(
        Conflict,
        services.ticket_ask_for_info,
        action="ask_for_info",
        by=pm,
        ticket=ticket,
        question="Why?",
    )
    assert error.status == status


def test_answering_is_a_conflict_outside_needs_info(ticket, member):
    error = refused(
        Conflict,
        services.ticket_provide_info,
        action="provide_info",
        by=member,
        ticket=ticket,
        answer="Nobody asked.",
    )
    assert error.status == T.SUBMITTED


def test_the_answer_rechecks_every_filing_gate_and_changes_nothing_when_unmet(asked, member):
    team = asked.team
    team.funded = False
    team.onboarded = False
    team.save()
    comments = Comment.objects.count()
    error = refused(
        GatesUnmet,
        services.ticket_provide_info,
        action="provide_info",
        by=member,
        ticket=asked,
        answer="Here it is.",
    )
    assert codes(error) == ["team_funded", "team_onboarded"]
    assert Comment.objects.count() == comments
    assert statuses(asked) == (T.NEEDS_INFO,)
    refusal = AuditEvent.objects.filter(outcome="refused", action="provide_info").get()
    assert refusal.detail["unmet"] == ["team_funded", "team_onboarded"]
    offer = {t["name"]: t for t in transitions_for(asked, member)}["provide_info"]
    assert offer["allowed"] is False
    assert [u["code"] for u in offer["unmet"]] == ["team_funded", "team_onboarded"]


def test_a_needs_info_ticket_can_be_rejected_or_withdrawn(asked, pm, member, epic):
    done(
        services.ticket_reject,
        action="reject",
        subject=asked,
        by=pm,
        ticket=asked,
        reason="No answer in a month.",
    )
    assert asked.status == T.REJECTED
    other = TicketFactory(epic=epic, created_by=member)
    services.ticket_ask_for_info(by=pm, ticket=other, question="Still needed?")
    other.refresh_from_db()
    done(services.ticket_withdraw, action="withdraw", subject=other, by=member, ticket=other)
    assert other.status == T.WITHDRAWN


def test_the_transitions_field_offers_them_by_role(ticket, pm, member):
    assert "ask_for_info" in {t["name"] for t in transitions_for(ticket, pm)}
    assert "ask_for_info" not in {t["name"] for t in transitions_for(ticket, member)}
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which enclave?")
    ticket.refresh_from_db()
    assert {t["name"] for t in transitions_for(ticket, member)} == {"provide_info", "withdraw"}
    assert {t["name"] for t in transitions_for(ticket, pm)} == {"reject"}


def test_the_team_is_reminded_after_three_business_days_once(asked, member, pm):
    teammate = UserFactory(roles=[PRODUCT_TEAM], teams=[asked.team])
    fresh = TicketFactory(epic=asked.epic)
    services.ticket_ask_for_info(by=pm, ticket=fresh, question="And this one?")
    # Ten calendar days hold at least six working days, holidays or not; an hour, not three.
    Ticket.objects.filter(pk=asked.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=10)
    )
    Ticket.objects.filter(pk=fresh.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(hours=1)
    )
    remind_unanswered()
    reminded = Notification.objects.filter(event_type="info_reminder", channel="in_app")
    rows = Notification.objects.count()
    remind_unanswered()  # a second beat tells nobody again
    assert Notification.objects.count() == rows
    assert sorted(n.recipient_id for n in reminded) == sorted([member.pk, teammate.pk])
    assert {n.event_key.split(":")[1] for n in reminded} == {str(asked.pk)}
    assert all(n.url == f"/requests/{asked.pk}/" for n in reminded)


# Racing copies (PostgreSQL: real row locks) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_asking_and_triaging_at_once_exactly_one_wins(epic, member, pm):
    from tests.workflow.test_concurrency import fresh, outcomes, race

    other_pm = UserFactory(username="paula", roles=["mdo_pm"])
    ticket = TicketFactory(epic=epic, created_by=member)
    results = race(
        [
            lambda: services.ticket_ask_for_info(
                by=fresh(type(pm), pm.pk), ticket=fresh(Ticket, ticket.pk), question="Which?"
            ),
            lambda: services.ticket_triage(
                by=fresh(type(pm), other_pm.pk), ticket=fresh(Ticket, ticket.pk)
            ),
        ]
    )
    wins, losses = outcomes(results)
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], Conflict)
    ticket.refresh_from_db()
    asked = ticket.status == T.NEEDS_INFO
    assert ticket.status in (T.NEEDS_INFO, T.TRIAGED)
    assert Comment.objects.count() == (1 if asked else 0)
    assert ticket.stories.count() == (0 if asked else 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_answering_and_withdrawing_at_once_end_withdrawn_whichever_comes_first(epic, member, pm):
    """Withdraw starts from Needs Info and from Submitted: the answer first, then the
    withdrawal, both stand; the withdrawal first, the answer is refused. Never a lost
    update: the ticket ends Withdrawn, with the answer only if it was taken."""
    from tests.workflow.test_concurrency import fresh, outcomes, race

    teammate = UserFactory(roles=[PRODUCT_TEAM], teams=[epic.team])
    ticket = TicketFactory(epic=epic, created_by=member)
    services.ticket_ask_for_info(by=pm, ticket=ticket, question="Which?")
    results = race(
        [
            lambda: services.ticket_provide_info(
                by=fresh(type(member), member.pk), ticket=fresh(Ticket, ticket.pk), answer="East"
            ),
            lambda: services.ticket_withdraw(
                by=fresh(type(member), teammate.pk), ticket=fresh(Ticket, ticket.pk)
            ),
        ]
    )
    wins, losses = outcomes(results)
    answered = len(wins) == 2
    if not answered:
        assert len(wins) == 1 and isinstance(losses[0], Conflict)
    ticket.refresh_from_db()
    assert ticket.status == T.WITHDRAWN
    assert Comment.objects.filter(kind="answer").count() == (1 if answered else 0)
