"""Bugs of issue 17 seen in the browser: each test failed before its fix.

A race is made certain, not hoped for: the browser holds the move's request (Playwright's
router, in the browser itself) until the board has re-filtered, then lets it go to the real
server, so its answer always arrives after the columns it was sent from are gone.
"""

from __future__ import annotations

import re

import pytest

from epics.models import Epic, Story
from requests_app.models import Ticket
from tests.e2e.pages import card, column, expect, sign_in
from tests.factories import UserFactory
from tests.portal.pages import world
from workflow import services
from workflow.permissions import AUDITOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_WAIT_MS = 30_000
SETTLED = re.compile(r"^(?!.*tile--pending)")



def toast(page):
    return page.locator("#board-message")


def _triaged_logistics(people) -> Ticket:
    ticket = services.ticket_file(
        by=people.alice,
        team=people.logistics.team,
        request_type="pipeline",
        impact_level="IL4",
        epic=people.logistics,
    )
    return services.ticket_triage(by=people.pat, ticket=ticket)


MOVES = re.compile(r"/boards/epics/\d+/move/$")


def _held_moves(page) -> list:
    """Holds the first move the page posts until the test lets it go (route.continue_());
    any later one goes straight on."""
    held = []

    def hold(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(MOVES, hold)
    return held


def _count_refilters(page) -> None:
    """Counts, in the page, the answers its filter form has had (answered, not necessarily
    shown: a board busy with a drop holds new columns back)."""
    page.evaluate(
        """() => {
          window.refilters = 0;
          document.body.addEventListener("htmx:afterRequest", (event) => {
            if (event.detail.elt.matches(".board-filters")) window.refilters += 1;
          });
        }"""
    )


def _refiltered(page, times: int = 1) -> None:
    page.wait_for_function("times => window.refilters >= times", arg=times)


def _filtered_to_logistics(page) -> None:
    expect(page).to_have_url(re.compile(r"\?q=Logi$"))
    expect(column(page, "pipeline_complete")).not_to_contain_text("Mission Planner")


FILTERED = re.compile(r"/boards/epics/\?.*q=Logi")


def _drop_while_refiltering(page, title: str, status: str) -> None:
    """Types in Search and drags while the re-filter is on its way; the re-filter's answer
    comes while the move waits, the move's after it: the order the bug needs, every time
    (the re-filter's answer is held until the drop is made, the move's until the new
    columns have come)."""
    held = _held_moves(page)
    filtering = []

    def hold_filter(route):
        filtering.append(route)

    page.route(FILTERED, hold_filter)
    _count_refilters(page)
    with page.expect_request(FILTERED):
        page.get_by_label("Search").press_sequentially("Logi")
    card(page, title).drag_to(column(page, status).locator(".col__head"))
    expect(card(page, title)).to_have_class(re.compile("tile--pending"))
    page.unroute(FILTERED, hold_filter)
    for route in filtering:
        route.continue_()
    _refiltered(page)  # the new columns have come while the move waits
    assert len(held) == 1
    held[0].continue_()


def test_a_refused_drop_during_a_refilter_says_why_and_the_board_stays_live(page, settings):
    settings.BOARD_POLL_SECONDS = 1
    people = world()
    _triaged_logistics(people)
    sign_in(page, "pat")
    page.goto("/boards/epics/")

    _drop_while_refiltering(page, "Logistics Tracker", "pipeline_complete")
    expect(toast(page)).to_contain_text(
        "Nothing moves epic “Logistics Tracker” from New to Pipeline Complete."
    )
    expect(card(page, "Logistics Tracker")).to_have_class(SETTLED)
    expect(column(page, "new")).to_contain_text("Logistics Tracker")
    expect(column(page, "pipeline_complete")).not_to_contain_text("Logistics Tracker")
    assert Epic.objects.get(pk=people.logistics.pk).status == Epic.Status.NEW
    _filtered_to_logistics(page)  # the filter typed is applied once the move is answered

    # The live poll still runs: a change made elsewhere shows without a reload.
    services.epic_start_pipeline(by=people.pat, epic=people.logistics)
    expect(column(page, "pipeline_in_progress")).to_contain_text(
        "Logistics Tracker", timeout=LIVE_WAIT_MS
    )
    expect(column(page, "new")).not_to_contain_text("Logistics Tracker")


def test_an_allowed_drop_during_a_refilter_moves_and_the_board_stays_live(page, settings):
    settings.BOARD_POLL_SECONDS = 1
    people = world()
    ticket = _triaged_logistics(people)
    sign_in(page, "pat")
    page.goto("/boards/epics/")

    _drop_while_refiltering(page, "Logistics Tracker", "pipeline_in_progress")
    expect(toast(page)).to_contain_text("“Logistics Tracker” is now in Pipeline In Progress.")
    expect(card(page, "Logistics Tracker")).to_have_class(SETTLED)
    expect(column(page, "pipeline_in_progress")).to_contain_text("Logistics Tracker")
    expect(column(page, "new")).not_to_contain_text("Logistics Tracker")
    assert Epic.objects.get(pk=people.logistics.pk).status == Epic.Status.PIPELINE_IN_PROGRESS
    _filtered_to_logistics(page)

    story = Story.objects.get(ticket=ticket)
    services.story_pick_up(by=people.dana, story=story)
    expect(column(page, "pipeline_being_built")).to_contain_text(
        "Logistics Tracker", timeout=LIVE_WAIT_MS
    )


def test_a_drop_made_after_the_columns_refiltered_under_the_drag_is_not_lost(page, settings):
    """The card is picked up, the filter is typed and answers while it is held, then it is
    dropped: the drop is the card's move, not a card gone from the page."""
    settings.BOARD_POLL_SECONDS = 1
    people = world()
    ticket = _triaged_logistics(people)
    sign_in(page, "pat")
    page.goto("/boards/epics/")
    _count_refilters(page)

    tile = card(page, "Logistics Tracker").get_by_role("link")
    box = tile.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 20)
    expect(page.locator("#columns")).to_have_class(re.compile("board--dragging"))
    page.get_by_label("Search").fill("Logi")
    _refiltered(page)
    target = column(page, "pipeline_in_progress").locator(".col__head").bounding_box()
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    page.mouse.up()

    expect(toast(page)).to_contain_text("“Logistics Tracker” is now in Pipeline In Progress.")
    expect(column(page, "pipeline_in_progress")).to_contain_text("Logistics Tracker")
    expect(card(page, "Logistics Tracker")).to_have_class(SETTLED)
    assert Epic.objects.get(pk=people.logistics.pk).status == Epic.Status.PIPELINE_IN_PROGRESS
    _filtered_to_logistics(page)

    services.story_pick_up(by=people.dana, story=Story.objects.get(ticket=ticket))
    expect(column(page, "pipeline_being_built")).to_contain_text(
        "Logistics Tracker", timeout=LIVE_WAIT_MS
    )


