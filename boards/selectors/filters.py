"""The boards' filters (from the query string) and the choices they offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    CharField,
    Q,
    Value,
)

from boards.selectors.columns import OPEN_STORY
from epics.models import ImpactLevel, Pipeline, Story
from workflow.permissions import sees_all_teams, team_ids_of
from workflow.selectors import teams_for

# Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The board's filters, from the query string; what does not parse is ignored."""

    team: int | None = None
    level: str = ""
    assignee: int | None = None
    q: str = ""

    NAMES = ("team", "level", "assignee", "q")

    @classmethod
    def from_query(cls, data) -> Filters:
        def number(name):
            raw = data.get(name, "")
            # An id the database could not hold (or a non-ASCII digit) matches nothing.
            if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19):
                return None
            return int(raw)

        level = data.get("level", "")
        return cls(
            team=number("team"),
            level=level if level in ImpactLevel.values else "",
            assignee=number("assignee"),
            q=(data.get("q") or "").strip()[:100],
        )

    @property
    def active(self) -> bool:
        return any(self.query().values())

    def query(self) -> dict[str, str]:
        values = {"team": self.team, "level": self.level, "assignee": self.assignee, "q": self.q}
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    def for_epics(self) -> Q | None:
        conditions = []
        open_stories = Story.objects.filter(board=Story.Board.PRODUCT, status__in=OPEN_STORY)
        if self.team is not None:
            conditions.append(Q(team_id=self.team))
        if self.level:
            conditions.append(
                Q(pk__in=Pipeline.objects.filter(impact_level=self.level).values("epic_id"))
                | Q(pk__in=open_stories.filter(ticket__impact_level=self.level).values("epic_id"))
            )
        if self.assignee is not None:
            conditions.append(
                Q(pk__in=open_stories.filter(assignee_id=self.assignee).values("epic_id"))
            )
        if self.q:
            conditions.append(Q(title__icontains=self.q) | Q(team__name__icontains=self.q))
        return _all(conditions)

    def for_stories(self) -> Q | None:
        conditions = []
        if self.team is not None:
            conditions.append(Q(epic__team_id=self.team))
        if self.level:
            conditions.append(Q(ticket__impact_level=self.level))
        if self.assignee is not None:
            conditions.append(Q(assignee_id=self.assignee))
        if self.q:
            conditions.append(
                Q(title__icontains=self.q)
                | Q(epic__title__icontains=self.q)
                | Q(epic__team__name__icontains=self.q)
            )
        return _all(conditions)


def _all(conditions: list[Q]) -> Q | None:
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined


def people_in(role: str):
    return get_user_model().objects.filter(is_active=True, groups__name=role).order_by("username")


CHOICES_SECONDS = 60


def filter_choices(user, worker_role: str) -> tuple[list, list]:
    """The teams the user may see and the people who work the board, in one query, kept a
    minute: a new team or engineer shows in the filters within a minute."""
    scope = "all" if sees_all_teams(user) else ",".join(map(str, sorted(team_ids_of(user))))
    key = f"boards:choices:{worker_role}:{scope}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    teams = (
        teams_for(user)
        .prefetch_related(None)
        .order_by()
        .annotate(kind=Value("team", output_field=CharField()))
        .values_list("kind", "pk", "name")
    )
    people = (
        people_in(worker_role)
        .order_by()
        .annotate(kind=Value("person", output_field=CharField()))
        .values_list("kind", "pk", "username")
    )
    by_kind: dict[str, list] = {"team": [], "person": []}
    for kind, pk, name in teams.union(people, all=True):
        by_kind[kind].append((pk, name))
    choices = (
        sorted(by_kind["team"], key=lambda row: row[1].lower()),
        sorted(by_kind["person"], key=lambda row: row[1].lower()),
    )
    cache.set(key, choices, CHOICES_SECONDS)
    return choices
