"""Dates in words, as every page shows them ("20 Nov 2026"), for the messages written in
Python: notifications, refusals, reminders."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone

# The earliest time zone on Earth (Kiribati's Line Islands, UTC+14) reaches a date first.
EARLIEST_UTC_OFFSET = dt.timedelta(hours=14)


def latest_date_on_earth(now: dt.datetime | None = None) -> dt.date:
    """The latest calendar date that is today somewhere on Earth: a signer's date up to it is
    today (or past) where they sign, wherever that is."""
    return ((now or timezone.now()).astimezone(dt.UTC) + EARLIEST_UTC_OFFSET).date()


def day(value: dt.date | dt.datetime) -> str:
    """The day, in the server's time zone for a moment: "20 Nov 2026"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, "j M Y")
