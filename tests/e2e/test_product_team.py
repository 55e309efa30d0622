"""A product team member in a browser: the banner, filing each request type, being told
why not, fixing a missing CtF letter, withdrawing, and the same without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from epics.models import Document
from requests_app.models import Ticket
from tests.e2e.conftest import PHONE
from tests.e2e.pages import expect, sign_in
from tests.factories import PASSWORD, PipelineFactory, pdf_bytes
from tests.portal.pages import world
from workflow import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checklist(page):
    return page.locator(".checklist-panel")


def starting(text: str) -> re.Pattern:
    """A name that starts with `text` (slashes escaped for Playwright's selector syntax)."""
    return re.compile("^" + re.escape(text).replace("/", r"\/"))


def live(page, change) -> None:
    """Make a choice on the new-request form and wait, as a person would look, until the
    form has refreshed its fields and checklist for it."""
    with page.expect_response(lambda r: "/requests/new/" in r.url and r.request.method == "GET"):
        change()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def choose_epic(page, title: str) -> None:
    """Choose the epic whose option (title and status) starts with `title`."""
    select = page.get_by_label("Epic", exact=True)
    label = select.locator("option", has_text=title).first.inner_text()
    live(page, lambda: select.select_option(label=label))


def choose_level(page, level: str) -> None:
    live(page, lambda: page.get_by_label("Impact level", exact=True).select_option(level))


def choose_type(page, label: str) -> None:
    live(page, lambda: page.get_by_role("radio", name=label, exact=True).check())


def test_the_banner_must_be_acknowledged_before_anything(page, shot):
    world()
    page.goto("/requests/new/")
    expect(page).to_have_url(re.compile(r"/consent/"))
    expect(
        page.get_by_text("You are accessing a U.S. Government (USG) Information System")
    ).to_be_visible()
    shot(page, "banner")
    # Nothing else is reachable until it is acknowledged, not even signing in.
    page.goto("/accounts/login/")
    expect(page).to_have_url(re.compile(r"/consent/"))
    page.goto("/requests/new/")
    page.get_by_role("button", name="I acknowledge and consent").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/requests/new/$"))
    # Signing out ends the session: the banner comes back first.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=re.compile("Notice and Consent"))).to_be_visible()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


FOUR_TYPES = [
    ("Additional IL2/IL4/IL5 pipeline", "IL5", "Payments Service", {}),
    ("New pipeline with a new CtF", "IL4", None, {"Application name": "Fleet Tracker"}),
    ("IL2/IL4/IL5 production deployment", "IL4", "Payments Service", {}),
    ("IL6 production deploy", "IL6", "Payments Service", {}),
]


def test_alice_files_each_of_the_four_request_types(page, shot):
    world()
    sign_in(page, "alice")
    for number, (label, level, epic, fields) in enumerate(FOUR_TYPES, start=1):
        page.get_by_role("link", name="New request").first.click()
        choose_type(page, label)
        if level != "IL6":  # IL6 is the only level an IL6 deploy takes: already chosen
            choose_level(page, level)
        else:
            expect(page.get_by_label("Impact level", exact=True)).to_have_value("IL6")
        if epic:
            choose_epic(page, epic)
        else:
            expect(page.get_by_label("Epic", exact=True)).to_have_count(0)
        for name, value in fields.items():
            live(page, lambda: page.get_by_label(name).fill(value))  # noqa: B023
        expect(checklist(page)).to_contain_text("Yes: every check is met.")
        shot(page, f"{number}-form")
        page.get_by_role("button", name="File the request").click()
        expect(page.get_by_text(re.compile(r"Request #\d+ filed\."))).to_be_visible()
        expect(page.locator(".page-head .badge")).to_have_text("Submitted")
        expect(page.locator(".step--current")).to_contain_text("MDO PM")
        shot(page, f"{number}-request")
    assert sorted(Ticket.objects.values_list("request_type", flat=True)) == sorted(
        ["pipeline", "new_pipeline_ctf", "prod_deploy", "il6_prod_deploy"]
    )
    assert Ticket.objects.get(request_type="new_pipeline_ctf").application_name == "Fleet Tracker"
    # Her home lists the four open requests.
    page.get_by_role("link", name="Home").click()
    expect(page.locator("#open-title + table tbody tr")).to_have_count(4)
    shot(page, "home")


def test_bob_sees_why_team_bravo_cannot_file_and_nothing_is_stored(page, shot):
    world()
    sign_in(page, "bob")
    expect(page.get_by_text("Team Bravo is not funded: ask your MDO PM")).to_be_visible()
    page.get_by_role("link", name="New request").first.click()
    choose_type(page, "Additional IL2/IL4/IL5 pipeline")
    choose_level(page, "IL4")
    choose_epic(page, "Bravo Console")
    page.get_by_label("Title (optional)").fill("Our first pipeline")
    unmet = checklist(page).locator(".check--unmet")
    expect(unmet).to_have_count(1)
    expect(unmet).to_contain_text(
        "Team Bravo is not funded: ask your MDO PM to record the team's funding."
    )
    # The file button is off while the checklist says "Not yet", and says why and who helps.
    file_button = page.get_by_role("button", name="File the request")
    expect(file_button).to_be_disabled()
    expect(page.locator("#file-why")).to_contain_text("Not yet: fix what is marked ✗")
    expect(page.locator("#file-why")).to_contain_text("pat can help")
    expect(page.get_by_label("Title (optional)")).to_have_value("Our first pipeline")
    shot(page, "refused")
    assert not Ticket.objects.exists()


def test_alice_uploads_a_ctf_letter_and_sees_the_checklist_turn_green(page, shot, tmp_path):
    w = world()
    # Mission Planner has its IL2 pipeline too (gate pipeline_at_level): only the letter lacks.
    PipelineFactory(epic=w.mission, impact_level="IL2")
    sign_in(page, "alice")
    page.get_by_role("link", name="New request").first.click()
    choose_type(page, "IL2/IL4/IL5 production deployment")
    choose_level(page, "IL2")
    choose_epic(page, "Mission Planner")
    live(
        page,
        lambda: page.get_by_label("Title (optional)").fill("Mission Planner to IL2 production"),
    )
    expect(checklist(page)).to_contain_text(
        "Upload a signed CtF letter covering IL2 to epic “Mission Planner”"
    )
    shot(page, "1-unmet")
    page.get_by_role("link", name="Upload a CtF letter to “Mission Planner”").click()

    # The epic page opens its upload form, ready for a CtF letter covering IL2.
    expect(page.get_by_role("heading", name="Mission Planner")).to_be_visible()
    expect(page.get_by_label("CtF letter")).to_be_checked()
    expect(page.get_by_label("IL2", exact=True)).to_be_checked()
    letter = tmp_path / "signed-ctf.pdf"
    letter.write_bytes(pdf_bytes(b"CtF letter IL2"))
    page.get_by_label("Signed PDF").set_input_files(str(letter))
    signed = timezone.localdate() - dt.timedelta(days=2)
    page.get_by_label("Signed on").fill(signed.isoformat())
    shot(page, "2-upload")
    page.get_by_role("button", name="Upload").click()

    # Back on the request, as it was typed; the letter waits for verification.
    expect(page.get_by_text("CtF letter uploaded to “Mission Planner”")).to_be_visible()
    expect(page.get_by_label("Title (optional)")).to_have_value("Mission Planner to IL2 production")
    expect(checklist(page)).to_contain_text("is waiting for the Cyber team or an MDO PM to verify")
    shot(page, "3-waiting")
    document = Document.objects.get(epic=w.mission, status=Document.Status.UPLOADED)
    assert document.impact_levels == ["IL2"] and document.signed_on == signed

    services.document_verify(by=w.casey, document=document)  # the Cyber team verifies it
    page.reload()
    expect(checklist(page)).to_contain_text("Yes: every check is met.")
    expect(checklist(page).locator(".check--unmet")).to_have_count(0)
    shot(page, "4-green")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_text(re.compile(r"Request #\d+ filed\."))).to_be_visible()
    ticket = Ticket.objects.get()
    assert (ticket.request_type, ticket.impact_level, ticket.epic) == (
        "prod_deploy",
        "IL2",
        w.mission,
    )


