"""The four request types end to end through the services (WORKFLOWS.md sections 1-4), with
the status of ticket, epic and story after every step; rejecting, and withdrawing."""

import pytest

from epics.models import Document, Epic, Pipeline, Release, Story
from requests_app.models import RequestType, Ticket
from tests.factories import AccessRequestFactory, DocumentFactory, EpicFactory, PipelineFactory
from tests.workflow.support import codes, refused, statuses
from workflow import services
from workflow.errors import Conflict, GatesUnmet, InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

T, E, S = Ticket.Status, Epic.Status, Story.Status


def file(member, epic, request_type, impact_level, **extra) -> Ticket:
    ticket = services.ticket_file(
        by=member,
        team=member.teams.get(),
        request_type=request_type,
        impact_level=impact_level,
        epic=epic,
        **extra,
    )
    assert ticket.status == T.SUBMITTED
    return ticket


def build_pipeline(member, pm, devops, epic, impact_level="IL4"):
    """Section 1 in brief: file, triage, start, pick up and complete a pipeline request."""
    ticket = file(member, epic, "pipeline", impact_level)
    services.ticket_triage(by=pm, ticket=ticket)
    services.epic_start_pipeline(by=pm, epic=epic)
    story = ticket.stories.get()
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)
    assert statuses(ticket, epic) == (T.DONE, E.PIPELINE_COMPLETE)
    return ticket


# 1. Additional IL2/IL4/IL5 pipeline -----------------------------------------------------------


@pytest.mark.parametrize("worker", ["assigned by the PM", "picked up"])
def test_pipeline(worker, member, pm, devops, epic):
    ticket = file(member, epic, "pipeline", "IL5")
    assert statuses(epic) == (E.NEW,)

    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    assert statuses(ticket, epic, story) == (T.TRIAGED, E.NEW, S.TO_DO)
    assert (story.epic, story.board) == (epic, Story.Board.PRODUCT)

    services.epic_start_pipeline(by=pm, epic=epic)
    assert statuses(ticket, epic, story) == (T.TRIAGED, E.PIPELINE_IN_PROGRESS, S.TO_DO)

    if worker == "picked up":
        services.story_pick_up(by=devops, story=story)
    else:
        services.story_assign(by=pm, story=story, assignee=devops)
    assert statuses(ticket, epic, story) == (T.IN_PROGRESS, E.PIPELINE_BEING_BUILT, S.IN_PROGRESS)
    assert story.assignee == devops

    services.story_complete(by=devops, story=story)
    assert statuses(ticket, epic, story) == (T.DONE, E.PIPELINE_COMPLETE, S.DONE)
    assert list(Pipeline.objects.values_list("epic", "impact_level", "ticket")) == [
        (epic.pk, "IL5", ticket.pk)
    ]
    assert not epic.has_production


# 2. New pipeline that requires a new CtF ------------------------------------------------------


def test_new_pipeline_with_a_new_ctf(member, pm, cyber, devops, epic):
    ticket = services.ticket_file(
        by=member,
        team=epic.team,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="  Payroll  ",
    )
    assert (ticket.status, ticket.epic, ticket.application_name) == (T.SUBMITTED, None, "Payroll")

    services.ticket_triage(by=pm, ticket=ticket)
    ticket.refresh_from_db()
    new_epic = ticket.epic
    assert new_epic != epic
    assert (new_epic.title, new_epic.team, new_epic.requires_new_ctf, new_epic.status) == (
        "Payroll",
        epic.team,
        True,
        E.NEW,
    )
    story = ticket.stories.get()
    assert (story.epic, story.status, ticket.status) == (new_epic, S.TO_DO, T.TRIAGED)

    error = refused(
        GatesUnmet, services.epic_start_pipeline, action="start_pipeline", by=pm, epic=new_epic
    )
    assert codes(error) == ["cyber_compliant"]

    services.epic_verify_cyber_compliance(by=cyber, epic=new_epic)
    new_epic.refresh_from_db()
    assert (new_epic.cyber_compliant_by, new_epic.status) == (cyber, E.NEW)
    assert new_epic.cyber_compliant_at is not None

    services.epic_start_pipeline(by=pm, epic=new_epic)
    assert statuses(ticket, new_epic, story) == (T.TRIAGED, E.PIPELINE_IN_PROGRESS, S.TO_DO)

    services.story_pick_up(by=devops, story=story)
    assert statuses(ticket, new_epic, story) == (
        T.IN_PROGRESS,
        E.PIPELINE_BEING_BUILT,
        S.IN_PROGRESS,
    )

    services.story_complete(by=devops, story=story)
    assert statuses(ticket, new_epic, story) == (T.DONE, E.DEPLOYED_STAGING, S.DONE)
    assert list(new_epic.pipelines.values_list("impact_level", flat=True)) == ["IL4"]
    # The team's other epic was never touched.
    assert statuses(epic) == (E.NEW,) and not epic.pipelines.exists()


