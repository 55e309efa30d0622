"""Chain the events recorded before the chain existed, in id order, then let the database
refuse UPDATE and DELETE on SQLite too (PostgreSQL's trigger, from 0003, is lifted only
while the backfill writes the hashes), and give PostgreSQL the chain head's function."""

from django.db import migrations

from workflow import chain
from workflow.append_only import PG_CHAIN_HEAD, PG_CHAIN_HEAD_DROP, SQLITE_CREATE, SQLITE_DROP

PG_TRIGGER = "workflow_auditevent_append_only"


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("workflow", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE workflow_auditevent DISABLE TRIGGER {PG_TRIGGER}")
    labels = {ct.pk: chain.type_label(ct) for ct in ContentType.objects.all()}
    previous, batch = "", []
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        chain.seal(event, labels[event.content_type_id], previous)
        previous = event.hash
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["hash", "previous_hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["hash", "previous_hash"])
    if postgres:
        schema_editor.execute(f"ALTER TABLE workflow_auditevent ENABLE TRIGGER {PG_TRIGGER}")
        schema_editor.execute(PG_CHAIN_HEAD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_CHAIN_HEAD_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0006_audit_chain"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
