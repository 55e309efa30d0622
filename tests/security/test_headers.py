"""Response headers for a security review, and a Content Security Policy the pages keep:
no inline script, no eval, no inline style or event-handler attributes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.portal.pages import HTMX, acknowledge_banner, sign_in, world

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_strict_content_security_policy(client):
    acknowledge_banner(client)
    policy = policy_of(client.get(reverse("login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_other_security_headers(client):
    response = client.get(reverse("consent"))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions


def test_htmx_is_configured_for_the_policy():
    """htmx must neither inject its indicator <style> nor evaluate code (hx-on, js: values)."""
    base = (ROOT / "templates" / "base.html").read_text()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', base).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config


class _Inline(HTMLParser):
    """Finds what the policy would block: inline scripts, style elements and attributes,
    event handler attributes, javascript: URLs, htmx's hx-on."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            data_only = attrs.get("type", "") in ("application/json", "application/ld+json")
            self._in_script = "src" not in attrs and not data_only
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name} handler on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]!r}")


def inline_in(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def test_no_template_has_inline_script_style_or_handlers():
    problems = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "x", path.read_text(), flags=re.S)
        found = inline_in(source)
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}


def test_our_javascript_does_not_evaluate_strings():
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        source = path.read_text()
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(", source), path
        assert not re.search(r"setTimeout\s*\(\s*['\"]", source), path


def _links(html: str) -> set[str]:
    return {
        href
        for href in re.findall(r'href="(/[^"#]*)"', html)
        if not href.startswith(("/static/", "/api/", "/admin/logout"))
        and not href.endswith(".csv")
        and "/download/" not in href
    }


@pytest.mark.parametrize("who", ["alice", "pat", "cleo"])
def test_the_pages_people_reach_have_nothing_the_policy_blocks(who):
    """Follows the links a signed-in person sees, a few clicks deep, and checks each page."""
    people = world()
    client = sign_in(Client(), getattr(people, who))
    seen, queue, problems = set(), ["/", "/boards/", "/insights/", "/classified-access/"], {}
    for _depth in range(3):
        following = []
        for url in queue:
            if url in seen or len(seen) >= 40:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            found = inline_in(html)
            if found:
                problems[url] = found
            assert "Content-Security-Policy" in response, url
            following += sorted(_links(html) - seen)
        queue = following
    assert len(seen) >= 6
    assert problems == {}


def test_the_admin_pages_have_nothing_the_policy_blocks(admin_client):
    acknowledge_banner(admin_client)
    for url in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert inline_in(response.content.decode()) == [], url


# Production: HTTPS only ---------------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_plain_http_is_sent_to_https(client, production):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://testserver/")


def test_behind_the_tls_proxy_hsts_and_secure_cookies(client, production):
    proxied = {"HTTP_X_FORWARDED_PROTO": "https"}
    response = client.get(reverse("consent"), **proxied)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert "upgrade-insecure-requests" in response["Content-Security-Policy"]
    response = client.post(reverse("consent"), {"next": "/"}, **proxied)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_probes_are_answered_over_plain_http_and_any_host(client, production, settings):
    settings.ALLOWED_HOSTS = ["portal.example.mil"]
    for url in ("/healthz", "/readyz"):
        response = client.get(url, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, url
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


# Caching: a signed-in person's answers are stored nowhere ---------------------------------

NO_STORE = "private, no-store"


def test_signed_in_pages_fragments_and_downloads_are_not_stored():
    people = world()
    client = sign_in(Client(), people.pat)
    epic_page = reverse("epic_detail", args=[people.payments.pk])
    for url in ("/", reverse("boards"), reverse("board_epics"), epic_page):
        response = client.get(url)
        assert response.status_code in (200, 302), url  # /boards/ leads to one's board
        assert response["Cache-Control"] == NO_STORE, url
    fragment = client.get(reverse("board_epics_live"), headers=HTMX)
    assert fragment.status_code == 200 and fragment["Cache-Control"] == NO_STORE
    document = people.payments.documents.first()
    download = client.get(reverse("document_download", args=[document.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == NO_STORE
    # A refusal is someone's too.
    outsider = sign_in(Client(), people.bob).get(epic_page)
    assert outsider.status_code == 404 and outsider["Cache-Control"] == NO_STORE


def test_the_boards_live_refresh_still_answers_304_to_its_etag():
    """The page sends its ETag itself (static/js/board.js): no stored copy is needed."""
    people = world()
    client = sign_in(Client(), people.pat)
    etag = client.get(reverse("board_epics"))["ETag"]
    unchanged = client.get(reverse("board_epics_live"), headers={**HTMX, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged["Cache-Control"] == NO_STORE and unchanged["ETag"] == etag


def test_api_answers_to_a_token_are_not_stored(db):
    from api.tokens import issue

    people = world()
    client = Client(headers={"Authorization": f"Token {issue(people.alice)}"})
    for url in ("/api/v1/epics/", "/api/v1/tickets/", "/api/v1/epics/999999/"):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Cache-Control"] == NO_STORE, url
    refused = Client(headers={"Authorization": "Token not-a-token"}).get("/api/v1/epics/")
    assert refused.status_code == 401 and refused["Cache-Control"] == NO_STORE


def test_a_view_s_own_stricter_words_are_kept(settings):
    """A view that said no-store (an export, never_cache) keeps what it said."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from portal.security import keep_out_of_caches

    request = RequestFactory().get("/", HTTP_AUTHORIZATION="Token x")
    strict = HttpResponse()
    strict["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    keep_out_of_caches(request, strict)
    assert strict["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    loose = HttpResponse()
    loose["Cache-Control"] = "public, max-age=600"
    keep_out_of_caches(request, loose)
    assert loose["Cache-Control"] == NO_STORE


def test_anonymous_answers_static_files_and_probes_are_left_alone(client, settings, db):
    acknowledge_banner(client)
    assert "Cache-Control" not in client.get(reverse("consent"))
    assert client.get("/healthz")["Cache-Control"].startswith("max-age=0")  # never_cache's
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    people = world()
    signed_in = sign_in(Client(), people.alice)
    static = signed_in.get("/static/js/board.js")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
