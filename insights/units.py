"""How the dashboard says its figures: a duration in the unit that fits it ("6.2 days",
"36 hours"), a number with the decimals it needs, a share, a day. The panels' sentences,
tables and chart labels all say them this way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str  # plural, for axes and table headings: "days"
    singular: str
    abbr: str
    seconds: int

    def of(self, seconds: float | None) -> float | None:
        return None if seconds is None else seconds / self.seconds

    def say(self, seconds: float | None) -> str:
        """ "6.2 days", "1 day", "under a second"."""
        if seconds is None:
            return "–"
        value = seconds / self.seconds
        if self.seconds == 1 and value < 1:
            return "under a second"
        text = number(value)
        return f"{text} {self.singular if text == '1' else self.name}"

    def short(self, seconds: float | None) -> str:
        return "–" if seconds is None else f"{number(seconds / self.seconds)} {self.abbr}"


UNITS = (
    Unit("seconds", "second", "s", 1),
    Unit("minutes", "minute", "min", 60),
    Unit("hours", "hour", "h", 3600),
    Unit("days", "day", "d", 86400),
)


def unit_for(largest_seconds: float | None) -> Unit:
    """The largest unit in which the largest value is at least 2 (36 hours, not 1.5 days)."""
    largest = largest_seconds or 0
    return next((u for u in reversed(UNITS) if largest / u.seconds >= 2), UNITS[0])


def say_duration(seconds: float | None) -> str:
    return unit_for(seconds).say(seconds)


def short_duration(seconds: float | None) -> str:
    """ "6.2 d", "36 h", "<1 s": each value in the unit that fits it."""
    if seconds is not None and seconds < 1:
        return "<1 s"
    return unit_for(seconds).short(seconds)


def number(value: float) -> str:
    """No decimals from 10 up, one from 1, two significant digits below; no trailing ".0"."""
    if value == 0:
        return "0"
    if abs(value) < 1:
        text = f"{value:.2g}"
        return text if "e" not in text else f"{value:.6f}".rstrip("0")
    text = f"{value:.1f}" if abs(value) < 10 else f"{value:.0f}"
    return text[:-2] if text.endswith(".0") else text


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b}"
