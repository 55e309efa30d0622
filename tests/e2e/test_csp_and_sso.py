"""In a real browser, under the Content Security Policy: htmx and our scripts still work and
nothing is refused; and signing in with P1 SSO against the test provider on loopback."""

from __future__ import annotations

import re

import pytest

from tests.e2e.pages import expect
from tests.e2e.pages import sign_in as password_sign_in
from tests.e2e.test_product_team import checklist, choose_epic, choose_level, choose_type
from tests.portal.pages import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_for_csp_violations(page) -> list[str]:
    """Every policy violation the page reports, from the console and the DOM event."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI));"
    )
    return violations


def test_htmx_works_under_the_policy_and_nothing_is_refused(page, shot):
    violations = watch_for_csp_violations(page)
    world()
    password_sign_in(page, "alice")
    response = page.goto("/requests/new/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    # The form refreshes its fields and checklist through htmx as choices are made.
    choose_type(page, "Additional IL2/IL4/IL5 pipeline")
    choose_level(page, "IL5")
    choose_epic(page, "Payments Service")
    expect(checklist(page)).to_contain_text("Yes: every check is met.")
    # htmx ran (it marks the elements it processed) and our script ran (it marks the page).
    assert page.evaluate("() => typeof htmx !== 'undefined' && htmx.config.allowEval") is False
    assert page.evaluate("() => document.documentElement.classList.contains('js')")
    shot(page, "form-under-csp")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_text(re.compile(r"Request #\d+ filed\."))).to_be_visible()
    assert violations == []
    # And the policy is really enforced: an injected inline script does not run.
    with page.expect_console_message(lambda message: "script-src" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.injected === true") is False
    assert any("script-src" in violation for violation in violations)


def test_the_boards_work_under_the_policy(page):
    violations = watch_for_csp_violations(page)
    world()
    password_sign_in(page, "pat")
    page.goto("/boards/epics/")
    expect(page.get_by_text("Payments Service").first).to_be_visible()
    page.wait_for_load_state("networkidle")  # the board's scripts and first requests ran
    page.goto("/insights/")
    page.wait_for_load_state("networkidle")
    assert violations == []


@pytest.fixture
def provider(settings):
    from tests.sso.provider import Provider

    running = Provider().start()
    for name, value in running.settings().items():
        setattr(settings, name, value)
    settings.OIDC_GROUP_MAP = "/Party Bus/MDO PMs=mdo_pm"
    settings.OIDC_TEAM_GROUP_PREFIX = "/teams/"
    yield running
    running.stop()


def test_signing_in_with_p1_sso_in_a_browser(page, provider, shot):
    violations = watch_for_csp_violations(page)
    world()
    provider.person = {
        "sub": "0b9e-sso-user",
        "preferred_username": "jane.doe",
        "email": "jane.doe@example.mil",
        "groups": ["/teams/Team Alpha"],
    }
    page.goto("/")
    page.get_by_role("button", name="I acknowledge and consent").click()
    shot(page, "sign-in-with-sso")
    page.get_by_role("link", name="Sign in with P1 SSO").click()
    expect(page.get_by_role("heading", name="Hello, jane.doe")).to_be_visible()
    expect(page.get_by_text("Team Alpha").first).to_be_visible()
    shot(page, "signed-in-with-sso")
    # Someone in no group the portal knows is turned away, and told why.
    page.get_by_role("button", name="Sign out").click()
    provider.person = {"sub": "other", "preferred_username": "visitor", "groups": ["/Elsewhere"]}
    page.get_by_role("button", name="I acknowledge and consent").click()
    page.get_by_role("link", name="Sign in with P1 SSO").click()
    expect(page.get_by_text("not in any group this portal knows")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert violations == []
