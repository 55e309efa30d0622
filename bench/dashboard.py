"""The insights dashboard at 200, 2,000 and 20,000 epics: p50 and p95 of the page, its
queries and its size ("dashboard" in bench/results.json).

The data: a Party Bus MDO that works a steady flow of about 30 requests a week, whatever
the size. A portal with more epics is an older one: what grows with the number of epics
is the history behind the dashboard's window (and the epics resting between requests), not
the work in the window. From 2,000 epics up the 12-week window holds about the same work;
at 200 the whole portal is 12 weeks old and its window holds somewhat less (its first
epics are still on their first request). The results say how much (`window_*`), and time
the 52-week view too (`pm_52_weeks`): the cost follows the work in the window. Each epic
lives through its requests (pipeline or new CtF, then maybe a production deployment, an
IL6 deploy, another pipeline), each step a status change with its audit row, at times drawn
from plausible waits; whatever would happen after now has not happened yet.

Each size has a database of its own (the bench database's name + "_dashboard<size>" on
PostgreSQL, var/bench_dashboard_<size>.sqlite3 on SQLite), emptied and bulk-created anew
(with explicit `created_at`) on each run, then analysed for the planner. The pages are
timed through Django's test client in rounds that go through the sizes in turn (in a
shuffled order), so a busy moment of a shared machine falls on every size alike: the MDO
PM's /insights/ (every team, the default 12 weeks; the headline p50_ms and p95_ms), the
same over 52 weeks, and a team member's own dashboard. Where the board section has seeded
its databases (bench/board.py), the PM's page is timed on those too (`board_data`), read
only: that data has no audit trail, so it times what the page reads about now, with an
eighth of the epics in each status.

python -m bench dashboard                          # as a section of `make bench`
BENCH_DASHBOARD_SIZES=200,2000 BENCH_DASHBOARD_ROUNDS=2 python -m bench dashboard
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.setup import BASE_DIR, percentile, section_database_url, signed_in_client

SIZES = [int(n) for n in os.environ.get("BENCH_DASHBOARD_SIZES", "200,2000,20000").split(",")]
ROUNDS = int(os.environ.get("BENCH_DASHBOARD_ROUNDS", "10"))
REPEATS = int(os.environ.get("BENCH_DASHBOARD_REPEATS", "6"))  # per page and round
WARMUP = 3
WEEKLY_FLOW = 30  # requests filed a week
REQUESTS_PER_EPIC = 1.8  # on average, over an epic's life (see Life below)
WINDOW_WEEKS = 12  # the dashboard's default period
PAGES = {  # what is timed: name -> (who, path); "{team}" is the member's team
    "pm": ("pat", "/insights/"),
    "pm_52_weeks": ("pat", "/insights/?weeks=52"),
    "team": ("alice", "/insights/teams/{team}/"),
}


def size_database_url(size: int) -> str:
    return section_database_url("dashboard", size)


def _child(database_url: str, *args: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-m", "bench.dashboard", *args],
        cwd=BASE_DIR,
        env={**os.environ, "BENCH_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        sys.stderr.write(child.stdout + child.stderr)
        raise SystemExit("dashboard bench failed")
    return json.loads(child.stdout.strip().splitlines()[-1])


def run() -> dict:
    """Seed each size's database, then time the pages in rounds that go through the sizes
    in turn (so a busy moment of the machine falls on every size alike); where the board
    section has seeded its databases, the PM's page on those too (read only)."""
    try:
        from bench.board import size_database_url as board_database_url
    except ImportError:  # no board section: nothing more to measure
        board_database_url = None
    seeded = {size: _child(size_database_url(size), "seed", str(size)) for size in SIZES}
    timings: dict = {size: {} for size in SIZES}
    facts: dict = {size: {} for size in SIZES}
    boards = {size: board_database_url(size) for size in SIZES} if board_database_url else {}
    shuffle = random.Random(11)
    for _ in range(ROUNDS):
        for size in shuffle.sample(SIZES, len(SIZES)):
            measured = _child(size_database_url(size), "measure")
            if boards.get(size):
                on_board = _child(boards[size], "board-data")
                if on_board:
                    measured["board_data"] = on_board["pm"]
                else:
                    boards[size] = None  # not seeded there: measure it no more
            for page, row in measured.items():
                timings[size].setdefault(page, []).extend(row.pop("timings"))
                facts[size][page] = row
    result = {}
    for size in SIZES:
        row = {}
        for page, samples in timings[size].items():
            p50 = round(percentile(samples, 0.50), 1)
            p95 = round(percentile(samples, 0.95), 1)
            if page == "pm":
                row.update({"p50_ms": p50, "p95_ms": p95, **facts[size][page]})
            else:
                row[page] = {"p50_ms": p50, "p95_ms": p95, **facts[size][page]}
        result[str(size)] = {**row, "samples": len(timings[size]["pm"]), **seeded[size]}
    _print(result)
    return result


