"""What every page's layout needs: the signed-in user's own teams, for the navigation, and
who the MDO PMs are, for the pages that send a person to them."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.contact import mdo_pm_contact
from portal.middleware import idle_timeout_for
from workflow.selectors import member_teams


def portal(request):
    user = getattr(request, "user", None)
    return {
        "nav_teams": SimpleLazyObject(lambda: list(member_teams(user)) if user else []),
        "session_idle_minutes": (
            idle_timeout_for(user) if user is not None else settings.SESSION_IDLE_TIMEOUT_SECONDS
        )
        // 60,
        "demo_login_hint": settings.DEMO_LOGIN_HINT,
        "mdo_pm_contact": SimpleLazyObject(mdo_pm_contact),  # read only where a page names them
    }
