"""The Product Team Epic Board as an MDO PM reads it: its columns, its cards, filters and
counts, WIP limits, columns that load in pages, and changes by others arriving."""

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from epics.models import Epic
from tests.boards.conftest import building, started, triaged
from tests.factories import EpicFactory, TeamFactory
from tests.portal.pages import HTMX, is_fragment, text_of
from workflow import services

pytestmark = pytest.mark.django_db

LABELS = [
    "New",
    "Pipeline In Progress",
    "Pipeline Being Built",
    "Pipeline Complete",
    "Deployed - Staging",
    "Prod Deploy - Queued",
    "Prod Deploy - In Progress",
    "Prod Deploy - Complete",
]


def column(response, status) -> str:
    """The words of one column (its header and its cards)."""
    html = response.content.decode()
    match = re.search(rf'<section class="col[^"]*" id="col-{status}".*?</section>', html, re.S)
    assert match, f"no column {status}"
    return text_of(type("R", (), {"content": match.group(0).encode()})())


def card_titles(response, status) -> list[str]:
    html = response.content.decode()
    match = re.search(rf'id="col-{status}".*?</section>', html, re.S)
    return re.findall(r'<li class="tile"[^>]*><a href="[^"]+">([^<]+)</a>', match.group(0))


def test_one_column_per_epic_status_labelled_as_the_workflow_says(people, as_user):
    html = as_user(people.pat).get(reverse("board_epics")).content.decode()
    headings = re.findall(r'<h2 class="col__name"[^>]*>([^<]+)</h2>', html)
    assert headings == LABELS


def test_a_card_shows_team_title_levels_open_story_assignee_and_time_in_column(people, as_user):
    building(people, people.mission, level="IL5")  # the epic has an IL4 pipeline already
    response = as_user(people.pat).get(reverse("board_epics"))
    assert column(response, "pipeline_being_built") == (
        "Pipeline Being Built 1 WIP limit 8 "
        "Mission Planner Team Alpha IL4 IL5 pipeline · dana 1 min here"
    )
    assert "Logistics Tracker Team Alpha 1 min here" in column(response, "new")


def test_time_in_the_column_counts_from_the_last_move(people, as_user):
    Epic.objects.filter(pk=people.logistics.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=3, hours=2)
    )
    response = as_user(people.pat).get(reverse("board_epics"))
    assert "Logistics Tracker Team Alpha 3 d here" in column(response, "new")


def test_counts_per_column_and_filters(people, as_user):
    delta = TeamFactory(name="Team Delta")
    for n in range(3):
        EpicFactory(team=delta, title=f"Delta {n}")
    building(people, people.mission)
    client = as_user(people.pat)

    everything = client.get(reverse("board_epics"))
    assert column(everything, "new").startswith("New 4 ")

    by_team = client.get(reverse("board_epics"), {"team": delta.pk})
    assert column(by_team, "new").startswith("New 3 of 4 ")
    assert card_titles(by_team, "new") == ["Delta 0", "Delta 1", "Delta 2"]

    by_text = client.get(reverse("board_epics"), {"q": "logistics"})
    assert card_titles(by_text, "new") == ["Logistics Tracker"]
    by_team_name = client.get(reverse("board_epics"), {"q": "delta"})
    assert len(card_titles(by_team_name, "new")) == 3

    by_assignee = client.get(reverse("board_epics"), {"assignee": people.dana.pk})
    assert card_titles(by_assignee, "pipeline_being_built") == ["Mission Planner"]
    assert card_titles(by_assignee, "new") == []

    by_level = client.get(reverse("board_epics"), {"level": "IL4"})
    assert card_titles(by_level, "prod_deploy_complete") == ["Payments Service"]
    assert card_titles(by_level, "new") == []
    nothing = client.get(reverse("board_epics"), {"level": "IL2"})
    assert all(card_titles(nothing, status) == [] for status in Epic.Status.values)


def test_filtering_under_htmx_answers_the_columns_only(people, as_user):
    response = as_user(people.pat).get(reverse("board_epics"), {"q": "payments"}, headers=HTMX)
    assert is_fragment(response)
    assert response.content.decode().lstrip().startswith('<div id="columns"')
    assert card_titles(response, "prod_deploy_complete") == ["Payments Service"]
    # The address bar and the live refresh that follows keep the filters.
    assert response["HX-Push-Url"] == "/boards/epics/?q=payments"
    assert 'hx-get="/boards/epics/live/?q=payments"' in response.content.decode()


def test_a_column_over_its_wip_limit_says_so(people, as_user, settings):
    EpicFactory(team=people.alpha, title="Second new epic")
    settings.BOARD_WIP_LIMITS = {"new": 1, "pipeline_complete": 5}
    html = as_user(people.pat).get(reverse("board_epics")).content.decode()
    assert re.search(r'class="col col--over" id="col-new"', html)
    assert "Over WIP limit 1 by 1" in html
    assert re.search(r'class="col" id="col-pipeline_complete"', html)
    assert "WIP limit 5" in html


def test_wip_limits_come_from_the_environment():
    """BOARD_WIP_LIMITS=status=limit,... (as .env.example shows) configures the limits."""
    code = "from django.conf import settings; print(sorted(settings.BOARD_WIP_LIMITS.items()))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "BOARD_WIP_LIMITS": "pipeline_being_built=3,prod_deploy_queued=12",
    }
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == "[('pipeline_being_built', 3), ('prod_deploy_queued', 12)]"


