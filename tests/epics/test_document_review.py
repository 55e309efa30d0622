"""Verifying and rejecting documents in the browser: on the epic page and on Documents to
verify, by MDO PMs and the Cyber team only, through workflow.services; every refusal
changes nothing and says why."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from epics.models import Document
from tests.factories import DocumentFactory, EpicFactory, UserFactory
from tests.portal.pages import sign_in, text_of, world
from workflow import gates
from workflow.models import AuditEvent
from workflow.permissions import PRODUCT_TEAM

pytestmark = pytest.mark.django_db

QUEUE = "/documents/"


@pytest.fixture
def w():
    return world()


@pytest.fixture
def letter(w):
    """Team Alpha's CtF letter for IL4 on Logistics Tracker, uploaded by alice, not decided."""
    return DocumentFactory(
        epic=w.logistics,
        status=Document.Status.UPLOADED,
        impact_levels=["IL4"],
        uploaded_by=w.alice,
    )


def verify(client, document, **data):
    return client.post(reverse("document_verify", args=[document.pk]), data)


def reject(client, document, **data):
    return client.post(reverse("document_reject", args=[document.pk]), data)


def epic_page(client, epic):
    return client.get(reverse("epic_detail", args=[epic.pk]))


def events(document, outcome=None):
    found = AuditEvent.objects.for_object(document)
    return found.filter(outcome=outcome) if outcome else found


def unchanged(document) -> bool:
    document.refresh_from_db()
    return (
        document.status == Document.Status.UPLOADED
        and document.decided_by is None
        and document.rejection_reason == ""
    )


def nav_of(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav class="site-nav".*?</nav>', html, flags=re.S).group(0)


# Verifying and rejecting on the epic page ----------------------------------------------------


def test_cyber_verifies_on_the_epic_page(client, w, letter):
    casey = sign_in(client, w.casey)
    page = text_of(epic_page(casey, w.logistics))
    assert "Verify the CtF letter of Logistics Tracker" in page
    assert "Waiting for the Cyber team or an MDO PM" not in page  # she is the one to do it

    response = verify(casey, letter)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('epic_detail', args=[w.logistics.pk])}#documents"
    letter.refresh_from_db()
    assert letter.status == Document.Status.VERIFIED
    assert letter.decided_by == w.casey
    event = events(letter).get()
    assert (event.action, event.outcome, event.actor) == ("verify", "done", w.casey)
    assert (event.from_status, event.to_status) == ("uploaded", "verified")
    page = text_of(client.get(response["Location"]))
    assert "Verified the CtF letter of “Logistics Tracker” signed" in page
    assert "covering IL4. Team Alpha is told." in page
    assert "Verified by casey on" in page
    assert "Verify the CtF letter" not in page  # nothing left to decide


def test_a_verified_upload_satisfies_the_signed_ctf_letter_gate(client, w, letter):
    assert not gates.signed_ctf_letter(w.logistics, "IL4").passed

    verify(sign_in(client, w.pat), letter)

    assert gates.signed_ctf_letter(w.logistics, "IL4").passed


def test_a_pm_rejects_with_a_reason_on_the_epic_page(client, w, letter):
    pat = sign_in(client, w.pat)

    response = reject(pat, letter, reason="  The signature page is missing.  ")

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Document.Status.REJECTED
    assert letter.rejection_reason == "The signature page is missing."
    event = events(letter).get()
    assert (event.action, event.outcome, event.reason) == (
        "reject",
        "done",
        "The signature page is missing.",
    )
    page = text_of(client.get(response["Location"]))
    assert "Team Alpha is told why: The signature page is missing." in page
    assert "Rejected Reason: The signature page is missing. by pat on" in page


def test_the_team_sees_the_decision_but_is_not_offered_one(client, w, letter):
    page = text_of(epic_page(sign_in(client, w.alice), w.logistics))
    assert "Uploaded Waiting for the Cyber team or an MDO PM to verify it." in page
    assert "Verify the" not in page
    assert "Reject…" not in page


# From Documents to verify -------------------------------------------------------------------


def test_the_queue_lists_every_team_s_uploaded_documents_oldest_first(client, w, letter):
    bravo = DocumentFactory(
        epic=w.bravo_epic,
        kind=Document.Kind.CISSO_DOCUMENT,
        impact_levels=[],
        status=Document.Status.UPLOADED,
        uploaded_by=w.bob,
    )
    Document.objects.filter(pk=bravo.pk).update(uploaded_at=letter.uploaded_at.replace(year=2020))
    DocumentFactory(epic=w.mission, status=Document.Status.REJECTED, uploaded_by=w.alice)

    response = sign_in(client, w.casey).get(reverse("documents_to_verify"))

    assert response.status_code == 200
    page = text_of(response)
    assert "2 documents wait for a decision." in page
    assert page.index("Team Bravo Bravo Console CISSO document —") < page.index(
        "Team Alpha Logistics Tracker CtF letter IL4"
    )
    assert "by bob" in page and "by alice" in page
    html = response.content.decode()
    assert f'href="{reverse("epic_detail", args=[w.logistics.pk])}#documents"' in html
    assert f'href="{reverse("document_download", args=[letter.pk])}"' in html
    assert html.count(f'name="next" value="{QUEUE}"') == 4  # verify and reject, each row


