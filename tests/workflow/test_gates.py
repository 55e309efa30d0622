"""Each gate refuses with its code and the sentence a person reads, through the service that
checks it; a refused action names every unmet gate at once."""

import datetime as dt

import pytest
from django.utils import timezone

from epics.models import Document, Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    StoryFactory,
    TeamFactory,
    TicketFactory,
)
from tests.workflow.support import audit_mark, events_since, pipeline_story, refused
from workflow import gates, services
from workflow.errors import GatesUnmet

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def unmet(error) -> list[tuple[str, str]]:
    return [(check.code, check.message) for check in error.unmet]


def refused_filing(member, team, **kwargs):
    error = refused(GatesUnmet, services.ticket_file, action="file", by=member, team=team, **kwargs)
    # The refusal says every sentence, and the audit trail keeps every code.
    assert all(check.message in error.detail for check in error.unmet)
    assert not Ticket.objects.exists()
    return error


FUNDED = ("team_funded", "Team Alpha is not funded: ask your MDO PM to record the team's funding.")
ONBOARDED = (
    "team_onboarded",
    "Team Alpha is not onboarded to Party Bus: finish onboarding with your MDO PM first.",
)
HAS_EPIC = (
    "team_has_epic",
    "Team Alpha has no epic on the Product Team Epic Board: ask your MDO PM to create one.",
)
CTF_IL4 = (
    "signed_ctf_letter",
    "Upload a signed CtF letter covering IL4 to epic “Payments” and have it verified: none "
    "that is verified and less than a year old covers it.",
)
CTF_IL6 = (
    "ctf_approves_il6",
    "Upload a signed CtF letter approving IL6 to epic “Payments” and have it verified: none "
    "that is verified and unexpired approves IL6.",
)
CISSO = (
    "signed_cisso_document",
    "Upload the signed CISSO document to epic “Payments” and have it verified.",
)
IL245_PIPELINE = (
    "has_il245_pipeline",
    "Team Alpha has no completed IL2, IL4 or IL5 pipeline: request one and see it completed "
    "before an IL6 deploy.",
)
STRUCTURE = (
    "structure_prepared",
    "The structure for this IL6 deploy is not prepared yet: a DevOps engineer must complete "
    "its product-board story first.",
)
CLASSIFIED_ACCESS = (
    "classified_access",
    "You have no Classified Ops access: request it with a justification, and a Classified Ops "
    "member will decide.",
)


# The validity gate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "funded, onboarded, expected",
    [(False, True, [FUNDED]), (True, False, [ONBOARDED]), (False, False, [FUNDED, ONBOARDED])],
)
def test_validity_gate_funded_and_onboarded(funded, onboarded, expected, member, team, epic):
    team.funded, team.onboarded = funded, onboarded
    team.save()
    error = refused_filing(member, team, request_type="pipeline", impact_level="IL4", epic=epic)
    assert unmet(error) == expected


def test_team_has_epic(member, team):
    error = refused_filing(
        member,
        team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Payroll",
    )
    assert unmet(error) == [HAS_EPIC]


def test_every_unmet_validity_gate_at_once(member, team):
    team.funded = team.onboarded = False
    team.save()
    mark = audit_mark()
    error = refused_filing(
        member,
        team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Payroll",
    )
    assert unmet(error) == [FUNDED, ONBOARDED, HAS_EPIC]
    (event,) = events_since(mark)
    assert event.detail["unmet"] == ["team_funded", "team_onboarded", "team_has_epic"]
    assert event.detail["status_code"] == 422


def test_epic_of_team(member, team, epic):
    """Alice is in two teams and files for Team Bravo with Team Alpha's epic."""
    bravo = TeamFactory(name="Team Bravo")
    EpicFactory(team=bravo, title="Dispatch")
    bravo.members.add(member)
    error = refused_filing(member, bravo, request_type="pipeline", impact_level="IL4", epic=epic)
    assert unmet(error) == [
        (
            "epic_of_team",
            "Epic “Payments” does not belong to Team Bravo: choose one of Team Bravo's epics.",
        )
    ]