def test_columns_load_fifty_cards_then_more_on_demand(people, as_user):
    team = TeamFactory(name="Team Many")
    start = timezone.now() - dt.timedelta(days=10)
    for n in range(61):
        epic = EpicFactory(team=team, title=f"Many {n:02}")
        Epic.objects.filter(pk=epic.pk).update(status_changed_at=start + dt.timedelta(minutes=n))
    client = as_user(people.pat)
    board = client.get(reverse("board_epics"), {"team": team.pk})
    first = card_titles(board, "new")
    assert first == [f"Many {n:02}" for n in range(50)]  # the longest waiting first
    more = re.search(r'<li class="more"><a [^>]*href="([^"]+)"', board.content.decode()).group(1)
    assert more.startswith("/boards/epics/column/new/?after=") and f"team={team.pk}" in more

    page = client.get(more.replace("&amp;", "&"), headers=HTMX)
    assert is_fragment(page)
    titles = re.findall(r'<a href="[^"]+">([^<]+)</a>', page.content.decode())
    assert titles == [f"Many {n:02}" for n in range(50, 61)]
    assert 'class="more"' not in page.content.decode()

    # Without JavaScript, the same link is a page of its own.
    plain = client.get(more.replace("&amp;", "&"))
    assert "New: more cards" in text_of(plain)


def test_columns_where_work_has_arrived_show_the_latest_first(people, as_user):
    team = TeamFactory(name="Team Done")
    for n in range(3):
        epic = EpicFactory(team=team, title=f"Done {n}", status=Epic.Status.PROD_DEPLOY_COMPLETE)
        Epic.objects.filter(pk=epic.pk).update(
            status_changed_at=timezone.now() - dt.timedelta(days=5 - n)
        )
    response = as_user(people.pat).get(reverse("board_epics"), {"team": team.pk})
    assert card_titles(response, "prod_deploy_complete") == ["Done 2", "Done 1", "Done 0"]
    assert "latest first" in column(response, "prod_deploy_complete")


def test_a_cursor_that_does_not_parse_starts_the_column_over(people, as_user):
    response = as_user(people.pat).get(
        reverse("board_epic_column", args=["new"]), {"after": "nonsense"}, headers=HTMX
    )
    assert "Logistics Tracker" in response.content.decode()
    assert as_user(people.pat).get(reverse("board_epic_column", args=["nope"])).status_code == 404


def live(client, etag="", **query):
    headers = {**HTMX, "If-None-Match": etag} if etag else HTMX
    return client.get(reverse("board_epics_live"), query, headers=headers)


def test_an_unchanged_board_answers_304_to_its_etag(people, as_user):
    client = as_user(people.pat)
    page = client.get(reverse("board_epics"))
    etag = page["ETag"]
    assert f'data-etag="{etag.replace(chr(34), "&quot;")}"' in page.content.decode()
    unchanged = live(client, etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""


def test_a_change_by_someone_else_reaches_the_board(people, as_user):
    client = as_user(people.pat)
    etag = client.get(reverse("board_epics"))["ETag"]
    triaged(people, people.logistics)
    services.epic_start_pipeline(by=people.pat, epic=people.logistics)
    changed = live(client, etag)
    assert changed.status_code == 200
    assert is_fragment(changed)
    assert card_titles(changed, "pipeline_in_progress") == ["Logistics Tracker"]
    assert changed["ETag"] != etag
    assert live(client, changed["ETag"]).status_code == 304


def test_reading_the_board_is_no_change(people, as_user):
    client = as_user(people.pat)
    etag = client.get(reverse("board_epics"))["ETag"]
    as_user(people.cleo).get(reverse("board_classified"))  # audited as an open, not a change
    client = as_user(people.pat)
    assert live(client, etag).status_code == 304


def test_the_etag_is_the_viewers_own(people, as_user):
    client = as_user(people.pat)
    etag = client.get(reverse("board_epics"))["ETag"]
    assert live(client, etag, q="payments").status_code == 200
    dana = as_user(people.dana)
    assert live(dana, etag).status_code == 200


def test_a_refresh_keeps_the_cards_the_viewer_loaded(people, as_user):
    team = TeamFactory(name="Team Many")
    for n in range(70):
        EpicFactory(team=team, title=f"Many {n:02}")
    client = as_user(people.pat)
    response = live(client, team=team.pk, n_new=60)
    assert len(card_titles(response, "new")) == 60


def test_the_pipeline_in_progress_card_shows_its_waiting_story(people, as_user):
    started(people, people.logistics)
    response = as_user(people.pat).get(reverse("board_epics"))
    assert "Logistics Tracker Team Alpha IL4 pipeline · unassigned" in column(
        response, "pipeline_in_progress"
    )


def test_a_card_read_alone_is_the_card_the_board_shows(people):
    """After a move the card is read by itself, in one query (its open stories joined); it
    must say exactly what the board says of it: levels, the open story, its assignee, the
    count of the others."""
    import dataclasses

    from boards.selectors import Filters, epic_board, epic_card
    from tests.boards.test_queries import add_work

    building(people, people.mission)
    triaged(people, people.mission, "pipeline", "IL5")  # a second, waiting story
    add_work(people, 16)
    board = epic_board(people.pat, Filters(), choices=False)
    shown = [card for view in board.columns for card in view.cards]
    assert any("(+1 more)" in card.line for card in shown)
    assert any(card.line == "" for card in shown) and any(card.levels for card in shown)
    for card in shown:
        alone = epic_card(people.pat, card.pk)
        assert dataclasses.replace(alone, age=card.age) == card
