import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count

from epics.models import Epic, Story
from requests_app.models import Ticket
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: dict(model.objects.values_list("status").annotate(n=Count("id")).order_by())
        for model in (Epic, Ticket, Story)
    }


def test_seed_demo_fills_every_status_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    events = AuditEvent.objects.count()

    assert set(first["Epic"]) == set(Epic.Status.values)
    assert set(first["Ticket"]) == set(Ticket.Status.values)
    assert set(first["Story"]) == set(Story.Status.values)
    assert Story.objects.filter(board=Story.Board.CLASSIFIED_OPS).exists()
    for username in ("alice", "bob", "pat", "dana", "casey", "cleo", "avery", "admin"):
        assert authenticate(username=username, password="partybus-demo") is not None
    # What the auditor's walk finds: avery reads the trail, and alice has a refusal in it.
    assert (
        authenticate(username="avery", password="partybus-demo")
        .groups.filter(name="auditor")
        .exists()
    )
    assert AuditEvent.objects.filter(actor_name="alice", outcome="refused").exists()

    call_command("seed_demo")
    assert _counts() == first
    assert AuditEvent.objects.count() == events


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Epic.objects.exists()
    call_command("seed_demo", "--force")
    assert Epic.objects.exists()
