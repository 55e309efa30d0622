"""The dashboard pages: who sees what, the CSV downloads, HTMX, and a fixed number of
queries whatever the amount of history."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.insights.support import at, history, more_work
from tests.portal.pages import HTMX, is_fragment, sign_in, text_of
from workflow.permissions import DEVOPS

pytestmark = pytest.mark.django_db

PANELS = ["lead_time", "time_in_status", "flow", "lead_time_weekly", "finished", "triage"]


@pytest.fixture
def world(clock):
    made = history(clock)
    clock.set(made.now)
    return made


def get(client, path, **params):
    return client.get(path, params)


def test_the_pm_sees_every_team_at_a_glance(client, world):
    sign_in(client, world.pat)
    response = get(client, "/insights/", weeks=4)
    assert response.status_code == 200
    text = text_of(response)
    assert "Insights: every team" in text
    assert (
        "Slowest request type IL2/IL4/IL5 production deployment median 7.1 days from filing "
        "to done" in text
    )
    assert "Epics wait longest in Prod Deploy - Queued median 2.1 days" in text
    assert "Slowest: IL2/IL4/IL5 production deployment, median 7.1 days" in text
    html = response.content.decode()
    for key in [*PANELS, "open_work"]:
        assert f'id="{key}"' in html
    # Every team: Bravo's request counts too (3 finished).
    assert "Requests finished 3 in the last 4 weeks" in text


def test_every_chart_is_labelled_svg(client, world):
    sign_in(client, world.pat)
    html = get(client, "/insights/", weeks=4).content.decode()
    charts = re.findall(r'<svg [^>]*class="chart .*?</svg>', html, flags=re.S)
    assert len(charts) == 8  # the flow panel draws two
    ns = "{http://www.w3.org/2000/svg}"
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.get("role") == "img"
        title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
        assert title.text and desc.text
        assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
        assert " style=" not in chart  # a strict Content Security Policy comes later


def test_the_team_filter_narrows_the_pm_dashboard(client, world):
    sign_in(client, world.pat)
    text = text_of(get(client, "/insights/", weeks=4, team=world.bravo.pk))
    assert "Team Bravo · All request types" in text
    assert "Requests finished 1 in the last 4 weeks" in text


def test_a_team_member_sees_only_their_team(client, world):
    sign_in(client, world.alice)
    response = get(client, f"/insights/teams/{world.alpha.pk}/", weeks=4)
    assert response.status_code == 200
    text = text_of(response)
    assert "Insights: Team Alpha" in text
    assert "Requests finished 2 in the last 4 weeks" in text
    # Their own dashboard of all their teams: still only Alpha's work.
    text = text_of(get(client, "/insights/", weeks=4))
    assert "Insights: your teams" in text and "Requests finished 2 in" in text


def test_another_teams_dashboard_is_not_found(client, world):
    sign_in(client, world.alice)
    assert get(client, f"/insights/teams/{world.bravo.pk}/").status_code == 404
    assert get(client, "/insights/", team=world.bravo.pk).status_code == 404
    assert get(client, f"/insights/teams/{world.bravo.pk}/", format="csv").status_code == 404
    assert get(client, "/insights/teams/999999/").status_code == 404


def test_signing_in_comes_first(client, world):
    response = get(client, "/insights/")
    assert response.status_code == 302


def test_the_numbers_as_csv(client, world):
    sign_in(client, world.pat)
    response = get(
        client, f"/insights/teams/{world.alpha.pk}/", weeks=4, format="csv", chart="triage"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="insights-team-{world.alpha.pk}-triage-2026-11-13.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Week starting", "Triaged", "Within 8 business hours", "Share within (%)"],
        ["2026-10-19", "0", "0", ""],
        ["2026-10-26", "0", "0", ""],
        ["2026-11-02", "1", "1", "100"],
        ["2026-11-09", "3", "2", "67"],
    ]
    response = get(client, "/insights/", format="csv", chart="lead_time")
    lead = list(csv.reader(io.StringIO(response.content.decode())))
    assert lead[0] == ["Request type", "Finished", "Median (days)", "90th percentile (days)"]
    assert ["IL2/IL4/IL5 production deployment", "1", "7.08", "7.08"] in lead


def test_the_page_shows_the_same_numbers_as_the_csv(client, world):
    sign_in(client, world.pat)
    html = get(client, "/insights/", weeks=4).content.decode()
    assert '<td data-label="Median (days)">7.08</td>' in html
    assert "format=csv&amp;chart=lead_time" in html


def test_an_unknown_chart_is_not_found(client, world):
    sign_in(client, world.pat)
    assert get(client, "/insights/", format="csv", chart="nope").status_code == 404


def test_filters_outside_the_choices_fall_back(client, world):
    sign_in(client, world.pat)
    response = get(client, "/insights/", weeks=7, request_type="nope")
    assert response.status_code == 200
    assert "the last 12 weeks" in text_of(response)


def test_htmx_gets_the_results_only(client, world):
    sign_in(client, world.pat)
    response = client.get("/insights/", {"weeks": 4, "request_type": "pipeline"}, headers=HTMX)
    assert response.status_code == 200
    assert is_fragment(response)
    assert 'id="insights-results"' in response.content.decode()
    assert "Additional IL2/IL4/IL5 pipeline" in text_of(response)
    assert "HX-Request" in response["Vary"]


def test_staff_roles_see_every_team(client, world):
    sign_in(client, UserFactory(username="devon", roles=[DEVOPS]))
    assert "Insights: every team" in text_of(get(client, "/insights/"))
    assert get(client, f"/insights/teams/{world.bravo.pk}/").status_code == 200


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"weeks": 4})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["pat", "alice"])
def test_a_fixed_number_of_queries_whatever_the_history(client, world, clock, who):
    path = "/insights/" if who == "pat" else f"/insights/teams/{world.alpha.pk}/"
    clock.set(at(20, 12))
    sign_in(client, getattr(world, who))
    get(client, path)  # content types and the like, cached once per process
    few = queries(client, path)
    more_work(world.alpha, world.alice, world.pat, world.dana, 8, clock, day=16)
    more_work(world.bravo, world.bob, world.pat, world.dana, 8, clock, day=17)
    clock.set(at(20, 12))
    assert queries(client, path) == few
