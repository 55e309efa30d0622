"""The staff's work pages and who may open each, in one registry: the main navigation lists
what a person may open, and each page's guard refuses the rest with one refusal page (403)
that says whose the page is and what to do instead, and records the refusal in the audit
trail (who, the kind of object the page is about, what they tried, why not).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from epics.models import Document, Epic, Story
from requests_app.models import Ticket
from workflow.audit import record
from workflow.models import AccessRequest, AuditEvent, ClosureDay
from workflow.permissions import (
    CLASSIFIED_OPS,
    CYBER,
    DEVOPS,
    MDO_PM,
    READS_EVERYTHING,
    STAFF_ROLES,
    has_classified_access,
    has_role,
    reads_the_trail,
)
from workflow.selectors import Requested, as_id

REFUSED_TEMPLATE = "refused.html"


def _role(*roles: str) -> Callable:
    return lambda user: has_role(user, *roles)


@dataclass(frozen=True)
class Page:
    key: str  # what the navigation highlights (the view's `nav`)
    url_name: str
    label: str  # in the navigation
    what: str  # "The triage queue" (is not for your role)
    whose: str  # who it is for
    may_open: Callable
    about: type  # the kind of object it shows: what a refusal is recorded against
    listed: Callable | None = None  # who sees it in the navigation, when not who may open it
    advice: str = ""  # what someone refused can do instead
    needs_access: bool = False  # granted by the Classified Ops team, not by a role

    def is_listed_for(self, user) -> bool:
        return (self.listed or self.may_open)(user)

    @property
    def refusal(self) -> str:
        """Why someone who may not open it is refused, as the audit trail says it."""
        if self.needs_access:
            return "No Classified Ops access."
        return f"{self.what} is for {self.whose}."


STAFF = (
    "Party Bus staff: MDO PMs triage and move the work; DevOps, Cyber and Classified Ops "
    "engineers see it and do theirs"
)

PAGES = (
    Page(
        "triage",
        "board_triage",
        "Triage",
        "The triage queue",
        "MDO PMs, who triage or reject every request",
        _role(MDO_PM),
        about=Ticket,
    ),
    Page(
        "epic_board",
        "board_epics",
        "Epic board",
        "The Product Team Epic Board",
        STAFF + "; auditors read it",
        _role(*READS_EVERYTHING),
        about=Epic,
    ),
    Page(
        "my_work",
        "board_my_work",
        "My work",
        "My work",
        "DevOps and Classified Ops engineers: the stories they work and can pick up",
        _role(DEVOPS, CLASSIFIED_OPS),
        about=Story,
    ),
    Page(
        "classified",
        "board_classified",
        "Classified Ops",
        "The Classified Ops board",
        "the Classified Ops team and those it has granted access",
        has_classified_access,
        about=Story,
        # Staff without access find where to ask for it.
        listed=lambda user: has_role(user, *STAFF_ROLES) or has_classified_access(user),
        needs_access=True,
    ),
    Page(
        "access_requests",
        "board_access_requests",
        "Access requests",
        "Deciding Classified Ops access",
        "the Classified Ops team, who decide who else may see their board",
        _role(CLASSIFIED_OPS),
        about=AccessRequest,
    ),
    Page(
        "documents",
        "documents_to_verify",
        "Documents",
        "Documents to verify",
        "MDO PMs and the Cyber team, who verify or reject the signed CtF letters and CISSO "
        "documents that product teams upload",
        _role(MDO_PM, CYBER),
        about=Document,
        advice=(
            "A team's documents are on each of its epics' pages: its members upload them there "
            "and see there whether they are verified or rejected (and why). They are told of "
            "each decision."
        ),
    ),
    Page(
        "closures",
        "closure_days",
        "Closure days",
        "Recording closure days",
        "MDO PMs, who keep the business calendar the triage goal is counted on",
        _role(MDO_PM),
        about=ClosureDay,
        # Kept a few times a year: linked from the triage queue, not in every page's header.
        listed=lambda user: False,
        advice="Each request's page shows when it is due for triage, closure days counted.",
    ),
    Page(
        "audit",
        "audit_trail",
        "Audit trail",
        "The audit trail",
        "auditors (assessors and ISSMs), who read every action and refusal and export them",
        reads_the_trail,
        about=AuditEvent,
        advice=(
            "What happened to a request, an epic or a document is in the timeline on its page."
        ),
    ),
)
BY_KEY = {page.key: page for page in PAGES}


def nav_entries(user) -> list[dict]:
    """The work pages this person sees in the navigation, in the registry's order."""
    if user is None or not user.is_authenticated:
        return []
    return [
        {"key": page.key, "url": reverse(page.url_name), "label": page.label}
        for page in PAGES
        if page.is_listed_for(user)
    ]


def navigation(request):
    """Context processor: the work pages, asked only on pages that show them."""
    user = getattr(request, "user", None)
    return {"board_nav": SimpleLazyObject(lambda: nav_entries(user))}


def refuse(request, key: str):
    """The page is not for this person (403): whose it is, and what they can do instead."""
    page = BY_KEY[key]
    context = {"page": page, "nav": page.key}
    if page.needs_access:
        user = request.user
        pending = AccessRequest.objects.filter(user=user, status=AccessRequest.Status.PENDING)
        context["pending"] = pending.order_by("created_at").first()
        context["request_url"] = (
            f"{reverse('classified_access')}?{urlencode({'next': reverse(page.url_name)})}"
        )
    return render(request, REFUSED_TEMPLATE, context, status=403)


def may_open(user, key: str) -> bool:
    return BY_KEY[key].may_open(user)


def record_refusal(request, key: str, intent: str = "") -> None:
    """Audit that the page `key` refused this person: who, the kind of object the page is
    about (and the one asked for, when its address names it), what they tried (`open_<page>`,
    or `intent`: what a POST was for), why not."""
    page = BY_KEY[key]
    match = getattr(request, "resolver_match", None)
    pk = (match.kwargs if match else {}).get("pk")
    record(
        by=request.user,
        obj=None if pk is None else Requested(as_id(pk)),
        model=page.about,
        action=(intent or f"open_{page.key}")[:60],
        refused=True,
        reason=page.refusal,
        detail={"status_code": 403, "page": page.key, "method": request.method},
    )


def guarded(key: str, methods: tuple[str, ...] = ("GET",), *, on_refusal: Callable | None = None):
    """The view answers only those who may open page `key`: signed in first, then the HTTP
    method (405), then the role: the refusal page, audited by `record_refusal` (a POST's
    intent is its view's name), or by `on_refusal(request)` where the page records its
    refusals in words of its own."""
    page = BY_KEY[key]

    def decorate(view):
        intent = "" if "GET" in methods else view.__name__

        @functools.wraps(view)
        def guard(request, *args, **kwargs):
            if not page.may_open(request.user):
                if on_refusal is not None:
                    on_refusal(request)
                else:
                    record_refusal(request, key, intent)
                return refuse(request, key)
            return view(request, *args, **kwargs)

        return login_required(require_http_methods(list(methods))(guard))

    return decorate
