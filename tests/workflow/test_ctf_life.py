"""The CtF's life (WORKFLOWS.md): gates true to the impact level (`pipeline_at_level`), no
release without a CtF in force (`ctf_in_force`, GitLab's path included), signing dates that
are today anywhere on Earth, reminders at 90, 30 and 7 days once each, renewal due when a
pipeline is added, and a newer verified letter superseding the older."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Epic
from notifications import reminders
from notifications.models import Notification
from requests_app.models import RequestType, Ticket
from tests.factories import DocumentFactory, EpicFactory, PipelineFactory, TicketFactory, pdf_upload
from tests.portal.pages import HTMX, sign_in, text_of, world
from tests.workflow.support import codes, refused
from workflow import services
from workflow.dates import latest_date_on_earth
from workflow.errors import GatesUnmet, InvalidInput
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

UTC = dt.UTC


# Signing dates across the date line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        # 04:23 UTC on 2 Dec is still 1 Dec in Chicago, already 2 Dec in Europe and Asia.
        (dt.datetime(2026, 12, 2, 4, 23, tzinfo=UTC), dt.date(2026, 12, 2)),
        # Kiribati (UTC+14) reaches 3 Dec at 10:00 UTC on 2 Dec, and not a second before.
        (dt.datetime(2026, 12, 2, 9, 59, 59, tzinfo=UTC), dt.date(2026, 12, 2)),
        (dt.datetime(2026, 12, 2, 10, 0, tzinfo=UTC), dt.date(2026, 12, 3)),
        # Time-zone aware times elsewhere mean the same instant.
        (
            dt.datetime(2026, 12, 1, 22, 23, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
            dt.date(2026, 12, 2),
        ),
    ],
)
def test_the_latest_date_anywhere_on_earth(now, latest):
    assert latest_date_on_earth(now) == latest


def _upload(member, epic, signed_on):
    return services.document_upload(
        by=member,
        epic=epic,
        kind=Document.Kind.CTF_LETTER,
        file=pdf_upload(),
        signed_on=signed_on,
        impact_levels=["IL4"],
    )


def test_a_letter_signed_today_somewhere_is_accepted_and_a_later_one_refused(member, epic):
    latest = latest_date_on_earth()
    assert _upload(member, epic, latest).signed_on == latest  # ahead of Chicago most hours
    error = refused(
        InvalidInput,
        services.document_upload,
        action="upload",
        by=member,
        epic=epic,
        kind=Document.Kind.CTF_LETTER,
        file=pdf_upload(),
        signed_on=latest + dt.timedelta(days=1),
        impact_levels=["IL4"],
    )
    assert "is in the future everywhere on Earth" in error.fields["signed_on"][0]
    assert Document.objects.filter(epic=epic).count() == 1


# pipeline_at_level --------------------------------------------------------------------------


def _file_prod(member, epic, level):
    return services.ticket_file(
        by=member, team=epic.team, request_type="prod_deploy", impact_level=level, epic=epic
    )


def test_a_production_deployment_needs_a_pipeline_at_its_level_at_filing(member, team):
    epic = EpicFactory(team=team, title="Payments", status=Epic.Status.PIPELINE_COMPLETE)
    PipelineFactory(epic=epic, impact_level="IL4")
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL5"])
    error = refused(
        GatesUnmet,
        services.ticket_file,
        action="file",
        by=member,
        team=team,
        request_type="prod_deploy",
        impact_level="IL5",
        epic=epic,
    )
    assert [(c.code, c.message) for c in error.unmet] == [
        (
            "pipeline_at_level",
            "Epic “Payments” has no completed IL5 pipeline (it has IL4): request an IL5 "
            "pipeline on this epic first.",
        )
    ]
    assert not Ticket.objects.exists()
    assert _file_prod(member, epic, "IL4").status == Ticket.Status.SUBMITTED


def test_and_again_at_triage(pm, team):
    epic = EpicFactory(team=team, title="Payments", status=Epic.Status.PIPELINE_COMPLETE)
    PipelineFactory(epic=epic, impact_level="IL4")
    DocumentFactory(epic=epic, impact_levels=["IL5"])
    ticket = TicketFactory(epic=epic, request_type=RequestType.PROD_DEPLOY, impact_level="IL5")
    error = refused(GatesUnmet, services.ticket_triage, action="triage", by=pm, ticket=ticket)
    assert codes(error) == ["pipeline_at_level"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED


def test_the_form_checklist_shows_it_live_with_the_fix(client):
    w = world()
    alice = sign_in(client, w.alice)
    response = alice.get(
        reverse("ticket_new"),
        {"request_type": "prod_deploy", "impact_level": "IL5", "epic": w.mission.pk},
        headers=HTMX,
    )
    page = text_of(response)
    assert (
        "Not met: Epic “Mission Planner” has no completed IL5 pipeline (it has IL4): request "
        "an IL5 pipeline on this epic first." in page
    )
    assert "Request an IL5 pipeline on “Mission Planner”" in page
    assert f"epic={w.mission.pk}" in response.content.decode()


# ctf_in_force -------------------------------------------------------------------------------


@pytest.fixture
def in_production(team, member):
    """An epic in production at IL4 whose only CtF letter has expired."""
    epic = EpicFactory(
        team=team,
        title="Payments",
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now() - dt.timedelta(days=400),
    )
    TicketFactory(
        epic=epic,
        request_type=RequestType.PROD_DEPLOY,
        impact_level="IL4",
        status=Ticket.Status.DONE,
    )
    DocumentFactory(
        epic=epic, impact_levels=["IL4"], signed_on=timezone.localdate() - dt.timedelta(days=370)
    )
    return epic


IN_FORCE = (
    "No CtF is in force on epic “Payments” for IL4: upload a newly signed CtF letter covering "
    "it and have it verified before recording releases."
)


def test_no_release_once_the_ctf_has_expired(member, in_production):
    error = refused(
        GatesUnmet,
        services.release_create,
        action="create",
        by=member,
        epic=in_production,
        tag="v2.0.0",
    )
    assert [(c.code, c.message) for c in error.unmet] == [("ctf_in_force", IN_FORCE)]
    # A letter covering another level does not help; one covering IL4 does.
    DocumentFactory(epic=in_production, impact_levels=["IL5"])
    refused(
        GatesUnmet,
        services.release_create,
        action="create",
        by=member,
        epic=in_production,
        tag="v2",
    )
    DocumentFactory(epic=in_production, impact_levels=["IL4"])
    assert services.release_create(by=member, epic=in_production, tag="v2.0.0").tag == "v2.0.0"


def test_nor_from_a_gitlab_tag_push_and_the_refusal_is_in_the_epic_timeline(in_production):
    with pytest.raises(GatesUnmet):
        services.release_record_from_gitlab(epic=in_production, tag="v9.9.9", pushed_by="mallory")
    assert not in_production.releases.exists()
    event = AuditEvent.objects.get(object_id=str(in_production.pk), action="record_release")
    assert event.outcome == AuditEvent.Outcome.REFUSED
    assert "ctf_in_force" in str(event.detail) or IN_FORCE in event.reason


def test_the_epic_page_says_why_no_release_is_recorded(client, member, in_production):
    page = text_of(sign_in(client, member).get(reverse("epic_detail", args=[in_production.pk])))
    assert IN_FORCE in page
    assert "no CtF is in force, so releases are not recorded" in page


# Reminders ----------------------------------------------------------------------------------


def _expiring_in(epic, days: int) -> Document:
    letter = DocumentFactory(epic=epic)
    Document.objects.filter(pk=letter.pk).update(
        expires_on=timezone.localdate() + dt.timedelta(days=days)
    )
    return letter


def _reminded(letter) -> list[str]:
    keys = Notification.objects.filter(event_type="ctf_expiring", channel="in_app")
    return sorted({key.rsplit(":", 1)[1] for key in keys.values_list("event_key", flat=True)})


def test_reminders_at_90_30_and_7_days_once_each_under_two_beats(member, cyber, epic):
    letter = _expiring_in(epic, 95)
    reminders.warn_expiring_ctf_letters()
    assert _reminded(letter) == []
    for days, expected in ((85, ["90"]), (25, ["30", "90"]), (5, ["30", "7", "90"])):
        Document.objects.filter(pk=letter.pk).update(
            expires_on=timezone.localdate() + dt.timedelta(days=days)
        )
        reminders.warn_expiring_ctf_letters()
        after_first = Notification.objects.count()
        reminders.warn_expiring_ctf_letters()  # a second beat tells nobody again
        assert Notification.objects.count() == after_first
        assert _reminded(letter) == expected
    # The team and Cyber, each once per reminder.
    told = Notification.objects.filter(event_type="ctf_expiring", channel="in_app")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        ["alice", "casey"] * 3
    )


def test_a_letter_first_seen_late_gets_only_the_nearest_reminder(member, cyber, epic):
    _expiring_in(epic, 20)
    reminders.warn_expiring_ctf_letters()
    assert _reminded(None) == ["30"]


def test_a_superseded_letter_is_not_reminded_of(member, cyber, epic):
    old = _expiring_in(epic, 20)
    Document.objects.filter(pk=old.pk).update(superseded_by=DocumentFactory(epic=epic))
    assert reminders.warn_expiring_ctf_letters() == 0


# Renewal due and superseded -----------------------------------------------------------------


def _complete_pipeline(pm, devops, epic, level):
    ticket = TicketFactory(epic=epic, impact_level=level)
    services.ticket_triage(by=pm, ticket=ticket)
    services.epic_start_pipeline(by=pm, epic=epic)
    story = ticket.stories.get()
    services.story_pick_up(by=devops, story=story)
    services.story_complete(by=devops, story=story)
    return ticket


def test_a_pipeline_added_makes_the_letter_due_for_renewal_and_it_keeps_counting(
    pm, devops, member, epic
):
    letter = DocumentFactory(epic=epic, impact_levels=["IL4", "IL5"])
    ticket = _complete_pipeline(pm, devops, epic, "IL5")
    letter.refresh_from_db()
    assert letter.renewal_due
    assert letter.renewal_reason == (
        f"An IL5 pipeline was added to the epic (request #{ticket.pk}): a new pipeline is a "
        "major change."
    )
    assert letter.valid_on(timezone.localdate())  # it still counts
    assert AuditEvent.objects.filter(object_id=str(letter.pk), action="renewal_due").count() == 1
    # A second pipeline leaves it as it was (due since the first).
    since = letter.renewal_due_since
    _complete_pipeline(pm, devops, epic, "IL2")
    letter.refresh_from_db()
    assert letter.renewal_due_since == since


def test_a_newer_verified_letter_supersedes_the_older_both_stay(member, pm, cyber, epic):
    older = DocumentFactory(epic=epic, impact_levels=["IL4"])
    newer = DocumentFactory(
        epic=epic,
        impact_levels=["IL4", "IL5"],
        status=Document.Status.UPLOADED,
        signed_on=timezone.localdate(),
        uploaded_by=member,
    )
    services.document_verify(by=cyber, document=newer)
    older.refresh_from_db()
    assert older.superseded_by == newer
    assert not older.valid_on(timezone.localdate())
    assert Document.objects.filter(epic=epic).count() == 2  # both stay in the history
    event = AuditEvent.objects.get(object_id=str(older.pk), action="supersede")
    assert event.detail["superseded_by"] == newer.pk


def test_the_documents_page_lists_letters_due_for_renewal_for_cyber(client, cyber, epic):
    letter = DocumentFactory(epic=epic)
    Document.objects.filter(pk=letter.pk).update(
        renewal_due_since=timezone.now(), renewal_reason="An IL5 pipeline was added."
    )
    page = text_of(sign_in(client, cyber).get(reverse("documents_to_verify")))
    assert "CtF letters due for renewal" in page
    assert "An IL5 pipeline was added." in page


def test_the_api_says_renewal_due_and_superseded_by(client, member, epic):
    from rest_framework.test import APIClient

    letter = DocumentFactory(epic=epic, renewal_due_since=timezone.now())
    api = APIClient()
    api.force_authenticate(member)
    body = api.get(f"/api/v1/documents/{letter.pk}/").json()
    assert body["renewal_due"] is True and body["superseded_by"] is None
