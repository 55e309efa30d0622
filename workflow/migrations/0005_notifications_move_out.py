"""The notifications' models moved to the notifications app: their tables stay, under the
same names; only Django's idea of which app owns them changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflow", "0004_notifications")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EmailOptOut"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Webhook"),
            ],
            database_operations=[],
        )
    ]
