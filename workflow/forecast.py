"""When an open request will likely be done: a forecast from the audit trail.

For an open ticket, look at the tickets of the same request type and impact level that
reached Done in the last FORECAST_DAYS (180) days, and at how long each took from entering
the status this ticket is in now to Done. The forecast is now plus the 50th and the 85th
percentile of those times (nearest rank), as dates in the portal's time zone; with fewer
than FORECAST_MINIMUM (5) such tickets there is none. Only what the trail recorded counts:
the `file` event enters Submitted, each transition's `to_status` enters the next.

`forecasts(tickets)` answers for a whole list in two queries, whatever its length, so the
request page and the API's lists keep a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from requests_app.models import Ticket
from workflow.models import AuditEvent

FORECAST_DAYS = 180
FORECAST_MINIMUM = 5
PERCENTILES = {"p50": 0.50, "p85": 0.85}
METHOD = (
    "Today plus how long the last 180 days' finished requests of this type and level took "
    "from this status to Done: half were done by the first date, 85% by the second."
)
DONE = Ticket.Status.DONE
# The statuses a forecast is given in: every open one.
OPEN = Ticket.OPEN_STATUSES


@dataclass(frozen=True)
class Forecast:
    p50: dt.date
    p85: dt.date
    finished: int  # how many finished tickets it is drawn from

    def as_dict(self) -> dict:
        return {"p50": self.p50, "p85": self.p85}


def nearest_rank(sorted_values: list[float], fraction: float) -> float:
    """The smallest value with at least `fraction` of the values at or below it."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def durations(kinds: set[tuple[str, str]], now: dt.datetime) -> dict[tuple, list[float]]:
    """Seconds from entering each status to Done, of the tickets of these (type, level)
    kinds done since FORECAST_DAYS ago, keyed (type, level, status), each list sorted."""
    if not kinds:
        return {}
    since = now - dt.timedelta(days=FORECAST_DAYS)
    candidates = Ticket.objects.filter(
        status=DONE,
        request_type__in={request_type for request_type, _ in kinds},
        impact_level__in={level for _, level in kinds},
        pk__in=_done_since(since).values("object_id"),
    )
    finished = {
        pk: (request_type, level)
        for pk, request_type, level in candidates.values_list("pk", "request_type", "impact_level")
        if (request_type, level) in kinds
    }
    entered: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for object_id, status, at in (
        _ticket_events()
        .filter(object_id__in=list(finished), to_status__in=(*OPEN, DONE))
        .order_by("object_id", "created_at", "id")
        .values_list("object_id", "to_status", "created_at")
    ):
        entered[object_id].append((at, status))
    found: dict[tuple, list[float]] = defaultdict(list)
    for pk, events in entered.items():
        done_at = max((at for at, status in events if status == DONE), default=None)
        if done_at is None or done_at < since:
            continue
        last_entry: dict[str, dt.datetime] = {}
        for at, status in events:
            if at <= done_at and status != DONE:
                last_entry[status] = at  # the last time it entered each status before Done
        for status, at in last_entry.items():
            found[(*finished[pk], status)].append((done_at - at).total_seconds())
    return {key: sorted(values) for key, values in found.items()}


def forecasts(tickets, now: dt.datetime | None = None) -> dict[int, Forecast | None]:
    """The forecast of each ticket (None for a closed one, or too little history)."""
    now = now or timezone.now()
    tickets = list(tickets)
    kinds = {(t.request_type, t.impact_level) for t in tickets if t.status in OPEN}
    table = durations(kinds, now)
    today = timezone.localdate(now)
    answer: dict[int, Forecast | None] = {}
    for ticket in tickets:
        taken = table.get((ticket.request_type, ticket.impact_level, ticket.status), [])
        if ticket.status not in OPEN or len(taken) < FORECAST_MINIMUM:
            answer[ticket.pk] = None
            continue
        dates = {
            name: max(today, timezone.localdate(now + dt.timedelta(seconds=nearest_rank(taken, p))))
            for name, p in PERCENTILES.items()
        }
        answer[ticket.pk] = Forecast(finished=len(taken), **dates)
    return answer


def forecast(ticket, now: dt.datetime | None = None) -> Forecast | None:
    return forecasts([ticket], now)[ticket.pk]


def _ticket_events():
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Ticket),
        outcome=AuditEvent.Outcome.DONE,
    )


def _done_since(since: dt.datetime):
    return _ticket_events().filter(to_status=DONE, created_at__gte=since)