def test_epic_of_team_with_the_validity_gate(member, team, epic):
    bravo = TeamFactory(name="Team Bravo", funded=False)
    bravo.members.add(member)
    error = refused_filing(member, bravo, request_type="pipeline", impact_level="IL4", epic=epic)
    assert [code for code, _ in unmet(error)] == ["team_funded", "team_has_epic", "epic_of_team"]


# signed_ctf_letter ----------------------------------------------------------------------------


def no_letter(epic):
    pass


def unverified_letter(epic):
    DocumentFactory(epic=epic, status=Document.Status.UPLOADED)


def rejected_letter(epic):
    DocumentFactory(epic=epic, status=Document.Status.REJECTED)


def letter_not_covering_il4(epic):
    DocumentFactory(epic=epic, impact_levels=["IL2", "IL5", "IL6"])


def letter_signed_366_days_ago(epic):
    DocumentFactory(epic=epic, signed_on=TODAY() - dt.timedelta(days=366))


def letter_on_another_epic(epic):
    DocumentFactory(epic=EpicFactory(team=epic.team, title="Other"))


def only_a_cisso_document(epic):
    DocumentFactory(epic=epic, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=["IL4"])


@pytest.mark.parametrize(
    "letters",
    [
        no_letter,
        unverified_letter,
        rejected_letter,
        letter_not_covering_il4,
        letter_signed_366_days_ago,
        letter_on_another_epic,
        only_a_cisso_document,
    ],
)
def test_signed_ctf_letter_at_filing(letters, member, team, epic):
    PipelineFactory(epic=epic, impact_level="IL4")
    letters(epic)
    error = refused_filing(member, team, request_type="prod_deploy", impact_level="IL4", epic=epic)
    assert unmet(error) == [CTF_IL4]


def test_a_letter_signed_364_days_ago_passes(member, team, epic):
    PipelineFactory(epic=epic, impact_level="IL4")
    DocumentFactory(epic=epic, signed_on=TODAY() - dt.timedelta(days=364), impact_levels=["IL4"])
    ticket = services.ticket_file(
        by=member, team=team, request_type="prod_deploy", impact_level="IL4", epic=epic
    )
    assert ticket.status == Ticket.Status.SUBMITTED


def test_a_letter_is_valid_for_one_year_from_signing(epic):
    signed = dt.date(2025, 3, 10)
    DocumentFactory(epic=epic, signed_on=signed, impact_levels=["IL4", "IL6"])
    on = {
        day: gates.signed_ctf_letter(epic, "IL4", today=day).passed
        for day in (dt.date(2025, 3, 10), dt.date(2026, 3, 9), dt.date(2026, 3, 10))
    }
    assert on == {
        dt.date(2025, 3, 10): True,
        dt.date(2026, 3, 9): True,
        dt.date(2026, 3, 10): False,
    }
    assert gates.ctf_approves_il6(epic, today=dt.date(2026, 3, 9)).passed
    assert not gates.ctf_approves_il6(epic, today=dt.date(2026, 3, 10)).passed


def test_signed_ctf_letter_at_triage(pm, team):
    """Filed while the letter was valid; by triage it has expired."""
    epic = EpicFactory(team=team, title="Payments", status=Epic.Status.PIPELINE_COMPLETE)
    PipelineFactory(epic=epic, impact_level="IL4")
    letter_signed_366_days_ago(epic)
    ticket = TicketFactory(epic=epic, request_type=RequestType.PROD_DEPLOY, impact_level="IL4")
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert unmet(error) == [CTF_IL4]


# IL6 ------------------------------------------------------------------------------------------


def test_ctf_approves_il6(member, team, epic):
    PipelineFactory(epic=epic)
    DocumentFactory(epic=epic, impact_levels=["IL2", "IL4", "IL5"])
    DocumentFactory(epic=epic, impact_levels=["IL6"], signed_on=TODAY() - dt.timedelta(days=366))
    error = refused_filing(
        member, team, request_type="il6_prod_deploy", impact_level="IL6", epic=epic
    )
    assert unmet(error) == [CTF_IL6]


def test_has_il245_pipeline(member, team, epic):
    DocumentFactory(epic=epic, impact_levels=["IL6"])
    PipelineFactory(epic=EpicFactory(title="Not ours"))  # another team's pipeline
    error = refused_filing(
        member, team, request_type="il6_prod_deploy", impact_level="IL6", epic=epic
    )
    assert unmet(error) == [IL245_PIPELINE]


