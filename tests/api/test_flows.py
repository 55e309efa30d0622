"""The four request types of WORKFLOWS.md, end to end through the API alone (the fixtures
only set the stage: teams, epics, pipelines and verified documents)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.helpers import transition, url
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    pdf_bytes,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def post(client, path, body=None, status=200):
    response = client.post(path, body or {}, format="json")
    assert response.status_code == status, response.json()
    return response.json()


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.json()
    return response.json()


def names(obj) -> list[str]:
    return [t["name"] for t in obj["transitions"]]


def file_ticket(client, **body):
    return post(client, url("tickets"), body, status=201)


def test_additional_pipeline(api, member, pm, devops, epic):
    alice, pat, dana = api(member), api(pm), api(devops)
    ticket = file_ticket(
        alice,
        team=epic.team_id,
        request_type="pipeline",
        impact_level="IL4",
        epic=epic.pk,
        description="A second pipeline for the IL4 enclave.",
    )
    assert (ticket["status"], ticket["status_display"]) == ("submitted", "Submitted")
    assert ticket["created_by"] == "alice"
    assert ticket["stories"] == [] and ticket["classified_story"] is None
    assert names(ticket) == ["withdraw"]

    ticket = post(pat, transition("tickets", ticket["id"], "triage"))
    assert ticket["status_display"] == "Triaged"
    [story_id] = ticket["stories"]
    story = get(pat, url("stories", story_id))
    assert (story["board"], story["status"], story["ticket"]) == ("product", "to_do", ticket["id"])

    epic_body = post(pat, transition("epics", epic.pk, "start_pipeline"))
    assert epic_body["status_display"] == "Pipeline In Progress"

    story = post(pat, transition("stories", story_id, "assign"), {"assignee": "dana"})
    assert (story["status"], story["assignee"]) == ("in_progress", "dana")
    assert get(pat, url("epics", epic.pk))["status_display"] == "Pipeline Being Built"
    assert get(alice, url("tickets", ticket["id"]))["status_display"] == "In Progress"

    assert names(get(dana, url("stories", story_id))) == ["complete"]
    story = post(dana, transition("stories", story_id, "complete"))
    assert story["status_display"] == "Done"
    assert get(alice, url("epics", epic.pk))["status_display"] == "Pipeline Complete"
    ticket = get(alice, url("tickets", ticket["id"]))
    assert ticket["status_display"] == "Done"
    assert epic.pipelines.filter(impact_level="IL4").exists()

    history = get(alice, url("tickets", ticket["id"], "history"))["results"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("file", "", "submitted"),
        ("triage", "submitted", "triaged"),
        ("start_work", "triaged", "in_progress"),
        ("finish", "in_progress", "done"),
    ]
    assert [e["actor"] for e in history] == ["alice", "pat", "pat", "dana"]


def test_new_pipeline_with_a_new_ctf(api, member, pm, cyber, devops, epic):
    alice, pat, casey, dana = api(member), api(pm), api(cyber), api(devops)
    ticket = file_ticket(
        alice,
        team=epic.team_id,
        request_type="new_pipeline_ctf",
        impact_level="IL5",
        application_name="Atlas",
    )
    assert ticket["epic"] is None

    ticket = post(pat, transition("tickets", ticket["id"], "triage"))
    new_epic = get(pat, url("epics", ticket["epic"]))
    assert (new_epic["title"], new_epic["team"], new_epic["requires_new_ctf"]) == (
        "Atlas",
        epic.team_id,
        True,
    )
    assert new_epic["cyber_compliant"] is False
    [story_id] = ticket["stories"]

    start = [t for t in new_epic["transitions"] if t["name"] == "start_pipeline"]
    assert start[0]["allowed"] is False
    assert [g["code"] for g in start[0]["unmet"]] == ["cyber_compliant"]

    checked = post(casey, transition("epics", new_epic["id"], "verify_cyber_compliance"))
    assert checked["cyber_compliant"] is True and checked["cyber_compliant_by"] == "casey"
    post(pat, transition("epics", new_epic["id"], "start_pipeline"))
    post(dana, transition("stories", story_id, "pick_up"))
    assert get(alice, url("tickets", ticket["id"]))["status"] == "in_progress"
    post(dana, transition("stories", story_id, "complete"))

    new_epic = get(alice, url("epics", new_epic["id"]))
    assert new_epic["status_display"] == "Deployed - Staging"
    assert get(alice, url("tickets", ticket["id"]))["status"] == "done"


def test_production_deployment_then_release_tags(api, member, pm, cyber, devops, done_epic):
    alice, pat, casey, dana = api(member), api(pm), api(cyber), api(devops)
    # The team uploads its signed CtF letter; Cyber verifies it.
    upload = alice.post(
        url("documents"),
        {
            "epic": done_epic.pk,
            "kind": "ctf_letter",
            "signed_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
            "impact_levels": "IL2,IL4",
            "file": pdf_upload(),
        },
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    document = upload.json()
    assert document["impact_levels"] == ["IL2", "IL4"]
    assert names(document) == []  # the team does not verify its own letter
    assert names(get(casey, url("documents", document["id"]))) == ["verify", "reject"]
    document = post(casey, transition("documents", document["id"], "verify"))
    assert (document["status_display"], document["decided_by"]) == ("Verified", "casey")

    # An epic without production refuses release tags.
    refused = alice.post(url("releases"), {"epic": done_epic.pk, "tag": "v1.0.0"}, format="json")
    assert refused.status_code == 422
    assert [g["code"] for g in refused.json()["unmet"]] == ["epic_has_production"]

    ticket = file_ticket(
        alice,
        team=done_epic.team_id,
        request_type="prod_deploy",
        impact_level="IL4",
        epic=done_epic.pk,
    )
    ticket = post(pat, transition("tickets", ticket["id"], "triage"))
    assert get(pat, url("epics", done_epic.pk))["status_display"] == "Prod Deploy - Queued"
    [story_id] = ticket["stories"]

    post(dana, transition("stories", story_id, "pick_up"))
    assert get(pat, url("epics", done_epic.pk))["status_display"] == "Prod Deploy - In Progress"
    post(dana, transition("stories", story_id, "complete"))
    epic_body = get(alice, url("epics", done_epic.pk))
    assert epic_body["status_display"] == "Prod Deploy - Complete"
    assert epic_body["has_production"] is True
    assert get(alice, url("tickets", ticket["id"]))["status_display"] == "Done"

    release = post(alice, url("releases"), {"epic": done_epic.pk, "tag": "v1.0.0"}, status=201)
    assert (release["tag"], release["source"], release["created_by"]) == ("v1.0.0", "api", "alice")
    again = alice.post(url("releases"), {"epic": done_epic.pk, "tag": "v1.0.0"}, format="json")
    assert again.status_code == 400 and "already recorded" in again.json()["tag"][0]


def test_il6_production_deploy(api, member, pm, devops, classified, team):
    epic = EpicFactory(team=team, title="Vault", status="prod_deploy_complete")
    PipelineFactory(epic=epic, impact_level="IL4")
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    DocumentFactory(epic=epic, kind="cisso_document", impact_levels=[])
    AccessRequestFactory(user=pm, status="approved")
    alice, pat, dana, cleo = api(member), api(pm), api(devops), api(classified)

    ticket = file_ticket(
        alice, team=team.pk, request_type="il6_prod_deploy", impact_level="IL6", epic=epic.pk
    )
    triage = [t for t in get(pat, url("tickets", ticket["id"]))["transitions"]]
    assert triage[0]["name"] == "triage" and triage[0]["label"] == "Convert to story"
    assert triage[0]["allowed"] is True

    ticket = post(pat, transition("tickets", ticket["id"], "triage"))
    [product_story] = ticket["stories"]

    # The Classified Ops story waits for the structure to be prepared.
    early = pat.post(transition("tickets", ticket["id"], "open_classified_story"))
    assert early.status_code == 422
    assert [g["code"] for g in early.json()["unmet"]] == ["structure_prepared"]

    post(dana, transition("stories", product_story, "pick_up"))
    post(dana, transition("stories", product_story, "complete"))
    ticket = post(pat, transition("tickets", ticket["id"], "open_classified_story"))
    assert ticket["status_display"] == "In Progress"
    classified_story = ticket["classified_story"]
    assert classified_story is not None
    assert sorted(ticket["stories"]) == sorted([product_story, classified_story])

    # DevOps does not work (or see) the Classified Ops board; Classified Ops does.
    assert dana.get(url("stories", classified_story)).status_code == 404
    story = get(cleo, url("stories", classified_story))
    assert story["board"] == "classified_ops" and names(story) == ["pick_up"]
    post(cleo, transition("stories", classified_story, "pick_up"))
    story = post(cleo, transition("stories", classified_story, "complete"))
    assert (story["status"], story["assignee"]) == ("done", "cleo")

    assert get(alice, url("tickets", ticket["id"]))["status_display"] == "Done"
    assert get(alice, url("epics", epic.pk))["status"] == "prod_deploy_complete"  # unmoved


def test_document_file_is_the_uploaded_pdf_under_a_server_made_name(api, member, epic):
    content = pdf_bytes(b"the letter itself")
    created = api(member).post(
        url("documents"),
        {
            "epic": epic.pk,
            "kind": "ctf_letter",
            "signed_on": "2024-02-29",
            "impact_levels": ["IL2", "IL5"],
            "file": pdf_upload("../../etc/evil name.pdf", content),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    document = created.json()
    assert document["impact_levels"] == ["IL2", "IL5"]
    assert document["expires_on"] == "2025-02-28"
    assert document["file"].endswith(url("documents", document["id"], "file"))

    response = api(member).get(
        url("documents", document["id"], "file"), HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="document-{document["id"]}.pdf"'
    )
    assert b"".join(response.streaming_content) == content
