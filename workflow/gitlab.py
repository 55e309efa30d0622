"""GitLab tag pushes: what a Tag Push event says, and which epic's repository it names.

The hook (workflow/hooks.py) parses the event and queues the task (workflow/tasks.py), which
finds the epic by its `repository_url` and records the release through
`services.release_record_from_gitlab`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from epics.models import Epic
from workflow.text import NO_NUL, line_problem, nul_problem

log = logging.getLogger(__name__)

TAG_PREFIX = "refs/tags/"
WEB = ("http", "https")
# `after` of a push that deleted the tag.
ZERO_SHA = "0" * 40


class Ignored(Exception):
    """A well-formed event that records nothing (another kind of event, a deleted tag)."""


class Malformed(Exception):
    """Not the Tag Push event GitLab documents."""


@dataclass(frozen=True)
class TagPush:
    tag: str
    project: str  # group/app, for the logs and the audit trail
    project_urls: tuple[str, ...]
    pushed_by: str
    checkout_sha: str


def _text(value) -> str:
    """A text of the event, stripped; a NUL in it is malformed (workflow/text.py)."""
    if nul_problem(value):
        raise Malformed(f"The event's text holds a NUL character: {NO_NUL}")
    return value.strip() if isinstance(value, str) else ""


def parse_tag_push(payload) -> TagPush:
    """The tag push in a GitLab webhook body; `Ignored` or `Malformed` otherwise."""
    if not isinstance(payload, dict):
        raise Malformed("The body is not a JSON object.")
    kind = payload.get("object_kind")
    if kind != "tag_push":
        raise Ignored(f"Only Tag Push events record releases, not “{kind}”.")
    ref = _text(payload.get("ref"))
    if not ref.startswith(TAG_PREFIX) or not ref.removeprefix(TAG_PREFIX):
        raise Malformed("A Tag Push event names its tag as ref “refs/tags/<tag>”.")
    tag = ref.removeprefix(TAG_PREFIX)
    if problem := line_problem(tag):
        raise Malformed(f"The tag name: {problem}")
    if _text(payload.get("after")) == ZERO_SHA:
        raise Ignored(f"Tag “{tag}” was deleted: nothing to record.")
    project = payload.get("project")
    project = project if isinstance(project, dict) else {}
    repository = payload.get("repository")
    repository = repository if isinstance(repository, dict) else {}
    urls = [
        _text(source.get(key))
        for source in (project, repository)
        for key in ("web_url", "git_http_url", "homepage")
    ]
    urls = tuple(dict.fromkeys(url for url in urls if url))
    if not urls:
        raise Malformed("The event names no project address (project.web_url).")
    return TagPush(
        tag=tag,
        project=_text(project.get("path_with_namespace")) or urls[0],
        project_urls=urls,
        pushed_by=_text(payload.get("user_username")),
        checkout_sha=_text(payload.get("checkout_sha") or payload.get("after")),
    )


def normalize_repository_url(url: str) -> str:
    """One spelling per project: no trailing slash, no `.git`."""
    url = (url or "").strip().rstrip("/")
    return url.removesuffix(".git").rstrip("/")


def _spellings(url: str) -> set[str]:
    """How an address may be stored: http or https, with or without `/` or `.git`."""
    url = normalize_repository_url(url)
    if not url:
        return set()
    scheme, sep, rest = url.partition("://")
    bases = {f"http://{rest}", f"https://{rest}"} if sep and scheme.lower() in WEB else {url}
    return {base + suffix for base in bases for suffix in ("", "/", ".git", ".git/")}


def epic_for_repository(urls) -> Epic | None:
    """The epic whose repository is one of the project's addresses, however it was spelled
    (any case). None when no epic has it, or, should two have it, rather than guess."""
    spellings = {spelling for url in urls for spelling in _spellings(url)}
    if not spellings:
        return None
    match = reduce(or_, (Q(repository_url__iexact=spelling) for spelling in sorted(spellings)))
    epics = list(Epic.objects.filter(match).select_related("team")[:2])
    if len(epics) > 1:
        log.error("Epics %s share the repository %s: no release recorded", epics, urls[0])
        return None
    return epics[0] if epics else None
