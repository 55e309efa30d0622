"""transitions_for(obj, user): what the pages and the API offer each person next, and what
stands in the way (a status conflict, or every unmet gate)."""

import pytest

from epics.models import Document, Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
)
from tests.workflow.support import ROLES, pipeline_story
from workflow import services
from workflow.actions import action_named, transitions_for
from workflow.permissions import DEVOPS

pytestmark = pytest.mark.django_db


def offered(obj, user) -> dict:
    """name -> (label, allowed, unmet codes, has a conflict detail)"""
    return {
        t["name"]: (t["label"], t["allowed"], [u["code"] for u in t["unmet"]], "detail" in t)
        for t in transitions_for(obj, user)
    }


@pytest.fixture
def prod_ticket_without_ctf(team, member):
    """A submitted production deployment on an epic with a pipeline but no CtF letter."""
    epic = EpicFactory(team=team, title="Ledger", status=Epic.Status.PIPELINE_COMPLETE)
    PipelineFactory(epic=epic, impact_level="IL4")
    return TicketFactory(
        epic=epic, request_type=RequestType.PROD_DEPLOY, impact_level="IL4", created_by=member
    )


@pytest.mark.parametrize(
    "role, expected",
    [
        (
            "pm",
            {
                "triage": ("Triage", False, ["signed_ctf_letter"], False),
                "reject": ("Reject", True, [], False),
                "ask_for_info": ("Ask for info", True, [], False),
            },
        ),
        ("member", {"withdraw": ("Withdraw", True, [], False)}),
        ("outsider", {}),
        ("devops", {}),
        ("cyber", {}),
        ("classified", {}),
    ],
)
def test_a_submitted_prod_deploy_without_ctf(request, role, expected, prod_ticket_without_ctf):
    assert offered(prod_ticket_without_ctf, request.getfixturevalue(role)) == expected


def test_unmet_gates_carry_their_sentence(pm, prod_ticket_without_ctf):
    (triage,) = [t for t in transitions_for(prod_ticket_without_ctf, pm) if t["name"] == "triage"]
    assert triage["unmet"] == [
        {
            "code": "signed_ctf_letter",
            "message": "Upload a signed CtF letter covering IL4 to epic “Ledger” and have it "
            "verified: none that is verified and less than a year old covers it.",
        }
    ]


def test_triaging_a_prod_deploy_of_an_epic_without_pipeline_is_offered_as_a_conflict(pm, epic):
    DocumentFactory(epic=epic)
    ticket = TicketFactory(epic=epic, request_type=RequestType.PROD_DEPLOY)
    assert offered(ticket, pm)["triage"] == ("Triage", False, [], True)


def test_il6_triage_is_labelled_convert_to_story(pm, epic):
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    DocumentFactory(epic=epic, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=[])
    ticket = TicketFactory(epic=epic, request_type=RequestType.IL6_PROD_DEPLOY, impact_level="IL6")
    assert offered(ticket, pm)["triage"] == ("Convert to story", True, [], False)
    assert action_named(Ticket, "triage").label_for(TicketFactory(epic=epic)) == "Triage"


def test_il6_triaged_ticket_offers_the_classified_story_with_its_gates(pm, devops, epic):
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.TRIAGED,
    )
    structure = StoryFactory(ticket=ticket)
    assert offered(ticket, pm) == {
        "reject": ("Reject", True, [], False),
        "open_classified_story": (
            "Open the Classified Ops story",
            False,
            ["structure_prepared", "classified_access"],
            False,
        ),
    }
    structure.delete()
    StoryFactory(ticket=ticket, status=Story.Status.DONE, assignee=devops)
    AccessRequestFactory(user=pm, status="approved")
    pm_again = type(pm).objects.get(pk=pm.pk)
    assert offered(ticket, pm_again) == {
        "open_classified_story": ("Open the Classified Ops story", True, [], False)
    }


