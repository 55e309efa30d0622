"""The boards in a browser: pat triages and drags an epic through its pipeline and assigns
dana, who completes it from My work while pat's board follows; a drop that is not allowed
snaps back saying why; two PMs move one card; cleo works an IL6 story; dana is refused the
Classified Ops board and asks for access."""

from __future__ import annotations

import re

import pytest

from epics.models import Epic, Story
from requests_app.models import Ticket
from tests.e2e.conftest import PHONE
from tests.e2e.pages import card, column, expect, sign_in
from tests.factories import PASSWORD, AccessRequestFactory, UserFactory
from tests.portal.pages import world
from workflow import services
from workflow.permissions import MDO_PM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A board asks for changes every 4 seconds; a busy machine gets plenty of slack on top.
LIVE_WAIT_MS = 30_000



def drag(page, title: str, status: str) -> None:
    # A card the server has not answered for yet cannot be picked up again (board.js), as a
    # person sees by its pending look: wait for the answer before and after the drop.
    settled = re.compile(r"^(?!.*tile--pending)")
    expect(card(page, title)).to_have_class(settled)
    card(page, title).drag_to(column(page, status).locator(".col__head"))
    expect(card(page, title)).to_have_class(settled)


def toast(page):
    return page.locator("#board-message")


def file(people, epic, request_type="pipeline", level="IL4", **extra) -> Ticket:
    return services.ticket_file(
        by=people.alice,
        team=epic.team,
        request_type=request_type,
        impact_level=level,
        epic=epic,
        **extra,
    )


def test_pat_carries_a_pipeline_request_to_done_with_dana(open_page, shot):
    people = world()
    ticket = file(people, people.logistics, "pipeline", "IL5")
    pat = open_page()
    sign_in(pat, "pat")

    # Triage, in place.
    pat.goto("/boards/triage/")
    row = pat.locator(f"#ticket-{ticket.pk}")
    expect(row).to_contain_text("Additional IL2/IL4/IL5 pipeline")
    expect(row).to_contain_text("Ready: no check stands in the way.")
    shot(pat, "1-triage")
    row.get_by_role("button", name=re.compile("^Triage")).click()
    expect(row).to_contain_text("Triaged: story “Build the IL5 pipeline: Logistics Tracker”")
    expect(pat.locator("#queue-count")).to_have_text("No request waits for triage.")

    # Drag the epic from New to Pipeline In Progress: the pipeline starts.
    pat.goto("/boards/epics/")
    expect(card(pat, "Logistics Tracker")).to_contain_text("IL5 pipeline · unassigned")
    shot(pat, "2-board")
    drag(pat, "Logistics Tracker", "pipeline_in_progress")
    expect(column(pat, "pipeline_in_progress").locator(".tile")).to_contain_text(
        ["Logistics Tracker"]
    )
    expect(toast(pat)).to_contain_text("“Logistics Tracker” is now in Pipeline In Progress.")
    assert Epic.objects.get(pk=people.logistics.pk).status == "pipeline_in_progress"

    # On to Pipeline Being Built: the board asks which engineer.
    drag(pat, "Logistics Tracker", "pipeline_being_built")
    dialog = pat.get_by_role("dialog")
    expect(dialog).to_contain_text("Choose the engineer who works")
    expect(column(pat, "pipeline_in_progress")).to_contain_text("Logistics Tracker")  # back
    shot(pat, "3-assign")
    dialog.get_by_label("Engineer").select_option(label="dana")
    dialog.get_by_role("button", name="Assign: move to Pipeline Being Built").click()
    expect(dialog).to_be_hidden()
    being_built = column(pat, "pipeline_being_built")
    expect(being_built.locator(".tile")).to_contain_text(["IL5 pipeline · dana"])
    expect(column(pat, "pipeline_being_built").locator(".col__count")).to_have_text("1")

    # pat narrows the board to this epic and scrolls it sideways.
    pat.get_by_label("Search").fill("Logistics")
    expect(column(pat, "pipeline_complete")).not_to_contain_text("Mission Planner")
    expect(pat).to_have_url(re.compile(r"/boards/epics/\?q=Logistics$"))
    pat.locator("#columns").evaluate("board => { board.scrollLeft = 120; }")

    # dana completes it from My work; pat's board follows within seconds, filters and all.
    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/my-work/")
    mine = dana.locator(".work", has_text="Build the IL5 pipeline: Logistics Tracker")
    shot(dana, "4-my-work")
    mine.get_by_role("button", name=re.compile("^Complete")).click()
    expect(mine).to_contain_text("Completed: Done.")
    expect(column(pat, "pipeline_complete")).to_contain_text(
        "Logistics Tracker", timeout=LIVE_WAIT_MS
    )
    expect(being_built.locator(".tile")).to_have_count(0)
    expect(column(pat, "pipeline_complete")).not_to_contain_text("Mission Planner")
    assert pat.locator("#columns").evaluate("board => board.scrollLeft") == 120
    shot(pat, "5-done")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE


def test_a_drop_that_is_not_allowed_snaps_back_with_its_message(page, shot):
    people = world()
    file(people, people.logistics)
    services.ticket_triage(by=people.pat, ticket=Ticket.objects.get())
    fleet = services.ticket_file(
        by=people.alice,
        team=people.alpha,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Fleet Tracker",
    )
    services.ticket_triage(by=people.pat, ticket=fleet)
    sign_in(page, "pat")
    page.goto("/boards/epics/")

    # No action moves a new epic to Pipeline Complete.
    drag(page, "Logistics Tracker", "pipeline_complete")
    expect(toast(page)).to_contain_text(
        "Nothing moves epic “Logistics Tracker” from New to Pipeline Complete. "
        "From New it moves to Pipeline In Progress."
    )
    expect(column(page, "new")).to_contain_text("Logistics Tracker")
    expect(column(page, "pipeline_complete")).not_to_contain_text("Logistics Tracker")

    # A new CtF's pipeline waits for its cyber compliance: the gate is listed.
    drag(page, "Fleet Tracker", "pipeline_in_progress")
    expect(toast(page)).to_contain_text(
        "“Fleet Tracker” stays in New: every check below must be met first."
    )
    expect(toast(page)).to_contain_text("needs its own CtF and has not been verified cyber")
    expect(column(page, "new")).to_contain_text("Fleet Tracker")
    expect(column(page, "new").locator(".col__count")).to_have_text("2")
    shot(page, "refused")
    assert Epic.objects.get(title="Fleet Tracker").status == "new"

    # The same from the keyboard: open the card, verify, start.
    toast(page).get_by_role("button", name="Dismiss").click()
    card(page, "Fleet Tracker").get_by_role("link").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Moves from New")
    shot(page, "card-dialog")
    dialog.get_by_role("button", name="Verify cyber compliance").click()
    # The dialog stays open on the card's moves: the pipeline can start now.
    expect(dialog).to_contain_text("is verified cyber compliant")
    dialog.get_by_role("button", name="Start the pipeline: move to Pipeline In Progress").click()
    expect(column(page, "pipeline_in_progress")).to_contain_text("Fleet Tracker")


def test_a_new_ctf_goes_to_deployed_staging(open_page):
    people = world()
    fleet = services.ticket_file(
        by=people.alice,
        team=people.alpha,
        request_type="new_pipeline_ctf",
        impact_level="IL4",
        application_name="Fleet Tracker",
    )
    pat = open_page()
    sign_in(pat, "pat")
    pat.goto("/boards/triage/")
    pat.locator(f"#ticket-{fleet.pk}").get_by_role("button", name=re.compile("^Triage")).click()
    expect(pat.locator(f"#ticket-{fleet.pk}")).to_contain_text("epic “Fleet Tracker” is New")
    pat.goto("/boards/epics/")
    card(pat, "Fleet Tracker").get_by_role("link").click()
    pat.get_by_role("dialog").get_by_role("button", name="Verify cyber compliance").click()
    expect(pat.get_by_role("dialog")).to_contain_text("is verified cyber compliant")
    pat.keyboard.press("Escape")
    drag(pat, "Fleet Tracker", "pipeline_in_progress")
    expect(column(pat, "pipeline_in_progress")).to_contain_text("Fleet Tracker")
    drag(pat, "Fleet Tracker", "pipeline_being_built")
    pat.get_by_role("dialog").get_by_label("Engineer").select_option(label="dana")
    pat.get_by_role("dialog").get_by_role("button", name=re.compile("^Assign")).click()
    expect(column(pat, "pipeline_being_built")).to_contain_text("Fleet Tracker")

    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/my-work/")
    work = dana.locator(".work", has_text="Build the IL4 pipeline (new CtF): Fleet Tracker")
    work.get_by_role("button", name=re.compile("^Complete")).click()
    expect(work).to_contain_text("Completed: Done.")
    expect(column(pat, "deployed_staging")).to_contain_text("Fleet Tracker", timeout=LIVE_WAIT_MS)
    fleet.refresh_from_db()
    assert fleet.status == Ticket.Status.DONE


