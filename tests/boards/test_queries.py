"""Each board costs a fixed number of queries, however much work exists: measured with 5 and
with 60 epics (and their tickets and stories), the counts are the same, and the epic board's
stays within its budget of 12 (the session, the user with their roles, the navigation and the
bell's count included)."""

import pytest
from django.urls import reverse

from epics.models import Epic, Story
from requests_app.models import RequestType
from tests.boards.conftest import count_queries
from tests.factories import (
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    StoryFactory,
    TeamFactory,
    TicketFactory,
)
from tests.portal.pages import HTMX

pytestmark = pytest.mark.django_db

STARTED = {Epic.Status.PIPELINE_BEING_BUILT, Epic.Status.PROD_DEPLOY_IN_PROGRESS}
WAITING = {Epic.Status.PIPELINE_IN_PROGRESS, Epic.Status.PROD_DEPLOY_QUEUED, Epic.Status.NEW}
SUBMITTED = [
    {"request_type": RequestType.PIPELINE, "impact_level": "IL5"},
    {"request_type": RequestType.PROD_DEPLOY, "impact_level": "IL4"},
    {"request_type": RequestType.IL6_PROD_DEPLOY, "impact_level": "IL6"},
    {"request_type": RequestType.NEW_PIPELINE_CTF, "impact_level": "IL4", "epic": None},
]


def add_work(people, count: int) -> None:
    """`count` epics over every status, each with what its status implies: pipelines,
    documents, open stories (some assigned to dana), Classified Ops stories, and a request
    of each type waiting for triage."""
    team = TeamFactory()
    team.members.add(people.alice)
    statuses = list(Epic.Status.values)
    for n in range(count):
        status = statuses[n % len(statuses)]
        epic = EpicFactory(team=team, status=status)
        if n % 2:
            PipelineFactory(epic=epic, impact_level="IL4")
            DocumentFactory(
                epic=epic, impact_levels=["IL4", "IL5", "IL6"], uploaded_by=people.alice
            )
        if status in STARTED:
            StoryFactory(ticket__epic=epic, status="in_progress", assignee=people.dana)
        elif status in WAITING:
            StoryFactory(ticket__epic=epic, ticket__epic_status_before="new")
        classified = {"status": ("to_do", "in_progress", "done")[n % 3]}
        if classified["status"] != "to_do":
            classified["assignee"] = people.cleo
        StoryFactory(
            ticket__epic=epic,
            ticket__request_type=RequestType.IL6_PROD_DEPLOY,
            ticket__impact_level="IL6",
            ticket__status="in_progress",
            board=Story.Board.CLASSIFIED_OPS,
            **classified,
        )
        kind = SUBMITTED[n % len(SUBMITTED)]
        extra = {"application_name": f"App {n}"} if kind.get("epic", True) is None else {}
        TicketFactory(
            team=team,
            created_by=people.alice,
            **{"epic": epic, **kind},
            **extra,
        )
        if n % 2:  # a production deployment triage would queue: its gates read the pipelines
            ready = EpicFactory(team=team, status=Epic.Status.PIPELINE_COMPLETE)
            PipelineFactory(epic=ready, impact_level="IL4")
            DocumentFactory(epic=ready, impact_levels=["IL4"], uploaded_by=people.alice)
            TicketFactory(
                team=team,
                created_by=people.alice,
                epic=ready,
                request_type=RequestType.PROD_DEPLOY,
                impact_level="IL4",
            )


def same_at_both_sizes(people, client, path, headers=None) -> int:
    add_work(people, 5)
    client.get(path, headers=headers or {})  # warm: filter choices are kept a minute
    few, _ = count_queries(client, path, headers=headers or {})
    add_work(people, 55)
    client.get(path, headers=headers or {})
    many, response = count_queries(client, path, headers=headers or {})
    assert many == few, f"{path}: {few} queries with 5 epics, {many} with 60"
    return many


def test_the_epic_board(people, as_user):
    count = same_at_both_sizes(people, as_user(people.pat), reverse("board_epics"))
    assert count <= 12


def test_the_epic_board_filtered(people, as_user):
    client = as_user(people.pat)
    path = reverse("board_epics") + f"?assignee={people.dana.pk}&level=IL4&q=epic"
    assert same_at_both_sizes(people, client, path) <= 12


def test_the_epic_board_as_a_devops_engineer(people, as_user):
    assert same_at_both_sizes(people, as_user(people.dana), reverse("board_epics")) <= 12