def test_epic_actions_by_role(pm, cyber, devops, member):
    epic = EpicFactory(title="Ledger", requires_new_ctf=True)
    assert offered(epic, pm) == {
        "start_pipeline": ("Start the pipeline", False, [], True),  # nothing waiting
        "verify_cyber_compliance": ("Verify cyber compliance", True, [], False),
    }
    assert offered(epic, cyber) == {
        "verify_cyber_compliance": ("Verify cyber compliance", True, [], False)
    }
    assert offered(epic, devops) == {}
    assert offered(epic, member) == {}

    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.NEW_PIPELINE_CTF,
        status="triaged",
        application_name="Ledger",
    )
    StoryFactory(ticket=ticket)
    assert offered(epic, pm)["start_pipeline"] == (
        "Start the pipeline",
        False,
        ["cyber_compliant"],
        False,
    )
    services.epic_verify_cyber_compliance(by=cyber, epic=epic)
    epic.refresh_from_db()
    assert offered(epic, pm) == {"start_pipeline": ("Start the pipeline", True, [], False)}


def test_story_actions_follow_the_pipeline(pm, devops, member, epic):
    ticket = TicketFactory(epic=epic, request_type=RequestType.PIPELINE, status="triaged")
    story = StoryFactory(ticket=ticket)
    # The pipeline has not started: work cannot start, whoever would do it.
    assert offered(story, pm) == {"assign": ("Assign", False, [], True)}
    assert offered(story, devops) == {"pick_up": ("Pick up", False, [], True)}
    assert offered(story, member) == {}

    services.epic_start_pipeline(by=pm, epic=epic)
    story.refresh_from_db()
    assert offered(story, pm) == {"assign": ("Assign", True, [], False)}
    assert offered(story, devops) == {"pick_up": ("Pick up", True, [], False)}

    services.story_pick_up(by=devops, story=story)
    story.refresh_from_db()
    other = UserFactory(username="devin", roles=[DEVOPS])
    assert offered(story, devops) == {"complete": ("Complete", True, [], False)}
    assert offered(story, pm) == {"complete": ("Complete", True, [], False)}
    assert offered(story, other) == {}


def test_story_actions_when_the_epic_is_busy(pm, devops, team):
    """An IL6 structure story waits while the epic builds a pipeline (epic_free)."""
    busy = pipeline_story(team, Story.Status.IN_PROGRESS, devops)
    ticket = TicketFactory(
        epic=busy.epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status="triaged",
    )
    story = StoryFactory(ticket=ticket)
    assert offered(story, devops) == {"pick_up": ("Pick up", False, ["epic_free"], False)}
    assert offered(story, pm) == {"assign": ("Assign", False, ["epic_free"], False)}


@pytest.mark.parametrize("role", ROLES)
def test_document_actions(request, role, epic):
    document = DocumentFactory(epic=epic, status=Document.Status.UPLOADED)
    expected = (
        {"verify": ("Verify", True, [], False), "reject": ("Reject", True, [], False)}
        if role in ("pm", "cyber")
        else {}
    )
    assert offered(document, request.getfixturevalue(role)) == expected
    verified = DocumentFactory(epic=epic)
    assert offered(verified, request.getfixturevalue(role)) == {}


def test_access_request_actions(classified, pm, devops):
    access = AccessRequestFactory(user=devops)
    both = {"approve": ("Approve", True, [], False), "deny": ("Deny", True, [], False)}
    assert offered(access, classified) == both
    assert offered(access, devops) == {}
    assert offered(access, pm) == {}
    assert offered(AccessRequestFactory(user=classified), classified) == {}


def test_offering_start_pipeline_on_a_list_of_epics_costs_no_query_per_epic(
    pm, team, django_assert_num_queries
):
    """With the epics' stories and tickets prefetched, the checks read only what was fetched."""
    for title in ("Ledger", "Payroll", "Dispatch"):
        epic = EpicFactory(team=team, title=title)
        waiting_story = StoryFactory(ticket=TicketFactory(epic=epic, status="triaged"))
        assert waiting_story.epic == epic
    TicketFactory(epic=epic)  # submitted: not waiting
    epics = list(Epic.objects.prefetch_related("stories", "tickets"))
    offered(epics[0], pm)  # the user's roles, read once per user
    with django_assert_num_queries(0):
        offers = [offered(epic, pm)["start_pipeline"] for epic in epics]
    assert offers == [("Start the pipeline", True, [], False)] * 3