def test_new_ctf_epic_verified_by_the_pm(member, pm, devops, epic):
    ticket = file(member, None, "new_pipeline_ctf", "IL2", application_name="Payroll")
    services.ticket_triage(by=pm, ticket=ticket)
    ticket.refresh_from_db()
    services.epic_verify_cyber_compliance(by=pm, epic=ticket.epic)
    services.epic_start_pipeline(by=pm, epic=ticket.epic)
    assert statuses(ticket.epic) == (E.PIPELINE_IN_PROGRESS,)


# 3. IL2/IL4/IL5 production deployment ---------------------------------------------------------


def test_prod_deploy(member, pm, devops, epic):
    DocumentFactory(epic=epic, impact_levels=["IL4"])

    # No IL4 pipeline yet: the production deployment cannot even be filed (pipeline_at_level).
    error = refused(
        GatesUnmet,
        services.ticket_file,
        action="file",
        by=member,
        team=member.teams.get(),
        request_type="prod_deploy",
        impact_level="IL4",
        epic=epic,
    )
    assert [(check.code, check.message) for check in error.unmet] == [
        (
            "pipeline_at_level",
            "Epic “Payments” has no completed IL4 pipeline (it has none yet): request an IL4 "
            "pipeline on this epic first.",
        )
    ]
    assert not Ticket.objects.filter(request_type=RequestType.PROD_DEPLOY).exists()
    assert statuses(epic) == (E.NEW,)

    build_pipeline(member, pm, devops, epic)
    error = refused(
        GatesUnmet, services.release_create, action="create", by=member, epic=epic, tag="v1.0.0"
    )
    assert codes(error) == ["epic_has_production"]

    ticket = file(member, epic, "prod_deploy", "IL4")
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    assert statuses(ticket, epic, story) == (T.TRIAGED, E.PROD_DEPLOY_QUEUED, S.TO_DO)
    ticket.refresh_from_db()
    assert ticket.epic_status_before == E.PIPELINE_COMPLETE

    services.story_pick_up(by=devops, story=story)
    assert statuses(ticket, epic, story) == (
        T.IN_PROGRESS,
        E.PROD_DEPLOY_IN_PROGRESS,
        S.IN_PROGRESS,
    )
    assert not epic.has_production

    services.story_complete(by=devops, story=story)
    assert statuses(ticket, epic, story) == (T.DONE, E.PROD_DEPLOY_COMPLETE, S.DONE)
    assert epic.has_production

    release = services.release_create(by=member, epic=epic, tag="v1.0.0")
    assert (release.epic, release.tag, release.created_by) == (epic, "v1.0.0", member)
    services.release_create(by=member, epic=epic, tag="v1.0.1", source=Release.Source.API)
    assert list(epic.releases.order_by("tag").values_list("tag", flat=True)) == [
        "v1.0.0",
        "v1.0.1",
    ]
    error = refused(
        InvalidInput, services.release_create, action="create", by=member, epic=epic, tag="v1.0.0"
    )
    assert list(error.fields) == ["tag"]
    # Only the team records its releases.
    refused(NotPermitted, services.release_create, action="create", by=pm, epic=epic, tag="v2")


@pytest.mark.parametrize(
    "at_rest", [E.PIPELINE_COMPLETE, E.DEPLOYED_STAGING, E.PROD_DEPLOY_COMPLETE]
)
def test_prod_deploy_queues_from_every_status_at_rest(at_rest, member, pm, team):
    epic = EpicFactory(team=team, status=at_rest)
    DocumentFactory(epic=epic)
    PipelineFactory(epic=epic, impact_level="IL2")
    ticket = file(member, epic, "prod_deploy", "IL2")
    services.ticket_triage(by=pm, ticket=ticket)
    assert statuses(epic) == (E.PROD_DEPLOY_QUEUED,)