def test_a_production_deployment_on_the_boards(open_page, shot):
    people = world()
    ticket = file(people, people.mission, "prod_deploy", "IL4")
    pat = open_page()
    sign_in(pat, "pat")
    pat.goto("/boards/triage/")
    row = pat.locator(f"#ticket-{ticket.pk}")
    expect(row).to_contain_text("has a verified, signed CtF letter covering IL4")
    row.get_by_role("button", name=re.compile("^Triage")).click()
    expect(row).to_contain_text("epic “Mission Planner” is Prod Deploy - Queued")

    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/epics/")
    # The production columns are at the board's right end.
    dana.locator("#columns").evaluate("board => { board.scrollLeft = board.scrollWidth; }")
    expect(column(dana, "prod_deploy_queued")).to_contain_text("IL4 prod deploy · unassigned")
    drag(dana, "Mission Planner", "prod_deploy_in_progress")
    expect(column(dana, "prod_deploy_in_progress")).to_contain_text("IL4 prod deploy · dana")
    drag(dana, "Mission Planner", "prod_deploy_complete")
    # "Latest first": the card that just arrived is on top, above Payments Service.
    expect(column(dana, "prod_deploy_complete").locator(".tile > a")).to_have_text(
        ["Mission Planner", "Payments Service"]
    )
    shot(dana, "prod-complete")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE


def test_two_pms_move_the_same_card(open_page, settings):
    settings.BOARD_POLL_SECONDS = 600  # the second PM's board stays as it was
    people = world()
    file(people, people.logistics)
    services.ticket_triage(by=people.pat, ticket=Ticket.objects.get())
    UserFactory(username="pam", roles=[MDO_PM])
    pat, pam = open_page(), open_page()
    sign_in(pat, "pat")
    sign_in(pam, "pam")
    pat.goto("/boards/epics/")
    pam.goto("/boards/epics/")
    drag(pat, "Logistics Tracker", "pipeline_in_progress")
    expect(toast(pat)).to_contain_text("is now in Pipeline In Progress")
    drag(pam, "Logistics Tracker", "pipeline_in_progress")
    expect(toast(pam)).to_contain_text(
        "Someone else moved “Logistics Tracker” to Pipeline In Progress meanwhile"
    )
    expect(column(pam, "pipeline_in_progress")).to_contain_text("Logistics Tracker")
    expect(column(pam, "new")).not_to_contain_text("Logistics Tracker")


