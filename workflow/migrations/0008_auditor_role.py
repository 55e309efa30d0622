"""The `auditor` role of WORKFLOWS.md: assessors and ISSMs, who read everything and change
nothing."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="auditor")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0007_audit_chain_backfill")]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
