"""Each event of WORKFLOWS.md's last table reaches exactly the people it names, on each
channel: in the app, by e-mail (unless opted out) and on the team's or role's webhook."""

import datetime as dt

import pytest
from django.utils import timezone

from epics.models import Document
from notifications import reminders
from notifications.models import EmailOptOut, Notification
from requests_app.models import Ticket
from tests.factories import AccessRequestFactory, DocumentFactory, PipelineFactory, TicketFactory
from workflow import services

pytestmark = pytest.mark.django_db


def told(run):
    """What `run` caused: {event_type: {(channel, username or webhook URL)}}."""
    last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run()
    heard = {}
    for row in Notification.objects.filter(pk__gt=last).select_related("recipient"):
        who = row.recipient.username if row.recipient else row.address
        heard.setdefault(row.event_type, set()).add((row.channel, who))
    return heard


def to(*usernames, hooks=()):
    return {(c, u) for u in usernames for c in ("in_app", "email")} | {
        ("webhook", url) for url in hooks
    }


def test_ticket_filed_tells_mdo_pms(people, hooks, epic):
    heard = told(
        lambda: services.ticket_file(
            by=people["alice"],
            team=epic.team,
            request_type="pipeline",
            impact_level="IL4",
            epic=epic,
        )
    )
    assert heard == {"ticket_filed": to("pat", "paula", hooks=[hooks["mdo_pm"]])}


def test_triage_reject_progress_and_done_tell_the_team(people, hooks, epic):
    ticket = TicketFactory(epic=epic)
    assert told(lambda: services.ticket_triage(by=people["pat"], ticket=ticket)) == {
        "ticket_triaged": to("alice", "amy", hooks=[hooks["team"]])
    }
    services.epic_start_pipeline(by=people["pat"], epic=epic)
    story = ticket.stories.get()
    assert told(
        lambda: services.story_assign(by=people["pat"], story=story, assignee=people["dana"])
    ) == {
        "story_assigned": to("dana"),
        "ticket_in_progress": to("alice", "amy", hooks=[hooks["team"]]),
    }
    assert told(lambda: services.story_complete(by=people["dana"], story=story)) == {
        "ticket_done": to("alice", "amy", hooks=[hooks["team"]])
    }
    other = TicketFactory(epic=epic)
    assert told(
        lambda: services.ticket_reject(by=people["pat"], ticket=other, reason="Duplicate")
    ) == {"ticket_rejected": to("alice", "amy", hooks=[hooks["team"]])}


def test_picking_up_tells_the_team_but_not_the_engineer_of_their_own_move(people, hooks, epic):
    ticket = TicketFactory(epic=epic)
    services.ticket_triage(by=people["pat"], ticket=ticket)
    services.epic_start_pipeline(by=people["pat"], epic=epic)
    heard = told(lambda: services.story_pick_up(by=people["dana"], story=ticket.stories.get()))
    assert heard == {"ticket_in_progress": to("alice", "amy", hooks=[hooks["team"]])}


def test_epic_queued_for_production_tells_devops(people, hooks, epic):
    services_ready_for_prod(epic, people)
    ticket = TicketFactory(epic=epic, request_type="prod_deploy")
    heard = told(lambda: services.ticket_triage(by=people["pat"], ticket=ticket))
    assert heard == {
        "ticket_triaged": to("alice", "amy", hooks=[hooks["team"]]),
        "epic_queued": to("dana", "devon", hooks=[hooks["devops"]]),
    }


def services_ready_for_prod(epic, people):
    """An epic at Pipeline Complete with a verified CtF letter, reached through services."""
    pm, engineer = people["pat"], people["dana"]
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL6"])
    ticket = TicketFactory(epic=epic)
    services.ticket_triage(by=pm, ticket=ticket)
    services.epic_start_pipeline(by=pm, epic=epic)
    services.story_pick_up(by=engineer, story=ticket.stories.get())
    services.story_complete(by=engineer, story=ticket.stories.get())


def test_classified_link_tells_the_team_and_the_story_tells_classified_ops(people, hooks, epic):
    PipelineFactory(epic=epic)
    DocumentFactory(epic=epic, impact_levels=["IL6"])
    DocumentFactory(epic=epic, kind=Document.Kind.CISSO_DOCUMENT, impact_levels=[])
    AccessRequestFactory(user=people["pat"], status="approved")
    ticket = TicketFactory(epic=epic, request_type="il6_prod_deploy", impact_level="IL6")
    services.ticket_triage(by=people["pat"], ticket=ticket)
    services.story_pick_up(by=people["dana"], story=ticket.stories.get())
    services.story_complete(by=people["dana"], story=ticket.stories.get())
    heard = told(lambda: services.ticket_open_classified_story(by=people["pat"], ticket=ticket))
    assert heard == {
        "classified_link_opened": to("alice", "amy", hooks=[hooks["team"]]),
        "classified_story_opened": to("cleo", "clark", hooks=[hooks["classified_ops"]]),
    }


