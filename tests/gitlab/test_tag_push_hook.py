"""`POST /hooks/gitlab/`: GitLab Tag Push events record releases of the epic whose
repository was tagged, in the background, once per tag; everything else records nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from epics.models import Epic, Release
from tests.factories import DocumentFactory, EpicFactory, ReleaseFactory
from workflow import gitlab, services
from workflow.models import AuditEvent
from workflow.selectors import history_of
from workflow.tasks import record_gitlab_release

HOOK = "/hooks/gitlab/"
SECRET = "gl-hook-secret-0f9a"
REPO = "https://gitlab.example.mil/alpha/payments"


@pytest.fixture(autouse=True)
def _hook_settings(settings):
    settings.GITLAB_WEBHOOK_SECRET = SECRET


@pytest.fixture
def prod_epic(team):
    """In production, with a verified CtF letter in force (gate ctf_in_force)."""
    epic = EpicFactory(
        team=team,
        title="Payments",
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now() - dt.timedelta(days=3),
        repository_url=REPO,
    )
    DocumentFactory(epic=epic)
    return epic


@pytest.fixture
def queued(monkeypatch):
    """What the hook queued, without running it."""
    calls = []
    monkeypatch.setattr(
        record_gitlab_release, "delay_on_commit", lambda **kwargs: calls.append(kwargs)
    )
    return calls


def tag_push(tag="v1.4.0", *, url=REPO, after="82b3d5ae55f7080f1e6022629cdb57bfae7cccc7"):
    """A Tag Push event body as GitLab documents it."""
    group, name = url.rsplit("/", 2)[-2:]
    return {
        "object_kind": "tag_push",
        "event_name": "tag_push",
        "before": "0" * 40,
        "after": after,
        "ref": f"refs/tags/{tag}",
        "ref_protected": True,
        "checkout_sha": after,
        "user_id": 1,
        "user_name": "John Smith",
        "user_username": "jsmith",
        "project_id": 17,
        "project": {
            "id": 17,
            "name": name,
            "web_url": url,
            "git_ssh_url": f"git@gitlab.example.mil:{group}/{name}.git",
            "git_http_url": f"{url}.git",
            "namespace": group,
            "path_with_namespace": f"{group}/{name}",
            "default_branch": "main",
            "homepage": url,
        },
        "commits": [],
        "total_commits_count": 0,
        "repository": {"name": name, "url": f"git@gitlab.example.mil:{group}/{name}.git"},
    }


def deliver(body, *, token=SECRET, event="Tag Push Hook", event_uuid=None, client=None):
    headers = {"X-Gitlab-Event": event, "X-Gitlab-Event-UUID": event_uuid or str(uuid.uuid4())}
    if token is not None:
        headers["X-Gitlab-Token"] = token
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return (client or Client()).post(
        HOOK, data=raw, content_type="application/json", headers=headers
    )


@pytest.fixture
def delivered(django_capture_on_commit_callbacks, in_process_tasks):
    """Deliver an event and run what it queued, in-process."""

    def run(body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(body, **kwargs)

    return run


# The secret ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong", SECRET + "x", SECRET[:-1], "é" + SECRET])
def test_a_wrong_or_missing_token_is_refused_and_nothing_is_queued(prod_epic, queued, token):
    response = deliver(tag_push(), token=token)

    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong or missing X-Gitlab-Token."
    assert queued == []
    assert not Release.objects.exists()


def test_without_a_secret_configured_every_delivery_is_refused(settings, prod_epic, queued):
    settings.GITLAB_WEBHOOK_SECRET = ""

    for token in ("", None, "anything"):
        response = deliver(tag_push(), token=token)
        assert response.status_code == 403, token
    assert queued == []


def test_the_token_is_compared_in_constant_time(prod_epic, queued, monkeypatch):
    compared = []
    real = __import__("hmac").compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("workflow.hooks.hmac.compare_digest", spy)
    deliver(tag_push(), token="guess")

    assert compared == [(b"guess", SECRET.encode())]


def test_only_post_is_taken(db):
    assert Client().get(HOOK).status_code == 405


def test_the_hook_needs_no_csrf_token_nor_session(prod_epic, queued):
    client = Client(enforce_csrf_checks=True)
    response = deliver(tag_push(), client=client)

    assert response.status_code == 202
    assert len(queued) == 1


# Recording -------------------------------------------------------------------------------


def test_answers_at_once_and_records_the_release_in_the_background(
    prod_epic, django_capture_on_commit_callbacks, in_process_tasks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = deliver(tag_push("v1.4.0"), event_uuid="e1d1c0de-0000-4000-8000-000000000001")

    assert response.status_code == 202
    assert response.json()["tag"] == "v1.4.0"
    assert not Release.objects.exists()  # queued, not done yet
    assert len(callbacks) == 1

    callbacks[0]()

    release = Release.objects.get()
    assert (release.epic, release.tag, release.source) == (prod_epic, "v1.4.0", "gitlab")
    assert release.created_by is None
    event = history_of(release).get()
    assert (event.action, event.outcome, event.actor_id) == ("create", "done", None)
    assert event.actor_name == "gitlab:jsmith"
    assert event.detail["event"] == "e1d1c0de-0000-4000-8000-000000000001"
    assert event.detail["project"] == "alpha/payments"


def test_the_queued_task_carries_only_what_it_needs(prod_epic, queued):
    deliver(tag_push("v2.0.0"), event_uuid="abc")

    assert queued == [
        {
            "project_urls": [REPO, f"{REPO}.git"],
            "tag": "v2.0.0",
            "project": "alpha/payments",
            "pushed_by": "jsmith",
            "checkout_sha": "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
            "event_uuid": "abc",
        }
    ]
    json.dumps(queued)  # the task's arguments travel as JSON


def test_a_repeated_delivery_records_nothing_new(prod_epic, delivered):
    event_uuid = str(uuid.uuid4())
    first = delivered(tag_push("v1.4.0"), event_uuid=event_uuid)
    events = AuditEvent.objects.count()
    again = delivered(tag_push("v1.4.0"), event_uuid=event_uuid)
    resent = delivered(tag_push("v1.4.0"))  # "Resend request" in GitLab: a new event id

    assert first.status_code == again.status_code == resent.status_code == 202
    assert Release.objects.filter(epic=prod_epic).count() == 1
    assert AuditEvent.objects.count() == events


def test_a_repeated_task_says_it_was_already_recorded(prod_epic, caplog):
    kwargs = {"project_urls": [REPO], "tag": "v3.0.0", "event_uuid": "ev-7"}
    assert record_gitlab_release.apply(kwargs=kwargs).get() == "recorded"
    with caplog.at_level(logging.INFO, logger="workflow.tasks"):
        assert record_gitlab_release.apply(kwargs=kwargs).get() == "already_recorded"

    assert Release.objects.count() == 1
    assert "ev-7" in caplog.text and "already recorded" in caplog.text


def test_a_tag_recorded_by_hand_is_not_recorded_again(prod_epic, delivered):
    ReleaseFactory(epic=prod_epic, tag="v1.4.0", source="portal")

    delivered(tag_push("v1.4.0"))

    assert list(Release.objects.values_list("tag", "source")) == [("v1.4.0", "portal")]


def test_an_epic_without_production_records_the_refusal_instead(team, delivered):
    epic = EpicFactory(
        team=team, title="Ledger", status=Epic.Status.PIPELINE_COMPLETE, repository_url=REPO
    )

    response = delivered(tag_push("v0.9.0"))

    assert response.status_code == 202
    assert not Release.objects.exists()
    refusal = history_of(epic).get()
    assert (refusal.action, refusal.outcome) == ("record_release", "refused")
    assert refusal.actor_name == "gitlab:jsmith"
    assert refusal.detail["unmet"] == ["epic_has_production"]
    assert "v0.9.0" in refusal.reason and "no completed production deployment" in refusal.reason
    assert refusal.from_status == Epic.Status.PIPELINE_COMPLETE


def test_the_refusal_shows_on_the_epics_page(team, delivered, member, client):
    from tests.portal.pages import sign_in, text_of

    epic = EpicFactory(team=team, title="Ledger", repository_url=REPO)
    delivered(tag_push("v0.9.0"))

    page = text_of(sign_in(client, member).get(f"/epics/{epic.pk}/"))

    assert "gitlab:jsmith" in page and "v0.9.0" in page


def test_an_overlong_tag_is_refused_and_audited(prod_epic, delivered):
    delivered(tag_push("v" + "1" * 200))

    assert not Release.objects.exists()
    refusal = history_of(prod_epic).get()
    assert refusal.outcome == "refused" and refusal.detail["fields"] == ["tag"]


# What records nothing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "event, body",
    [
        ("Push Hook", {"object_kind": "push", "ref": "refs/heads/main", "project": {}}),
        ("Merge Request Hook", {"object_kind": "merge_request", "project": {"web_url": REPO}}),
        ("Pipeline Hook", {"object_kind": "pipeline"}),
        ("System Hook", {"event_name": "project_create"}),
    ],
)
def test_other_events_are_ignored(prod_epic, queued, event, body):
    response = deliver(body, event=event)

    assert response.status_code == 200
    assert response.json()["detail"].startswith("Ignored")
    assert queued == []


def test_a_deleted_tag_is_ignored(prod_epic, queued):
    response = deliver(tag_push("v1.0.0", after="0" * 40))

    assert response.status_code == 200
    assert "deleted" in response.json()["detail"]
    assert queued == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        b"\xff\xfe",
        "[" * 100_000,
        "[1, 2]",
        json.dumps({**tag_push(), "ref": "refs/heads/main"}),
        json.dumps({**tag_push(), "ref": "refs/tags/"}),
        json.dumps({**tag_push(), "ref": None}),
        json.dumps({**tag_push(), "project": None}),
        json.dumps({**tag_push(), "project": {"web_url": 7}}),
    ],
)
def test_a_malformed_body_is_a_400_and_queues_nothing(prod_epic, queued, body):
    response = deliver(body)

    assert response.status_code == 400
    assert response.json()["detail"]
    assert queued == []


def test_an_unknown_repository_records_nothing_and_says_so_in_the_log(prod_epic, delivered, caplog):
    with caplog.at_level(logging.WARNING, logger="workflow.tasks"):
        response = delivered(tag_push("v1.0.0", url="https://gitlab.example.mil/zulu/other"))

    assert response.status_code == 202
    assert not Release.objects.exists()
    assert not AuditEvent.objects.exists()
    assert "zulu/other" in caplog.text and "no epic has this repository" in caplog.text


def test_a_broker_that_is_down_answers_503_so_gitlab_can_resend(prod_epic, monkeypatch):
    from kombu.exceptions import OperationalError

    def down(**kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(record_gitlab_release, "delay_on_commit", down)

    assert deliver(tag_push()).status_code == 503


# Which epic -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stored",
    [
        REPO,
        REPO + "/",
        REPO + ".git",
        "http://gitlab.example.mil/alpha/payments",
        "https://GitLab.example.mil/Alpha/Payments",
    ],
)
def test_the_repository_matches_however_it_is_spelled(team, stored):
    epic = EpicFactory(team=team, repository_url=stored)

    assert gitlab.epic_for_repository([REPO]) == epic
    assert gitlab.epic_for_repository([f"{REPO}.git"]) == epic


def test_no_epic_matches_another_project_or_none(team):
    EpicFactory(team=team, repository_url=REPO)
    EpicFactory(team=team)  # no repository

    assert gitlab.epic_for_repository([REPO + "-old"]) is None
    assert gitlab.epic_for_repository(["https://gitlab.example.mil/alpha"]) is None
    assert gitlab.epic_for_repository([]) is None
    assert gitlab.epic_for_repository([""]) is None


def test_two_epics_cannot_share_a_repository(team):
    from django.db import IntegrityError, transaction

    EpicFactory(team=team, repository_url=REPO)
    with pytest.raises(IntegrityError), transaction.atomic():
        EpicFactory(team=team, repository_url=REPO.upper())
    EpicFactory(team=team)  # but any number have none
    EpicFactory(team=team)


# Two deliveries at once ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_racing_record_one_release(team):
    epic = EpicFactory(
        team=team,
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now(),
        repository_url=REPO,
    )
    DocumentFactory(epic=epic)
    barrier = threading.Barrier(4)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(
                services.release_record_from_gitlab(
                    epic=Epic.objects.get(pk=epic.pk), tag="v5.0.0"
                )[1]
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results, key=str) == [False, False, False, True]
    assert Release.objects.filter(epic=epic).count() == 1


def test_two_epics_claiming_one_repository_record_nothing(team, caplog):
    EpicFactory(team=team, repository_url=REPO)
    EpicFactory(team=team, repository_url=REPO + "/")  # spelled apart, the same project

    with caplog.at_level(logging.ERROR, logger="workflow.gitlab"):
        assert gitlab.epic_for_repository([REPO]) is None
    assert "share the repository" in caplog.text