def test_cleo_works_an_il6_story(open_page, shot):
    people = world()
    ticket = file(people, people.payments, "il6_prod_deploy", "IL6")
    AccessRequestFactory(user=people.pat, status="approved")
    pat = open_page()
    sign_in(pat, "pat")
    pat.goto("/boards/triage/")
    row = pat.locator(f"#ticket-{ticket.pk}")
    expect(row).to_contain_text("has a verified CtF letter that approves IL6")
    expect(row).to_contain_text("has a verified CISSO document")
    row.get_by_role("button", name=re.compile("^Convert to story")).click()
    expect(row).to_contain_text("Converted to a story")

    # dana prepares the structure: picks up and completes the story from My work.
    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/my-work/")
    prep = dana.locator(".work", has_text="Prepare the structure for the IL6 production deploy")
    prep.get_by_role("button", name=re.compile("^Pick up")).click()
    expect(prep).to_contain_text("Picked up")
    prep.get_by_role("button", name=re.compile("^Complete")).click()
    expect(prep).to_contain_text("Completed: Done.")
    assert Story.objects.get(ticket=ticket).status == "done"

    pat.goto("/boards/classified/")
    waiting = pat.locator(f"#waiting-{ticket.pk}")
    expect(waiting).to_contain_text("The structure for this IL6 deploy is prepared")
    waiting.get_by_role("button", name=re.compile("^Open the Classified Ops story")).click()
    expect(waiting).to_contain_text("is with Classified Ops")
    expect(column(pat, "to_do")).to_contain_text("Production Deploy (IL6): Payments Service")
    expect(column(pat, "to_do").locator(".col__count")).to_have_text("1")

    cleo = open_page()
    sign_in(cleo, "cleo")
    cleo.goto("/boards/classified/")
    title = "Production Deploy (IL6): Payments Service"
    expect(card(cleo, title)).to_contain_text("unassigned")
    shot(cleo, "1-classified")
    drag(cleo, title, "in_progress")
    expect(column(cleo, "in_progress").locator(".tile")).to_contain_text(["cleo"])
    # Done by the keyboard: the card's dialog.
    card(cleo, title).get_by_role("link").focus()
    cleo.keyboard.press("Enter")
    cleo.get_by_role("dialog").get_by_role("button", name="Complete: move to Done").click()
    expect(column(cleo, "done")).to_contain_text(title)
    # The keyboard stays on the card it opened, now in Done.
    expect(card(cleo, title).get_by_role("link")).to_be_focused()
    shot(cleo, "2-done")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.DONE


def test_dana_is_refused_the_classified_board_and_asks_for_access(open_page, shot):
    people = world()
    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/classified/")
    expect(
        dana.get_by_role("heading", name="The Classified Ops board needs access")
    ).to_be_visible()
    expect(dana.locator(".col")).to_have_count(0)
    shot(dana, "1-refused")
    dana.get_by_role("link", name="Request access").click()
    dana.get_by_label("Why do you need access?").fill("I prepare IL6 structures with cleo.")
    dana.get_by_role("button", name="Request access").click()
    expect(dana).to_have_url(re.compile(r"/boards/classified/$"))
    expect(dana.get_by_text("You asked for access on")).to_be_visible()

    cleo = open_page()
    sign_in(cleo, "cleo")
    cleo.goto("/boards/classified/access/")
    request = cleo.locator(".work", has_text="I prepare IL6 structures with cleo.")
    shot(cleo, "2-decide")
    request.get_by_role("button", name=re.compile("^Approve")).click()
    expect(request).to_contain_text("Approved")

    dana.goto("/boards/classified/")
    expect(dana.get_by_role("heading", name="Classified Ops board")).to_be_visible()
    assert people.dana.access_requests.get().status == "approved"


def test_the_board_on_a_phone(open_page, shot):
    people = world()
    file(people, people.logistics)
    page = open_page(viewport=PHONE)
    sign_in(page, "pat")
    page.goto("/boards/epics/")
    expect(column(page, "new")).to_contain_text("Logistics Tracker")
    # Columns stack: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "phone")
    page.goto("/boards/triage/")
    expect(page.get_by_role("button", name=re.compile("^Triage"))).to_be_visible()
    shot(page, "phone-triage")


def test_the_board_works_without_javascript(open_page):
    people = world()
    file(people, people.logistics)
    services.ticket_triage(by=people.pat, ticket=Ticket.objects.get())
    page = open_page(javascript=False)
    page.goto("/")
    page.get_by_role("button", name="I acknowledge and consent").click()
    page.get_by_label("User name").fill("pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/boards/epics/")
    page.get_by_role("link", name="Logistics Tracker").click()
    page.get_by_role("button", name="Start the pipeline: move to Pipeline In Progress").click()
    expect(page.get_by_text("“Logistics Tracker” is now in Pipeline In Progress.")).to_be_visible()
    expect(column(page, "pipeline_in_progress")).to_contain_text("Logistics Tracker")
