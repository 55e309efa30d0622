"""What the browser tests share: Playwright's `expect`, and signing in as a person does
(the consent banner first, then the password form)."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

expect = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright (pip install playwright)"
).expect
# What a person would see, waited for as long as a slow, loaded machine needs (Playwright's
# default is 5 s): an `expect` still passes the moment the page shows it.
expect.set_options(timeout=30_000)


def sign_in(page, username: str) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name=re.compile("Notice and Consent"))).to_be_visible()
    page.get_by_role("button", name="I acknowledge and consent").click()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {username}")).to_be_visible()


# The boards (tests/e2e/test_boards.py, test_board_bugs.py): a column by its status, a card
# by its title. (Each test starts with an empty cache: tests/conftest.py.)
def column(page, status: str):
    return page.locator(f"#col-{status}")


def card(page, title: str):
    return page.locator(".tile", has=page.get_by_role("link", name=title, exact=True))