@pytest.mark.parametrize(
    "busy",
    [
        E.PIPELINE_IN_PROGRESS,
        E.PIPELINE_BEING_BUILT,
        E.PROD_DEPLOY_QUEUED,
        E.PROD_DEPLOY_IN_PROGRESS,
    ],
)
def test_prod_deploy_triage_is_a_conflict_while_the_epic_is_busy(busy, member, pm, team):
    epic = EpicFactory(team=team, status=busy)
    DocumentFactory(epic=epic)
    PipelineFactory(epic=epic, impact_level="IL2")
    ticket = file(member, epic, "prod_deploy", "IL2")
    refused(Conflict, services.ticket_triage, action="triage", by=pm, ticket=ticket)


# 4. IL6 production deploy ---------------------------------------------------------------------


def test_il6_prod_deploy(member, pm, devops, classified, epic):
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    PipelineFactory(epic=epic, impact_level="IL4")
    epic_before = (epic.status, epic.status_changed_at)
    ticket = file(member, epic, "il6_prod_deploy", "IL6")

    # The PM verifies the CtF and the signed CISSO document before converting it to a story.
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert codes(error) == ["signed_cisso_document"]
    cisso = DocumentFactory(
        epic=epic, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=[], status="uploaded"
    )
    services.document_verify(by=pm, document=cisso)

    services.ticket_triage(by=pm, ticket=ticket)
    structure = ticket.stories.get()
    assert statuses(ticket, structure) == (T.TRIAGED, S.TO_DO)
    assert structure.board == Story.Board.PRODUCT

    # The Classified Ops story needs the structure first.
    AccessRequestFactory(user=pm, status="approved")
    error = refused(
        GatesUnmet,
        services.ticket_open_classified_story,
        action="open_classified_story",
        by=pm,
        ticket=ticket,
    )
    assert codes(error) == ["structure_prepared"]

    services.story_pick_up(by=devops, story=structure)
    assert statuses(ticket, structure) == (T.TRIAGED, S.IN_PROGRESS)
    services.story_complete(by=devops, story=structure)
    assert statuses(ticket, structure) == (T.TRIAGED, S.DONE)

    services.ticket_open_classified_story(by=pm, ticket=ticket)
    classified_story = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
    assert statuses(ticket, classified_story) == (T.IN_PROGRESS, S.TO_DO)
    assert (classified_story.ticket, classified_story.epic) == (ticket, epic)

    services.story_pick_up(by=classified, story=classified_story)
    assert statuses(ticket, classified_story) == (T.IN_PROGRESS, S.IN_PROGRESS)
    services.story_complete(by=classified, story=classified_story)
    assert statuses(ticket, classified_story) == (T.DONE, S.DONE)

    # The IL6 flow never moved the epic, and recorded no pipeline.
    epic.refresh_from_db()
    assert (epic.status, epic.status_changed_at) == epic_before
    assert list(Pipeline.objects.values_list("impact_level", flat=True)) == ["IL4"]


# Rejecting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_type", ["pipeline", "prod_deploy", "il6_prod_deploy"])
def test_reject_from_submitted(request_type, member, pm, team):
    epic = EpicFactory(team=team, status=E.PIPELINE_COMPLETE)
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    PipelineFactory(epic=epic)
    ticket = file(member, epic, request_type, "IL6" if request_type == "il6_prod_deploy" else "IL4")
    services.ticket_reject(by=pm, ticket=ticket, reason="  Not funded this year.  ")
    assert statuses(ticket, epic) == (T.REJECTED, E.PIPELINE_COMPLETE)
    assert ticket.rejection_reason == "Not funded this year."
    assert not ticket.stories.exists()


def test_reject_a_triaged_pipeline_before_its_pipeline_starts(member, pm, epic):
    ticket = file(member, epic, "pipeline", "IL4")
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    services.ticket_reject(by=pm, ticket=ticket, reason="Wrong epic.")
    assert statuses(ticket, story, epic) == (T.REJECTED, S.CANCELLED, E.NEW)


@pytest.mark.parametrize(
    "start", [E.NEW, E.PIPELINE_COMPLETE, E.DEPLOYED_STAGING, E.PROD_DEPLOY_COMPLETE]
)
def test_reject_a_pipeline_after_start_puts_the_epic_back(start, member, pm, team):
    epic = EpicFactory(team=team, status=start)
    ticket = file(member, epic, "pipeline", "IL2")
    services.ticket_triage(by=pm, ticket=ticket)
    services.epic_start_pipeline(by=pm, epic=epic)
    story = ticket.stories.get()
    assert statuses(epic) == (E.PIPELINE_IN_PROGRESS,)

    services.ticket_reject(by=pm, ticket=ticket, reason="The team withdrew funding.")
    assert statuses(ticket, story, epic) == (T.REJECTED, S.CANCELLED, start)


