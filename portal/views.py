"""The portal's own pages: the consent banner, signing in and out, a member's home, and
asking for Classified Ops access."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal import sso
from portal.home import work_for
from portal.http import Attempt, attempt, safe_next
from portal.middleware import consent_given, record_consent
from requests_app import checklist
from requests_app.models import Ticket
from workflow import gates, services
from workflow.models import AccessRequest
from workflow.permissions import CLASSIFIED_OPS, has_role, sees_all_teams
from workflow.selectors import (
    access_requests_for,
    epics_for,
    member_teams,
    teams_for,
    tickets_for,
)

HOME_OPEN_LIMIT = 50


@require_http_methods(["GET", "POST"])
def consent(request):
    """The DoD Notice and Consent banner, acknowledged once per session."""
    next_url = safe_next(request, "/")
    if request.method == "POST":
        record_consent(request)
        return redirect(next_url)
    return render(
        request,
        "portal/consent.html",
        {
            "banner_text": settings.CONSENT_BANNER_TEXT,
            "next": next_url,
            "acknowledged": consent_given(request),
        },
    )


@require_http_methods(["POST"])
def sign_out(request):
    """Ends the session: its data is flushed, the banner and sign-in come back. Someone who
    signed in with SSO goes by the provider, which ends its session too (portal/sso.py)."""
    provider = sso.provider_sign_out_url(request)
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect(provider or settings.LOGOUT_REDIRECT_URL)


@login_required
@require_http_methods(["GET"])
def home(request):
    user = request.user
    teams = list(
        member_teams(user).prefetch_related(
            Prefetch("epics", queryset=epics_for(user).order_by("title"))
        )
    )
    open_tickets = list(
        tickets_for(user).filter(team__in=teams, status__in=Ticket.OPEN_STATUSES)[
            : HOME_OPEN_LIMIT + 1
        ]
    )
    context = {
        "teams": [
            {
                "team": team,
                "validity": checklist.items(
                    gates.validity(team), team=team, epic=None, impact_level=""
                ),
                "epics": list(team.epics.all()),
            }
            for team in teams
        ],
        "open_tickets": open_tickets[:HOME_OPEN_LIMIT],
        "more_open": len(open_tickets) > HOME_OPEN_LIMIT,
        "staff": sees_all_teams(user),
        "all_teams": list(teams_for(user).prefetch_related(None)) if not teams else [],
        "work": work_for(user, teams),  # what waits for this person, by role (portal/home.py)
        "nav": "home",
    }
    return render(request, "portal/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def classified_access(request):
    """Ask for Classified Ops access with a justification, and see each request's decision:
    the last day of an approval, why one was denied or revoked. Once none is pending or in
    force (denied, revoked, expired), ask again. A Classified Ops member decides."""
    user = request.user
    next_url = safe_next(request)
    asked = Attempt()
    if request.method == "POST":
        justification = request.POST.get("justification", "")
        asked = attempt(
            lambda: services.access_request_create(by=user, justification=justification)
        )
        if not asked.refused:
            messages.success(
                request,
                "Access requested. A Classified Ops member will decide; you will be told.",
            )
            return redirect(next_url or "classified_access")
    mine = access_requests_for(user).filter(user=user)
    grant = mine.in_force().order_by("-expires_on").first()
    pending = mine.filter(status=AccessRequest.Status.PENDING).first()
    in_team = has_role(user, CLASSIFIED_OPS)
    context = {
        "in_team": in_team,
        "grant": grant,
        "pending": pending,
        "may_ask": not (in_team or grant or pending),
        "access_requests": list(mine[:10]),
        "next": next_url,
        "error": "" if asked.fields else asked.detail,
        "field_errors": asked.fields,
        "justification": request.POST.get("justification", ""),
    }
    return render(request, "portal/classified_access.html", context, status=asked.status)
