"""The trail is tamper-evident: one hash chain over every event in id order, checked by
`manage.py audit_verify`, unforked by concurrent writers, on SQLite as on PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from tests.factories import TeamFactory
from tests.workflow.test_concurrency import race
from workflow import audit, chain, services
from workflow.errors import NotPermitted
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def trail(pm, member, team):
    """A few events: actions by a PM, a refusal of a member's, a read with a detail."""
    services.team_update(by=pm, team=team, funded=True)
    with pytest.raises(NotPermitted):
        services.team_update(by=member, team=team, funded=False)
    services.epic_create(by=pm, team=team, title="Payments — ünïcode")
    return list(AuditEvent.objects.order_by("id"))


def test_each_event_carries_the_previous_hash(trail):
    assert trail[0].previous_hash == ""
    for before, after in zip(trail, trail[1:], strict=False):
        assert after.previous_hash == before.hash
    assert len({event.hash for event in trail}) == len(trail)
    assert all(len(event.hash) == 64 for event in trail)


def test_audit_verify_counts_an_intact_chain(trail):
    assert verify() == f"{len(trail)} events, chain intact; head {trail[-1].hash}\n"


def tamper(sql: str, params) -> None:
    """What someone with the database's keys could do: lift the trigger, rewrite a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: may ALTER
            cursor.execute("ALTER TABLE workflow_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER workflow_auditevent_no_update")
            cursor.execute("DROP TRIGGER workflow_auditevent_no_delete")
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("sql", "broken"),
    [
        ("UPDATE workflow_auditevent SET reason = 'nothing to see' WHERE id = %s", 1),
        ("UPDATE workflow_auditevent SET outcome = 'done' WHERE id = %s", 1),
        ("UPDATE workflow_auditevent SET created_at = created_at WHERE id = %s AND 1 = 0", None),
        ("DELETE FROM workflow_auditevent WHERE id = %s", 2),
    ],
    ids=["reason rewritten", "refusal turned into success", "untouched", "event deleted"],
)
def test_audit_verify_names_the_first_broken_event(trail, sql, broken):
    tamper(sql, [trail[1].pk])
    if broken is None:
        assert "chain intact" in verify()
        return
    with pytest.raises(CommandError, match=f"^first broken event: {trail[broken].pk}$") as exc:
        verify()
    assert exc.value.returncode == 1


def test_a_rehashed_forgery_still_breaks_the_next_link(trail):
    """Rewriting an event and its own hash is not enough: the next event names the old one."""
    forged = trail[1]
    forged.reason = "nothing to see"
    label = chain.type_label(forged.content_type)
    new_hash = chain.digest(chain.content_of(forged, label), forged.previous_hash)
    tamper(
        "UPDATE workflow_auditevent SET reason = %s, hash = %s WHERE id = %s",
        [forged.reason, new_hash, forged.pk],
    )
    with pytest.raises(CommandError, match=f"first broken event: {trail[2].pk}$"):
        verify()


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_keeps_the_triggers(pm, team):
    """Test teardown flushes the tables; the triggers must be back afterwards."""
    services.team_update(by=pm, team=team, funded=True)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    audit.record(by=audit.SYSTEM, obj=TeamFactory(), action="update")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflow_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Eight writers at once, each appending in its own transactions, some two events in one:
    one chain, every event on it, nothing lost."""
    teams = [TeamFactory(name=f"Team {i}") for i in range(8)]

    def write(team):
        for round_ in range(5):
            with transaction.atomic():
                audit.record(by=audit.SYSTEM, obj=team, action="update", detail={"round": round_})
                if round_ % 2:
                    audit.record(by=audit.SYSTEM, obj=team, action="open")
        return team.pk

    results = race([lambda team=team: write(team) for team in teams])
    assert results == [team.pk for team in teams]
    assert AuditEvent.objects.count() == 8 * (5 + 2)
    assert verify().startswith(f"{8 * 7} events, chain intact")