def test_verifying_from_the_queue_comes_back_to_it(client, w, letter):
    casey = sign_in(client, w.casey)

    response = verify(casey, letter, next=QUEUE)

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert Document.objects.get(pk=letter.pk).status == Document.Status.VERIFIED
    assert events(letter, "done").filter(action="verify").count() == 1
    page = text_of(client.get(QUEUE))
    assert "Verified the CtF letter of “Logistics Tracker”" in page
    assert "No document waits for a decision." in page


def test_rejecting_from_the_queue_comes_back_to_it(client, w, letter):
    casey = sign_in(client, w.casey)

    response = reject(casey, letter, reason="Unsigned.", next=QUEUE)

    assert response["Location"] == QUEUE
    letter.refresh_from_db()
    assert (letter.status, letter.rejection_reason) == (Document.Status.REJECTED, "Unsigned.")
    assert events(letter, "done").filter(action="reject").count() == 1
    assert "Team Alpha is told why: Unsigned." in text_of(client.get(QUEUE))


def test_next_must_be_a_local_address(client, w, letter):
    response = verify(sign_in(client, w.casey), letter, next="https://evil.example/")
    assert response["Location"] == f"{reverse('epic_detail', args=[w.logistics.pk])}#documents"


# Refusals: nothing changes, and the page says why --------------------------------------------


@pytest.mark.parametrize("who", ["alice", "dana", "cleo"])
def test_other_roles_may_not_decide(client, w, letter, who):
    user = getattr(w, who)
    signed_in = sign_in(client, user)

    verified = verify(signed_in, letter)
    rejected = reject(signed_in, letter, reason="No.")

    assert (verified.status_code, rejected.status_code) == (403, 403)
    assert unchanged(letter)
    assert "Not verified: Only MDO PMs and the Cyber team verify documents." in text_of(verified)
    assert "Not rejected: Only MDO PMs and the Cyber team reject documents." in text_of(rejected)
    assert "Logistics Tracker" in text_of(verified)  # the epic's page, again
    refused = events(letter, AuditEvent.Outcome.REFUSED)
    assert sorted(refused.values_list("action", flat=True)) == ["reject", "verify"]
    assert set(refused.values_list("actor", flat=True)) == {user.pk}


def test_a_team_member_aiming_at_the_queue_gets_the_epic_page(client, w, letter):
    response = verify(sign_in(client, w.alice), letter, next=QUEUE)
    assert response.status_code == 403
    page = text_of(response)
    assert "Documents to verify" not in page
    assert "Logistics Tracker" in page
    assert "You came here from a request" not in page
    assert unchanged(letter)


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_needs_a_reason(client, w, letter, reason):
    response = reject(sign_in(client, w.casey), letter, reason=reason)

    assert response.status_code == 400
    assert unchanged(letter)
    page = text_of(response)
    assert "Not rejected: some fields need fixing." in page
    assert "Reason Say why the document is rejected." in page
    html = response.content.decode()
    assert re.search(r'<details class="decide__reject" open>', html)
    assert re.search(rf'id="reason-{letter.pk}"[^>]*aria-invalid="true"', html)
    event = events(letter, AuditEvent.Outcome.REFUSED).get()
    assert (event.action, event.detail["status_code"]) == ("reject", 400)


def test_rejecting_needs_a_reason_on_the_queue_too(client, w, letter):
    response = reject(sign_in(client, w.pat), letter, reason="", next=QUEUE)
    assert response.status_code == 400
    page = text_of(response)
    assert page.count("Documents to verify") >= 2  # this page, not the epic's
    assert "Not rejected: some fields need fixing." in page
    assert unchanged(letter)


def test_a_document_already_verified_by_someone_else(client, w, letter):
    verify(sign_in(client, w.pat), letter)
    client.logout()

    response = verify(sign_in(client, w.casey), letter)

    assert response.status_code == 409
    letter.refresh_from_db()
    assert (letter.status, letter.decided_by) == (Document.Status.VERIFIED, w.pat)
    page = text_of(response)
    assert "Not verified: pat already verified the CtF letter of “Logistics Tracker”" in page
    assert "Nothing was changed." in page
    refused = events(letter, AuditEvent.Outcome.REFUSED).get()
    assert (refused.actor, refused.detail["status_code"]) == (w.casey, 409)


def test_rejecting_what_was_verified_meanwhile_from_the_queue(client, w, letter):
    verify(sign_in(client, w.pat), letter)
    client.logout()

    response = reject(sign_in(client, w.casey), letter, reason="Too late.", next=QUEUE)

    assert response.status_code == 409
    letter.refresh_from_db()
    assert (letter.status, letter.rejection_reason) == (Document.Status.VERIFIED, "")
    page = text_of(response)
    assert "Not rejected: pat already verified the CtF letter" in page
    assert "No document waits for a decision." in page


