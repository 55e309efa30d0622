"""A request never waits on the broker: a publish gets one bounded attempt.

A stopped Redis makes kombu retry its connection for seconds, a frozen one holds the socket
until its timeout; either would hold the person's request (or GitLab's) that long. The
publish runs in a thread joined for `NOTIFICATION_PUBLISH_TIMEOUT` seconds (0.5 s): what it
has not done by then is left to whoever tries again (the sweeper, GitLab's resend).
"""

from __future__ import annotations

import contextvars
import logging
import threading

from celery import current_app
from django.conf import settings

log = logging.getLogger(__name__)


def taken(publish, what: str, then: str) -> bool:
    """Run `publish()` for at most the publish timeout: True when the broker took it. A
    publish still running afterwards may yet succeed, so what it queues must be idempotent.
    `what` and `then` (who tries again) go into the log. In-process (the embedded default,
    tasks eager) the publish runs the task now, in this request."""
    done = threading.Event()

    def run():
        try:
            publish()
        except Exception:  # broker unreachable, or refused
            log.warning("%s not queued now; %s", what, then, exc_info=True)
        else:
            done.set()

    if current_app.conf.task_always_eager:
        run()
        return done.is_set()
    # The thread runs in a copy of this context: the request's id goes with the message.
    sender = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True)
    sender.start()
    sender.join(settings.NOTIFICATION_PUBLISH_TIMEOUT)
    if sender.is_alive():
        log.warning("The broker did not take %s in time; %s", what, then)
    return done.is_set()
