"""Page-level guards: the DoD Notice and Consent banner, and sign-in redirects under HTMX."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

CONSENT_SESSION_KEY = "consent_acknowledged_at"
ACTIVITY_SESSION_KEY = "last_activity"
# Requests a page makes by itself (polling): they are not the person's activity, so they
# neither keep a session alive nor count as being there.
ACTIVITY_RESOLUTION_SECONDS = 60
BACKGROUND_URL_NAMES = frozenset({"notification_bell", "board_epics_live", "board_classified_live"})


def consent_given(request) -> bool:
    return bool(request.session.get(CONSENT_SESSION_KEY))


def record_consent(request) -> None:
    request.session[CONSENT_SESSION_KEY] = timezone.now().isoformat()


def _redirect(request, url: str):
    """A redirect that replaces the whole page, also when HTMX asked for a fragment."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _is_background(request) -> bool:
    try:
        return resolve(request.path_info).url_name in BACKGROUND_URL_NAMES
    except Resolver404:
        return False


def idle_timeout_for(user) -> int:
    """Seconds without activity after which the user's session ends: administrators (staff,
    superusers) sooner than everyone else."""
    if user.is_staff or user.is_superuser:
        return settings.ADMIN_SESSION_IDLE_TIMEOUT_SECONDS
    return settings.SESSION_IDLE_TIMEOUT_SECONDS


class IdleSessionMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT_SECONDS (administrators:
    ADMIN_SESSION_IDLE_TIMEOUT_SECONDS) without the person doing anything; each request they
    make pushes the end forward (the session is saved, so its stored expiry,
    SESSION_COOKIE_AGE, moves too). Background polling does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = time.time()
        last = session.get(ACTIVITY_SESSION_KEY)
        timeout = idle_timeout_for(request.user) if last is not None else 0
        if last is not None and now - last > timeout and request.user.is_authenticated:
            minutes = timeout // 60
            # The audit trail's sign-out event says why (portal/auth.py).
            request._portal_sign_out_reason = f"Idle for more than {minutes} minutes."
            logout(request)  # flushes the session: the banner and sign-in come back
            messages.info(request, f"You were signed out after {minutes} minutes without activity.")
        elif (
            not session.is_empty()
            and not _is_background(request)
            and (last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS)
        ):
            # Stamped at most once a minute: a session write costs three queries.
            session[ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)


class ConsentBannerMiddleware:
    """Sends every page request to the banner until the session records its acknowledgement.

    Static files and the API (automation with tokens; its own auth) are let through. Signing
    out flushes the session, so the banner comes back before the next sign-in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_prefixes = (
            "/" + settings.STATIC_URL.lstrip("/"),
            "/api/",
            "/hooks/",  # GitLab's webhooks (workflow/hooks.py): their own secret, no session
        )

    def __call__(self, request):
        banner = reverse("consent")
        path = request.path_info
        exempt = path == banner or path.startswith(self.exempt_prefixes)
        if not exempt and not consent_given(request):
            target = request.get_full_path() if request.method == "GET" else "/"
            return _redirect(request, f"{banner}?{urlencode({'next': target})}")
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """When a session ends, an HTMX request is sent to sign in as a whole page, rather than
    swapping the sign-in form into the fragment it asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response
