"""The dashboard's panels: each figure as a chart, the sentence it answers, and its numbers
as a table (the same rows the CSV download gives).

What makes a panel is kept in three places:

- its numbers: `figures.py`, derived from insights/metrics.py (which request type is
  slowest, the statuses ranked by their waits, the unit of its durations), with no words;
- its words: the panel's own module (`lead_time.py`, `waits.py`, `flow.py`,
  `weekly_lead.py`, `finished.py`, `triage.py`, `open_work.py`; the row at a glance in
  `glance.py`) says its title, sentences, notes, table headings and chart labels, and puts
  them with the numbers; words several panels say are in `wording.py`;
- its drawing: insights/charts/, which takes the numbers and the words ready-made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass
class Table:
    columns: list[str]
    rows: list[list]

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each cell with its column's name (a phone shows the table as cards)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Panel:
    key: str  # its name in ?chart= for the CSV
    title: str
    headline: str
    chart: SafeString | None  # None: nothing to draw, `empty` says why
    table: Table
    empty: str = ""
    notes: list[str] = field(default_factory=list)
