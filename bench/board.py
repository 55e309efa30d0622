"""The boards at 200, 2,000 and 20,000 epics: the board page, a column's next page, the triage
queue and one transition (a drop that starts a pipeline), through django.test.Client in-process
(p50 and p95 over repeated requests, queries, response bytes); and, under `story_moves`, the
drops that move a story with its epic and request (an MDO PM assigning an engineer, an engineer
picking one up, and completing). Without REDIS_URL tasks run in-process, so a move's count
includes delivering its e-mail after the commit; with it, the delivery is queued.

Each size lives in a database of its own (the bench database's name + "_board<size>"), seeded
once with bulk_create and reused by later runs (a marker team names the seed's version). Each
size has a child process pointed at its database that stays up for the whole run; the parent
asks them in turn, one request each (200, 2,000, 20,000, 200, ...), so a busy minute of the
machine slows every size alike and the ratio between sizes holds (`"interleaved": true`). The
epics spread evenly over the eight statuses, each with the tickets and stories its status
implies; a quarter of them also have a request waiting for triage.

    python -m bench board            # every size, merged into bench/results.json
    python -m bench.board 2000       # one size's child: commands on stdin, JSON lines out
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext

from bench.setup import BASE_DIR, percentile, section_database_url, signed_in_client

SIZES = (200, 2000, 20000)
REPEATS = int(os.environ.get("BENCH_BOARD_REPEATS", "30"))
WARMUP = 3
SEED_VERSION = 1
BATCH = 2000


def size_database_url(size: int) -> str:
    return section_database_url("board", size)


# Seeding (in the child) ------------------------------------------------------------------------


def _seed(size: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from epics.models import Document, Epic, Pipeline, Story, Team
    from requests_app.models import Ticket

    marker = f"Bench board seed v{SEED_VERSION} ({size} epics)"
    if Team.objects.filter(name=marker).exists():
        print(f"  {size}: seeded data found, reused", file=sys.stderr)
        return
    if Epic.objects.exists():
        raise SystemExit(f"{connection.settings_dict['NAME']} holds other data: drop it first")
    started = time.monotonic()
    now = timezone.now()
    S, T, St = Epic.Status, Ticket.Status, Story.Status
    with transaction.atomic():
        users = get_user_model()
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("mdo_pm", "devops")}
        pm = users.objects.create_user("bench-pm", "pm@bench.test", "bench")
        pm.groups.add(groups["mdo_pm"])
        engineers = []
        for n in range(1, 6):
            engineer = users.objects.create_user(f"bench-dev-{n}", f"dev{n}@bench.test", "bench")
            engineer.groups.add(groups["devops"])
            engineers.append(engineer)
        member = users.objects.create_user("bench-member", "member@bench.test", "bench")
        Team.objects.create(name=marker)
        teams = Team.objects.bulk_create(
            Team(name=f"Bench team {n:03}", funded=True, onboarded=True)
            for n in range(max(10, size // 100))
        )
        for team in teams[:3]:
            team.members.add(member)

        statuses = list(S.values)
        epics = []
        for i in range(size):
            status = statuses[i % len(statuses)]
            epics.append(
                Epic(
                    team=teams[i % len(teams)],
                    title=f"Bench epic {i:05} {('alpha', 'bravo', 'charlie', 'delta')[i % 4]}",
                    status=status,
                    status_changed_at=now - dt.timedelta(minutes=7 * i + 3),
                    requires_new_ctf=status == S.DEPLOYED_STAGING,
                    cyber_compliant_by=pm if status == S.DEPLOYED_STAGING else None,
                    cyber_compliant_at=now if status == S.DEPLOYED_STAGING else None,
                    production_at=now if status == S.PROD_DEPLOY_COMPLETE else None,
                )
            )
        epics = Epic.objects.bulk_create(epics, batch_size=BATCH)

        tickets, stories, pipelines, documents = [], [], [], []

        def ticket(epic, request_type, level, status, before="", **extra):
            made = Ticket(
                team_id=epic.team_id,
                epic=epic,
                request_type=request_type,
                impact_level=level,
                title=f"{request_type} {level}: {epic.title}",
                status=status,
                epic_status_before=before,
                created_by=member,
                **extra,
            )
            tickets.append(made)
            return made

        def story(epic, made, status, n):
            stories.append(
                (
                    made,
                    Story(
                        epic=epic,
                        board=Story.Board.PRODUCT,
                        title=f"Story for {epic.title}",
                        status=status,
                        status_changed_at=epic.status_changed_at,
                        assignee=engineers[n % len(engineers)] if status != St.TO_DO else None,
                    ),
                )
            )

        for n, epic in enumerate(epics):
            status = epic.status
            if status in (S.PROD_DEPLOY_QUEUED, S.PROD_DEPLOY_IN_PROGRESS, S.PROD_DEPLOY_COMPLETE):
                pipelines.append(Pipeline(epic=epic, impact_level="IL4"))
                if status == S.PROD_DEPLOY_QUEUED:
                    made = ticket(epic, "prod_deploy", "IL4", T.TRIAGED, S.PIPELINE_COMPLETE)
                    story(epic, made, St.TO_DO, n)
                elif status == S.PROD_DEPLOY_IN_PROGRESS:
                    made = ticket(epic, "prod_deploy", "IL4", T.IN_PROGRESS, S.PIPELINE_COMPLETE)
                    story(epic, made, St.IN_PROGRESS, n)
                else:
                    made = ticket(epic, "prod_deploy", "IL4", T.DONE, S.PIPELINE_COMPLETE)
                    story(epic, made, St.DONE, n)
            elif status == S.NEW and n % 2 == 0:  # a pipeline request triaged, to start
                story(epic, ticket(epic, "pipeline", "IL4", T.TRIAGED), St.TO_DO, n)
            elif status == S.PIPELINE_IN_PROGRESS:
                story(epic, ticket(epic, "pipeline", "IL5", T.TRIAGED, S.NEW), St.TO_DO, n)
            elif status == S.PIPELINE_BEING_BUILT:
                made = ticket(epic, "pipeline", "IL5", T.IN_PROGRESS, S.NEW)
                story(epic, made, St.IN_PROGRESS, n)
            elif status == S.PIPELINE_COMPLETE:
                pipelines.append(Pipeline(epic=epic, impact_level="IL4"))
                story(epic, ticket(epic, "pipeline", "IL4", T.DONE, S.NEW), St.DONE, n)
            elif status == S.DEPLOYED_STAGING:
                pipelines.append(Pipeline(epic=epic, impact_level="IL2"))
                made = ticket(
                    epic, "new_pipeline_ctf", "IL2", T.DONE, S.NEW, application_name=epic.title
                )
                story(epic, made, St.DONE, n)
            if n % 2 == 0:
                documents.append(
                    Document(
                        epic=epic,
                        kind=Document.Kind.CTF_LETTER,
                        file="bench/ctf.pdf",
                        signed_on=(now - dt.timedelta(days=30)).date(),
                        expires_on=(now + dt.timedelta(days=335)).date(),
                        impact_levels=["IL2", "IL4", "IL5", "IL6"],
                        status=Document.Status.VERIFIED,
                        uploaded_by=member,
                    )
                )
            if n % 4 == 0:
                documents.append(
                    Document(
                        epic=epic,
                        kind=Document.Kind.CISSO_DOCUMENT,
                        file="bench/cisso.pdf",
                        signed_on=(now - dt.timedelta(days=30)).date(),
                        status=Document.Status.VERIFIED,
                        uploaded_by=member,
                    )
                )
            if n % 4 == 1:  # a request waiting for triage, of each type in turn
                kind = (n // 4) % 4
                if kind == 0:
                    ticket(epic, "pipeline", "IL5", T.SUBMITTED)
                elif kind == 1:
                    ticket(epic, "prod_deploy", "IL5", T.SUBMITTED)
                elif kind == 2:
                    ticket(epic, "il6_prod_deploy", "IL6", T.SUBMITTED)
                else:
                    tickets.append(
                        Ticket(
                            team_id=epic.team_id,
                            request_type="new_pipeline_ctf",
                            impact_level="IL4",
                            title=f"New CtF for {epic.title}",
                            application_name=f"{epic.title} next",
                            created_by=member,
                        )
                    )
        Ticket.objects.bulk_create(tickets, batch_size=BATCH)
        for made, made_story in stories:
            made_story.ticket = made
        Story.objects.bulk_create([s for _, s in stories], batch_size=BATCH)
        Pipeline.objects.bulk_create(pipelines, batch_size=BATCH)
        Document.objects.bulk_create(documents, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"  {size}: seeded {len(epics)} epics, {len(tickets)} tickets, {len(stories)} stories "
        f"in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )


# Measuring (in the child) ----------------------------------------------------------------------


def _client():
    from django.contrib.auth import get_user_model

    return signed_in_client(get_user_model().objects.get(username="bench-pm"))


class _Page:
    """One page the bench times: its requests one at a time (the parent interleaves them
    with the other sizes'), then its queries and bytes counted once."""

    def __init__(self, client, path: str, headers=None):
        self.client, self.path, self.headers = client, path, headers or {}

    def get(self):
        response = self.client.get(self.path, headers=self.headers)
        assert response.status_code == 200, (self.path, response.status_code)
        return response

    def timed(self) -> float:
        started = time.perf_counter()
        self.get()
        return (time.perf_counter() - started) * 1000

    def counted(self) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = self.get()
        return {"queries": len(captured), "bytes": len(response.content)}


def _column_page_path() -> str:
    """The largest column's next page, as its "Show more" link asks for it (from the column's
    start where the whole column fits on the first page)."""
    from django.contrib.auth import get_user_model

    from boards.selectors import Filters, epic_board

    user = get_user_model().objects.get(username="bench-pm")
    board = epic_board(user, Filters(), choices=False)
    view = max(board.columns, key=lambda v: v.total)
    path = f"/boards/epics/column/{view.column.status}/"
    return f"{path}?after={view.more}" if view.more else path


def _measure_drops(client, source: str, target: str, **extra) -> dict:
    """Drop epics waiting in `source` onto `target`, one POST each (as the board sends it):
    timed, and the last one's queries counted. Every other drop runs without the audit
    chain's lock and head read (`_unchained`), interleaved, so the chain's cost per drop is
    a difference measured in the same minutes. Then the epics go back to `source` as they
    were, and `restore()` puts back their requests and stories."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from epics.models import Epic

    epics = list(_waiting_in(source)[: WARMUP + 2 * REPEATS + 2])
    snapshot = {epic.pk: epic.status_changed_at for epic in epics}

    def move(epic):
        response = client.post(
            f"/boards/epics/{epic.pk}/move/",
            {"from": source, "to": target, **extra},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, (epic.pk, response.status_code, response.content)

    variants = {"chained": nullcontext, "unchained": _unchained}
    times = {name: [] for name in variants}
    queries = {}
    try:
        for epic in epics[:WARMUP]:
            move(epic)
        timed = epics[WARMUP : WARMUP + 2 * REPEATS]
        for n, epic in enumerate(timed):
            name = "chained" if n % 2 == 0 else "unchained"
            with variants[name]():
                started = time.perf_counter()
                move(epic)
                times[name].append((time.perf_counter() - started) * 1000)
        for name, epic in zip(variants, epics[-2:], strict=True):
            with variants[name](), CaptureQueriesContext(connection) as captured:
                move(epic)
            queries[name] = len(captured)
    finally:
        for pk, at in snapshot.items():
            Epic.objects.filter(pk=pk).update(status=source, status_changed_at=at)
        restore(source, list(snapshot))
    p50 = {name: percentile(values, 0.50) for name, values in times.items()}
    return {
        "p50_ms": round(p50["chained"], 1),
        "p95_ms": round(percentile(times["chained"], 0.95), 1),
        "queries": queries["chained"],
        "unchained_p50_ms": round(p50["unchained"], 1),
        "unchained_queries": queries["unchained"],
        "chain_ms": round(p50["chained"] - p50["unchained"], 2),
        "chain_queries": queries["chained"] - queries["unchained"],
    }


@contextmanager
def _unchained():
    """The comparison only: audit events appended without the hash chain's lock and head
    read (what every drop cost before the chain), to measure what the chain adds."""
    from workflow import chain

    saved = chain.head
    chain.head = lambda: ""
    try:
        yield
    finally:
        chain.head = saved


def _waiting_in(status: str):
    """The seed's epics in `status` with the pipeline request that waits there."""
    from epics.models import Epic
    from requests_app.models import Ticket

    waiting = {
        "new": Ticket.Status.TRIAGED,
        "pipeline_in_progress": Ticket.Status.TRIAGED,
        "pipeline_being_built": Ticket.Status.IN_PROGRESS,
    }[status]
    return (
        Epic.objects.filter(
            status=status, tickets__status=waiting, tickets__request_type="pipeline"
        )
        .distinct()
        .order_by("pk")
    )


def _put_back(pks, *, ticket: str, story: str, **story_fields) -> None:
    """The epics' pipeline requests and product stories as the seed made them; the pipelines
    a completion recorded (the seed gives these epics none) removed."""
    from epics.models import Pipeline, Story
    from requests_app.models import Ticket

    requests = Ticket.objects.filter(epic_id__in=pks, request_type="pipeline")
    requests.exclude(epic_status_before="").update(status=ticket)
    stories = Story.objects.filter(epic_id__in=pks, board=Story.Board.PRODUCT)
    stories.update(status=story, **story_fields)
    Pipeline.objects.filter(epic_id__in=pks).delete()


def restore(source: str, pks) -> None:
    """What drops from `source` moved besides their epics (requests, stories, pipelines),
    put back as the seed made them, so the next run finds them again."""
    from requests_app.models import Ticket

    if source == "new":  # the pipeline started: its request no longer remembers New
        waiting = Ticket.objects.filter(epic_id__in=pks, status=Ticket.Status.TRIAGED)
        waiting.update(epic_status_before="")
    elif source == "pipeline_in_progress":  # assigned or picked up
        _put_back(pks, ticket="triaged", story="to_do", assignee=None)
    else:  # completed
        _put_back(pks, ticket="in_progress", story="in_progress")


def _measure_transitions(client) -> tuple[dict, dict]:
    """The transition the issue times (a drop that starts a pipeline), and the drops that
    move a story with its epic and request: an MDO PM assigning an engineer, an engineer
    picking it up, and completing."""
    from django.contrib.auth import get_user_model

    engineer = get_user_model().objects.get(username="bench-dev-1")
    start = _measure_drops(client, "new", "pipeline_in_progress")
    assign = _measure_drops(
        client, "pipeline_in_progress", "pipeline_being_built", assignee=engineer.pk
    )
    engineer_client = signed_in_client(engineer)
    pick_up = _measure_drops(engineer_client, "pipeline_in_progress", "pipeline_being_built")
    complete = _measure_drops(client, "pipeline_being_built", "pipeline_complete")
    return start, {"assign": assign, "pick_up": pick_up, "complete": complete}


PAGES = ("board", "column_page", "triage_queue")


def serve(size: int) -> None:
    """The child: seed, warm each page, then answer the parent's commands one line each on
    stdin, one JSON line each on stdout: `time <page>` (one request, its ms), `count`
    (each page's queries and bytes), `moves` (the drops, timed and counted), `quit`."""
    _seed(size)
    client = _client()
    pages = {
        "board": _Page(client, "/boards/epics/"),
        "column_page": _Page(client, _column_page_path(), {"HX-Request": "true"}),
        "triage_queue": _Page(client, "/boards/triage/"),
    }
    for page in pages.values():
        for _ in range(WARMUP):
            page.get()
    answer({"ready": size})
    for line in sys.stdin:
        command, *args = line.split()
        if command == "time":
            answer({"ms": pages[args[0]].timed()})
        elif command == "count":
            answer({name: page.counted() for name, page in pages.items()})
        elif command == "moves":
            transition, story_moves = _measure_transitions(client)
            answer({"transition": transition, "story_moves": story_moves})
        else:
            return


def answer(value: dict) -> None:
    print(json.dumps(value), flush=True)


# The parent: one long-lived child per size, rounds interleaved across them -------------------


class _Child:
    """A child serving one size's database (bench.board serve)."""

    def __init__(self, size: int):
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": size_database_url(size),
            # The e-mails the moves' notifications send (in-process without REDIS_URL) are kept
            # in memory, not printed over the table.
            "EMAIL_BACKEND": os.environ.get(
                "EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
            ),
        }
        self.size = size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.board", str(size)],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> dict:
        if command:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"bench.board {self.size} stopped (exit {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)