@pytest.mark.parametrize("start", [E.PIPELINE_COMPLETE, E.DEPLOYED_STAGING, E.PROD_DEPLOY_COMPLETE])
def test_reject_a_triaged_prod_deploy_takes_the_epic_out_of_the_queue(start, member, pm, team):
    epic = EpicFactory(team=team, status=start)
    DocumentFactory(epic=epic)
    PipelineFactory(epic=epic, impact_level="IL5")
    ticket = file(member, epic, "prod_deploy", "IL5")
    services.ticket_triage(by=pm, ticket=ticket)
    story = ticket.stories.get()
    assert statuses(epic) == (E.PROD_DEPLOY_QUEUED,)

    services.ticket_reject(by=pm, ticket=ticket, reason="Release freeze.")
    assert statuses(ticket, story, epic) == (T.REJECTED, S.CANCELLED, start)
    # The epic can be queued again by the next request.
    again = file(member, epic, "prod_deploy", "IL5")
    services.ticket_triage(by=pm, ticket=again)
    assert statuses(epic) == (E.PROD_DEPLOY_QUEUED,)


@pytest.mark.parametrize("started", [False, True])
def test_reject_a_triaged_new_ctf_leaves_its_new_epic_in_new(started, member, pm, cyber, epic):
    """The PM's copy of the ticket is the one filed, before triage gave it its epic."""
    filed = file(member, None, "new_pipeline_ctf", "IL4", application_name="Payroll")
    services.ticket_triage(by=pm, ticket=filed)
    new_epic = Epic.objects.get(title="Payroll")
    if started:
        services.epic_verify_cyber_compliance(by=cyber, epic=new_epic)
        services.epic_start_pipeline(by=pm, epic=new_epic)
        assert statuses(new_epic) == (E.PIPELINE_IN_PROGRESS,)

    services.ticket_reject(by=pm, ticket=filed, reason="Use Payments instead.")
    ticket = Ticket.objects.get(pk=filed.pk)
    assert ticket.epic == new_epic
    assert statuses(ticket, ticket.stories.get(), new_epic) == (T.REJECTED, S.CANCELLED, E.NEW)


@pytest.mark.parametrize("request_type", ["pipeline", "prod_deploy"])
def test_reject_is_a_conflict_once_the_story_is_in_progress(request_type, member, pm, devops, epic):
    build_pipeline(member, pm, devops, epic, impact_level="IL2")
    DocumentFactory(epic=epic)
    ticket = file(member, epic, request_type, "IL2")
    services.ticket_triage(by=pm, ticket=ticket)
    if request_type == "pipeline":
        services.epic_start_pipeline(by=pm, epic=epic)
    services.story_pick_up(by=devops, story=ticket.stories.get())

    error = refused(
        Conflict, services.ticket_reject, action="reject", by=pm, ticket=ticket, reason="Too late."
    )
    assert error.status == T.IN_PROGRESS


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_needs_a_reason(reason, member, pm, epic):
    ticket = file(member, epic, "pipeline", "IL4")
    error = refused(
        InvalidInput, services.ticket_reject, action="reject", by=pm, ticket=ticket, reason=reason
    )
    assert list(error.fields) == ["reason"]


# Withdrawing ----------------------------------------------------------------------------------


def test_withdraw_only_from_submitted_and_only_by_the_team(member, outsider, pm, epic):
    ticket = file(member, epic, "pipeline", "IL4")
    for someone_else in (outsider, pm):
        refused(
            NotPermitted,
            services.ticket_withdraw,
            action="withdraw",
            by=someone_else,
            ticket=ticket,
        )
    services.ticket_withdraw(by=member, ticket=ticket)
    assert statuses(ticket) == (T.WITHDRAWN,)

    triaged = file(member, epic, "pipeline", "IL4")
    services.ticket_triage(by=pm, ticket=triaged)
    refused(Conflict, services.ticket_withdraw, action="withdraw", by=member, ticket=triaged)
    assert statuses(triaged) == (T.TRIAGED,)


def test_every_request_type_is_covered():
    assert set(RequestType.values) == {
        "pipeline",
        "new_pipeline_ctf",
        "prod_deploy",
        "il6_prod_deploy",
    }
