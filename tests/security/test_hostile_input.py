"""Hostile input in every text field, put in through the services as a person would, comes
back escaped on every page and API answer that shows it: never as markup a browser runs,
never evaluated as a template."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from api.tokens import issue
from epics.models import Document, Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
    pdf_upload,
)
from tests.gitlab.test_tag_push_hook import HOOK, SECRET, deliver, tag_push
from tests.portal.pages import sign_in
from workflow import services
from workflow.models import AccessRequest
from workflow.permissions import CLASSIFIED_OPS, DEVOPS, MDO_PM, PRODUCT_TEAM
from workflow.tasks import record_gitlab_release

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
HOSTILE = f"{SCRIPT}{ATTRIBUTE}{TEMPLATE}"
# What must never reach a page as it was typed.
RAW = (SCRIPT, ATTRIBUTE, "<img src=x", "<script>alert")


def hostile(field: str) -> str:
    """The hostile text, told apart by the field it went into."""
    return f"{field} {HOSTILE}"


@pytest.fixture
def hostile_world(db):
    pat = UserFactory(username="pat", roles=[MDO_PM, CLASSIFIED_OPS])
    alice = UserFactory(username="alice", roles=[PRODUCT_TEAM])
    dana = UserFactory(username="dana", roles=[DEVOPS])
    cleo = UserFactory(username="cleo", roles=[CLASSIFIED_OPS])
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    team = services.team_create(
        by=pat, name=hostile("team"), funded=True, onboarded=True, members=[alice]
    )
    epic = services.epic_create(by=pat, team=team, title=hostile("epic"))
    live = EpicFactory(
        team=team,
        title=hostile("live epic"),
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now() - dt.timedelta(days=1),
    )
    DocumentFactory(epic=live, uploaded_by=pat)  # its CtF in force: releases are recorded
    ticket = services.ticket_file(
        by=alice,
        team=team,
        request_type=RequestType.PIPELINE,
        impact_level="IL4",
        epic=epic,
        title=hostile("title"),
        description=hostile("description"),
    )
    new_ctf = services.ticket_file(
        by=alice,
        team=team,
        request_type=RequestType.NEW_PIPELINE_CTF,
        impact_level="IL2",
        application_name=hostile("application"),
    )
    rejected = services.ticket_file(
        by=alice,
        team=team,
        request_type=RequestType.PIPELINE,
        impact_level="IL5",
        epic=epic,
        title="To be rejected",
    )
    services.ticket_reject(by=pat, ticket=rejected, reason=hostile("rejection"))
    services.ticket_triage(by=pat, ticket=ticket)  # a story, titled after the epic
    services.epic_start_pipeline(by=pat, epic=epic)
    access = services.access_request_create(by=alice, justification=hostile("justification"))
    release = services.release_create(by=alice, epic=live, tag=hostile("tag"))
    services.release_record_from_gitlab(
        epic=live, tag=hostile("gitlab tag")[:120], pushed_by="<b>mallory</b>"
    )
    document = services.document_upload(
        by=alice,
        epic=live,
        kind="ctf_letter",
        file=pdf_upload(name=f"{HOSTILE}.pdf"),
        signed_on=timezone.localdate(),
        impact_levels=["IL4"],
    )
    services.document_reject(by=pat, document=document, reason=hostile("document rejection"))
    il6 = TicketFactory(
        team=team,
        epic=live,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
        title=hostile("il6"),
        created_by=alice,
    )
    classified = StoryFactory(
        ticket=il6, epic=live, board=Story.Board.CLASSIFIED_OPS, title=hostile("classified")
    )
    return SimpleNamespace(
        pat=pat,
        alice=alice,
        dana=dana,
        cleo=cleo,
        root=root,
        team=team,
        epic=epic,
        live=live,
        ticket=ticket,
        new_ctf=new_ctf,
        rejected=rejected,
        access=access,
        release=release,
        document=document,
        classified=classified,
    )


def assert_escaped(response, *shown: str):
    """No hostile markup as typed; each text in `shown` present, escaped (and a template
    expression shown as typed, not evaluated)."""
    assert response.status_code == 200, response
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html, f"{raw!r} reached the page unescaped"
    for text in shown:
        assert escape(f"{text} {SCRIPT}") in html, f"{text!r} is not shown (escaped)"
    if shown:
        assert TEMPLATE in html


def page(client, user, url):
    return sign_in(client, user).get(url)


# The pages ------------------------------------------------------------------------------------


def test_a_members_pages(client, hostile_world):
    w = hostile_world
    alice = w.alice
    assert_escaped(page(client, alice, "/"), "team", "epic", "title")
    assert_escaped(page(client, alice, f"/teams/{w.team.pk}/requests/"), "team", "title")
    assert_escaped(page(client, alice, f"/requests/{w.ticket.pk}/"), "title", "description", "epic")
    assert_escaped(page(client, alice, f"/requests/{w.new_ctf.pk}/"), "application")
    assert_escaped(page(client, alice, f"/requests/{w.rejected.pk}/"), "rejection")
    assert_escaped(
        page(client, alice, f"/epics/{w.live.pk}/"), "live epic", "tag", "document rejection"
    )
    assert_escaped(page(client, alice, f"/epics/{w.epic.pk}/"), "epic")
    assert_escaped(page(client, alice, "/classified-access/"))
    assert_escaped(page(client, alice, "/notifications/"), "title")
    assert_escaped(page(client, alice, "/notifications/bell/"))
    assert_escaped(page(client, alice, "/requests/new/"), "team")


def test_an_mdo_pms_pages(client, hostile_world):
    w = hostile_world
    pat = w.pat
    assert_escaped(page(client, pat, "/notifications/"), "title")
    assert_escaped(page(client, pat, f"/requests/{w.ticket.pk}/"), "title")
    assert_escaped(page(client, pat, "/boards/epics/"), "epic")
    assert_escaped(page(client, pat, f"/boards/epics/{w.epic.pk}/"), "epic")
    assert_escaped(page(client, pat, "/boards/triage/"))
    assert_escaped(page(client, pat, "/boards/classified/"), "classified")
    assert_escaped(page(client, pat, "/insights/"))
    assert_escaped(page(client, pat, f"/insights/teams/{w.team.pk}/"), "team")


def test_the_engineers_pages(client, hostile_world):
    w = hostile_world
    assert_escaped(page(client, w.dana, "/boards/my-work/"), "epic")
    assert_escaped(page(client, w.cleo, "/boards/classified/access/"), "justification")
    assert_escaped(page(client, w.cleo, f"/boards/classified/{w.classified.pk}/"), "classified")


def test_a_gitlab_pushers_name_and_tag_are_escaped_in_the_timeline(client, hostile_world):
    """GitLab's own words (who pushed, the tag) reach the epic's timeline when it refuses a
    tag: escaped like everyone's."""
    w = hostile_world
    from workflow.errors import GatesUnmet

    with pytest.raises(GatesUnmet):
        services.release_record_from_gitlab(
            epic=w.epic, tag=hostile("refused tag")[:120], pushed_by=f"mallory{ATTRIBUTE}"
        )

    response = page(client, w.alice, f"/epics/{w.epic.pk}/")

    assert_escaped(response, "refused tag")
    assert escape(f"gitlab:mallory{ATTRIBUTE}") in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "requests_app/ticket",
        "epics/epic",
        "epics/team",
        "epics/story",
        "epics/document",
        "epics/release",
        "workflow/accessrequest",
        "workflow/auditevent",
        "notifications/notification",
    ],
)
def test_the_admin(client, hostile_world, model):
    w = hostile_world
    assert_escaped(page(client, w.root, f"/admin/{model}/"))
    objects = {
        "requests_app/ticket": w.ticket,
        "epics/epic": w.epic,
        "epics/team": w.team,
        "epics/story": w.classified,
        "epics/document": w.document,
        "epics/release": w.release,
        "workflow/accessrequest": w.access,
    }
    if model in objects:
        assert_escaped(page(client, w.root, f"/admin/{model}/{objects[model].pk}/change/"))


