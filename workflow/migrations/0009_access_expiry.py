"""Access that expires: approvals given before it existed run 90 days from their decision."""

import datetime as dt

import django_fsm
from django.db import migrations, models


def give_approvals_an_end(apps, schema_editor):
    AccessRequest = apps.get_model("workflow", "AccessRequest")
    for access in AccessRequest.objects.filter(status="approved", expires_on=None):
        decided = access.decided_at or access.created_at
        access.expires_on = decided.date() + dt.timedelta(days=90)
        access.save(update_fields=["expires_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0008_auditor_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessrequest",
            name="expires_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="accessrequest",
            name="reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="accessrequest",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="accessrequest",
            name="status",
            field=django_fsm.FSMField(
                choices=[
                    ("pending", "Pending"),
                    ("approved", "Approved"),
                    ("denied", "Denied"),
                    ("expired", "Expired"),
                    ("revoked", "Revoked"),
                ],
                default="pending",
                max_length=50,
                protected=True,
            ),
        ),
        migrations.RunPython(give_approvals_an_end, migrations.RunPython.noop),
    ]
