"""An assessor's walk (issue 13): avery, an auditor, opens the Audit trail from the
navigation, filters it to alice's refusals, finds the one there is, and downloads the
filtered trail as CSV, whose header is the API's field names and whose row is that refusal."""

from __future__ import annotations

import csv
import io
import re

import pytest

from requests_app.models import RequestType
from tests.e2e.pages import expect, sign_in
from tests.factories import UserFactory
from tests.portal.pages import world
from workflow import audit_query, services
from workflow.errors import Conflict
from workflow.models import AuditEvent
from workflow.permissions import AUDITOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def alice_refused_once(people) -> AuditEvent:
    """Alice files two requests; pat triages one; alice then tries to withdraw it."""
    filed = [
        services.ticket_file(
            by=people.alice,
            team=people.alpha,
            request_type=RequestType.PIPELINE,
            impact_level=level,
            epic=people.logistics,
        )
        for level in ("IL4", "IL5")
    ]
    services.ticket_triage(by=people.pat, ticket=filed[0])
    with pytest.raises(Conflict):
        services.ticket_withdraw(by=people.alice, ticket=filed[0])
    return AuditEvent.objects.get(actor=people.alice, outcome="refused")


def test_avery_finds_a_refusal_of_alice_s_and_exports_it(page, shot):
    people = world()
    UserFactory(username="avery", roles=[AUDITOR])
    refusal = alice_refused_once(people)

    sign_in(page, "avery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    events = page.locator("table.audit tbody tr")
    expect(events).to_have_count(AuditEvent.objects.count())
    shot(page, "trail")

    page.get_by_label("Who").fill("alice")
    page.get_by_label("Outcome").select_option("refused")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"actor=alice.*outcome=refused"))
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text("withdraw")
    expect(events.first).to_contain_text("Refused")
    expect(events.first).to_contain_text("alice")
    expect(page.get_by_text("1 event on this page, matching the filters")).to_be_visible()
    shot(page, "alice-refused")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert re.fullmatch(r"audit-trail-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    found = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert found[0] == list(audit_query.FIELDS)
    assert len(found) == 2
    row = dict(zip(found[0], found[1], strict=True))
    assert (row["id"], row["actor"], row["action"], row["outcome"]) == (
        str(refusal.pk),
        "alice",
        "withdraw",
        "refused",
    )
    assert row["hash"] == refusal.hash