def test_a_live_refresh_and_its_304(people, as_user):
    client = as_user(people.pat)
    path = reverse("board_epics_live")
    same_at_both_sizes(people, client, path, HTMX)
    etag = client.get(reverse("board_epics"))["ETag"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers={**HTMX, "If-None-Match": etag})
    assert response.status_code == 304
    # The session, the user with their roles, the version (and the session's activity stamp).
    assert len(captured) <= 6


def test_a_column_s_next_page(people, as_user):
    client = as_user(people.pat)
    add_work(people, 5)
    path = reverse("board_epic_column", args=["new"])
    client.get(path, headers=HTMX)
    few, _ = count_queries(client, path, headers=HTMX)
    add_work(people, 440)  # 55 epics in New: a full page and a next one
    many, response = count_queries(client, path, headers=HTMX)
    assert 'class="more"' in response.content.decode()
    assert many == few


def test_the_triage_queue(people, as_user):
    count = same_at_both_sizes(people, as_user(people.pat), reverse("board_triage"))
    assert count <= 14  # with the requests waiting for their team's answer (one query)


def test_my_work(people, as_user):
    same_at_both_sizes(people, as_user(people.dana), reverse("board_my_work"))


def test_my_work_for_classified_ops(people, as_user):
    same_at_both_sizes(people, as_user(people.cleo), reverse("board_my_work"))


def test_the_classified_board(people, as_user):
    same_at_both_sizes(people, as_user(people.cleo), reverse("board_classified"))


def test_a_card_s_moves(people, as_user):
    client = as_user(people.pat)
    add_work(people, 5)
    epic = Epic.objects.filter(status=Epic.Status.PIPELINE_IN_PROGRESS).first()
    path = reverse("board_epic_card", args=[epic.pk])
    client.get(path, headers=HTMX)
    few, _ = count_queries(client, path, headers=HTMX)
    add_work(people, 55)
    many, _ = count_queries(client, path, headers=HTMX)
    assert many == few


# A drop's cost: the same with 5 and with 60 epics, and the start of a pipeline (the one
# `make bench` times) within the budget of 12 (the session, the user with their roles, the
# card's epic, the transaction's begin and commit, the locks, the writes, the card again).


def count_drop(client, epic, source, target, **extra) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("board_epic_move", args=[epic.pk]),
            {"from": source, "to": target, **extra},
            headers=HTMX,
        )
    assert response.status_code == 200, response.content.decode()[:500]
    return len(captured)


def drops_at_both_sizes(people, client, epics, source, target, **extra) -> int:
    """The first drop warms what a running server has warm (the session's activity stamp,
    the content types); the second is counted with 5 epics, the third with 60."""
    first, second, third = epics
    client.get(reverse("board_epics"))
    count_drop(client, first, source, target, **extra)
    add_work(people, 5)
    few = count_drop(client, second, source, target, **extra)
    add_work(people, 55)
    many = count_drop(client, third, source, target, **extra)
    assert few == many, f"{source} → {target}: {few} queries with 5 epics, {many} with 60"
    return many


def ready_epics(people, status="new") -> list:
    """Three epics of Team Alpha, each with a triaged pipeline request."""
    from tests.boards.conftest import triaged

    epics = [EpicFactory(team=people.alpha, status=status) for _ in range(3)]
    for epic in epics:
        triaged(people, epic)
    return epics


def test_a_drop_that_starts_a_pipeline(people, as_user):
    epics = ready_epics(people)
    count = drops_at_both_sizes(people, as_user(people.pat), epics, "new", "pipeline_in_progress")
    # Of which the audit chain's: its lock (PostgreSQL) and, per event, the chain's head.
    assert count <= 14


def started_epics(people) -> list:
    from workflow import services

    epics = ready_epics(people)
    for epic in epics:
        services.epic_start_pipeline(by=people.pat, epic=epic)
    return epics


def test_a_drop_that_assigns_an_engineer(people, as_user):
    epics = started_epics(people)
    count = drops_at_both_sizes(
        people,
        as_user(people.pat),
        epics,
        "pipeline_in_progress",
        "pipeline_being_built",
        assignee=people.dana.pk,
    )
    # Three rows move (story, epic, ticket), each audited (and chained: the lock, three
    # heads), and two notifications are written.
    assert count <= 25


def test_a_drop_that_picks_up_and_one_that_completes(people, as_user):
    epics = started_epics(people)
    client = as_user(people.dana)
    count = drops_at_both_sizes(
        people, client, epics, "pipeline_in_progress", "pipeline_being_built"
    )
    assert count <= 24
    count = count_drop(client, epics[2], "pipeline_being_built", "pipeline_complete")
    # And the pipeline it records, and (a pipeline added) the epic's CtF letters due for
    # renewal: one read of them (WORKFLOWS.md, the CtF's life).
    assert count <= 26