def _print(result: dict) -> None:
    print(
        f"{'epics':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>6} {'team p50':>9} "
        f"{'52 wk p50':>10} {'window done':>12} {'audit rows':>11} {'board data p50':>15}"
    )
    for size, row in result.items():
        board = row.get("board_data", {}).get("p50_ms", "–")
        print(
            f"{size:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>8} "
            f"{row['bytes'] / 1024:>6.0f} {row['team']['p50_ms']:>9} "
            f"{row['pm_52_weeks']['p50_ms']:>10} {row['window_finished']:>12} "
            f"{row['audit_rows']:>11} {board:>15}"
        )


# Seeding ---------------------------------------------------------------------------------------


@dataclass
class World:
    """What the seeding makes, in memory, before it is bulk-created."""

    now: dt.datetime
    rng: random.Random
    teams: list = field(default_factory=list)
    epics: list = field(default_factory=list)
    tickets: list = field(default_factory=list)
    stories: list = field(default_factory=list)
    # (at, object, action, from, to): object is an Epic, Ticket or Story instance.
    events: list = field(default_factory=list)


def _hours(rng: random.Random, median: float, spread: float = 0.8) -> dt.timedelta:
    """A wait drawn around `median` hours (log-normal: mostly near it, sometimes long)."""
    return dt.timedelta(hours=median * rng.lognormvariate(0, spread))


