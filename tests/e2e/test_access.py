"""Classified Ops access in a browser: cleo approves dana for 30 days, sees her among who holds
access today with its last day, is told a revocation needs a reason beside the field, then
revokes it; dana's very next visit to the board is refused, and her page says why."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.pages import expect, sign_in
from tests.portal.pages import world
from workflow import services
from workflow.models import portal_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cleo_grants_dana_30_days_then_revokes_it_with_a_reason(open_page, shot):
    people = world()
    services.access_request_create(by=people.dana, justification="IL6 rota this month.")
    last_day = portal_today() + dt.timedelta(days=30)

    cleo = open_page()
    sign_in(cleo, "cleo")
    cleo.goto("/boards/classified/access/")
    asked = cleo.locator(".work", has_text="IL6 rota this month.")
    expect(asked.get_by_label(re.compile("^Days of access"))).to_have_value("90")
    shot(cleo, "0-decide")
    asked.get_by_label(re.compile("^Days of access")).fill("30")
    asked.get_by_role("button", name=re.compile("^Approve")).click()
    expect(asked).to_contain_text(f"dana has access until the end of {last_day:%-d %b %Y}.")

    cleo.reload()
    held = cleo.locator("#grant-" + str(people.dana.access_requests.get().pk))
    expect(held).to_contain_text(f"Until the end of {last_day:%-d %b %Y} · approved by cleo")
    dana = open_page()
    sign_in(dana, "dana")
    dana.goto("/boards/classified/")
    expect(dana.get_by_role("heading", name="Classified Ops board")).to_be_visible()

    held.get_by_text("Revoke…").click()
    held.get_by_label("Why? Access ends now, and they are told.").fill("   ")
    held.get_by_role("button", name="Revoke dana's access").click()
    expect(held.locator(".field__error")).to_have_text(
        "Say why it is revoked: the requester is told."
    )
    shot(cleo, "1-reason-needed")
    held.get_by_label("Why? Access ends now, and they are told.").fill("Rota ended early.")
    held.get_by_role("button", name="Revoke dana's access").click()
    # Revoked, it leaves who holds access for the latest decisions, saying so there.
    expect(held).to_have_count(0)
    ended = cleo.locator("#access-" + str(people.dana.access_requests.get().pk))
    expect(ended).to_contain_text("dana's access is revoked: it has ended.")

    dana.goto("/boards/classified/")
    expect(
        dana.get_by_role("heading", name="The Classified Ops board needs access")
    ).to_be_visible()
    dana.goto("/classified-access/")
    expect(dana.get_by_text("Reason: Rota ended early.")).to_be_visible()
    expect(dana.get_by_role("button", name="Ask again")).to_be_visible()
    shot(dana, "2-told-why")