def test_the_uploaded_files_name_is_shown_escaped_in_the_admin(client, hostile_world):
    name = hostile_world.document.original_name  # the browser's base name of the file
    assert ATTRIBUTE in name

    response = page(client, hostile_world.root, "/admin/epics/document/")

    assert_escaped(response)
    assert escape(name) in response.content.decode()


def test_the_admins_transition_page(client, hostile_world):
    w = hostile_world
    response = sign_in(client, w.root).post(
        "/admin/requests_app/ticket/",
        {"action": "transition_reject", "_selected_action": [w.ticket.pk], "index": 0},
    )

    assert_escaped(response, "title")


# The API ----------------------------------------------------------------------------------------


def _api(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue(user)}"
    return client


def strings(data):
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [text for item in data for text in strings(item)]
    return [data] if isinstance(data, str) else []


RESOURCES = ["teams", "epics", "tickets", "stories", "documents", "releases", "access-requests"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_api_answers_json_that_browsers_do_not_sniff(hostile_world, resource):
    response = _api(hostile_world.pat).get(f"/api/v1/{resource}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Stored and answered as typed: escaping is the page's job, not the data's.
    if resource != "stories":
        assert any(HOSTILE in text for text in strings(response.json()))


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_browsable_api_escapes_it(hostile_world, resource):
    client = sign_in(Client(), hostile_world.pat)

    response = client.get(f"/api/v1/{resource}/", headers={"Accept": "text/html"})

    assert response["Content-Type"].startswith("text/html")
    assert_escaped(response)


def test_the_api_history_and_detail(hostile_world):
    w = hostile_world
    api = _api(w.pat)
    for url in (
        f"/api/v1/tickets/{w.ticket.pk}/",
        f"/api/v1/tickets/{w.rejected.pk}/history/",
        f"/api/v1/documents/{w.document.pk}/",
        f"/api/v1/access-requests/{w.access.pk}/",
        reverse("api:epic-history", args=[w.live.pk]),
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"


def test_the_csv_export_is_an_attachment(client, hostile_world):
    response = sign_in(client, hostile_world.alice).get("/exports/requests.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# Malformed input on the pages: NUL characters, line breaks (portal/input.py, workflow/text.py) --

NO_NUL = "Null characters are not allowed."
ONE_LINE = "Keep it on one line: no line breaks."


@pytest.mark.parametrize(
    "path, query",
    [
        ("/boards/epics/", {"q": "pay\x00ments"}),
        ("/boards/triage/", {"q": "\x00"}),
        ("/boards/epics/column/new/", {"after": "5\x00"}),
        ("/boards/my-work/", {"after": "\x00"}),
        ("/boards/epics/", {"q\x00": "x"}),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, pm, path, query):
    response = sign_in(client, pm).get(path, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    name = next(iter(query)).replace("\x00", "\\u0000")
    assert response.content.decode() == f"The parameter “{name}”: {NO_NUL}"


def test_a_nul_in_an_api_query_parameter_is_a_json_400(client, pm):
    response = client.get("/api/v1/tickets/", {"status": "\x00"}, HTTP_AUTHORIZATION="x")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The parameter “status”: {NO_NUL}",
        "status": [NO_NUL],
    }


def test_a_nul_in_an_access_justification_is_refused(client, member):
    response = sign_in(client, member).post(
        reverse("classified_access"), {"justification": "IL6 deploys\x00"}
    )
    assert response.status_code == 400
    assert response.content.decode() == f"The field “justification”: {NO_NUL}"
    assert not AccessRequest.objects.exists()


def test_a_nul_in_a_rejection_reason_is_refused(client, pm, epic):
    ticket = TicketFactory(epic=epic)
    document = DocumentFactory(epic=epic, status=Document.Status.UPLOADED)
    signed_in = sign_in(client, pm)
    for path in (
        reverse("board_reject_ticket", args=[ticket.pk]),
        reverse("document_reject", args=[document.pk]),
    ):
        response = signed_in.post(path, {"reason": "unsigned\x00"})
        assert response.status_code == 400, path
        assert response.content.decode() == f"The field “reason”: {NO_NUL}"
    ticket.refresh_from_db()
    document.refresh_from_db()
    assert (ticket.status, document.status) == ("submitted", "uploaded")


def test_a_form_that_does_not_parse_is_a_400(client, member):
    response = sign_in(client, member).post(
        reverse("classified_access"),
        data=b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert not AccessRequest.objects.exists()


BREAK = "Deploy\r\nBcc: everyone@example.mil"


def test_a_ticket_title_on_two_lines_is_a_form_error(client, member, epic):
    response = sign_in(client, member).post(
        reverse("ticket_new"),
        {
            "team": epic.team_id,
            "request_type": RequestType.PIPELINE,
            "impact_level": "IL4",
            "epic": epic.pk,
            "title": BREAK,
        },
    )
    assert response.status_code == 400
    assert ONE_LINE in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_release_tag_on_two_lines_is_a_form_error(client, member, team):
    live = EpicFactory(
        team=team,
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now() - dt.timedelta(days=2),
    )
    DocumentFactory(epic=live)
    response = sign_in(client, member).post(
        reverse("release_create", args=[live.pk]), {"tag": "v1.0\nv2.0"}
    )
    assert response.status_code == 400
    assert ONE_LINE in response.content.decode()
    assert not live.releases.exists()


def test_reasons_on_two_lines_are_refused_where_they_are_typed(client, pm, classified, epic):
    ticket = TicketFactory(epic=epic)
    document = DocumentFactory(epic=epic, status=Document.Status.UPLOADED)
    access = AccessRequestFactory()
    for user, path in (
        (pm, reverse("board_reject_ticket", args=[ticket.pk])),
        (pm, reverse("document_reject", args=[document.pk])),
        (classified, reverse("board_access_decide", args=[access.pk, "deny"])),
    ):
        # As the board sends it (HTMX): the row again, saying why, with the refusal's status.
        response = sign_in(Client(), user).post(path, {"reason": BREAK}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400, path
        assert ONE_LINE in response.content.decode(), path
    ticket.refresh_from_db()
    document.refresh_from_db()
    access.refresh_from_db()
    assert (ticket.status, document.status, access.status) == ("submitted", "uploaded", "pending")


# GitLab tag names (workflow/gitlab.py) -----------------------------------------------------------


@pytest.mark.parametrize(
    "tag, problem",
    [
        ("v1.0\nBcc: x@example.mil", ONE_LINE),
        ("v1.0\rv2", ONE_LINE),
        ("v1.\x000", NO_NUL),
    ],
)
def test_a_gitlab_tag_that_is_not_one_line_of_text_is_a_400(
    settings, monkeypatch, epic, tag, problem
):
    settings.GITLAB_WEBHOOK_SECRET = SECRET
    queued = []
    monkeypatch.setattr(record_gitlab_release, "delay_on_commit", lambda **kw: queued.append(kw))
    response = deliver(tag_push(tag))
    assert (response.status_code, queued) == (400, [])
    assert problem in response.json()["detail"]
    body = tag_push()
    body["project"]["web_url"] += "\x00"
    response = Client().post(
        HOOK,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-Gitlab-Token": SECRET},
    )
    assert (response.status_code, queued) == (400, [])
    assert NO_NUL in response.json()["detail"]
