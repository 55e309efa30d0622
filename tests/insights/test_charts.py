"""The SVG charts: well-formed, labelled, escaped, and sound on awkward data (one point,
nothing but zeros, no data at all)."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from insights import charts
from insights.charts import Band, Bar, Column, Fill, Panel, Series, StackedRow

NS = "{http://www.w3.org/2000/svg}"


def texts(svg) -> list[str]:
    return [t.text for t in ET.fromstring(str(svg)).iter(f"{NS}text")]


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.02, "under a second"),
        (45, "45 seconds"),
        (150, "2.5 minutes"),
        (3600, "60 minutes"),
        (7200, "2 hours"),
        (36 * 3600, "36 hours"),
        (2 * 86400, "2 days"),
        (6.2 * 86400, "6.2 days"),
        (14 * 86400, "14 days"),
        (None, "–"),
    ],
)
def test_durations_are_said_in_a_unit_that_fits(seconds, said):
    assert charts.say_duration(seconds) == said


def test_numbers_and_ticks():
    assert [charts.number(v) for v in (0, 0.0213, 1.0, 6.25, 12.4)] == [
        "0",
        "0.021",
        "1",
        "6.2",
        "12",
    ]
    assert charts.nice_ticks(7.9) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3, whole=True) == [0, 1, 2, 3]
    fmt = charts.tick_text(charts.nice_ticks(0.021))
    assert [fmt(t) for t in charts.nice_ticks(0.021)] == [
        "0.000",
        "0.005",
        "0.010",
        "0.015",
        "0.020",
        "0.025",
    ]


def test_ranked_bars_name_the_highlighted_bar_in_words():
    svg = charts.ranked_bars(
        [
            Bar("IL6 <deploy> & co", 6.2, 9.0, "6.2 d", "4 finished", True, "Slowest"),
            Bar("Pipeline", 2.0, None, "2 d", "10 finished"),
        ],
        chart_id="t",
        title="Lead time",
        desc="Slowest first",
        axis_label="Days",
    )
    root = ET.fromstring(str(svg))  # escaped: still well-formed
    assert root.find(f"{NS}title").text == "Lead time"
    words = texts(svg)
    assert "IL6 <deploy> & co" in words and "Slowest · 4 finished" in words
    assert "Days" in words


def test_one_point_and_gaps_in_small_multiples():
    svg = charts.small_multiples(
        [Panel("A", [None, (1.0, 2.0), None]), Panel("B", [None, None, None])],
        ["2 Nov", "9 Nov", "16 Nov"],
        chart_id="m",
        title="t",
        desc="d",
        y_label="Days",
    )
    root = ET.fromstring(str(svg))
    assert len(root.findall(f"{NS}circle")) == 2  # the key's and the one median
    assert not [p for p in root.findall(f"{NS}path") if p.get("fill") == "none"]
    assert "none finished" in texts(svg)


def test_a_stacked_area_of_zeros_and_of_one_day():
    days = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(3)]
    svg = charts.stacked_area(
        [Band("New", [0, 0, 0], Fill("#ccc")), Band("Done", [0, 0, 2], Fill("#0a0", "hatch"))],
        days,
        chart_id="f",
        title="t",
        desc="d",
        y_label="Epics",
    )
    root = ET.fromstring(str(svg))
    assert root.find(f"{NS}defs/{NS}pattern") is not None  # the hatch, for print
    assert "Done 2" in texts(svg)
    one_day = charts.stacked_area(
        [Band("New", [3], Fill("#ccc"))],
        days[:1],
        chart_id="g",
        title="t",
        desc="d",
        y_label="Epics",
    )
    ET.fromstring(str(one_day))


def test_columns_say_why_there_is_no_bar():
    svg = charts.columns(
        [Column("2 Nov", None, "none"), Column("9 Nov", 50.0, "50% of 2")],
        chart_id="c",
        title="t",
        desc="d",
        y_label="Share",
        y_max=100,
        fmt=lambda v: f"{v:.0f}%",
    )
    words = texts(svg)
    assert "none" in words and "50% of 2" in words and "100%" in words


def test_stacked_bars_number_their_segments():
    svg = charts.stacked_bars(
        [StackedRow("IL4", [3, 0, 1], note="open", highlight=True), StackedRow("IL6", [0, 0, 0])],
        [
            Series("Submitted", Fill("#9cf")),
            Series("Triaged", Fill("#fd8", "hatch")),
            Series("In Progress", Fill("#f90", "cross")),
        ],
        chart_id="s",
        title="t",
        desc="d",
        x_label="Open requests",
    )
    words = texts(svg)
    assert "4 open" in words and "3" in words and "0" in words
