import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from epics.models import Document, Epic, Story
from requests_app.models import Comment, Ticket
from workflow import forecast
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


def test_the_demo_tells_a_season_through_the_services(settings):
    """About 120 days of history behind today, made with the clock moved back (API.md)."""
    settings.DEBUG = True
    call_command("seed_demo")
    now = timezone.now()
    today = timezone.localdate(now)
    done = AuditEvent.objects.filter(content_type__model="ticket", to_status="done")
    finished_at = sorted(done.values_list("created_at", flat=True))
    assert len(finished_at) >= 20
    assert finished_at[-1] - finished_at[0] >= dt.timedelta(days=90)
    first = AuditEvent.objects.earliest("created_at").created_at
    assert dt.timedelta(days=110) <= now - first <= dt.timedelta(days=130)
    assert AuditEvent.objects.filter(created_at__gt=now).count() == 0

    # Nothing has been where it is for only the minutes the seeding took.
    recent = now - dt.timedelta(hours=1)
    assert not Ticket.objects.filter(status_changed_at__gt=recent).exists()
    assert not Epic.objects.filter(status_changed_at__gt=recent).exists()

    # CtF letters in every state of their life.
    letters = Document.objects.filter(kind=Document.Kind.CTF_LETTER)
    assert letters.filter(status=Document.Status.UPLOADED).exists()
    assert letters.filter(status=Document.Status.REJECTED).exists()
    assert letters.filter(superseded_by__isnull=False).exists()
    in_force = letters.filter(status=Document.Status.VERIFIED, superseded_by__isnull=True)
    assert in_force.filter(renewal_due_since__isnull=False, expires_on__gt=today).exists()
    assert in_force.filter(
        expires_on__gt=today, expires_on__lte=today + dt.timedelta(days=30)
    ).exists()
    assert in_force.filter(expires_on__lte=today, epic__production_at__isnull=False).exists()

    # Needs Info: a question waiting for its answer, and answered ones, as comments.
    waiting = Ticket.objects.get(status=Ticket.Status.NEEDS_INFO)
    assert waiting.team.name == "Team Alpha"
    assert waiting.comments.filter(author__username="pat").exists()
    assert AuditEvent.objects.filter(action="provide_info", outcome="done").count() >= 10
    assert Comment.objects.filter(internal=True).exists()

    # The forecasts have enough history to say something for open requests.
    open_tickets = Ticket.objects.filter(status__in=forecast.OPEN)
    forecasts = forecast.forecasts(open_tickets)
    assert forecasts[waiting.pk] is not None
    assert sum(1 for f in forecasts.values() if f) >= 3