class Life:
    """One epic's life: its requests one after the other, each step a status change."""

    def __init__(self, world: World, team, number: int, born: dt.datetime, people):
        from epics.models import Epic

        self.w, self.team, self.people = world, team, people
        self.rng = world.rng
        self.epic = Epic(team=team, title=f"Epic {number}", created_at=born, status_changed_at=born)
        self.created = False  # a new CtF's epic exists once its request is triaged
        self.t = born

    # Recording ------------------------------------------------------------------------------

    def happen(self, at, obj, action, before, after) -> bool:
        """Record a step if it has happened by now; False from then on (the life stops)."""
        if at > self.w.now:
            return False
        self.w.events.append((at, obj, action, before, after))
        if after and after != before:
            obj.__dict__["status"] = after  # a protected FSM field, set before the first save
            obj.status_changed_at = at
        if obj is self.epic and action == "create":
            self.created = True
        return True

    def ticket(self, request_type, level, at, **extra):
        """A request filed at `at`; None if that is still to come."""
        from requests_app.models import Ticket

        if at > self.w.now:
            return None
        ticket = Ticket(
            team=self.team,
            epic=extra.pop("epic", self.epic),
            request_type=request_type,
            impact_level=level,
            title=f"{request_type} {level} for {self.epic.title}",
            created_by=self.people["member"],
            created_at=at,
            status_changed_at=at,
            status="submitted",
            **extra,
        )
        self.w.tickets.append(ticket)
        self.happen(at, ticket, "file", "", "submitted")
        return ticket

    def story(self, ticket, at, board="product"):
        """A story opened at `at`; None if that is still to come."""
        from epics.models import Story

        if at > self.w.now:
            return None
        story = Story(
            epic=self.epic,
            ticket=ticket,
            board=board,
            title=f"Story for {ticket.title}",
            created_at=at,
            status_changed_at=at,
            status="to_do",
        )
        self.w.stories.append(story)
        self.happen(at, story, "create", "", "to_do")
        return story

    def triage_or_not(self, ticket) -> bool:
        """Triaged (True), or rejected or withdrawn from Submitted, or not yet (False)."""
        self.t += _hours(self.rng, 5, 1.1)
        roll = self.rng.random()
        if roll < 0.05:
            ticket.rejection_reason = "Not a Party Bus request."
            self.happen(self.t, ticket, "reject", "submitted", "rejected")
            return False
        if roll < 0.07:
            self.happen(self.t, ticket, "withdraw", "submitted", "withdrawn")
            return False
        return self.happen(self.t, ticket, "triage", "submitted", "triaged")

    def move_epic(self, action, to) -> bool:
        return self.happen(self.t, self.epic, action, self.epic.status, to)

    # Requests ---------------------------------------------------------------------------------

    def pipeline(self, new_ctf: bool) -> bool:
        """A pipeline on the epic (or a new CtF opening it); True when it completed."""
        level = self.rng.choice(["IL2", "IL4", "IL5"])
        if new_ctf:
            ticket = self.ticket(
                "new_pipeline_ctf", level, self.t, epic=None, application_name=self.epic.title
            )
        else:
            ticket = self.ticket("pipeline", level, self.t)
        if ticket is None or not self.triage_or_not(ticket):
            return False
        if new_ctf:  # triage opens the epic
            self.epic.created_at = self.t
            self.happen(self.t, self.epic, "create", "", "new")
            ticket.epic = self.epic
        story = self.story(ticket, self.t)
        if new_ctf:
            self.t += _hours(self.rng, 72)
            if not self.happen(self.t, self.epic, "verify_cyber_compliance", "new", "new"):
                return False
        self.t += _hours(self.rng, 16)
        before = self.epic.status
        if not self.move_epic("start_pipeline", "pipeline_in_progress"):
            return False
        ticket.epic_status_before = before
        self.t += _hours(self.rng, 40)
        story.assignee = self.people["devops"]
        if not self.happen(self.t, story, "pick_up", "to_do", "in_progress"):
            return False
        self.move_epic("pick_up", "pipeline_being_built")
        self.happen(self.t, ticket, "start_work", "triaged", "in_progress")
        self.t += _hours(self.rng, 90)
        if not self.happen(self.t, story, "complete", "in_progress", "done"):
            return False
        self.move_epic("complete", "deployed_staging" if new_ctf else "pipeline_complete")
        return self.happen(self.t, ticket, "finish", "in_progress", "done")

    def prod_deploy(self) -> bool:
        self.t += _hours(self.rng, 240, 1.0)
        ticket = self.ticket("prod_deploy", self.rng.choice(["IL2", "IL4", "IL5"]), self.t)
        if ticket is None or not self.triage_or_not(ticket):
            return False
        ticket.epic_status_before = self.epic.status
        self.move_epic("queue_prod_deploy", "prod_deploy_queued")
        story = self.story(ticket, self.t)
        self.t += _hours(self.rng, 70, 1.0)  # the queue: a DevOps engineer picks it up
        story.assignee = self.people["devops"]
        if not self.happen(self.t, story, "pick_up", "to_do", "in_progress"):
            return False
        self.move_epic("pick_up", "prod_deploy_in_progress")
        self.happen(self.t, ticket, "start_work", "triaged", "in_progress")
        self.t += _hours(self.rng, 20)
        if not self.happen(self.t, story, "complete", "in_progress", "done"):
            return False
        if self.move_epic("complete", "prod_deploy_complete"):
            self.epic.production_at = self.epic.production_at or self.t
        return self.happen(self.t, ticket, "finish", "in_progress", "done")

    def il6(self) -> bool:
        self.t += _hours(self.rng, 300, 1.0)
        ticket = self.ticket("il6_prod_deploy", "IL6", self.t)
        if ticket is None or not self.triage_or_not(ticket):
            return False
        story = self.story(ticket, self.t)
        self.t += _hours(self.rng, 30)
        story.assignee = self.people["devops"]
        if not self.happen(self.t, story, "pick_up", "to_do", "in_progress"):
            return False
        self.t += _hours(self.rng, 50)
        if not self.happen(self.t, story, "complete", "in_progress", "done"):
            return False
        self.t += _hours(self.rng, 24)
        classified = self.story(ticket, self.t, board="classified_ops")
        if classified is None:
            return False
        self.happen(self.t, ticket, "open_classified_story", "triaged", "in_progress")
        self.t += _hours(self.rng, 20)
        classified.assignee = self.people["classified"]
        if not self.happen(self.t, classified, "pick_up", "to_do", "in_progress"):
            return False
        self.t += _hours(self.rng, 80)
        if not self.happen(self.t, classified, "complete", "in_progress", "done"):
            return False
        return self.happen(self.t, ticket, "finish", "in_progress", "done")

    def live(self) -> None:
        rng = self.rng
        new_ctf = rng.random() < 0.15
        if not new_ctf:
            self.happen(self.t, self.epic, "create", "", "new")
            if rng.random() < 0.05:
                return  # an epic waiting for its first request
            self.t += _hours(rng, 48, 1.0)
        if not self.pipeline(new_ctf):
            return
        if rng.random() < 0.6 and self.prod_deploy() and rng.random() < 0.15:
            self.il6()
        elif rng.random() < 0.2:
            self.t += _hours(rng, 400, 1.0)
            self.pipeline(False)