def test_an_unknown_or_unseen_document_is_not_found(client, w, letter):
    bob = sign_in(client, w.bob)  # Team Bravo: Team Alpha's letter is not his to see
    assert verify(bob, letter).status_code == 404
    assert reject(bob, letter, reason="No.").status_code == 404
    assert "There is nothing here that you can see." in text_of(verify(bob, letter))
    assert unchanged(letter)
    client.logout()
    casey = sign_in(client, w.casey)
    assert verify(casey, Document(pk=987654)).status_code == 404
    assert reject(casey, Document(pk=987654), reason="No.").status_code == 404


def test_opening_a_decision_s_address_leads_to_the_document_and_decides_nothing(client, w, letter):
    """After a refusal the browser's bar holds the form's address; a reload (GET) goes to
    the document's row on its epic page, and changes nothing."""
    casey = sign_in(client, w.casey)
    row = f"{reverse('epic_detail', args=[letter.epic_id])}#document-{letter.pk}"
    for name in ("document_verify", "document_reject"):
        response = casey.get(reverse(name, args=[letter.pk]))
        assert (response.status_code, response["Location"]) == (302, row)
    assert unchanged(letter)


def test_deciding_needs_the_form_s_csrf_token(w, letter):
    client = sign_in(Client(enforce_csrf_checks=True), w.casey)

    refused = verify(client, letter)

    assert refused.status_code == 403
    assert unchanged(letter)
    html = client.get(QUEUE).content.decode()
    token = re.search(
        rf'action="/documents/{letter.pk}/verify/[^"]*">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        html,
    ).group(1)
    assert verify(client, letter, csrfmiddlewaretoken=token).status_code == 302
    assert Document.objects.get(pk=letter.pk).status == Document.Status.VERIFIED


# Documents to verify: who may open it, and what it costs --------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "dana", "cleo"])
def test_the_queue_is_for_pms_and_cyber_only(client, w, letter, who):
    response = sign_in(client, getattr(w, who)).get(QUEUE)
    assert response.status_code == 403
    page = text_of(response)
    assert "Documents to verify is not for your role" in page
    assert "Logistics Tracker" not in page


def test_the_queue_needs_signing_in(client, w):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("consent") in response["Location"] or reverse("login") in response["Location"]


def _grow_queue(n: int, label: str) -> None:
    for i in range(n):
        uploader = UserFactory(username=f"up-{label}{i}", roles=[PRODUCT_TEAM])
        DocumentFactory(
            epic=EpicFactory(title=f"Queue {label}{i}"),
            status=Document.Status.UPLOADED,
            uploaded_by=uploader,
        )


def test_the_queue_takes_a_fixed_number_of_queries(client, w):
    casey = sign_in(client, w.casey)
    _grow_queue(2, "a")
    casey.get(QUEUE)  # warm the content-type cache
    with CaptureQueriesContext(connection) as two:
        assert casey.get(QUEUE).status_code == 200
    _grow_queue(28, "b")
    with CaptureQueriesContext(connection) as thirty:
        response = casey.get(QUEUE)
    assert "30 documents wait for a decision." in text_of(response)
    assert len(thirty) == len(two), [q["sql"] for q in thirty.captured_queries]


# Navigation and home ------------------------------------------------------------------------


def test_documents_is_in_the_navigation_of_pms_and_cyber_only(client, w):
    for user, shown in [
        (w.pat, True),
        (w.casey, True),
        (w.alice, False),
        (w.dana, False),
        (w.cleo, False),
    ]:
        client.logout()
        nav = nav_of(sign_in(client, user).get(reverse("home")))
        assert (f'href="{QUEUE}"' in nav and ">Documents<" in nav) == shown, user


def test_new_request_is_offered_only_to_members_of_a_team(client, w):
    new_request = f'href="{reverse("ticket_new")}"'
    for user, shown in [(w.alice, True), (w.bob, True), (w.pat, False), (w.casey, False)]:
        client.logout()
        nav = nav_of(sign_in(client, user).get(reverse("home")))
        assert (new_request in nav) == shown, user


def test_the_home_page_tells_those_who_verify_how_many_wait(client, w, letter):
    DocumentFactory(epic=w.bravo_epic, status=Document.Status.UPLOADED, uploaded_by=w.bob)
    page = text_of(sign_in(client, w.casey).get(reverse("home")))
    assert "2 documents to verify" in page
    client.logout()
    assert "documents to verify" not in text_of(sign_in(client, w.alice).get(reverse("home")))


def test_the_decision_records_who_and_when(client, w, letter):
    before = timezone.now()
    verify(sign_in(client, w.casey), letter)
    letter.refresh_from_db()
    assert letter.decided_at >= before
