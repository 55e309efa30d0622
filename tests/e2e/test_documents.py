"""Verifying documents in a browser: casey (Cyber) opens Documents, rejects one upload with
a reason and verifies another; the epic's page then shows each decision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from epics.models import Document
from tests.e2e.pages import expect, sign_in
from tests.factories import DocumentFactory
from tests.portal.pages import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def row(page, kind: str, within: str = "main"):
    """The table row of the document of this kind (its cell names it exactly)."""
    cell = page.get_by_role("cell", name=kind, exact=True)
    return page.locator(f"{within} tbody tr").filter(has=cell)


def test_cyber_rejects_one_document_and_verifies_another(page, shot):
    people = world()
    signed = timezone.localdate() - dt.timedelta(days=10)
    letter = DocumentFactory(
        epic=people.logistics,
        status=Document.Status.UPLOADED,
        impact_levels=["IL4", "IL5"],
        signed_on=signed,
        uploaded_by=people.alice,
    )
    cisso = DocumentFactory(
        epic=people.logistics,
        kind=Document.Kind.CISSO_DOCUMENT,
        status=Document.Status.UPLOADED,
        impact_levels=[],
        signed_on=signed,
        uploaded_by=people.alice,
    )

    sign_in(page, "casey")
    expect(page.get_by_role("link", name="2 documents to verify")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Documents to verify")).to_be_visible()
    expect(page.get_by_text("2 documents wait for a decision.")).to_be_visible()
    shot(page, "queue")

    # Reject the CISSO document, saying why.
    cisso_row = row(page, "CISSO document")
    cisso_row.get_by_text("Reject…").click()
    cisso_row.get_by_label("Reason").fill("The CISSO's signature is missing on page 3.")
    cisso_row.get_by_role("button", name="Reject", exact=True).click()
    expect(page).to_have_url(re.compile(r"/documents/"))
    expect(page.get_by_text("Team Alpha is told why")).to_be_visible()
    expect(page.get_by_text("1 document waits for a decision.")).to_be_visible()

    # Verify the CtF letter.
    row(page, "CtF letter").get_by_role("button", name=re.compile("^Verify")).click()
    expect(
        page.get_by_text(re.compile("Verified the CtF letter of “Logistics Tracker”"))
    ).to_be_visible()
    expect(page.get_by_text("No document waits for a decision.")).to_be_visible()

    # The epic's page shows both decisions.
    page.goto(f"/epics/{people.logistics.pk}/")
    expect(row(page, "CtF letter", "#documents")).to_contain_text("Verified")
    expect(row(page, "CtF letter", "#documents")).to_contain_text("by casey")
    expect(row(page, "CISSO document", "#documents")).to_contain_text(
        "Reason: The CISSO's signature is missing on page 3."
    )
    expect(
        page.locator("#documents").get_by_role("button", name=re.compile("^Verify"))
    ).to_have_count(0)
    shot(page, "epic")

    letter.refresh_from_db()
    cisso.refresh_from_db()
    assert (letter.status, cisso.status) == (Document.Status.VERIFIED, Document.Status.REJECTED)
