"""The audit trail's page at 10,000 and 1,000,000 events ("audit" in bench/results.json):
its first page, a filtered page (alice's refusals), a deep page (an event a tenth of the
way from the oldest: `?before=`), the filtered trail that far back, and the API's filtered
page: p50 and p95 over repeated requests through django.test.Client as avery (an
auditor), the queries of each, and the p50 at the largest size over the smallest. Then the
streamed CSV export of the whole trail and of alice's refusals (seconds, bytes, and the
child process's peak memory: the same at any size if the export streams), and
`audit_verify` over the whole chain.

Each size lives in a database of its own (the bench database's name + "_audit<size>" on
PostgreSQL, var/bench_audit_<size>.sqlite3 on SQLite), filled once with bulk_create and
reused by later runs (a marker team names the seed's version; BENCH_AUDIT_RESEED=1 fills it
anew). The fill is a valid hash chain (workflow.chain.seal, in id order) over ~120 days:
40 people and the system acting on tickets, epics, stories, documents, releases, access
requests, teams and accounts, about 6% refused. The sizes are measured in rounds that go
through them in a shuffled order, each in a child process, so a busy moment of a shared
machine falls on every size alike.

    python -m bench audit                            # as a section of `make bench`
    BENCH_AUDIT_SIZES=10000,100000 BENCH_AUDIT_ROUNDS=2 python -m bench audit
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time

from bench.setup import BASE_DIR, percentile, section_database_url, signed_in_client

SIZES = [int(n) for n in os.environ.get("BENCH_AUDIT_SIZES", "10000,1000000").split(",")]
ROUNDS = int(os.environ.get("BENCH_AUDIT_ROUNDS", "5"))
REPEATS = int(os.environ.get("BENCH_AUDIT_REPEATS", "10"))  # per page and round
VERIFY = os.environ.get("BENCH_AUDIT_VERIFY", "1") != "0"
WARMUP = 3
SEED_VERSION = 1
BATCH = 5000
DAYS = 120
PAGES = {
    "first": "/audit/",
    "filtered": "/audit/?actor=alice&outcome=refused",
    "deep": "/audit/?before={deep}",
    "filtered_deep": "/audit/?actor=alice&outcome=refused&before={deep}",
    "one_day": "/audit/?since={day}&until={next_day}",
    "api_filtered": "/api/v1/audit-events/?actor=alice&outcome=refused",
}
EXPORTS = {
    "export_all": "/audit/export?format=csv",
    "export_filtered": "/audit/export?format=csv&actor=alice&outcome=refused",
}

# Who acts, and how often (the rest of the weight goes to 30 more product team members).
PEOPLE = {"alice": 6, "bob": 3, "pat": 12, "dana": 8, "casey": 5, "cleo": 3, "avery": 0.5}
OTHERS = {"system": 4, "": 1, "gitlab:ci-bot": 2}  # the clock, failed sign-ins, GitLab
MEMBERS = [f"member{n:02}" for n in range(1, 31)]
# What happens to what: (object type, weight, [(action, from, to), ...]).
KINDS = [
    ("ticket", 40, [("file", "", "submitted"), ("triage", "submitted", "triaged"),
                    ("reject", "submitted", "rejected"), ("withdraw", "submitted", "withdrawn"),
                    ("start_work", "triaged", "in_progress"), ("finish", "in_progress", "done"),
                    ("ask_for_info", "submitted", "needs_info")]),
    ("epic", 15, [("create", "", "new"), ("start_pipeline", "new", "pipeline_in_progress"),
                  ("pick_up", "pipeline_in_progress", "pipeline_being_built"),
                  ("complete", "pipeline_being_built", "pipeline_complete")]),
    ("story", 15, [("create", "", "to_do"), ("pick_up", "to_do", "in_progress"),
                   ("complete", "in_progress", "done"), ("open", "to_do", "")]),
    ("document", 8, [("upload", "", "uploaded"), ("verify", "uploaded", "verified"),
                     ("reject", "uploaded", "rejected")]),
    ("release", 4, [("create", "", "")]),
    ("access_request", 2, [("request", "", "pending"), ("approve", "pending", "approved")]),
    ("team", 1, [("update", "", "")]),
    ("user", 15, [("sign_in", "", ""), ("sign_out", "", "")]),
]  # fmt: skip
REFUSALS = [
    "Not yours to do: it is for MDO PMs.",
    "Ticket is Triaged: only Submitted tickets can be withdrawn.",
    "Not allowed yet: The epic needs a verified CtF letter covering IL5.",
    "Wrong user name or password.",
]
REFUSED_SHARE = 0.06


def size_database_url(size: int) -> str:
    return section_database_url("audit", size)


# Filling (in the child) ---------------------------------------------------------------------------


def _marker(size: int) -> str:
    return f"Bench audit seed v{SEED_VERSION} ({size} events)"


def _seed(size: int) -> dict:
    """Fill the trail with `size` events, a valid chain, unless this seed is there."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from epics.models import Team
    from workflow.models import AuditEvent

    if Team.objects.filter(name=_marker(size)).exists() and not os.environ.get(
        "BENCH_AUDIT_RESEED"
    ):
        print(f"  {size}: seeded trail found, reused", file=sys.stderr)
        return {"reused": True}
    call_command("flush", interactive=False, verbosity=0)
    started = time.monotonic()
    users = get_user_model().objects
    auditor = Group.objects.get_or_create(name="auditor")[0]
    people = {}
    for name in [*PEOPLE, *MEMBERS]:  # no password: the bench signs them in
        people[name] = users.create_user(name, f"{name}@bench.test")
    people["avery"].groups.add(auditor)
    with transaction.atomic():
        Team.objects.create(name=_marker(size))
        written = _fill(size, people, now=timezone.now())
    fill_seconds = time.monotonic() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    assert AuditEvent.objects.count() == written == size
    print(f"  {size}: filled {written} events in {fill_seconds:.1f} s", file=sys.stderr)
    return {"reused": False, "fill_seconds": round(fill_seconds, 1)}