def run() -> dict:
    """Seed and warm every size, then REPEATS rounds: in each, every page once at each size
    in turn (200, 2,000, 20,000, 200, ...), so a slower minute of a busy machine slows every
    size alike and the ratio between them holds."""
    children = [_Child(size) for size in SIZES]
    try:
        for child in children:
            child.ask("")  # ready: seeded and warm
        times = {size: {page: [] for page in PAGES} for size in SIZES}
        for _ in range(REPEATS):
            for page in PAGES:
                for child in children:
                    times[child.size][page].append(child.ask(f"time {page}")["ms"])
        counted = {child.size: child.ask("count") for child in children}
        drops = children[-1].ask("moves")
    finally:
        for child in children:
            child.close()
    results = {
        page: {
            str(size): {
                "p50_ms": round(percentile(times[size][page], 0.50), 1),
                "p95_ms": round(percentile(times[size][page], 0.95), 1),
                **counted[size][page],
            }
            for size in SIZES
        }
        for page in PAGES
    }
    board = results["board"]
    small, large = board[str(min(SIZES))], board[str(max(SIZES))]
    results["board"] = {
        **board,
        "interleaved": True,
        "rounds": REPEATS,
        f"ratio_{max(SIZES)}_{min(SIZES)}": round(large["p50_ms"] / small["p50_ms"], 2),
    }
    results.update(drops)
    _print(results)
    return results


