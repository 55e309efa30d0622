"""What the page tests (tests/portal, tests/requests_app, tests/epics, tests/e2e) share: a
small world like the demo's, built with the factories, and a client that has acknowledged
the consent banner and signed in."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

from django.utils import timezone

from epics.models import Document, Epic
from portal.middleware import CONSENT_SESSION_KEY
from tests.factories import (
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    TeamFactory,
    UserFactory,
)
from workflow.permissions import CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

HTMX = {"HX-Request": "true"}


def world() -> SimpleNamespace:
    """Team Alpha (funded, onboarded) and Team Bravo (onboarded, has an epic, NOT funded),
    with epics as the demo has them."""
    now = timezone.now()
    alpha = TeamFactory(name="Team Alpha", funded=True, onboarded=True)
    bravo = TeamFactory(name="Team Bravo", funded=False, onboarded=True)
    alice = UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[alpha])
    bob = UserFactory(username="bob", roles=[PRODUCT_TEAM], teams=[bravo])
    pat = UserFactory(username="pat", roles=[MDO_PM])
    dana = UserFactory(username="dana", roles=[DEVOPS])
    casey = UserFactory(username="casey", roles=[CYBER])
    cleo = UserFactory(username="cleo", roles=[CLASSIFIED_OPS])
    payments = EpicFactory(
        team=alpha,
        title="Payments Service",
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=now - dt.timedelta(days=20),
    )
    PipelineFactory(epic=payments, impact_level="IL4")
    DocumentFactory(epic=payments, impact_levels=["IL2", "IL4", "IL5", "IL6"], uploaded_by=alice)
    DocumentFactory(
        epic=payments, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=[], uploaded_by=alice
    )
    mission = EpicFactory(team=alpha, title="Mission Planner", status=Epic.Status.PIPELINE_COMPLETE)
    PipelineFactory(epic=mission, impact_level="IL4")
    DocumentFactory(epic=mission, impact_levels=["IL4", "IL5"], uploaded_by=alice)
    logistics = EpicFactory(team=alpha, title="Logistics Tracker")
    bravo_epic = EpicFactory(
        team=bravo, title="Bravo Console", status=Epic.Status.PIPELINE_COMPLETE
    )
    return SimpleNamespace(
        alpha=alpha,
        bravo=bravo,
        alice=alice,
        bob=bob,
        pat=pat,
        dana=dana,
        casey=casey,
        cleo=cleo,
        payments=payments,
        mission=mission,
        logistics=logistics,
        bravo_epic=bravo_epic,
    )


def acknowledge_banner(client) -> None:
    session = client.session
    session[CONSENT_SESSION_KEY] = timezone.now().isoformat()
    session.save()


def sign_in(client, user):
    """Signed in, banner acknowledged: the state after the real sign-in flow."""
    client.force_login(user)
    acknowledge_banner(client)
    return client


def text_of(response) -> str:
    """The page's visible words, tags dropped and spaces squeezed (what a reader sees)."""
    html = response.content.decode()
    for syntax in ("{#", "#}", "{%", "%}", "{{", "}}"):
        assert syntax not in html, f"template syntax {syntax!r} shows on the page"
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Inline tags join the words around them; any other tag separates them.
    words = re.sub(r"</?(a|span|strong|em|code|time|abbr)\b[^>]*>", "", html)
    words = re.sub(r"<[^>]+>", " ", words)
    words = (
        words.replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&lt;", "<")
        .replace("&gt;", ">")
    )
    return re.sub(r"\s+", " ", words).strip()


def is_fragment(response) -> bool:
    """An HTMX answer: a piece of a page, not a whole document."""
    html = response.content.decode().lower()
    return "<html" not in html and "<body" not in html and "site-header" not in html
