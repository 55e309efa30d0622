"""What the insights tests share: a clock to travel with, and a small history made through
the real services at exact times, whose figures are worked out by hand in its docstring.

Why the services and a travelling clock, not rows written directly: the figures must come
from the audit trail as the services write it (which actions, which from and to), so the
history is made the way the portal makes it; `created_at` is auto_now_add, so the clock
(`django.utils.timezone.now`, which it and every service read) is moved instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

from django.apps import apps

from tests.factories import DocumentFactory, EpicFactory, TeamFactory, UserFactory
from workflow import services
from workflow.fsm import StateMachine
from workflow.permissions import CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

CHICAGO = ZoneInfo("America/Chicago")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, Chicago time (2 November is a Monday)."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CHICAGO)


class Clock:
    def __init__(self):
        self.now = at(2, 0)
        self._patches = [mock.patch("django.utils.timezone.now", lambda: self.now)]
        # `status_changed_at`'s default is timezone.now itself, taken when the model was
        # defined (and cached by the field): it needs the clock too.
        for model in apps.get_models():
            if issubclass(model, StateMachine):
                field = model._meta.get_field("status_changed_at")
                self._patches.append(mock.patch.object(field, "_get_default", lambda: self.now))

    @contextlib.contextmanager
    def at(self, moment: dt.datetime):
        before = self.now
        self.now = moment.astimezone(dt.UTC)
        try:
            yield
        finally:
            self.now = before

    def set(self, moment: dt.datetime) -> None:
        self.now = moment.astimezone(dt.UTC)

    def start(self):
        for patch in self._patches:
            patch.start()

    def stop(self):
        for patch in reversed(self._patches):
            patch.stop()


def history(clock: Clock) -> SimpleNamespace:
    """Two teams' work over two weeks, every step through workflow/services.py.

    Team Alpha (times in Chicago; business hours 08-18 Monday to Friday; goal 8 hours):

    - Epics Payments and Mission: created Mon 2 Nov 08:00 (New).
    - A, pipeline IL4 on Payments: filed Mon 2 09:00, triaged 11:00 (2 business hours),
      pipeline started 13:00, picked up Tue 3 09:00, done Thu 5 09:00. Lead time 72 h.
    - B, production deployment IL4 on Payments: filed Thu 5 10:00, triaged Mon 9 12:00
      (Thu 8 h + Fri 10 h + Mon 4 h = 22 business hours: past the goal), picked up Wed 11
      15:00, done Thu 12 12:00. Lead time 7 d 2 h = 170 h.
    - C, pipeline IL5 on Mission: filed Tue 10 09:00, triaged 17:00 (8 h: within, the goal
      is "at most"). Mission verified cyber compliant Tue 10 10:00 (no status change).
    - D, pipeline IL4 on Mission: filed Wed 11 09:00, rejected from Submitted 10:00 (1 h).
    - E, pipeline IL2 on Mission: filed Thu 12 08:00, still in Submitted.

    Payments' stays: New 5 h (08:00-13:00 Mon 2), Pipeline In Progress 20 h, Pipeline Being
    Built 48 h, Pipeline Complete 99 h (Thu 5 09:00 - Mon 9 12:00), Prod Deploy - Queued
    51 h, Prod Deploy - In Progress 21 h; in Prod Deploy - Complete since Thu 12 12:00.

    Team Bravo: epic Console created Mon 2 08:00; F, pipeline IL4 filed Tue 3 09:00,
    triaged 10:00, started 11:00, picked up 12:00, done Wed 4 09:00 (lead time 24 h).

    Now: Fri 13 Nov 12:00. E has waited Thu 10 h + Fri 4 h = 14 business hours: overdue.
    """
    alpha = TeamFactory(name="Team Alpha")
    bravo = TeamFactory(name="Team Bravo")
    alice = UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[alpha])
    bob = UserFactory(username="bob", roles=[PRODUCT_TEAM], teams=[bravo])
    pat = UserFactory(username="pat", roles=[MDO_PM])
    dana = UserFactory(username="dana", roles=[DEVOPS])
    casey = UserFactory(username="casey", roles=[CYBER])

    def file(member, team, epic, request_type, level):
        return services.ticket_file(
            by=member, team=team, epic=epic, request_type=request_type, impact_level=level
        )

    with clock.at(at(2, 8)):
        payments = services.epic_create(by=pat, team=alpha, title="Payments")
        mission = services.epic_create(by=pat, team=alpha, title="Mission")
        console = services.epic_create(by=pat, team=bravo, title="Console")
    DocumentFactory(
        epic=payments, impact_levels=["IL4"], uploaded_by=alice, signed_on=dt.date(2026, 10, 1)
    )
    # Team Alpha
    with clock.at(at(2, 9)):
        a = file(alice, alpha, payments, "pipeline", "IL4")
    with clock.at(at(2, 11)):
        services.ticket_triage(by=pat, ticket=a)
    with clock.at(at(2, 13)):
        services.epic_start_pipeline(by=pat, epic=payments)
    story_a = a.stories.get()
    with clock.at(at(3, 9)):
        services.story_pick_up(by=dana, story=story_a)
    with clock.at(at(5, 9)):
        services.story_complete(by=dana, story=story_a)
    with clock.at(at(5, 10)):
        b = file(alice, alpha, payments, "prod_deploy", "IL4")
    with clock.at(at(9, 12)):
        services.ticket_triage(by=pat, ticket=b)
    story_b = b.stories.get()
    with clock.at(at(11, 15)):
        services.story_pick_up(by=dana, story=story_b)
    with clock.at(at(12, 12)):
        services.story_complete(by=dana, story=story_b)
    with clock.at(at(10, 9)):
        c = file(alice, alpha, mission, "pipeline", "IL5")
    with clock.at(at(10, 10)):
        services.epic_verify_cyber_compliance(by=casey, epic=mission)
    with clock.at(at(10, 17)):
        services.ticket_triage(by=pat, ticket=c)
    with clock.at(at(11, 9)):
        d = file(alice, alpha, mission, "pipeline", "IL4")
    with clock.at(at(11, 10)):
        services.ticket_reject(by=pat, ticket=d, reason="Duplicate of C.")
    with clock.at(at(12, 8)):
        e = file(alice, alpha, mission, "pipeline", "IL2")
    # Team Bravo
    with clock.at(at(3, 9)):
        f = file(bob, bravo, console, "pipeline", "IL4")
    with clock.at(at(3, 10)):
        services.ticket_triage(by=pat, ticket=f)
    with clock.at(at(3, 11)):
        services.epic_start_pipeline(by=pat, epic=console)
    story_f = f.stories.get()
    with clock.at(at(3, 12)):
        services.story_pick_up(by=dana, story=story_f)
    with clock.at(at(4, 9)):
        services.story_complete(by=dana, story=story_f)
    return SimpleNamespace(
        now=at(13, 12),
        alpha=alpha,
        bravo=bravo,
        alice=alice,
        bob=bob,
        pat=pat,
        dana=dana,
        payments=payments,
        mission=mission,
        console=console,
        tickets=SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f),
    )


def more_work(team, member, pm, devops, count: int, clock: Clock, day: int = 16) -> None:
    """`count` more finished pipeline requests on new epics of `team`, on one day."""
    for i in range(count):
        with clock.at(at(day, 8, i % 60)):
            epic = services.epic_create(by=pm, team=team, title=f"More {day}-{i}")
            ticket = services.ticket_file(
                by=member, team=team, epic=epic, request_type="pipeline", impact_level="IL4"
            )
            services.ticket_triage(by=pm, ticket=ticket)
            services.epic_start_pipeline(by=pm, epic=epic)
            story = ticket.stories.get()
            services.story_pick_up(by=devops, story=story)
        with clock.at(at(day, 15, i % 60)):
            services.story_complete(by=devops, story=story)
    # One of each kind still open, so every query has rows to read.
    with clock.at(at(day, 16)):
        epic = EpicFactory(team=team, title=f"Open {day}")
        services.ticket_file(
            by=member, team=team, epic=epic, request_type="pipeline", impact_level="IL5"
        )


def hours(value: float) -> float:
    """Seconds in `value` hours (the metrics count in seconds)."""
    return value * 3600
