"""`make bench`: run the benchmarks, print a table and write bench/results.json.

python -m bench                  # every section
python -m bench notifications    # only these sections
python -m bench board            # the boards (and the drops: transition, story_moves)
python -m bench audit            # the audit trail's page and export at 10,000 and 1,000,000 events
python -m bench load             # 300 people polling the live board while moves are made
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.setup import configure

RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str]) -> int:
    url = configure()
    from django.db import connection

    from bench import audit, board, dashboard, load, notifications

    sections = {
        "notifications": notifications.run,
        "board": board.run,
        "dashboard": dashboard.run,
        "audit": audit.run,
        "load": load.run,
    }
    # Sections whose results are several top-level keys of results.json, not one.
    spread = {"board"}
    chosen = argv or list(sections)
    unknown = [name for name in chosen if name not in sections]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(sections)}")
        return 2
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["database"] = connection.vendor
    print(f"bench database: {url.split('@')[-1]}")
    for name in chosen:
        print(f"\n== {name}")
        if name in spread:
            results.update(sections[name]())
        else:
            results[name] = sections[name]()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
