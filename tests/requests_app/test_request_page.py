"""Following a request: stepper, what happens next and who acts, timeline, stories,
Classified Ops for IL6, and withdrawing while it is allowed."""

import pytest
from django.test import Client
from django.urls import reverse

from epics.models import Story
from requests_app.models import Ticket
from tests.factories import AccessRequestFactory, DocumentFactory, TicketFactory
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of, world
from workflow import services
from workflow.errors import GatesUnmet
from workflow.models import AccessRequest, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def filed(w, request_type="pipeline", level="IL5", epic="payments", **extra):
    return services.ticket_file(
        by=w.alice,
        team=w.alpha,
        request_type=request_type,
        impact_level=level,
        epic=getattr(w, epic) if epic else None,
        **extra,
    )


def page_of(client, ticket, **kwargs):
    return client.get(reverse("ticket_detail", args=[ticket.pk]), **kwargs)


def test_a_new_request_shows_its_whole_sequence_and_who_acts_next(client, w):
    ticket = filed(w, title="Another pipeline", description="For the IL5 tenant.")
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert f"#{ticket.pk} Another pipeline Submitted" in page
    assert (
        "✓ Request filed Your team (done) 2 Triaged MDO PM (next) 3 Pipeline started MDO PM "
        "(later) 4 Being built DevOps engineer (later) 5 Pipeline complete DevOps engineer (later)"
    ) in page
    assert "What happens next: An MDO PM reviews the request and opens a story" in page
    assert "Who acts: MDO PM" in page
    assert "For the IL5 tenant." in page
    assert "alice filed the request Submitted" in page


def test_the_stepper_follows_the_request_and_the_timeline_grows(client, w):
    ticket = filed(w)
    services.ticket_triage(by=w.pat, ticket=ticket)
    services.epic_start_pipeline(by=w.pat, epic=w.payments)
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert "✓ Pipeline started MDO PM (done) 4 Being built DevOps engineer (next)" in page
    assert "Who acts: DevOps engineer" in page
    assert "pat triaged the request Submitted → Triaged" in page
    assert "pat opened the story “Build the IL5 pipeline: Payments Service” To Do" in page
    assert (
        "pat started the pipeline “Payments Service” Prod Deploy - Complete → Pipeline In Progress"
        in page
    )
    assert "Build the IL5 pipeline: Payments Service To Do Product Team Epic Board" in page


def test_the_htmx_answer_is_the_request_region_only(client, w):
    ticket = filed(w)
    response = page_of(sign_in(client, w.alice), ticket, headers=HTMX)
    assert is_fragment(response)
    assert response.content.decode().lstrip().startswith('<div id="ticket-main"')


def test_a_done_prod_deploy_points_to_release_tags(client, w):
    ticket = filed(w, request_type="prod_deploy", level="IL4", epic="mission")
    services.ticket_triage(by=w.pat, ticket=ticket)
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    services.story_complete(by=w.dana, story=story)
    response = page_of(sign_in(client, w.alice), ticket)
    page = text_of(response)
    assert "Done" in page
    assert "What happens next: Your team deploys on demand: record a release tag" in page
    assert f'href="{reverse("epic_detail", args=[w.mission.pk])}#releases"' in (
        response.content.decode()
    )


def test_a_rejected_request_says_why_and_what_to_do(client, w):
    ticket = filed(w)
    services.ticket_reject(by=w.pat, ticket=ticket, reason="Payments already has IL5 planned.")
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert "Rejected. Payments already has IL5 planned." in page
    assert "file a new request" in page
    assert "Withdraw request" not in page


def test_another_team_cannot_see_the_request(client, w):
    ticket = filed(w)
    bob = sign_in(client, w.bob)
    assert page_of(bob, ticket).status_code == 404
    assert bob.post(reverse("ticket_withdraw", args=[ticket.pk])).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


# Withdrawing --------------------------------------------------------------------------------


