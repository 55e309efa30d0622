"""Two people handle every piece of evidence (gate `not_own_document`): whoever uploaded a
document may not verify or reject it, on every path — the service (422, every unmet gate,
audited), the API (its `transitions` list the gate; the transition answers 422) and the pages
(the uploader reads the gate's words where the buttons would be)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import issue
from epics.models import Document
from tests.factories import DocumentFactory, UserFactory, pdf_upload
from tests.portal.pages import sign_in, text_of
from tests.workflow.support import codes, done, refused
from workflow import gates, services
from workflow.errors import Conflict, GatesUnmet
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM

pytestmark = pytest.mark.django_db

GATE = "You uploaded this document: another MDO PM or Cyber member must verify it."
EVERY_LEVEL = ["IL2", "IL4", "IL5", "IL6"]


@pytest.fixture
def own_letter(pm, epic):
    """The CtF letter pat (MDO PM) uploaded to Team Alpha's epic, covering IL2 to IL6."""
    return services.document_upload(
        by=pm,
        epic=epic,
        kind=Document.Kind.CTF_LETTER,
        file=pdf_upload(),
        signed_on=timezone.localdate() - dt.timedelta(days=3),
        impact_levels=EVERY_LEVEL,
    )


def test_the_gate_holds_for_anyone_but_the_uploader(own_letter, pm, cyber):
    mine = gates.not_own_document(own_letter, pm)
    assert (mine.code, mine.passed, mine.message) == ("not_own_document", False, GATE)
    assert gates.not_own_document(own_letter, cyber).passed


@pytest.mark.parametrize(
    "service, params",
    [
        (services.document_verify, {}),
        (services.document_reject, {"reason": "The signature page is missing."}),
    ],
    ids=["verify", "reject"],
)
def test_the_uploader_may_not_decide_on_it(own_letter, pm, service, params):
    action = service.action
    refusal = refused(GatesUnmet, service, action=action, by=pm, document=own_letter, **params)

    assert refusal.status_code == 422
    assert codes(refusal) == ["not_own_document"]
    assert GATE in refusal.detail
    event = AuditEvent.objects.for_object(own_letter).filter(outcome="refused").get()
    assert event.detail["unmet"] == ["not_own_document"]
    own_letter.refresh_from_db()
    assert (own_letter.status, own_letter.decided_by) == (Document.Status.UPLOADED, None)


def test_another_pm_or_cyber_verifies_it(own_letter, cyber):
    done(
        services.document_verify, action="verify", subject=own_letter, by=cyber, document=own_letter
    )
    assert (own_letter.status, own_letter.decided_by, own_letter.uploaded_by.username) == (
        Document.Status.VERIFIED,
        cyber,
        "pat",
    )


def test_another_pm_rejects_it(own_letter):
    other = UserFactory(username="paula", roles=[MDO_PM])
    services.document_reject(by=other, document=own_letter, reason="Unsigned.")
    own_letter.refresh_from_db()
    assert own_letter.status == Document.Status.REJECTED


def test_a_status_conflict_comes_before_the_gate(pm, epic):
    verified = DocumentFactory(epic=epic, uploaded_by=pm, status=Document.Status.VERIFIED)
    refusal = refused(Conflict, services.document_verify, action="verify", by=pm, document=verified)
    assert refusal.status == Document.Status.VERIFIED


# The API ---------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)}")
    return client


def test_the_api_lists_the_gate_and_refuses_the_uploader(own_letter, pm, cyber):
    api = _api(pm)
    shown = api.get(f"/api/v1/documents/{own_letter.pk}/").json()
    offered = {entry["name"]: entry for entry in shown["transitions"]}
    for name in ("verify", "reject"):
        assert offered[name]["allowed"] is False
        assert offered[name]["unmet"] == [{"code": "not_own_document", "message": GATE}]

    response = api.post(f"/api/v1/documents/{own_letter.pk}/transitions/verify/", {})
    assert response.status_code == 422
    assert [gate["code"] for gate in response.json()["unmet"]] == ["not_own_document"]
    own_letter.refresh_from_db()
    assert own_letter.status == Document.Status.UPLOADED

    theirs = _api(cyber).get(f"/api/v1/documents/{own_letter.pk}/").json()
    assert {e["name"]: e["allowed"] for e in theirs["transitions"]} == {
        "verify": True,
        "reject": True,
    }


# The pages -------------------------------------------------------------------------------------


def _decide_forms(html: str, document) -> list[str]:
    return [
        url
        for url in (
            reverse("document_verify", args=[document.pk]),
            reverse("document_reject", args=[document.pk]),
        )
        if f'action="{url}' in html
    ]


@pytest.mark.parametrize("where", ["epic", "queue"])
def test_the_uploader_reads_the_gate_instead_of_the_buttons(client, own_letter, pm, where):
    page = (
        reverse("epic_detail", args=[own_letter.epic_id])
        if where == "epic"
        else reverse("documents_to_verify")
    )
    response = sign_in(client, pm).get(page)
    assert response.status_code == 200
    assert GATE in text_of(response)
    assert _decide_forms(response.content.decode(), own_letter) == []


def test_someone_else_is_offered_both_buttons(client, own_letter, cyber):
    response = sign_in(client, cyber).get(reverse("epic_detail", args=[own_letter.epic_id]))
    assert GATE not in text_of(response)
    assert len(_decide_forms(response.content.decode(), own_letter)) == 2


def test_the_uploader_posting_verify_anyway_is_refused_and_audited(client, own_letter, pm):
    response = sign_in(client, pm).post(reverse("document_verify", args=[own_letter.pk]))
    assert response.status_code == 422
    assert GATE in text_of(response)
    own_letter.refresh_from_db()
    assert own_letter.status == Document.Status.UPLOADED
    event = AuditEvent.objects.for_object(own_letter).filter(outcome="refused").get()
    assert (event.action, event.actor, event.detail["unmet"]) == (
        "verify",
        pm,
        ["not_own_document"],
    )


def test_the_demo_s_verified_documents_were_each_handled_by_two_people(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    decided = Document.objects.exclude(status=Document.Status.UPLOADED)
    assert decided.filter(status=Document.Status.VERIFIED).exists()
    assert [d.pk for d in decided if d.decided_by_id == d.uploaded_by_id] == []
