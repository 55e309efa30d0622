"""Homes that lead to the work (portal/home.py): each role's "Your work", counts and links,
a fixed number of queries; and Cyber's Verify on the epic page and the documents page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Epic, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
)
from tests.portal.pages import sign_in, text_of, world
from tests.workflow.trail import event
from workflow.models import AuditEvent
from workflow.permissions import MDO_PM

pytestmark = pytest.mark.django_db


def your_work(response) -> dict[str, tuple[int, str]]:
    """label: (count, link) of each entry of "Your work"."""
    html = response.content.decode()
    section = html.split('id="work-title"', 1)[1].split("</section>", 1)[0]
    return {
        label: (int(count), url)
        for url, count, label in re.findall(
            r'<a href="([^"]+)"><span class="your-work__count">(\d+)</span> '
            r'<span class="your-work__label">([^<]+)</span>',
            section,
        )
    }


@pytest.fixture
def w():
    return world()


def test_the_mdo_pm_sees_what_waits_for_triage_answers_and_classified_stories(client, w):
    TicketFactory(epic=w.mission, created_by=w.alice)
    TicketFactory(epic=w.mission, created_by=w.alice, status=Ticket.Status.NEEDS_INFO)
    answered = TicketFactory(epic=w.mission, created_by=w.alice)
    now = timezone.now()
    event(w.pat, answered, "ask_for_info", now - dt.timedelta(hours=2))
    event(w.alice, answered, "provide_info", now - dt.timedelta(hours=1))
    asked_by_another = TicketFactory(epic=w.mission, created_by=w.alice)
    event(UserFactory(roles=[MDO_PM]), asked_by_another, "ask_for_info", now)
    event(w.alice, asked_by_another, "provide_info", now)
    TicketFactory(
        epic=w.payments, created_by=w.alice, request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6", status=Ticket.Status.TRIAGED,
    )
    work = your_work(sign_in(client, w.pat).get(reverse("home")))
    triage = reverse("board_triage")
    assert work["requests to triage"] == (3, triage)
    assert work["answer to your questions"] == (1, triage)
    assert work["request waiting for an answer from the team"] == (1, f"{triage}#needs-info")
    assert work["documents to verify"][1] == reverse("documents_to_verify")
    assert "IL6 requests waiting for a Classified Ops story" not in work  # no access
    AccessRequestFactory(user=w.pat, status="approved")
    client.logout()
    work = your_work(sign_in(client, w.pat).get(reverse("home")))
    assert work["IL6 request waiting for a Classified Ops story"] == (1, triage)


def test_cyber_sees_documents_and_epics_waiting_for_cyber_compliance(client, w):
    EpicFactory(team=w.alpha, title="Needs its own CtF", requires_new_ctf=True)
    DocumentFactory(epic=w.mission, status=Document.Status.UPLOADED, uploaded_by=w.alice)
    work = your_work(sign_in(client, w.casey).get(reverse("home")))
    assert work["document to verify"][0] == 1
    assert work["epic waiting for cyber compliance"] == (
        1, reverse("documents_to_verify") + "#cyber"
    )
    assert "requests to triage" not in work


def test_the_engineer_sees_his_stories_and_those_to_pick_up(client, w):
    for epic, status, assignee in [
        (w.mission, Story.Status.IN_PROGRESS, w.dana),
        (w.logistics, Story.Status.TO_DO, None),
        (w.payments, Story.Status.IN_PROGRESS, UserFactory()),  # another engineer's
    ]:
        ticket = TicketFactory(epic=epic, created_by=w.alice, status=Ticket.Status.TRIAGED)
        StoryFactory(ticket=ticket, epic=epic, status=status, assignee=assignee)
    work = your_work(sign_in(client, w.dana).get(reverse("home")))
    assert work["story assigned to you"] == (1, reverse("board_my_work"))
    assert work["story nobody has picked up"] == (1, reverse("board_my_work"))


def test_classified_ops_sees_its_stories_and_the_access_decisions(client, w):
    AccessRequestFactory(user=w.bob)
    work = your_work(sign_in(client, w.cleo).get(reverse("home")))
    assert work["access request waiting for a decision"] == (
        1, reverse("board_access_requests")
    )
    assert work["Classified Ops stories open"][1] == reverse("board_classified")


def test_a_team_member_sees_what_waits_on_the_team(client, w):
    TicketFactory(epic=w.mission, created_by=w.alice, status=Ticket.Status.NEEDS_INFO)
    soon = timezone.localdate() - dt.timedelta(days=365 - 10)  # expires in 10 days
    DocumentFactory(epic=w.logistics, impact_levels=["IL2"], uploaded_by=w.alice, signed_on=soon)
    work = your_work(sign_in(client, w.alice).get(reverse("home")))
    assert work["request waiting for your answer"] == (
        1, reverse("team_requests", args=[w.alpha.pk]) + "?status=needs_info"
    )
    assert work["CtF letter expiring within 30 days"] == (
        1, reverse("epic_detail", args=[w.logistics.pk]) + "#documents"
    )
    assert "documents to verify" not in work


def test_a_home_costs_the_same_queries_whatever_the_data(client, w):
    def queries(user):
        client.logout()
        sign_in(client, user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    def more():
        TicketFactory(epic=w.mission, created_by=w.alice)
        TicketFactory(epic=w.mission, created_by=w.alice, status=Ticket.Status.NEEDS_INFO)
        DocumentFactory(epic=w.mission, status=Document.Status.UPLOADED, uploaded_by=w.alice)
        EpicFactory(team=w.alpha, requires_new_ctf=True)

    more()  # one of each: a list that shows something reads what it shows once
    before = {user.username: queries(user) for user in (w.pat, w.casey, w.dana, w.alice)}
    for _ in range(5):
        more()
    after = {user.username: queries(user) for user in (w.pat, w.casey, w.dana, w.alice)}
    assert before == after


def test_cyber_verifies_an_epic_on_its_page(client, w):
    epic = EpicFactory(team=w.alpha, title="Own CtF", requires_new_ctf=True)
    page = sign_in(client, w.casey).get(reverse("epic_detail", args=[epic.pk]))
    assert "Verify cyber compliance" in page.content.decode()
    response = client.post(reverse("epic_verify_cyber", args=[epic.pk]), follow=True)
    assert "is verified cyber compliant" in text_of(response)
    epic.refresh_from_db()
    assert epic.cyber_compliant and epic.cyber_compliant_by == w.casey


def test_the_team_sees_no_verify_button_and_may_not_post_it(client, w):
    epic = EpicFactory(team=w.alpha, title="Own CtF", requires_new_ctf=True)
    page = sign_in(client, w.alice).get(reverse("epic_detail", args=[epic.pk]))
    assert "Verify cyber compliance" not in page.content.decode()
    response = client.post(reverse("epic_verify_cyber", args=[epic.pk]))
    assert response.status_code == 403
    assert "Cyber compliance was not recorded" in text_of(response)
    epic.refresh_from_db()
    assert not epic.cyber_compliant
    assert AuditEvent.objects.filter(
        action="verify_cyber_compliance", outcome="refused", actor=w.alice
    ).exists()


def test_the_documents_page_lists_epics_waiting_for_cyber_with_verify(client, w):
    epic = EpicFactory(team=w.alpha, title="Own CtF", requires_new_ctf=True)
    EpicFactory(team=w.alpha, title="Done already", requires_new_ctf=True,
                cyber_compliant_at=timezone.now(), cyber_compliant_by=w.casey)
    queue = reverse("documents_to_verify")
    page = text_of(sign_in(client, w.casey).get(queue))
    assert "Own CtF" in page and "Done already" not in page
    response = client.post(
        reverse("epic_verify_cyber", args=[epic.pk]), {"next": f"{queue}#cyber"}
    )
    assert response.status_code == 302 and response["Location"] == f"{queue}#cyber"
    assert Epic.objects.get(pk=epic.pk).cyber_compliant


def test_the_triage_page_lists_the_requests_waiting_for_the_teams_answer(client, w):
    asked = TicketFactory(
        epic=w.mission, created_by=w.alice, status=Ticket.Status.NEEDS_INFO, title="Which repo?"
    )
    TicketFactory(epic=w.mission, created_by=w.alice, title="Still to triage")
    page = sign_in(client, w.pat).get(reverse("board_triage")).content.decode()
    section = page.split('id="needs-info"', 1)[1]
    assert f'href="{reverse("ticket_detail", args=[asked.pk])}#conversation"' in section
    assert "Which repo?" in section and "Still to triage" not in section


def test_an_auditor_sees_the_last_weeks_refusals_with_a_link_to_them(client, w):
    from tests.workflow.trail import event as at
    from workflow.permissions import AUDITOR

    avery = UserFactory(username="avery", roles=[AUDITOR])
    now = timezone.now()
    at(w.alice, w.mission, "start_pipeline", now - dt.timedelta(days=1), refused=True)
    at(w.alice, w.mission, "start_pipeline", now - dt.timedelta(days=20), refused=True)
    at(w.pat, w.mission, "create", now - dt.timedelta(days=1))
    work = your_work(sign_in(client, avery).get(reverse("home")))
    count, url = work["refused attempt in the last 7 days"]
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert count == 1 and url == f"{reverse('audit_trail')}?outcome=refused&amp;since={since}"
    assert client.get(url.replace("&amp;", "&")).status_code == 200