def test_alice_withdraws_a_submitted_request(client, w):
    ticket = filed(w)
    alice = sign_in(client, w.alice)
    assert "Withdraw request #" in text_of(page_of(alice, ticket))
    response = alice.post(reverse("ticket_withdraw", args=[ticket.pk]))
    assert response["Location"] == reverse("ticket_detail", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WITHDRAWN
    page = text_of(alice.get(response["Location"]))
    assert f"Request #{ticket.pk} withdrawn." in page
    assert "Withdrawn. Nothing more happens to this request." in page
    assert "Withdraw request #" not in page


def test_withdrawing_through_htmx_answers_the_region(client, w):
    ticket = filed(w)
    response = sign_in(client, w.alice).post(
        reverse("ticket_withdraw", args=[ticket.pk]), headers=HTMX
    )
    assert response.status_code == 200 and is_fragment(response)
    page = text_of(response)
    assert f"Request #{ticket.pk} withdrawn. Nothing more happens to it." in page
    assert "Withdrawn" in page and "Withdraw request #" not in page


def test_once_triaged_it_can_no_longer_be_withdrawn_and_the_page_says_why(client, w):
    ticket = filed(w)
    services.ticket_triage(by=w.pat, ticket=ticket)
    alice = sign_in(client, w.alice)
    assert "Withdraw request #" not in text_of(page_of(alice, ticket))
    response = alice.post(reverse("ticket_withdraw", args=[ticket.pk]), headers=HTMX)
    assert response.status_code == 409
    assert "Not withdrawn: Ticket #" in text_of(response)
    assert "only Submitted tickets can be withdrawn" in text_of(response)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRIAGED


def test_withdrawing_enforces_csrf(w):
    ticket = filed(w)
    strict = sign_in(Client(enforce_csrf_checks=True), w.alice)
    assert strict.post(reverse("ticket_withdraw", args=[ticket.pk])).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


def test_withdrawing_is_a_post(client, w):
    ticket = filed(w)
    assert (
        sign_in(client, w.alice).get(reverse("ticket_withdraw", args=[ticket.pk])).status_code
        == 405
    )


# IL6 and Classified Ops ----------------------------------------------------------------------


def il6_with_classified_story(w):
    AccessRequestFactory(user=w.pat, status="approved")
    ticket = filed(w, request_type="il6_prod_deploy", level="IL6")
    services.ticket_triage(by=w.pat, ticket=ticket)
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    services.story_complete(by=w.dana, story=story)
    services.ticket_open_classified_story(by=w.pat, ticket=ticket)
    return ticket


def test_without_access_the_classified_story_stays_hidden_and_access_can_be_asked(client, w):
    ticket = il6_with_classified_story(w)
    alice = sign_in(client, w.alice)
    page = text_of(page_of(alice, ticket))
    # The ticket shows the customer its link (WORKFLOWS.md, IL6 step 4); not the story itself.
    story = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
    link = reverse("board_story_card", args=[story.pk])
    assert f'href="{link}"' in page_of(alice, ticket).content.decode()
    assert "(opening it needs Classified Ops access)" in page
    assert "Production Deploy (IL6)" not in page
    assert not AuditEvent.objects.filter(object_id=story.pk, action="open").exists()
    response = alice.post(
        reverse("classified_access"),
        {"justification": "I deploy our IL6 releases.", "next": ticket_url(ticket)},
    )
    assert response["Location"] == ticket_url(ticket)
    assert AccessRequest.objects.get(user=w.alice).status == AccessRequest.Status.PENDING
    page = text_of(alice.get(ticket_url(ticket)))
    assert "Access requested." in page
    assert "Your access request is Pending" in page


def ticket_url(ticket):
    return reverse("ticket_detail", args=[ticket.pk])


def test_a_finished_il6_request_no_longer_offers_access(client, w):
    ticket = il6_with_classified_story(w)
    story = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
    services.story_pick_up(by=w.cleo, story=story)
    services.story_complete(by=w.cleo, story=story)
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert "Link to its story on the Classified Ops board:" in page
    assert "Request Classified Ops access" not in page


def test_an_empty_justification_is_refused_with_what_to_write(client, w):
    response = sign_in(client, w.alice).post(reverse("classified_access"), {"justification": " "})
    assert response.status_code == 400
    assert "Say why you need Classified Ops access." in text_of(response)
    assert not AccessRequest.objects.exists()


def test_with_access_the_classified_story_is_shown_and_the_look_is_audited(client, w):
    ticket = il6_with_classified_story(w)
    page = text_of(page_of(sign_in(client, w.cleo), ticket))
    linked = "Linked story on the Classified Ops board: Production Deploy (IL6): Payments Service"
    assert linked in page
    story = ticket.stories.get(board=Story.Board.CLASSIFIED_OPS)
    assert AuditEvent.objects.filter(object_id=story.pk, action="open", actor=w.cleo).exists()


def test_an_mdo_pm_opens_the_classified_story_from_the_request_page(client, w):
    AccessRequestFactory(user=w.pat, status="approved")
    ticket = filed(w, request_type="il6_prod_deploy", level="IL6")
    services.ticket_triage(by=w.pat, ticket=ticket)
    pat = sign_in(client, w.pat)
    page = text_of(page_of(pat, ticket))
    assert "Open the Classified Ops story" not in page  # the structure is not prepared yet
    assert "✗ Not met: The structure for this IL6 deploy is not prepared yet" in page
    assert "No Classified Ops story yet" not in page  # the checklist says it, once
    story = ticket.stories.get()
    services.story_pick_up(by=w.dana, story=story)
    services.story_complete(by=w.dana, story=story)
    assert "Open the Classified Ops story" in text_of(page_of(pat, ticket))
    response = pat.post(
        reverse("board_open_classified", args=[ticket.pk]), {"next": ticket_url(ticket)}
    )
    assert (response.status_code, response["Location"]) == (302, ticket_url(ticket))
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    page = text_of(page_of(pat, ticket))
    assert "Open the Classified Ops story" not in page
    assert "Link to its story on the Classified Ops board:" in page


def test_request_page_takes_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    ticket = filed(w)
    services.ticket_triage(by=w.pat, ticket=ticket)
    alice = sign_in(client, w.alice)
    with django_assert_max_num_queries(20):
        assert page_of(alice, ticket).status_code == 200


# What stands in the way of the next step ------------------------------------------------------


def test_nothing_in_the_way_says_who_it_waits_for(client, w):
    ticket = filed(w)
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert "Nothing stands in its way: it waits for the MDO PM." in page


def test_an_il6_request_says_the_cisso_document_is_missing_before_triage(client, w):
    DocumentFactory(epic=w.mission, impact_levels=["IL6"], uploaded_by=w.alice)
    ticket = filed(w, request_type="il6_prod_deploy", level="IL6", epic="mission")
    response = page_of(sign_in(client, w.alice), ticket)
    page = text_of(response)
    assert "Before this can happen:" in page
    assert "Not met: Upload the signed CISSO document to epic “Mission Planner”" in page
    upload = reverse("epic_detail", args=[w.mission.pk]) + "?kind=cisso_document#upload"
    assert f'href="{upload}"' in response.content.decode()


def test_a_prod_deploy_on_an_epic_without_a_pipeline_says_a_pipeline_comes_first(client, w):
    DocumentFactory(epic=w.logistics, impact_levels=["IL4"], uploaded_by=w.alice)
    # Filing it is refused now (gate pipeline_at_level), with the sentence saying why.
    with pytest.raises(GatesUnmet) as refused:
        filed(w, request_type="prod_deploy", level="IL4", epic="logistics")
    assert [(c.code, c.message) for c in refused.value.unmet] == [
        (
            "pipeline_at_level",
            "Epic “Logistics Tracker” has no completed IL4 pipeline (it has none yet): request an "
            "IL4 pipeline on this epic first.",
        )
    ]
    assert not Ticket.objects.filter(epic=w.logistics).exists()
    # One filed before the gate existed: its page still says a pipeline comes first.
    ticket = TicketFactory(
        team=w.alpha,
        epic=w.logistics,
        request_type="prod_deploy",
        impact_level="IL4",
        created_by=w.alice,
    )
    page = text_of(page_of(sign_in(client, w.alice), ticket))
    assert "Before this can happen:" in page
    assert "(the epic needs a pipeline first)" in page


def test_a_triaged_pipeline_says_when_its_epic_is_busy(client, w):
    first = filed(w, level="IL2", epic="mission")
    second = filed(w, level="IL5", epic="mission")
    services.ticket_triage(by=w.pat, ticket=first)
    services.ticket_triage(by=w.pat, ticket=second)
    services.epic_start_pipeline(by=w.pat, epic=w.mission)
    services.story_pick_up(by=w.dana, story=first.stories.get())
    page = text_of(page_of(sign_in(client, w.alice), second))
    assert "Who acts: MDO PM" in page and "Before this can happen:" in page
    assert "Epic “Mission Planner” is Pipeline Being Built" in page