def seed(epics: int, *, now: dt.datetime, rng_seed: int = 7) -> dict:
    """Bulk-create `epics` epics with their requests, stories and audit trail."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from epics.models import Epic, Story, Team
    from requests_app.models import Ticket
    from workflow.models import AuditEvent

    User = get_user_model()
    people = {}
    for key, name, role in (
        ("pm", "pat", "mdo_pm"),
        ("devops", "dana", "devops"),
        ("classified", "cleo", "classified_ops"),
        ("member", "alice", "product_team"),
    ):
        people[key] = User.objects.create_user(name, f"{name}@bench.example", "bench-pass")
        people[key].groups.add(Group.objects.get_or_create(name=role)[0])

    world = World(now=now, rng=random.Random(rng_seed))
    history = dt.timedelta(weeks=max(WINDOW_WEEKS, epics * REQUESTS_PER_EPIC / WEEKLY_FLOW))
    team_count = max(7, epics // 25)
    world.teams = Team.objects.bulk_create(
        Team(name=f"Bench team {i}", funded=True, onboarded=True) for i in range(team_count)
    )
    world.teams[0].members.add(people["member"])
    births = sorted(now - history * world.rng.random() for _ in range(epics))
    for number, born in enumerate(births):
        life = Life(world, world.teams[number % team_count], number, born, people)
        life.live()
        if life.created:
            world.epics.append(life.epic)

    with explicit_created_at(AuditEvent, Epic, Ticket, Story):
        Epic.objects.bulk_create(world.epics, batch_size=2000)
        for ticket in world.tickets:
            ticket.epic_id = ticket.epic.pk if ticket.epic else None
        Ticket.objects.bulk_create(world.tickets, batch_size=2000)
        for story in world.stories:
            story.epic_id, story.ticket_id = story.epic.pk, story.ticket.pk
        Story.objects.bulk_create(world.stories, batch_size=2000)
        types = {
            model: ContentType.objects.get_for_model(model, for_concrete_model=False)
            for model in (Epic, Ticket, Story)
        }
        world.events.sort(key=lambda e: e[0])
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    actor=people["pm"],
                    actor_name="pat",
                    content_type=types[type(obj)],
                    object_id=obj.pk,
                    object_repr=str(obj)[:240],
                    action=action,
                    from_status=before,
                    to_status=after,
                    created_at=at,
                    outcome="done",
                )
                for at, obj, action, before, after in world.events
            ),
            batch_size=5000,
        )
    window_start = now - dt.timedelta(weeks=WINDOW_WEEKS)
    return {
        "epics": len(world.epics),
        "teams": team_count,
        "history_weeks": round(history / dt.timedelta(weeks=1)),
        "tickets": len(world.tickets),
        "audit_rows": len(world.events),
        "window_finished": sum(
            1 for at, _, action, *_ in world.events if action == "finish" and at >= window_start
        ),
        "window_audit_rows": sum(1 for e in world.events if e[0] >= window_start),
        "in_flight_epics": sum(1 for e in world.epics if e.status not in ("new", *Epic.AT_REST)),
    }


@contextmanager
def explicit_created_at(*models):
    """Bench data says when things happened: `created_at` is auto_now_add otherwise."""
    fields = [model._meta.get_field("created_at") for model in models]
    saved = [f.auto_now_add for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


# Measuring ----------------------------------------------------------------------------------


def _time(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):  # templates, content types, the database's caches
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    queries = len(captured)  # read now: the next request clears the connection's log
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(path)
        timings.append(round((time.perf_counter() - started) * 1000, 2))
    return {"timings": timings, "queries": queries, "bytes": len(response.content)}


def seed_size(size: int) -> dict:
    """Empty the size's database, seed it, and let the planner see the data."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("flush", interactive=False, verbosity=0)
    stats = seed(size, now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return stats


def measure_pages() -> dict:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    alice = users.get(username="alice")
    team = alice.teams.get()
    clients = {name: signed_in_client(users.get(username=name)) for name in ("pat", "alice")}
    return {
        page: _time(clients[who], path.format(team=team.pk)) for page, (who, path) in PAGES.items()
    }


def measure_board_data() -> dict:
    """The PM's page on the board section's seeded database, in a transaction rolled back,
    so nothing of it changes (not even a session). Its epics have no audit trail: this
    measures the parts that read what is there now, at that section's sizes and spread (an
    eighth of the epics in each status). {} when that database is not there or not seeded."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, transaction

    from epics.models import Team

    try:
        seeded = Team.objects.filter(name__startswith="Bench board seed").exists()
    except DatabaseError:  # no such database, or not migrated: nothing to measure
        return {}
    if not seeded:
        return {}
    with transaction.atomic():
        pm = get_user_model().objects.filter(groups__name="mdo_pm").order_by("pk").first()
        result = {"pm": _time(signed_in_client(pm), PAGES["pm"][1])}
        transaction.set_rollback(True)
    return result


def _board_data_child() -> None:
    """Someone else's database: no migrations, nothing that lasts."""
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:") and not os.path.exists(url.removeprefix("sqlite:///")):
        print("{}")  # connecting would make an empty one
        return
    import django

    django.setup()
    print(json.dumps(measure_board_data()))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "board-data":
        _board_data_child()
    else:
        from bench.setup import configure

        configure()
        if command == "seed":
            print(json.dumps(seed_size(int(sys.argv[2]))))
        else:
            print(json.dumps(measure_pages()))