def test_alice_records_a_release_tag_and_is_told_why_not_twice(page, shot):
    people = world()  # Payments Service is in production
    sign_in(page, "alice")
    page.goto(f"/epics/{people.payments.pk}/")
    releases = page.locator("#releases")
    releases.get_by_label("Release tag").fill("v1.4.0")
    releases.get_by_role("button", name="Record release").click()
    expect(releases.get_by_role("status")).to_have_text("Release v1.4.0 recorded.")
    # The same tag again: refused (400), and the answer replaces the page's part, in place.
    releases.get_by_label("Release tag").fill("v1.4.0")
    releases.get_by_role("button", name="Record release").click()
    expect(releases).to_contain_text("already recorded")
    expect(releases.get_by_role("status")).to_have_count(0)
    shot(page, "refused-tag")
    assert people.payments.releases.count() == 1


def test_alice_withdraws_a_request(page, shot):
    w = world()
    ticket = services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL2", epic=w.mission
    )
    sign_in(page, "alice")
    page.get_by_role("link", name=ticket.title).click()
    expect(page.locator(".page-head .badge")).to_have_text("Submitted")
    shot(page, "before")
    page.get_by_role("button", name=f"Withdraw request #{ticket.pk}").click()
    expect(page.get_by_text(f"Request #{ticket.pk} withdrawn.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Withdrawn")
    expect(page.get_by_role("button", name=re.compile("Withdraw request"))).to_have_count(0)
    shot(page, "after")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WITHDRAWN


def test_filing_works_without_javascript(open_page, shot):
    world()
    page = open_page(javascript=False)
    sign_in(page, "alice")
    page.get_by_role("link", name="New request").first.click()
    page.get_by_role("radio", name="New pipeline with a new CtF", exact=True).check()
    page.get_by_role("button", name="Update the fields and checks").click()
    page.get_by_label("Impact level", exact=True).select_option("IL5")
    page.get_by_label("Application name").fill("Weather Feed")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_text(re.compile(r"Request #\d+ filed\."))).to_be_visible()
    shot(page, "filed")
    assert Ticket.objects.get().application_name == "Weather Feed"


def test_on_a_phone(open_page, shot):
    w = world()
    services.ticket_file(
        by=w.alice, team=w.alpha, request_type="pipeline", impact_level="IL2", epic=w.mission
    )
    page = open_page(viewport=PHONE)
    sign_in(page, "alice")
    shot(page, "home")
    page.get_by_role("link", name="Team Alpha requests", exact=True).click()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    shot(page, "list")
    page.get_by_role("link", name=starting("Additional IL2/IL4/IL5 pipeline")).click()
    expect(page.locator(".step")).to_have_count(5)
    shot(page, "request")
    page.get_by_role("link", name="New request").first.click()
    choose_type(page, "IL6 production deploy")
    choose_epic(page, "Mission Planner")
    expect(checklist(page)).to_contain_text("Upload a signed CtF letter approving IL6")
    shot(page, "new-il6")
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