# The header at a laptop's width -------------------------------------------------------------

HEADER_ROLES = ["alice", "pat", "dana", "casey", "cleo", "avery", "admin"]


@pytest.fixture
def demo_people(db):
    """The demo's people, one of each role (alice on two teams, as in the demo)."""
    people = world()
    people.alpha.members.add(people.bob)
    UserFactory(username="avery", roles=[AUDITOR])
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    return people


def _header_lines(page) -> dict:
    """How many lines the header's parts (brand, links, bell, sign out) and its links take:
    a part below the brand's bottom, or a link below the first link's, starts a line."""
    return page.evaluate(
        """() => {
          const inner = document.querySelector(".site-header__inner");
          const lines = (els) => {
            const first = els[0].getBoundingClientRect().bottom;
            return 1 + els.filter((el) => el.getBoundingClientRect().top >= first).length;
          };
          const parts = Array.from(inner.children).filter((el) => el.getClientRects().length);
          return {
            parts: lines(parts),
            links: lines(Array.from(document.querySelectorAll(".site-nav li"))),
            overflow: document.documentElement.scrollWidth > window.innerWidth,
          };
        }"""
    )


@pytest.mark.parametrize("username", HEADER_ROLES)
def test_the_header_is_one_line_at_1366(open_page, demo_people, username, shot):
    page = open_page(viewport={"width": 1366, "height": 768})
    sign_in(page, username)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    rows = _header_lines(page)
    shot(page, "header")
    assert rows == {"parts": 1, "links": 1, "overflow": False}, rows


# Rows that move to their section in place ----------------------------------------------------


def _section(page, heading: str):
    return page.locator("section", has=page.get_by_role("heading", name=heading))


def test_a_story_picked_up_on_my_work_moves_under_in_progress(page, demo_people):
    people = demo_people
    ticket = _triaged_logistics(people)
    services.epic_start_pipeline(by=people.pat, epic=people.logistics)
    title = str(Story.objects.get(ticket=ticket))
    sign_in(page, "dana")
    page.goto("/boards/my-work/")
    mine, ready = _section(page, "In progress, yours"), _section(page, "To do, nobody's yet")
    expect(ready).to_contain_text(title)
    ready.get_by_role("button", name=re.compile(f"^Pick up.*{re.escape(title)}")).click()
    expect(mine).to_contain_text("Picked up: it is yours, In Progress.")
    expect(mine).to_contain_text(title)
    expect(ready).not_to_contain_text(title)
    expect(ready).to_contain_text("No story waits to be picked up.")
    mine.get_by_role("button", name=re.compile(f"^Complete.*{re.escape(title)}")).click()
    done = _section(page, "Done just now")
    expect(done).to_contain_text("Completed: Done.")
    expect(mine).to_contain_text("Nothing in progress.")


def test_an_approved_access_request_moves_to_who_holds_access(page, demo_people):
    people = demo_people
    services.access_request_create(by=people.dana, justification="IL6 rota this month.")
    sign_in(page, "cleo")
    page.goto("/boards/classified/access/")
    waiting = _section(page, "Waiting for a decision")
    holds = _section(page, "Who holds access today")
    expect(waiting).to_contain_text("dana")
    waiting.get_by_role("button", name="Approve dana").click()
    expect(holds).to_contain_text("dana has access until the end of")
    expect(waiting).to_contain_text("No request waits for a decision.")
    expect(waiting).not_to_contain_text("dana")
