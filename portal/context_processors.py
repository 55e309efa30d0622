"""What every page's layout needs: the signed-in user's own teams, for the navigation."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from workflow.permissions import team_ids_of
from workflow.selectors import teams_for


def member_teams(user):
    """The teams the user belongs to (staff roles see every team, but belong to few)."""
    teams = teams_for(user).prefetch_related(None)  # their members are not shown
    if not user.is_authenticated:
        return teams
    return teams.filter(pk__in=team_ids_of(user))


def portal(request):
    user = getattr(request, "user", None)
    return {
        "nav_teams": SimpleLazyObject(lambda: list(member_teams(user)) if user else []),
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60,
        "demo_login_hint": settings.DEMO_LOGIN_HINT,
    }