def test_access_requested_tells_classified_ops_and_the_decision_tells_the_requester(people, hooks):
    heard = told(
        lambda: services.access_request_create(by=people["dana"], justification="IL6 on call")
    )
    assert heard == {"access_requested": to("cleo", "clark", hooks=[hooks["classified_ops"]])}
    access = people["dana"].access_requests.get()
    heard = told(lambda: services.access_request_approve(by=people["cleo"], access_request=access))
    assert heard == {"access_decided": to("dana")}


def test_document_decisions_tell_the_epics_team(people, hooks, epic):
    for decide in (
        lambda d: services.document_verify(by=people["casey"], document=d),
        lambda d: services.document_reject(by=people["casey"], document=d, reason="Unsigned"),
    ):
        document = DocumentFactory(epic=epic, status=Document.Status.UPLOADED)
        heard = told(lambda document=document, decide=decide: decide(document))
        assert heard == {"document_decided": to("alice", "amy", hooks=[hooks["team"]])}


def test_a_document_decision_names_its_signing_date_as_the_pages_do(people, epic):
    document = DocumentFactory(
        epic=epic, status=Document.Status.UPLOADED, signed_on=dt.date(2026, 11, 20)
    )
    services.document_reject(by=people["casey"], document=document, reason="Unsigned")
    body = Notification.objects.filter(event_type="document_decided").first().body
    assert "signed 20 Nov 2026." in body and "2026-11-20" not in body


def test_expiring_ctf_letter_tells_the_team_and_cyber_once(people, hooks, epic):
    today = timezone.localdate()
    DocumentFactory(epic=epic, signed_on=today - dt.timedelta(days=340))  # expires in ~25 days
    DocumentFactory(epic=epic, signed_on=today - dt.timedelta(days=100))  # not yet
    assert told(reminders.warn_expiring_ctf_letters) == {
        "ctf_expiring": to("alice", "amy", "casey", hooks=[hooks["team"], hooks["cyber"]])
    }
    assert told(reminders.warn_expiring_ctf_letters) == {}  # a second beat sends nothing more


def test_a_pipeline_added_makes_the_ctf_due_for_renewal_and_tells_the_team_and_cyber(
    people, hooks, epic
):
    DocumentFactory(epic=epic, impact_levels=["IL4", "IL5"])
    ticket = TicketFactory(epic=epic, impact_level="IL5")
    services.ticket_triage(by=people["pat"], ticket=ticket)
    services.epic_start_pipeline(by=people["pat"], epic=epic)
    story = ticket.stories.get()
    services.story_pick_up(by=people["dana"], story=story)
    heard = told(lambda: services.story_complete(by=people["dana"], story=story))
    assert heard["ctf_renewal_due"] == to(
        "alice", "amy", "casey", hooks=[hooks["team"], hooks["cyber"]]
    )


def test_ticket_waiting_past_the_triage_goal_reminds_mdo_pms_once_a_day(people, hooks, epic):
    waiting = TicketFactory(epic=epic)
    fresh = TicketFactory(epic=epic)
    Ticket.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(days=7))
    heard = told(reminders.remind_overdue_triage)
    assert heard == {"triage_overdue": to("pat", "paula", hooks=[hooks["mdo_pm"]])}
    rows = Notification.objects.filter(event_type="triage_overdue")
    assert {row.event_key.split(":")[1] for row in rows} == {str(waiting.pk)}
    assert str(fresh.pk) not in {row.event_key.split(":")[1] for row in rows}
    assert told(reminders.remind_overdue_triage) == {}


def test_email_opt_out_keeps_the_app_notification(people, hooks, epic):
    EmailOptOut.objects.create(user=people["paula"], event_type="ticket_filed")
    heard = told(
        lambda: services.ticket_file(
            by=people["alice"],
            team=epic.team,
            request_type="pipeline",
            impact_level="IL4",
            epic=epic,
        )
    )
    assert heard["ticket_filed"] == to("pat", hooks=[hooks["mdo_pm"]]) | {("in_app", "paula")}


def test_a_refused_action_tells_nobody(people, hooks, epic):
    epic.team.funded = False
    epic.team.save()
    with pytest.raises(Exception):  # noqa: B017 - the refusal itself is tested elsewhere
        told(
            lambda: services.ticket_file(
                by=people["alice"],
                team=epic.team,
                request_type="pipeline",
                impact_level="IL4",
                epic=epic,
            )
        )
    assert not Notification.objects.exists()


def test_each_notification_says_what_happened_to_what_and_links_to_it(people, epic):
    ticket = services.ticket_file(
        by=people["alice"], team=epic.team, request_type="pipeline", impact_level="IL4", epic=epic
    )
    row = Notification.objects.get(recipient=people["pat"], channel="email")
    assert f"#{ticket.pk}" in row.subject
    assert "alice filed" in row.body and epic.team.name in row.body
    assert row.url.endswith(f"/{ticket.pk}/")
