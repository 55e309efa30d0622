"""Webhooks from outside: `POST /hooks/gitlab/` takes GitLab Tag Push events.

The hook checks GitLab's secret token in constant time, reads the event, queues the task
that records the release (workflow/tasks.py) and answers at once: GitLab wants an answer
within seconds, and the release is recorded in the background against the epic whose
repository matches (workflow/gitlab.py).
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal import broker
from workflow import gitlab
from workflow.tasks import record_gitlab_release

log = logging.getLogger(__name__)


def _answer(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def _token_matches(request) -> bool:
    given = request.headers.get("X-Gitlab-Token", "")
    return hmac.compare_digest(given.encode(), settings.GITLAB_WEBHOOK_SECRET.encode())


@csrf_exempt  # GitLab proves itself with its secret token, not with a session
@require_POST
def gitlab_hook(request):
    event_uuid = request.headers.get("X-Gitlab-Event-UUID", "")[:64]
    if not settings.GITLAB_WEBHOOK_SECRET:
        return _answer(403, "GitLab hooks are off here: GITLAB_WEBHOOK_SECRET is not set.")
    if not _token_matches(request):
        log.warning("GitLab hook refused: wrong or missing X-Gitlab-Token (event %s)", event_uuid)
        return _answer(401, "Wrong or missing X-Gitlab-Token.")
    try:
        push = gitlab.parse_tag_push(json.loads(request.body))
    except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested past reason
        return _answer(400, "The body is not JSON.")
    except gitlab.Malformed as problem:
        return _answer(400, str(problem))
    except gitlab.Ignored as reason:
        log.info("GitLab event %s ignored: %s", event_uuid, reason)
        return _answer(200, f"Ignored: {reason}")

    def queue():
        record_gitlab_release.delay_on_commit(
            project_urls=list(push.project_urls),
            tag=push.tag,
            project=push.project,
            pushed_by=push.pushed_by,
            checkout_sha=push.checkout_sha,
            event_uuid=event_uuid,
        )

    # Not taken (the broker down or frozen): GitLab shows the failure and resends, and a
    # second delivery of the same tag records nothing new.
    if not broker.taken(queue, f"GitLab tag {push.tag} of {push.project}", "GitLab resends"):
        log.error("GitLab tag %s of %s (event %s) not queued", push.tag, push.project, event_uuid)
        return _answer(503, "The release could not be queued now; resend the event later.")
    log.info("GitLab tag %s of %s queued (event %s)", push.tag, push.project, event_uuid)
    return _answer(
        202, f"Tag “{push.tag}” of {push.project} is queued to be recorded.", tag=push.tag
    )
