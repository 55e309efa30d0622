"""Filing a request: the page adapts to the request type, the live checklist of gates says
how to fix what is unmet, and a refused submission keeps what was typed and stores nothing."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from epics.models import Document
from requests_app.models import Ticket
from tests.factories import DocumentFactory, UserFactory
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of, world
from workflow.models import AuditEvent
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db

NEW = reverse("ticket_new")
BRAVO_NOT_FUNDED = "Team Bravo is not funded: ask your MDO PM to record the team's funding."


@pytest.fixture
def w():
    return world()


@pytest.fixture
def alice(client, w):
    return sign_in(client, w.alice)


def options(response, select_id: str) -> list[str]:
    html = response.content.decode()
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, flags=re.S)
    assert select, f"no <select id={select_id}>"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def test_the_page_explains_each_request_type(alice):
    page = text_of(alice.get(NEW))
    assert "Additional IL2/IL4/IL5 pipeline Another IL2, IL4 or IL5 pipeline" in page
    assert "New pipeline with a new CtF A new application that needs its own" in page
    assert "IL2/IL4/IL5 production deployment Deploy an epic with a completed pipeline" in page
    assert "IL6 production deploy A production deploy at IL6, performed by the Classified" in page
    assert "Choose a request type to see the checks it needs." in page


def test_epics_are_limited_to_the_team_own(alice, w):
    response = alice.get(NEW, {"request_type": "pipeline"})
    assert options(response, "id_epic") == [
        "Choose an epic…",
        "Logistics Tracker (New)",
        "Mission Planner (Pipeline Complete)",
        "Payments Service (Prod Deploy - Complete)",
    ]


@pytest.mark.parametrize(
    ("request_type", "levels"),
    [
        ("pipeline", ["Choose…", "IL2", "IL4", "IL5"]),
        ("new_pipeline_ctf", ["Choose…", "IL2", "IL4", "IL5"]),
        ("prod_deploy", ["Choose…", "IL2", "IL4", "IL5"]),
        ("il6_prod_deploy", ["IL6"]),
    ],
)
def test_impact_levels_are_limited_to_what_the_type_takes(alice, request_type, levels):
    response = alice.get(NEW, {"request_type": request_type}, headers=HTMX)
    assert options(response, "id_impact_level") == levels


def test_changing_the_type_answers_the_live_region_only(alice, w):
    choices = {"team": w.alpha.pk, "request_type": "new_pipeline_ctf"}
    response = alice.get(NEW, choices, headers=HTMX)
    assert response.status_code == 200
    assert is_fragment(response)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="live"')
    assert 'name="epic"' not in html  # a new CtF opens its own epic
    assert "Name the new application." in text_of(response)
    assert "HX-Request" in response["Vary"]


def test_a_new_ctf_asks_for_the_application_name_not_an_epic(alice):
    page = text_of(alice.get(NEW, {"request_type": "new_pipeline_ctf"}))
    assert "Application name" in page
    assert "Name the new application." in page
    assert "Choose an epic…" not in page


def test_the_checklist_says_how_to_get_a_ctf_letter_and_links_to_the_epic(alice, w):
    response = alice.get(
        NEW,
        {
            "team": w.alpha.pk,
            "request_type": "prod_deploy",
            "impact_level": "IL4",
            "epic": w.logistics.pk,
            "title": "Go live",
        },
        headers=HTMX,
    )
    page = text_of(response)
    assert "Not yet: fix what is marked ✗ first." in page
    assert (
        "Not met: Upload a signed CtF letter covering IL4 to epic “Logistics Tracker” and have "
        "it verified" in page
    )
    link = re.search(
        r'href="([^"]*)">Upload a CtF letter to “Logistics Tracker”', response.content.decode()
    )
    assert link, "the unmet gate links to where it is fixed"
    url = urlsplit(link.group(1).replace("&amp;", "&"))
    assert url.path == reverse("epic_detail", args=[w.logistics.pk])
    assert url.fragment == "upload"
    query = parse_qs(url.query)
    assert query["kind"] == ["ctf_letter"] and query["levels"] == ["IL4"]
    back = parse_qs(urlsplit(query["next"][0]).query)
    assert back["request_type"] == ["prod_deploy"] and back["title"] == ["Go live"]


def test_the_checklist_turns_green_when_every_gate_holds(alice, w):
    page = text_of(
        alice.get(
            NEW,
            {"request_type": "prod_deploy", "impact_level": "IL4", "epic": w.payments.pk},
            headers=HTMX,
        )
    )
    assert "Yes: every check is met." in page
    assert "Met: Epic “Payments Service” has a verified, signed CtF letter covering IL4." in page
    assert "Not met" not in page


def test_il6_checks_the_team_pipeline_and_the_il6_letter(alice, w):
    page = text_of(
        alice.get(NEW, {"request_type": "il6_prod_deploy", "epic": w.mission.pk}, headers=HTMX)
    )
    assert "Met: Team Alpha has a completed IL2/IL4/IL5 pipeline." in page
    assert "Not met: Upload a signed CtF letter approving IL6 to epic “Mission Planner”" in page


def test_bob_sees_that_team_bravo_is_not_funded_before_filing(client, w):
    page = text_of(sign_in(client, w.bob).get(NEW))
    assert f"Not met: {BRAVO_NOT_FUNDED}" in page


# Filing -------------------------------------------------------------------------------------


def file(client, **data):
    return client.post(NEW, data)


@pytest.mark.parametrize(
    ("request_type", "level", "epic_name", "extra"),
    [
        ("pipeline", "IL5", "payments", {}),
        ("new_pipeline_ctf", "IL4", None, {"application_name": "Fleet Tracker"}),
        ("prod_deploy", "IL4", "payments", {}),
        ("il6_prod_deploy", "IL6", "payments", {}),
    ],
)
def test_alice_files_each_request_type(alice, w, request_type, level, epic_name, extra):
    data = {"team": w.alpha.pk, "request_type": request_type, "impact_level": level, **extra}
    if epic_name:
        data["epic"] = getattr(w, epic_name).pk
    response = file(alice, **data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_detail", args=[ticket.pk])
    assert (ticket.request_type, ticket.impact_level, ticket.status) == (
        request_type,
        level,
        Ticket.Status.SUBMITTED,
    )
    assert ticket.created_by == w.alice
    page = text_of(alice.get(response["Location"]))
    assert f"Request #{ticket.pk} filed." in page and "Submitted" in page


def test_a_new_ctf_ignores_an_epic_left_in_the_form(alice, w):
    file(
        alice,
        team=w.alpha.pk,
        request_type="new_pipeline_ctf",
        impact_level="IL2",
        epic=w.payments.pk,
        application_name="Fleet Tracker",
    )
    ticket = Ticket.objects.get()
    assert ticket.epic is None and ticket.application_name == "Fleet Tracker"


def test_bob_cannot_file_and_is_told_why_and_nothing_is_stored(client, w):
    bob = sign_in(client, w.bob)
    response = file(
        bob,
        team=w.bravo.pk,
        request_type="pipeline",
        impact_level="IL4",
        epic=w.bravo_epic.pk,
        title="Our first pipeline",
        description="Please, we need it by Friday.",
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was filed: one check is not met yet." in page
    assert f"Not met: {BRAVO_NOT_FUNDED}" in page
    html = response.content.decode()
    assert 'value="Our first pipeline"' in html
    assert "Please, we need it by Friday.</textarea>" in html
    assert re.search(r'<option value="IL4" selected>', html)
    assert re.search(rf'<option value="{w.bravo_epic.pk}" selected>', html)
    assert not Ticket.objects.exists()
    assert AuditEvent.objects.filter(action="file", outcome="refused").count() == 1


def test_a_prod_deploy_without_a_ctf_letter_is_refused_with_the_fix(alice, w):
    response = file(
        alice, team=w.alpha.pk, request_type="prod_deploy", impact_level="IL4", epic=w.logistics.pk
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Upload a signed CtF letter covering IL4 to epic “Logistics Tracker”" in page
    assert "Upload a CtF letter to “Logistics Tracker”" in page
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"request_type": "new_pipeline_ctf", "impact_level": "IL4"},
            "Name the new application (it becomes the epic).",
        ),
        (
            {
                "request_type": "new_pipeline_ctf",
                "impact_level": "IL4",
                "application_name": "payments service",
            },
            "Team Alpha already has an epic named “payments service”: file an additional "
            "pipeline on it instead.",
        ),
        (
            {"request_type": "pipeline", "impact_level": "IL6", "epic": "payments"},
            "Additional IL2/IL4/IL5 pipeline takes IL2, IL4, IL5, not “IL6”.",
        ),
        (
            {"request_type": "pipeline", "impact_level": "IL4"},
            "Choose the epic this request is for.",
        ),
        (
            {"request_type": "pipeline", "impact_level": "IL4", "epic": "bravo_epic"},
            "Choose one of Team Alpha's epics.",
        ),
        ({"impact_level": "IL4"}, "Choose what you need: one of the four request types."),
    ],
)
def test_what_needs_fixing_is_said_on_the_field(alice, w, data, message):
    if "epic" in data:
        data["epic"] = getattr(w, data["epic"]).pk
    response = file(alice, team=w.alpha.pk, **data)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was filed: some fields need fixing." in page
    assert message in page
    assert not Ticket.objects.exists()


def test_one_cannot_file_for_a_team_one_is_not_in(alice, w):
    response = file(
        alice, team=w.bravo.pk, request_type="pipeline", impact_level="IL4", epic=w.payments.pk
    )
    assert response.status_code == 400
    assert "Choose one of your teams." in text_of(response)
    assert not Ticket.objects.exists()


def test_without_javascript_the_form_updates_through_a_plain_get(alice, w):
    # The "Update the fields and checks" button submits the form by GET.
    response = alice.get(
        NEW,
        {
            "team": w.alpha.pk,
            "request_type": "prod_deploy",
            "impact_level": "IL4",
            "epic": w.payments.pk,
            "title": "Keep me",
        },
    )
    assert not is_fragment(response)
    html = response.content.decode()
    assert "Update the fields and checks" in html
    assert 'value="Keep me"' in html
    assert "Yes: every check is met." in text_of(response)


def test_someone_in_no_team_is_told_to_ask_for_one(client, w):
    loner = UserFactory(username="lou", roles=[PRODUCT_TEAM])
    page = text_of(sign_in(client, loner).get(NEW))
    assert "You are not a member of any product team" in page


def test_filing_enforces_csrf(w):
    strict = sign_in(Client(enforce_csrf_checks=True), w.alice)
    data = {
        "team": w.alpha.pk,
        "request_type": "pipeline",
        "impact_level": "IL5",
        "epic": w.payments.pk,
    }
    assert strict.post(NEW, data).status_code == 403
    assert not Ticket.objects.exists()
    token = strict.get(NEW).cookies["csrftoken"].value
    assert strict.post(NEW, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Ticket.objects.count() == 1


def test_the_form_page_takes_a_fixed_number_of_queries(alice, w, django_assert_max_num_queries):
    params = {"request_type": "prod_deploy", "impact_level": "IL4", "epic": w.logistics.pk}
    # Blocked (no CtF letter): the disabled file button names the MDO PMs (one query).
    with django_assert_max_num_queries(17):
        alice.get(NEW, params)


def test_a_letter_waiting_for_verification_is_shown_with_where_to_see_it(alice, w):
    DocumentFactory(
        epic=w.logistics,
        impact_levels=["IL4"],
        status=Document.Status.UPLOADED,
        uploaded_by=w.alice,
    )
    params = {"request_type": "prod_deploy", "impact_level": "IL4", "epic": w.logistics.pk}
    page = text_of(alice.get(NEW, params, headers=HTMX))
    assert "A CtF letter uploaded on" in page
    assert "is waiting for the Cyber team or an MDO PM to verify it." in page
    assert "See the documents of “Logistics Tracker”" in page
    assert "Upload a CtF letter to" not in page


def test_a_member_of_two_teams_chooses_the_team_and_gets_its_epics(alice, w):
    w.bravo.members.add(w.alice)
    response = alice.get(NEW, {"team": w.bravo.pk, "request_type": "pipeline"})
    assert options(response, "id_team") == ["Team Alpha", "Team Bravo"]
    assert options(response, "id_epic") == ["Choose an epic…", "Bravo Console (Pipeline Complete)"]
    assert "Not met: " + BRAVO_NOT_FUNDED in text_of(response)
    response = alice.get(NEW, {"team": w.alpha.pk, "request_type": "pipeline"}, headers=HTMX)
    assert "Bravo Console" not in text_of(response)
