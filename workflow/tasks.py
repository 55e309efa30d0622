"""Celery tasks of the workflow: recording a release from a GitLab tag push, and the clock
that ends Classified Ops access.

Tasks take ids or plain values, re-read rows and do nothing when the work is done already;
a duplicate (a redelivered message) is harmless by construction. The notifications' tasks
are in notifications/tasks.py and notifications/reminders.py.
"""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=45)
def record_gitlab_release(
    *,
    project_urls: list[str],
    tag: str,
    project: str = "",
    pushed_by: str = "",
    checkout_sha: str = "",
    event_uuid: str = "",
) -> str:
    """Record a tag pushed to GitLab (workflow/hooks.py) against the epic whose repository
    it is. Safe to run twice: a tag already recorded records nothing; a refusal (the epic
    has no production yet) is in the audit trail, not an error."""
    from workflow import gitlab, services
    from workflow.errors import Refusal

    epic = gitlab.epic_for_repository(project_urls)
    if epic is None:
        log.warning(
            "GitLab tag %s of %s (event %s): no epic has this repository; ignored",
            tag,
            project,
            event_uuid,
        )
        return "unknown_repository"
    try:
        release, created = services.release_record_from_gitlab(
            epic=epic,
            tag=tag,
            pushed_by=pushed_by,
            detail={"project": project, "sha": checkout_sha, "event": event_uuid},
        )
    except Refusal as refusal:
        log.info(
            "GitLab tag %s of epic %s (event %s) refused: %s", tag, epic.pk, event_uuid, refusal
        )
        return "refused"
    if not created:
        log.info(
            "GitLab tag %s of epic %s (event %s) was already recorded as release %s",
            tag,
            epic.pk,
            event_uuid,
            release.pk,
        )
        return "already_recorded"
    return "recorded"


@shared_task(acks_late=True, time_limit=300)
def expire_classified_access() -> dict[str, int]:
    """Celery beat, hourly: approvals past their last day become Expired (audited by
    `system`), and each requester whose access ends within 14 days is told, once. Running it
    twice does nothing more: what is expired or told is not again."""
    from workflow import services

    return services.access_requests_expire()