def test_il6_filing_lists_both_gates(member, team, epic):
    error = refused_filing(
        member, team, request_type="il6_prod_deploy", impact_level="IL6", epic=epic
    )
    assert unmet(error) == [CTF_IL6, IL245_PIPELINE]


@pytest.mark.parametrize("cisso_status", [None, "uploaded", "rejected"])
def test_signed_cisso_document_at_triage(cisso_status, pm, epic):
    DocumentFactory(epic=epic, impact_levels=["IL6"])
    if cisso_status:
        DocumentFactory(epic=epic, kind=Document.Kind.CISSO_DOCUMENT, status=cisso_status)
    ticket = TicketFactory(epic=epic, request_type=RequestType.IL6_PROD_DEPLOY, impact_level="IL6")
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert unmet(error) == [CISSO]


def test_il6_triage_lists_both_document_gates(pm, epic):
    ticket = TicketFactory(epic=epic, request_type=RequestType.IL6_PROD_DEPLOY, impact_level="IL6")
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert unmet(error) == [CTF_IL6, CISSO]


@pytest.fixture
def il6_triaged(epic):
    return TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.TRIAGED,
    )


@pytest.mark.parametrize("structure", [Story.Status.TO_DO, Story.Status.IN_PROGRESS])
def test_structure_prepared(structure, pm, devops, il6_triaged):
    AccessRequestFactory(user=pm, status="approved")
    StoryFactory(ticket=il6_triaged, status=structure, assignee=devops)
    error = refused(
        GatesUnmet,
        services.ticket_open_classified_story,
        action="open_classified_story",
        by=pm,
        ticket=il6_triaged,
    )
    assert unmet(error) == [STRUCTURE]


@pytest.mark.parametrize("access", [None, "pending", "denied"])
def test_classified_access_to_open_the_story(access, pm, devops, il6_triaged):
    if access:
        AccessRequestFactory(user=pm, status=access)
    StoryFactory(ticket=il6_triaged, status=Story.Status.DONE, assignee=devops)
    error = refused(
        GatesUnmet,
        services.ticket_open_classified_story,
        action="open_classified_story",
        by=pm,
        ticket=il6_triaged,
    )
    assert unmet(error) == [CLASSIFIED_ACCESS]


def test_open_classified_story_lists_both_gates(pm, il6_triaged):
    StoryFactory(ticket=il6_triaged)
    error = refused(
        GatesUnmet,
        services.ticket_open_classified_story,
        action="open_classified_story",
        by=pm,
        ticket=il6_triaged,
    )
    assert unmet(error) == [STRUCTURE, CLASSIFIED_ACCESS]


@pytest.fixture
def classified_story(il6_triaged, devops):
    StoryFactory(ticket=il6_triaged, status=Story.Status.DONE, assignee=devops)
    return StoryFactory(ticket=il6_triaged, board=Story.Board.CLASSIFIED_OPS)


def test_classified_access_to_assign_a_classified_story(pm, classified, classified_story):
    error = refused(
        GatesUnmet,
        services.story_assign,
        action="assign",
        by=pm,
        story=classified_story,
        assignee=classified,
    )
    assert unmet(error) == [CLASSIFIED_ACCESS]


def test_assignee_is_devops_on_the_classified_board(pm, devops, classified_story):
    AccessRequestFactory(user=pm, status="approved")
    error = refused(
        GatesUnmet,
        services.story_assign,
        action="assign",
        by=pm,
        story=classified_story,
        assignee=devops,
    )
    assert unmet(error) == [
        (
            "assignee_is_devops",
            "dana is not in the Classified Ops team: assign a Classified Ops engineer.",
        )
    ]


@pytest.mark.parametrize("who", ["cyber", "member", "classified"])
def test_assignee_is_devops_on_the_product_board(request, who, pm, devops, team):
    story = pipeline_story(team, Story.Status.TO_DO, devops)
    assignee = request.getfixturevalue(who)
    error = refused(
        GatesUnmet, services.story_assign, action="assign", by=pm, story=story, assignee=assignee
    )
    assert unmet(error) == [
        (
            "assignee_is_devops",
            f"{assignee.username} is not in the DevOps team: assign a DevOps engineer.",
        )
    ]


