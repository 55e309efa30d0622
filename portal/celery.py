"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app's
`tasks` module (and `notifications.reminders`, the beat's time-driven notifications)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The beat's time-driven notifications live beside the delivery tasks.
app.autodiscover_tasks(related_name="reminders")

# The broker in files (`make run`) needs its folders before anyone publishes or consumes.
for _option in ("data_folder_in", "control_folder"):
    if _folder := app.conf.broker_transport_options.get(_option):
        Path(_folder).mkdir(parents=True, exist_ok=True)
