"""The admin: every model registered with filters and search; statuses change only through
the services (one admin action per transition), never by editing the field; the audit trail
cannot be added to, changed or deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from epics.models import Document, Epic, Pipeline, Release, Story
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    ReleaseFactory,
    StoryFactory,
    TicketFactory,
    UserFactory,
)
from tests.portal.pages import sign_in
from workflow.actions import ACTIONS
from workflow.audit import record
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import DEVOPS, MDO_PM, PRODUCT_TEAM

OUR_APPS = ("epics", "requests_app", "workflow")
STATEFUL = (Ticket, Epic, Story, Document, AccessRequest)


@pytest.fixture
def admin_site_client(client, superuser):
    return sign_in(client, superuser)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def take(client, model, name: str, *objects, **params):
    """Choose the admin action `transition_<name>` for `objects` on the change list."""
    data = {
        "action": f"transition_{name}",
        "_selected_action": [obj.pk for obj in objects],
        "index": 0,
    }
    if params:  # the intermediate page's form, sent back
        data = {"action": data["action"], "_selected_action": data["_selected_action"]}
        data.update({"apply": "yes", **params})
    return client.post(changelist(model), data, follow=not params or "apply" in data)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def one_of_each():
    """An object of every stateful model, in a status its transitions start from."""
    epic = EpicFactory(title="Ledger", status=Epic.Status.PIPELINE_COMPLETE)
    ticket = TicketFactory(epic=epic, title="More pipelines")
    story = StoryFactory(
        ticket=TicketFactory(epic=EpicFactory(team=epic.team), status=Ticket.Status.TRIAGED)
    )
    document = DocumentFactory(epic=epic, status=Document.Status.UPLOADED)
    access = AccessRequestFactory(user=UserFactory())
    return {Ticket: ticket, Epic: epic, Story: story, Document: document, AccessRequest: access}


# Every model -------------------------------------------------------------------------------


def test_every_model_of_the_portal_is_in_the_admin():
    missing = [
        model._meta.label
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.parametrize(
    "model", [m for label in OUR_APPS for m in apps.get_app_config(label).get_models()]
)
def test_each_change_list_has_search_and_filters_that_work(admin_site_client, model):
    one_of_each()
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"

    assert admin_site_client.get(changelist(model), {"q": "Ledger"}).status_code == 200
    assert admin_site_client.get(changelist(model), {"q": "#12 <x>"}).status_code == 200
    response = admin_site_client.get(changelist(model))
    assert response.status_code == 200
    for spec in response.context["cl"].filter_specs:
        for choice in spec.choices(response.context["cl"]):
            query = choice["query_string"]
            assert admin_site_client.get(changelist(model) + query).status_code == 200, query


@pytest.mark.parametrize("model", [Ticket, Epic, Story, Document, Release, Pipeline, AuditEvent])
def test_a_change_list_costs_the_same_queries_for_3_or_30_rows(admin_site_client, model):
    def add(n):
        for _ in range(n):
            objects = one_of_each()
            PipelineFactory(epic=objects[Epic], impact_level="IL5")
            ReleaseFactory(epic=objects[Epic])
            record(by=objects[Ticket].created_by, obj=objects[Ticket], action="file")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_site_client.get(changelist(model)).status_code == 200
        return len(queries)

    add(3)
    cost()  # the session's first request does its own bookkeeping
    few = cost()
    add(27)
    assert cost() == few


# Statuses are never edited -------------------------------------------------------------------


def _form_data(admin_client, obj) -> dict:
    """What the change form sends back unchanged: its editable fields, as they are."""
    form = admin_client.get(change(obj)).context["adminform"].form
    data = {}
    for name, value in model_to_dict(obj, fields=list(form.fields)).items():
        if value is None or value is False:
            continue  # an empty field, or an unchecked box, is not sent
        data[name] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize("model", STATEFUL)
def test_the_status_is_read_only_in_every_change_form(admin_site_client, model):
    obj = one_of_each()[model]

    response = admin_site_client.get(change(obj))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields and "status_changed_at" not in form.fields
    assert 'name="status"' not in response.content.decode()


@pytest.mark.parametrize("model", STATEFUL)
def test_posting_a_status_to_the_change_form_changes_nothing(admin_site_client, model):
    obj = one_of_each()[model]
    before = (obj.status, obj.status_changed_at)
    target = [value for value in model.Status.values if value != obj.status][-1]
    data = {**_form_data(admin_site_client, obj), "status": target, "_save": "Save"}

    response = admin_site_client.post(change(obj), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert (obj.status, obj.status_changed_at) == before


def test_a_verified_documents_content_cannot_be_edited(admin_site_client):
    document = DocumentFactory(impact_levels=["IL2"])

    form = admin_site_client.get(change(document)).context["adminform"].form

    assert set(form.fields) == set()


# Transitions as admin actions -------------------------------------------------------------------


@pytest.mark.parametrize("model", STATEFUL)
def test_every_transition_is_an_admin_action(admin_site_client, model):
    response = admin_site_client.get(changelist(model))

    offered = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert {f"transition_{action.name}" for action in ACTIONS[model]} <= offered


def test_triage_through_the_admin_runs_the_service(admin_site_client, superuser):
    epic = EpicFactory(status=Epic.Status.PIPELINE_COMPLETE)
    ticket = TicketFactory(epic=epic, request_type=RequestType.PIPELINE)

    response = take(admin_site_client, Ticket, "triage", ticket)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.TRIAGED
    assert ticket.stories.count() == 1  # what the service opens with it
    event = AuditEvent.objects.for_object(ticket).get(action="triage")
    assert (event.actor, event.outcome) == (superuser, "done")
    assert any("Triage: done for" in m for m in messages_of(response))


def test_each_refusal_is_reported_and_audited_and_the_rest_still_done(admin_site_client):
    epic = EpicFactory(status=Epic.Status.PIPELINE_COMPLETE)
    waiting = TicketFactory(epic=epic, title="Waiting")
    rejected = TicketFactory(epic=epic, status=Ticket.Status.REJECTED, rejection_reason="No.")

    response = take(admin_site_client, Ticket, "triage", waiting, rejected)

    waiting.refresh_from_db()
    rejected.refresh_from_db()
    assert (waiting.status, rejected.status) == ("triaged", "rejected")
    said = messages_of(response)
    assert any(
        m.startswith(f"{rejected}: not done (Triage): Ticket #{rejected.pk} is Rejected")
        for m in said
    ), said
    assert any(m == f"Triage: done for {waiting}." for m in said), said
    refusal = AuditEvent.objects.for_object(rejected).get()
    assert (refusal.action, refusal.outcome) == ("triage", "refused")


def test_the_admin_cannot_do_what_the_users_role_may_not(db, client):
    """A staff user with every Django permission on tickets, but not an MDO PM."""
    staff = UserFactory(username="clerk", is_staff=True, roles=[DEVOPS])
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="_ticket"))
    ticket = TicketFactory(epic=EpicFactory(status=Epic.Status.PIPELINE_COMPLETE))

    response = take(sign_in(client, staff), Ticket, "triage", ticket)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED
    assert any("Only MDO PMs triage tickets." in m for m in messages_of(response))


def test_a_transition_with_a_reason_asks_for_it_first(admin_site_client):
    ticket = TicketFactory(epic=EpicFactory())

    page = take(admin_site_client, Ticket, "reject", ticket)

    assert page.status_code == 200
    assert "admin/transition_params.html" in [t.name for t in page.templates]
    assert 'name="reason"' in page.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED  # nothing happens before the reason

    empty = take(admin_site_client, Ticket, "reject", ticket, reason="  ")
    assert empty.status_code == 200 and empty.context["form"].errors
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SUBMITTED

    done = take(admin_site_client, Ticket, "reject", ticket, reason="Out of scope.")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rejection_reason) == ("rejected", "Out of scope.")
    assert any("Reject: done for" in m for m in messages_of(done))


def test_revoking_access_asks_for_a_reason_first(admin_site_client):
    access = AccessRequestFactory(user=UserFactory(username="riley"), status="approved")

    page = take(admin_site_client, AccessRequest, "revoke", access)
    assert 'name="reason"' in page.content.decode()
    access.refresh_from_db()
    assert access.status == "approved"  # nothing happens before the reason

    done = take(admin_site_client, AccessRequest, "revoke", access, reason="Left the rota.")

    access.refresh_from_db()
    assert (access.status, access.reason) == ("revoked", "Left the rota.")
    assert any("Revoke: done for" in m for m in messages_of(done))


def test_assigning_a_story_asks_for_a_devops_engineer(admin_site_client):
    dana = UserFactory(username="dana", roles=[DEVOPS])
    UserFactory(username="alice", roles=[PRODUCT_TEAM])
    epic = EpicFactory(status=Epic.Status.PIPELINE_IN_PROGRESS)
    ticket = TicketFactory(epic=epic, status=Ticket.Status.TRIAGED, epic_status_before="new")
    story = StoryFactory(ticket=ticket, epic=epic)

    page = take(admin_site_client, Story, "assign", story)
    offered = [str(user) for user in page.context["form"].fields["assignee"].queryset]
    assert offered == ["dana"]

    take(admin_site_client, Story, "assign", story, assignee=dana.pk)

    story.refresh_from_db()
    epic.refresh_from_db()
    assert (story.status, story.assignee, epic.status) == (
        "in_progress",
        dana,
        "pipeline_being_built",
    )


@pytest.mark.parametrize(
    "model, name, expected, params",
    [
        (Epic, "verify_cyber_compliance", None, {}),
        (Document, "verify", "verified", {}),
        (AccessRequest, "approve", "approved", {"days": ""}),  # the default number of days
        (AccessRequest, "deny", "denied", {"reason": "Not on the IL6 rota."}),
        (Ticket, "withdraw", "submitted", {}),  # only the team's members withdraw: refused
    ],
)
def test_the_other_transitions_go_through_their_services(
    admin_site_client, model, name, expected, params
):
    obj = one_of_each()[model]
    before = obj.status

    take(admin_site_client, model, name, obj, **params)

    obj.refresh_from_db()
    assert obj.status == (expected or before)
    if model is Epic:
        assert obj.cyber_compliant
    assert AuditEvent.objects.for_object(obj).filter(action=name).exists()


def test_an_approval_in_the_admin_runs_for_the_days_given(admin_site_client):
    access = one_of_each()[AccessRequest]
    page = take(admin_site_client, AccessRequest, "approve", access)
    assert list(page.context["form"].fields) == ["days"]

    take(admin_site_client, AccessRequest, "approve", access, days="30")

    access.refresh_from_db()
    assert access.status == "approved"
    assert access.expires_on == timezone.localdate() + dt.timedelta(days=30)


def test_a_grant_cannot_be_edited_in_the_admin(admin_site_client):
    """Its end, its reason and who decided change only through its (audited) transitions."""
    access = one_of_each()[AccessRequest]
    response = admin_site_client.get(change(access))
    assert set(response.context["adminform"].form.fields) == set()


# The audit trail ------------------------------------------------------------------------------


@pytest.fixture
def audit_event(superuser):
    ticket = TicketFactory(epic=EpicFactory())
    return record(by=superuser, obj=ticket, action="file", to_status="submitted")


def test_the_audit_trail_can_be_read(admin_site_client, audit_event):
    assert admin_site_client.get(changelist(AuditEvent)).status_code == 200
    response = admin_site_client.get(change(audit_event))
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}


def test_the_audit_trail_cannot_be_added_to_changed_or_deleted(admin_site_client, audit_event):
    meta = "admin:workflow_auditevent"
    before = list(AuditEvent.objects.values())

    assert admin_site_client.get(reverse(f"{meta}_add")).status_code == 403
    assert admin_site_client.post(reverse(f"{meta}_add"), {"action": "x"}).status_code == 403
    assert (
        admin_site_client.post(
            change(audit_event), {"action": "forged", "outcome": "done", "_save": "Save"}
        ).status_code
        == 403
    )
    delete = reverse(f"{meta}_delete", args=[audit_event.pk])
    assert admin_site_client.get(delete).status_code == 403
    assert admin_site_client.post(delete, {"post": "yes"}).status_code == 403
    bulk = admin_site_client.post(
        changelist(AuditEvent),
        {"action": "delete_selected", "_selected_action": [audit_event.pk], "index": 0},
    )
    assert bulk.status_code in (200, 302)

    # What was there is as it was; the three delete attempts are refusals added after it.
    assert list(AuditEvent.objects.values())[: len(before)] == before
    added = AuditEvent.objects.filter(pk__gt=before[-1]["id"])
    assert [(e.action, e.outcome, e.object_id) for e in added] == [
        ("delete", "refused", audit_event.pk)
    ] * 3
    # No action at all is offered on the audit trail (no bulk delete).
    assert admin_site_client.get(changelist(AuditEvent)).context["action_form"] is None


# The Classified Ops board and GitLab repositories -----------------------------------------------


@pytest.fixture
def classified_story(db):
    epic = EpicFactory()
    ticket = TicketFactory(
        epic=epic,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
    )
    return StoryFactory(ticket=ticket, epic=epic, board=Story.Board.CLASSIFIED_OPS)


def test_classified_ops_stories_are_hidden_from_staff_without_access(client, classified_story):
    staff = UserFactory(username="clerk", is_staff=True, roles=[MDO_PM])
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="_story"))
    signed_in = sign_in(client, staff)

    listed = signed_in.get(changelist(Story)).context["cl"].result_list
    assert classified_story not in list(listed)
    signed_in.get(change(classified_story))

    refused = AuditEvent.objects.for_object(classified_story).get()
    assert (refused.action, refused.outcome, refused.actor) == ("open", "refused", staff)


def test_opening_a_classified_ops_story_in_the_admin_is_audited(
    admin_site_client, superuser, classified_story
):
    assert admin_site_client.get(change(classified_story)).status_code == 200

    opened = AuditEvent.objects.for_object(classified_story).get()
    assert (opened.action, opened.outcome, opened.actor) == ("open", "done", superuser)


def test_a_repository_address_is_stored_in_one_spelling_and_once(admin_site_client):
    ledger = EpicFactory(title="Ledger")
    other = EpicFactory(title="Other", team=ledger.team)
    data = {**_form_data(admin_site_client, ledger), "_save": "Save"}

    data["repository_url"] = " https://gitlab.example.mil/alpha/ledger.git/ "
    assert admin_site_client.post(change(ledger), data).status_code == 302
    ledger.refresh_from_db()
    assert ledger.repository_url == "https://gitlab.example.mil/alpha/ledger"

    data = {**_form_data(admin_site_client, other), "_save": "Save"}
    data["repository_url"] = "https://gitlab.example.mil/Alpha/Ledger/"
    response = admin_site_client.post(change(other), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.repository_url == ""


def test_a_view_only_admin_is_offered_no_transition(db, client):
    staff = UserFactory(username="viewer", is_staff=True, roles=[MDO_PM])
    staff.user_permissions.set(Permission.objects.filter(codename="view_ticket"))
    TicketFactory(epic=EpicFactory())

    response = sign_in(client, staff).get(changelist(Ticket))

    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {name for name, _ in form.fields["action"].choices} if form else set()
    assert not any(name.startswith("transition_") for name in offered)


def test_what_the_admin_itself_changed_is_logged_read_only(admin_site_client):
    ticket = TicketFactory(epic=EpicFactory(), title="Before")
    data = {**_form_data(admin_site_client, ticket), "title": "After", "_save": "Save"}
    assert admin_site_client.post(change(ticket), data).status_code == 302

    entry = LogEntry.objects.get()
    assert entry.object_repr == f"#{ticket.pk} After"
    log = reverse("admin:admin_logentry_changelist")
    assert admin_site_client.get(log).status_code == 200
    assert admin_site_client.get(reverse("admin:admin_logentry_add")).status_code == 403
    delete = reverse("admin:admin_logentry_delete", args=[entry.pk])
    assert admin_site_client.post(delete, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.count() == 1