# Epics ----------------------------------------------------------------------------------------


def test_cyber_compliant(pm, team):
    epic = EpicFactory(team=team, title="Payroll", requires_new_ctf=True)
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.NEW_PIPELINE_CTF,
        application_name="Payroll",
        status=Ticket.Status.TRIAGED,
    )
    StoryFactory(ticket=ticket)
    error = refused(
        GatesUnmet, services.epic_start_pipeline, action="start_pipeline", by=pm, epic=epic
    )
    assert unmet(error) == [
        (
            "cyber_compliant",
            "Epic “Payroll” needs its own CtF and has not been verified cyber compliant: an MDO PM "
            "or the Cyber team must verify it first.",
        )
    ]


def test_an_epic_without_a_new_ctf_needs_no_cyber_compliance(epic):
    assert gates.cyber_compliant(epic).passed


@pytest.fixture
def busy_epic(team, devops):
    """Pipeline Complete, and an IL6 structure story in progress (it does not move the epic)."""
    epic = EpicFactory(team=team, title="Payments", status=Epic.Status.PIPELINE_COMPLETE)
    il6 = TicketFactory(
        epic=epic, request_type=RequestType.IL6_PROD_DEPLOY, impact_level="IL6", status="triaged"
    )
    StoryFactory(ticket=il6, title="Prepare IL6", status=Story.Status.IN_PROGRESS, assignee=devops)
    return epic


EPIC_FREE = (
    "epic_free",
    "Epic “Payments” is busy with story “Prepare IL6” (in progress): an epic works one request "
    "at a time, so finish that story first.",
)


def test_epic_free_to_start_a_pipeline(pm, busy_epic):
    ticket = TicketFactory(epic=busy_epic, status=Ticket.Status.TRIAGED)
    StoryFactory(ticket=ticket)
    error = refused(
        GatesUnmet, services.epic_start_pipeline, action="start_pipeline", by=pm, epic=busy_epic
    )
    assert unmet(error) == [EPIC_FREE]


def test_epic_free_to_queue_a_prod_deploy(pm, busy_epic):
    DocumentFactory(epic=busy_epic)
    PipelineFactory(epic=busy_epic, impact_level="IL4")
    ticket = TicketFactory(epic=busy_epic, request_type=RequestType.PROD_DEPLOY, impact_level="IL4")
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert unmet(error) == [EPIC_FREE]


def test_epic_free_to_start_work(pm, devops, team):
    busy = pipeline_story(team, Story.Status.IN_PROGRESS, devops)
    ticket = TicketFactory(
        epic=busy.epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status="triaged",
    )
    story = StoryFactory(ticket=ticket)
    error = refused(GatesUnmet, services.story_pick_up, action="pick_up", by=devops, story=story)
    assert [code for code, _ in unmet(error)] == ["epic_free"]
    assert f"busy with story “{busy.title}”" in error.detail


def test_a_classified_story_does_not_make_the_epic_busy(team, devops, classified):
    epic = EpicFactory(team=team, status=Epic.Status.PIPELINE_COMPLETE)
    il6 = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status="in_progress",
    )
    StoryFactory(
        ticket=il6, board=Story.Board.CLASSIFIED_OPS, status="in_progress", assignee=classified
    )
    assert gates.epic_free(epic).passed


def test_epic_has_production(member, epic):
    error = refused(
        GatesUnmet, services.release_create, action="create", by=member, epic=epic, tag="v1.0.0"
    )
    assert unmet(error) == [
        (
            "epic_has_production",
            "Epic “Payments” has no completed production deployment yet: release tags are "
            "recorded once its production deployment is complete.",
        )
    ]


def test_the_gates_say_what_holds_when_they_pass(team, epic):
    assert gates.team_funded(team).message == "Team Alpha is funded."
    assert gates.epic_of_team(epic, team).message == "Epic “Payments” belongs to Team Alpha."
    assert gates.validity(team) == [
        gates.Check("team_funded", True, "Team Alpha is funded."),
        gates.Check("team_onboarded", True, "Team Alpha is onboarded to Party Bus."),
        gates.Check(
            "team_has_epic", True, "Team Alpha has an epic on the Product Team Epic Board."
        ),
    ]