def _fill(size: int, people: dict, *, now: dt.datetime) -> int:
    from django.contrib.contenttypes.models import ContentType

    from workflow import audit_query, chain
    from workflow.models import AuditEvent

    rng = random.Random(13)
    names = [*PEOPLE, *OTHERS, *MEMBERS]
    rest = (100 - sum(PEOPLE.values()) - sum(OTHERS.values())) / len(MEMBERS)
    weights = [*PEOPLE.values(), *OTHERS.values(), *[rest] * len(MEMBERS)]
    types = {
        name: ContentType.objects.get_by_natural_key(*audit_query.OBJECT_TYPES[name])
        for name, _, _ in KINDS
    }
    labels = {name: chain.type_label(ct) for name, ct in types.items()}
    kind_weights = [weight for _, weight, _ in KINDS]
    start, step = now - dt.timedelta(days=DAYS), dt.timedelta(days=DAYS) / size
    objects = max(10, size // 20)
    previous, written = "", 0
    while written < size:
        batch = []
        for n in range(written, min(size, written + BATCH)):
            name = rng.choices(names, weights)[0]
            kind, _, actions = rng.choices(KINDS, kind_weights)[0]
            action, before, after = rng.choice(actions)
            refused = rng.random() < REFUSED_SHARE
            event = AuditEvent(
                actor=people.get(name),
                actor_name=name,
                content_type=types[kind],
                object_id=rng.randrange(1, objects),
                object_repr=f"{kind.replace('_', ' ').capitalize()} #{n % objects}",
                action=action,
                from_status=before,
                to_status="" if refused else after,
                created_at=start + step * n + step * rng.random() * 0.9,
                client_address=None if name in OTHERS else f"10.{n % 250}.{n % 7}.{n % 199}",
                outcome="refused" if refused else "done",
                reason=rng.choice(REFUSALS) if refused else "",
            )
            chain.seal(event, labels[kind], previous)
            previous = event.hash
            batch.append(event)
        AuditEvent.objects.bulk_create(batch, batch_size=BATCH)
        written += len(batch)
    return written


# Measuring (in the child) -------------------------------------------------------------------------


def _client():
    from django.contrib.auth import get_user_model

    return signed_in_client(get_user_model().objects.get(username="avery"))


def _paths() -> dict[str, str]:
    """The pages: the deep ones a tenth of the way from the oldest event, the day twelve
    days after it (a date range far back)."""
    from workflow.models import AuditEvent

    first, at = AuditEvent.objects.order_by("id").values_list("id", "created_at")[0]
    deep = first + int(os.environ["BENCH_AUDIT_SIZE"]) // 10
    day = at.date() + dt.timedelta(days=12)
    dates = {"day": day.isoformat(), "next_day": (day + dt.timedelta(days=1)).isoformat()}
    return {page: path.format(deep=deep, **dates) for page, path in PAGES.items()}


def _plan(sql: str, params) -> list[str]:
    """PostgreSQL's plan of the page's query, its node lines only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    return [line.strip() for line in lines if "->" in line or line.startswith(("Limit", "Index"))]


def _measure_page(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    for _ in range(WARMUP):
        get()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        get()
        times.append(round((time.perf_counter() - started) * 1000, 2))
    with CaptureQueriesContext(connection) as captured:
        response = get()
    trail = [q for q in captured if "workflow_auditevent" in q["sql"]]
    body = response.content
    rows = body.count(b'<td data-label="#">') if path.startswith("/audit") else None
    if rows is None:
        rows = len(json.loads(body)["results"])
    return {
        "timings": times,
        "queries": len(captured),
        "trail_queries": len(trail),
        "bytes": len(body),
        "rows": rows,
        "sql": trail[-1]["sql"] if trail else "",
    }


def measure() -> dict:
    client = _client()
    result = {page: _measure_page(client, path) for page, path in _paths().items()}
    for row in result.values():
        row["plan"] = _plan(row.pop("sql"), None)
    return result


def export() -> dict:
    """Each export streamed to its end: seconds, bytes, lines, and the peak memory of the
    process above what it held before (constant if the export streams)."""
    client = _client()
    client.get(PAGES["first"])  # the process as a page leaves it
    result = {}
    for name, path in EXPORTS.items():
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        response = client.get(path)
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result[name] = {
            "seconds": round(seconds, 2),
            "mb": round(size / 1e6, 1),
            "events": lines - 1,
            "events_per_s": round((lines - 1) / seconds) if seconds else None,
            "peak_rss_growth_mb": round((peak - baseline) / 1024, 1),
        }
    return result


def verify() -> dict:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("audit_verify", stdout=out)
    return {"seconds": round(time.perf_counter() - started, 1), "said": out.getvalue().strip()}


# The parent: children per size and round, a table, the results ------------------------------------


def _child(size: int, command: str) -> dict:
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": size_database_url(size),
        "BENCH_AUDIT_SIZE": str(size),
    }
    child = subprocess.run(
        [sys.executable, "-m", "bench.audit", command],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if child.returncode:
        raise SystemExit(f"audit bench failed ({command}, {size} events)")
    return json.loads(child.stdout.strip().splitlines()[-1])


def run() -> dict:
    seeded = {size: _child(size, "seed") for size in SIZES}
    timings: dict = {size: {} for size in SIZES}
    facts: dict = {size: {} for size in SIZES}
    shuffle = random.Random(17)
    for _ in range(ROUNDS):
        for size in shuffle.sample(SIZES, len(SIZES)):
            for page, row in _child(size, "measure").items():
                timings[size].setdefault(page, []).extend(row.pop("timings"))
                facts[size][page] = row
    result: dict = {}
    for size in SIZES:
        pages = {
            page: {
                "p50_ms": round(percentile(samples, 0.50), 1),
                "p95_ms": round(percentile(samples, 0.95), 1),
                **facts[size][page],
            }
            for page, samples in timings[size].items()
        }
        result[str(size)] = {
            **pages,
            **_child(size, "export"),
            "samples": len(timings[size]["first"]),
            **seeded[size],
        }
    small, large = str(min(SIZES)), str(max(SIZES))
    result["p50_ratio"] = {
        page: round(result[large][page]["p50_ms"] / result[small][page]["p50_ms"], 2)
        for page in PAGES
    }
    result["same_queries"] = all(
        len({result[str(size)][page]["queries"] for size in SIZES}) == 1 for page in PAGES
    )
    if VERIFY:
        result["audit_verify"] = {large: _child(max(SIZES), "verify")}
    _print(result)
    return result


def _print(result: dict) -> None:
    print(f"{'page':14} {'events':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'rows':>5}")
    for size in SIZES:
        for page in PAGES:
            row = result[str(size)][page]
            print(
                f"{page:14} {size:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                f"{row['queries']:>8} {row['rows']:>5}"
            )
    for size in SIZES:
        for name in EXPORTS:
            row = result[str(size)][name]
            print(
                f"{name:14} {size:>8} {row['seconds']:>7} s {row['mb']:>7} MB "
                f"{row['events']:>8} events, peak memory +{row['peak_rss_growth_mb']} MB"
            )
    ratios = ", ".join(f"{page} {ratio}" for page, ratio in result["p50_ratio"].items())
    print(f"p50 at {max(SIZES)} / at {min(SIZES)}: {ratios}")
    print(f"same queries at every size: {result['same_queries']}")
    for size, row in result.get("audit_verify", {}).items():
        print(f"audit_verify at {size}: {row['seconds']} s ({row['said']})")


if __name__ == "__main__":
    from bench.setup import configure

    configure()
    command = sys.argv[1]
    if command == "seed":
        print(json.dumps(_seed(int(os.environ["BENCH_AUDIT_SIZE"]))))
    else:
        print(json.dumps({"measure": measure, "export": export, "verify": verify}[command]()))