def _print(results: dict) -> None:
    print(f"{'':14} {'epics':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}")
    for key in PAGES:
        for size, row in _sizes(results[key]).items():
            print(
                f"{key:14} {size:>6} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>8} "
                f"{row['bytes'] / 1024:>7.1f}"
            )
    moves = {"transition": results["transition"], **results["story_moves"]}
    for key, row in moves.items():
        print(
            f"{key:14} {max(SIZES):>6} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>8}"
            f"   audit chain: +{row['chain_queries']} queries, {row['chain_ms']:+} ms p50"
            f" (without it {row['unchained_p50_ms']} ms, {row['unchained_queries']} queries)"
        )
    board = _sizes(results["board"])
    ratio = results["board"][f"ratio_{max(SIZES)}_{min(SIZES)}"]
    print(
        f"board: same queries at every size: {len({r['queries'] for r in board.values()}) == 1}; "
        f"p50 at {max(SIZES)} / p50 at {min(SIZES)} = {ratio:.2f} ({REPEATS} interleaved "
        f"rounds); largest page {max(r['bytes'] for r in board.values()) / 1024:.1f} KB"
    )


def _sizes(section: dict) -> dict:
    """A section's rows per size (without the board's `interleaved`, `rounds`, ratio)."""
    return {size: row for size, row in section.items() if isinstance(row, dict)}


if __name__ == "__main__":
    from bench.setup import configure

    configure()
    serve(int(sys.argv[1]))
