"""Dates in words, as every page shows them ("20 Nov 2026"), for the messages written in
Python: notifications, refusals, reminders."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone


def day(value: dt.date | dt.datetime) -> str:
    """The day, in the server's time zone for a moment: "20 Nov 2026"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, "j M Y")
