"""Nothing is deleted through the admin, not even by a superuser (WORKFLOWS.md, "Evidence that
holds up"): each domain object's delete page answers 403, no change list offers a delete
action, and posting the bulk delete anyway deletes nothing. What ends has a status."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from api.models import ApiToken
from epics.models import Document, Epic, Pipeline, Release, Story, Team
from notifications.models import EmailOptOut, Notification, Webhook
from portal.models import SsoIdentity
from requests_app.models import Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    PipelineFactory,
    ReleaseFactory,
    StoryFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.portal.pages import sign_in
from workflow.admin import NOTHING_DELETED, KeptForever
from workflow.audit import record
from workflow.models import AccessRequest, AuditEvent

pytestmark = pytest.mark.django_db

# Configuration, not evidence: a superuser may remove one (a webhook retired, an e-mail
# choice undone), one at a time from its change page.
CONFIGURATION = {Webhook, EmailOptOut}


def _admin_url(model, suffix: str, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{suffix}", args=args)


@pytest.fixture
def root(client, superuser):
    return sign_in(client, superuser)


@pytest.fixture
def evidence(superuser):
    """One of each kind of evidence, each with nothing that would protect it from a delete
    (no story on the ticket, no epic on the team): only the admin's refusal keeps it."""
    alpha = EpicFactory(title="Ledger")
    person = UserFactory(username="gone")
    objects = {
        Team: TeamFactory(name="Team Quiet"),
        Epic: EpicFactory(team=alpha.team, title="Idle"),
        Ticket: TicketFactory(epic=alpha, title="Lonely request"),
        Story: StoryFactory(ticket=TicketFactory(epic=alpha, status="triaged")),
        Document: DocumentFactory(epic=alpha, impact_levels=["IL2", "IL4", "IL5", "IL6"]),
        Pipeline: PipelineFactory(epic=alpha),
        Release: ReleaseFactory(epic=alpha),
        AccessRequest: AccessRequestFactory(user=person, status="approved"),
        Notification: Notification.objects.create(
            event_key="ticket_filed:1",
            event_type="ticket_filed",
            channel="in_app",
            recipient=person,
            subject="Filed",
        ),
        SsoIdentity: SsoIdentity.objects.create(user=person, issuer="https://sso", subject="s1"),
        Group: Group.objects.get_or_create(name="mdo_pm")[0],
    }
    objects[get_user_model()] = UserFactory(username="left")
    objects[AuditEvent] = record(by=superuser, obj=objects[Ticket], action="file")
    objects[LogEntry] = LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(Ticket),
        object_id=str(objects[Ticket].pk),
        object_repr="Lonely request",
        action_flag=ADDITION,
    )
    return objects


KEPT = [
    Team,
    Epic,
    Ticket,
    Story,
    Document,
    Pipeline,
    Release,
    AccessRequest,
    Notification,
    SsoIdentity,
    Group,
    AuditEvent,
    LogEntry,
    get_user_model(),
]


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _refusals(since: int) -> list[tuple]:
    """The refusals recorded since `since`: what, which, the action, why; by root, here."""
    events = AuditEvent.objects.filter(pk__gt=since).order_by("pk")
    assert {(e.actor_name, e.outcome, e.client_address) for e in events} <= {
        ("root", "refused", "127.0.0.1")
    }
    return [
        (
            ContentType.objects.get_for_id(e.content_type_id).model_class(),
            e.object_id,
            e.action,
            e.reason,
        )
        for e in events
    ]


def _still_there(evidence) -> dict:
    return {model: model.objects.filter(pk=obj.pk).exists() for model, obj in evidence.items()}


@pytest.mark.parametrize("model", KEPT, ids=lambda model: model.__name__)
def test_the_delete_page_of_each_kind_of_evidence_refuses_a_superuser(root, evidence, model):
    obj = evidence[model]
    delete = _admin_url(model, "delete", obj.pk)
    since = _mark()

    assert root.get(delete).status_code == 403
    assert root.post(delete, {"post": "yes"}).status_code == 403

    assert model.objects.filter(pk=obj.pk).exists()
    assert _refusals(since) == [(model, obj.pk, "delete", NOTHING_DELETED)] * 2
    # Nor is a delete offered beside the object.
    change = root.get(_admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert delete not in change.content.decode()


@pytest.mark.parametrize("model", KEPT, ids=lambda model: model.__name__)
def test_no_change_list_offers_a_delete_and_posting_it_deletes_nothing(root, evidence, model):
    obj = evidence[model]
    changelist = _admin_url(model, "changelist")

    form = root.get(changelist).context["action_form"]
    offered = {name for name, _ in form.fields["action"].choices} if form else set()
    assert "delete_selected" not in offered

    before = _still_there(evidence)
    since = _mark()
    for data in (
        {"action": "delete_selected", "_selected_action": [obj.pk], "index": 0},
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    ):
        response = root.post(changelist, data)
        assert response.status_code in (200, 302)
    assert _still_there(evidence) == before
    assert all(before.values())
    assert _refusals(since) == [(model, obj.pk, "delete", NOTHING_DELETED)] * 2


def test_every_admin_of_the_portal_keeps_what_it_shows_but_configuration():
    """A model added later must choose: kept (evidence) or named here as configuration."""
    ours = ("epics", "requests_app", "workflow", "notifications", "portal", "admin", "auth")
    registered = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours
    }
    assert set(KEPT) <= set(registered)
    deletable = {
        m for m, model_admin in registered.items() if not isinstance(model_admin, KeptForever)
    }
    assert deletable == CONFIGURATION
    for label in ("epics", "requests_app", "workflow"):
        for model in apps.get_app_config(label).get_models():
            assert isinstance(admin.site._registry[model], KeptForever), model.__name__


def test_the_site_offers_no_bulk_delete_at_all(root, evidence):
    assert "delete_selected" not in dict(admin.site.actions)
    webhook = Webhook.objects.create(
        name="Ops", role="mdo_pm", url="https://chat.example.mil/hooks/1"
    )
    form = root.get(_admin_url(Webhook, "changelist")).context["action_form"]
    offered = {name for name, _ in form.fields["action"].choices} if form else set()
    assert "delete_selected" not in offered
    assert Webhook.objects.filter(pk=webhook.pk).exists()
    assert isinstance(admin.site._registry[ApiToken], KeptForever)  # revoked, never deleted


@pytest.mark.parametrize(
    "resource, model",
    [
        ("teams", Team),
        ("epics", Epic),
        ("tickets", Ticket),
        ("stories", Story),
        ("documents", Document),
        ("releases", Release),
        ("access-requests", AccessRequest),
    ],
)
def test_the_api_deletes_nothing(superuser, evidence, resource, model):
    """No resource of the API has a DELETE: 405, for a superuser too, and nothing changes."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(superuser)
    obj = evidence[model]
    response = client.delete(f"/api/v1/{resource}/{obj.pk}/")
    assert response.status_code == 405
    assert "DELETE" not in response["Allow"]
    assert model.objects.filter(pk=obj.pk).exists()
