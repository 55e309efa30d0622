"""Indexes for reading the audit trail at a million events (workflow/audit_query.py): its
page and export order by time (created_at, then id; created_at has its own index), alone or
behind a filter (who, who and the outcome, the action, the outcome, the object type), so
each page is one short index scan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workflow", "0009_access_expiry")]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_name", "created_at", "id"], name="audit_actor_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["actor_name", "outcome", "created_at", "id"], name="audit_actor_outcome_at"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "created_at", "id"], name="audit_action_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["outcome", "created_at", "id"], name="audit_outcome_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["content_type", "created_at", "id"], name="audit_type_at"),
        ),
    ]
