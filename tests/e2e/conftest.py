"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

Skipped as a whole, saying why, when Playwright is not installed or Chromium is not at
CHROMIUM_PATH (default /usr/bin/chromium; Playwright's own browser download is not used).
Screenshots go to E2E_SCREENSHOT_DIR (default /tmp/shots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the tests still touch the
# database synchronously, between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", "/tmp/shots"))
LAPTOP = {"width": 1366, "height": 900}
ACTION_TIMEOUT_MS = 60_000
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

E2E_DIR = Path(__file__).parent


def _skip_reason() -> str:
    if sync_playwright is None:
        return "browser tests need Playwright for Python (pip install playwright)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium, "
            "or set CHROMIUM_PATH)"
        )
    return ""


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if not reason:
        return
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """Opens a page at the live server: open_page(viewport=PHONE, javascript=False)."""
    contexts = []

    def opener(*, viewport=LAPTOP, javascript=True):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
        )
        # What a slow, loaded machine needs for an action (a click, a select) to become
        # possible; a test waits that long only when something is really wrong.
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def shot(request):
    """Saves a full-page screenshot named after the test, to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{request.node.name}-{name}.png".replace("[", "-").replace("]", "")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
