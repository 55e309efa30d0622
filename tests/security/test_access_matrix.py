"""The access matrix: every page and endpoint × every role × an object of the member's own
team and of a team nobody here belongs to, with the status each must answer.

The URLs come from the URL resolver: a page added without an entry here fails
`test_every_url_has_an_entry`, so none is forgotten. What a role may not see answers 404
(never 403), what its role may not do 403, anonymous pages send to sign-in (302) and the API
answers 401. Pages are GET; a POST-only page answers GET with 405 and is also POSTed.

The boards (`boards/`) and insights (`insights/`) entries are marked BOARDS and INSIGHTS,
the operations endpoints (`/healthz`, `/readyz`, `/metrics`, SSO) OPS: they are other
people's work in progress, checked here as they stand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import digest, issue
from epics.models import Document, Epic, Story
from notifications.models import Notification
from portal.middleware import CONSENT_SESSION_KEY
from requests_app.models import RequestType, Ticket
from tests.factories import (
    AccessRequestFactory,
    DocumentFactory,
    EpicFactory,
    ReleaseFactory,
    StoryFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.portal.pages import sign_in
from workflow.audit import record
from workflow.models import AccessRequest, AuditEvent
from workflow.permissions import AUDITOR, CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

ANON, MEMBER, OUTSIDER = "anonymous", "member", "outsider"
PM, DEVOPS_, CYBER_, CLASSIFIED_, ROOT = "pm", "devops", "cyber", "classified", "superuser"
AUDITOR_ = "auditor"
ROLES = (ANON, MEMBER, OUTSIDER, PM, DEVOPS_, CYBER_, CLASSIFIED_, AUDITOR_, ROOT)
STAFF = {PM, DEVOPS_, CYBER_, CLASSIFIED_, ROOT}  # see every team's work and work it
READERS = STAFF | {AUDITOR_}  # see every team's work (auditors only read it)
TRAIL_READERS = {AUDITOR_, ROOT}  # the whole audit trail, its page and its export
OWN, OTHER = "own", "other"  # Team Alpha's object (the member's team), Team Charlie's

Rule = Callable[[str, str], int]


def sees(role: str, scope: str) -> bool:
    """WORKFLOWS.md: team members see their teams' work, staff roles and auditors every
    team's."""
    return role in READERS or (role == MEMBER and scope == OWN)


# Rules: what a role gets, given the object's scope ----------------------------------------------


def page(code: int = 200) -> Rule:
    """A signed-in page without an object."""
    return lambda role, scope: 302 if role == ANON else code


def object_page(code: int = 200) -> Rule:
    return lambda role, scope: 302 if role == ANON else (code if sees(role, scope) else 404)


def roles_page(allowed: set[str], code: int = 200, refused: int = 403) -> Rule:
    return lambda role, scope: 302 if role == ANON else (code if role in allowed else refused)


def public(code: int = 200) -> Rule:
    return lambda role, scope: code


def api(code: int = 200) -> Rule:
    return lambda role, scope: 401 if role == ANON else code


def api_object(code: int | Rule = 200) -> Rule:
    def rule(role, scope):
        if role == ANON:
            return 401
        if not sees(role, scope):
            return 404
        return code(role, scope) if callable(code) else code

    return rule


def may(roles: set[str], code: int = 200, refused: int = 403) -> Rule:
    return lambda role, scope: code if role in roles else refused


CLASSIFIED_ACCESS = {CLASSIFIED_, ROOT}  # classified_ops (the superuser holds every role)
PMS = {PM, ROOT}
REVIEWERS = {PM, CYBER_, ROOT}  # verify or reject documents


def _decision(role: str, scope: str, code: int) -> int:
    if role == ANON:
        return 302
    if not sees(role, scope):
        return 404
    return code if role in REVIEWERS else 403


@dataclass(frozen=True)
class Entry:
    obj: str | None = None  # what the URL names: ticket, epic, team, …
    get: Rule | None = None
    post: Rule | None = None
    kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    scoped: bool = True  # does the object's team matter?
    group: str = "portal"


def post_only(obj=None, post: Rule = None, **kwargs) -> Entry:
    """A POST-only page: GET answers 405 once signed in."""
    return Entry(obj=obj, get=page(405), post=post, **kwargs)


def form_of(obj: str, post: Rule) -> Entry:
    """A form's POST address whose GET (a reload after a refusal) goes to the page the form
    lives on: 302 where the object is seen, 404 where not."""
    return Entry(obj=obj, get=object_page(302), post=post)


# The matrix ---------------------------------------------------------------------------------

ENTRIES: dict[str, Entry] = {
    # The portal's own pages.
    "home": Entry(get=page(), scoped=False),
    "consent": Entry(get=public(), scoped=False),
    "login": Entry(get=lambda role, scope: 200 if role == ANON else 302, scoped=False),
    "logout": Entry(get=public(405), post=public(302), scoped=False),
    "classified_access": Entry(get=page(), scoped=False),
    # Requests.
    "ticket_new": Entry(get=page(), scoped=False),
    "ticket_detail": Entry(obj="ticket", get=object_page()),
    # Withdrawing answers with the request page (the refusal is a message on it).
    "ticket_withdraw": post_only("ticket", object_page(302)),
    # The conversation: a refusal (an empty comment, a role's refusal) goes back to the page.
    "ticket_comment": post_only("ticket", object_page(302)),
    "ticket_ask_for_info": post_only("ticket", object_page(302)),
    "ticket_provide_info": post_only("ticket", object_page(302)),
    "ticket_attachment": Entry(
        obj="ticket", get=object_page(404), kwargs={"attachment": 999_999}
    ),
    "team_requests": Entry(obj="team", get=object_page()),
    # Epics and documents.
    "epic_detail": Entry(obj="epic", get=object_page()),
    # An empty upload form: 400 where the epic is seen.
    "document_upload": form_of("epic", object_page(400)),
    # An empty tag: 400 for the team's member; 403 for those who see it but may not record.
    "release_create": form_of(
        "epic",
        lambda role, scope: (
            302
            if role == ANON
            else (404 if not sees(role, scope) else 400 if role == MEMBER else 403)
        ),
    ),
    "document_download": Entry(obj="document", get=object_page()),
    # Verifying a new-CtF epic's cyber compliance (the matrix's epic needs it): MDO PMs and
    # Cyber, back to the epic; the others who see the epic are refused (403) on its page.
    "epic_verify_cyber": form_of("epic", lambda role, scope: _decision(role, scope, 302)),
    # Documents to verify: MDO PMs and Cyber (the superuser holds every role); others 403.
    "documents_to_verify": Entry(get=roles_page(REVIEWERS), scoped=False),
    # Verified, and back to the epic, by those who verify; an empty reason is 400; the others
    # who see the document are refused (403) on the epic page.
    "document_verify": form_of("document", lambda role, scope: _decision(role, scope, 302)),
    "document_reject": form_of("document", lambda role, scope: _decision(role, scope, 400)),
    # Notifications: `own` is the caller's, `other` someone else's.
    "notifications": Entry(get=page(), scoped=False),
    "notification_bell": Entry(get=page(), scoped=False),
    "notifications_read_all": post_only(post=page(302), scoped=False),
    "notification_read": post_only(
        "notification",
        lambda role, scope: 302 if role == ANON else (302 if scope == OWN else 404),
    ),
    "notification_preferences": Entry(get=page(), scoped=False),
    "notifications_undelivered": Entry(get=roles_page(PMS), scoped=False),
    # Only in development with the mailbox as the backend (a 404 here, where the tests send
    # mail to memory); who sees it there: tests/notifications/test_mailbox.py.
    "dev_mailbox": Entry(get=lambda role, scope: 302 if role == ANON else 404, scoped=False),
    # CSV exports, of one team.
    "export_tickets": Entry(obj="team_query", get=object_page()),
    "export_epics": Entry(obj="team_query", get=object_page()),
    # GitLab: its own secret (set in the test), no session.
    "gitlab_hook": Entry(get=public(405), post=public(401), scoped=False),
    # OPS (another engineer's): probes and metrics answer everyone (from the loopback address).
    "healthz": Entry(get=public(), scoped=False, group="ops"),
    "readyz": Entry(get=lambda role, scope: 200, scoped=False, group="ops"),
    "metrics": Entry(get=public(), scoped=False, group="ops"),
    "oidc_authentication_init": Entry(get=public(404), scoped=False, group="ops"),
    "oidc_authentication_callback": Entry(get=public(404), scoped=False, group="ops"),
    # BOARDS ---------------------------------------------------------------------------------
    "boards": Entry(get=page(302), scoped=False, group="boards"),
    "board_triage": Entry(get=roles_page(PMS), scoped=False, group="boards"),
    "board_triage_ticket": post_only("ticket", roles_page(PMS, 302), group="boards"),
    "board_reject_ticket": post_only("ticket", roles_page(PMS, 302), group="boards"),
    # Staff and auditors read the board; moving a card is for those whose role may.
    "board_epics": Entry(get=roles_page(READERS), scoped=False, group="boards"),
    "board_epics_live": Entry(get=roles_page(READERS), scoped=False, group="boards"),
    "board_epic_column": Entry(
        get=roles_page(READERS), kwargs={"status": "new"}, scoped=False, group="boards"
    ),
    "board_epic_card": Entry(obj="epic", get=roles_page(READERS), group="boards"),
    # An empty move (no column to drop on) is a conflict, shown on the card's page.
    "board_epic_move": post_only("epic", roles_page(READERS, 409), group="boards"),
    # Done, and back to the board, for those who verify; refused (403) for other staff.
    "board_epic_verify_cyber": post_only(
        "epic",
        lambda role, scope: 302 if role == ANON else 302 if role in {PM, CYBER_, ROOT} else 403,
        group="boards",
    ),
    "board_my_work": Entry(
        get=roles_page({DEVOPS_, CLASSIFIED_, ROOT}), scoped=False, group="boards"
    ),
    "board_story_act": post_only(
        "story", object_page(302), kwargs={"action": "pick_up"}, group="boards"
    ),
    "board_classified": Entry(get=roles_page(CLASSIFIED_ACCESS), scoped=False, group="boards"),
    "board_classified_live": Entry(get=roles_page(CLASSIFIED_ACCESS), scoped=False, group="boards"),
    "board_classified_column": Entry(
        get=roles_page(CLASSIFIED_ACCESS),
        kwargs={"status": "to_do"},
        scoped=False,
        group="boards",
    ),
    "board_story_card": Entry(
        obj="classified_story", get=roles_page(CLASSIFIED_ACCESS), group="boards"
    ),
    "board_story_move": post_only(
        "classified_story", roles_page(CLASSIFIED_ACCESS, 409), group="boards"
    ),
    "board_open_classified": post_only(
        "il6_ticket", roles_page(CLASSIFIED_ACCESS, 302), group="boards"
    ),
    "board_access_requests": Entry(get=roles_page(CLASSIFIED_ACCESS), scoped=False, group="boards"),
    # `own` is the caller's request, `other` someone else's (seen by Classified Ops only).
    "board_access_decide": post_only(
        "access_request",
        roles_page(CLASSIFIED_ACCESS, 302),
        kwargs={"decision": "approve"},
        group="boards",
    ),
    # The audit trail: its page and its export, for auditors (and the superuser).
    "audit_trail": Entry(get=roles_page(TRAIL_READERS), scoped=False),
    "audit_export": Entry(get=roles_page(TRAIL_READERS), query={"format": "csv"}, scoped=False),
    # Closure days: MDO PMs record them (an empty form is 400); everyone else 403.
    "closure_days": Entry(get=roles_page(PMS), post=roles_page(PMS, 400), scoped=False),
    # INSIGHTS -------------------------------------------------------------------------------
    "insights:dashboard": Entry(get=page(), scoped=False, group="insights"),
    "insights:team_dashboard": Entry(obj="team", get=object_page(), group="insights"),
    "insights:workflows": Entry(get=page(), scoped=False, group="insights"),
    # The API ----------------------------------------------------------------------------------
    "api:api-root": Entry(get=api(), scoped=False, group="api"),
    "api:schema": Entry(get=public(), scoped=False, group="api"),
    "api:docs": Entry(get=public(), scoped=False, group="api"),
    # Whatever names no endpoint is a JSON 404 (401 first for who is not signed in).
    "api:not_found": Entry(
        get=api(404), post=api(404), kwargs={"address": "nothing/"}, scoped=False, group="api"
    ),
    "api:token": Entry(get=public(405), post=public(400), scoped=False, group="api"),
    "api:document-file": Entry(obj="document", get=api_object(), group="api"),
    # An empty comment is malformed (400) for whoever sees the ticket.
    "api:ticket-comments": Entry(obj="ticket", get=api_object(), post=api_object(400), group="api"),
    "api:ticket-attachment": Entry(
        obj="ticket", get=api_object(404), kwargs={"attachment": 999_999}, group="api"
    ),
    "api:audit-event-list": Entry(
        get=lambda role, scope: 401 if role == ANON else 200 if role in TRAIL_READERS else 403,
        scoped=False,
        group="api",
    ),
}

# Each resource's list, detail, history and a transition (what the caller's role may do).
API_RESOURCES = {
    "team": ("team", None),
    "epic": ("epic", ("verify_cyber_compliance", may({PM, CYBER_, ROOT}))),
    "document": ("document", ("verify", may({PM, CYBER_, ROOT}))),
    "ticket": ("ticket", ("triage", may(PMS))),
    "story": ("story", ("pick_up", may({DEVOPS_, ROOT}))),
    "release": ("release", None),
    "access-request": ("access_request", ("approve", None)),
}
for resource, (obj, transition) in API_RESOURCES.items():
    ENTRIES[f"api:{resource}-list"] = Entry(get=api(), scoped=False, group="api")
    ENTRIES[f"api:{resource}-detail"] = Entry(obj=obj, get=api_object(), group="api")
    ENTRIES[f"api:{resource}-history"] = Entry(obj=obj, get=api_object(), group="api")
    name, rule = transition or ("triage", None)
    if transition is None:  # no transitions: every name is unknown (404), like an unseen one
        rule = lambda role, scope: 401 if role == ANON else 404  # noqa: E731
    else:
        rule = api_object(rule) if rule else None
    ENTRIES[f"api:{resource}-transition"] = Entry(
        obj=obj, get=api(405), post=rule, kwargs={"name": name}, group="api"
    )


def _access_request_approval(role: str, scope: str) -> int:
    """Anyone sees their own request (and may not decide it); Classified Ops see all."""
    if role == ANON:
        return 401
    if scope == OWN:
        return 403
    return 200 if role in CLASSIFIED_ACCESS else 404


def _access_request_read(role: str, scope: str) -> int:
    if role == ANON:
        return 401
    return 200 if scope == OWN or role in CLASSIFIED_ACCESS else 404


ENTRIES["api:access-request-transition"] = Entry(
    obj="access_request",
    get=api(405),
    post=_access_request_approval,
    kwargs={"name": "approve"},
    group="api",
)
ENTRIES["api:access-request-detail"] = Entry(
    obj="access_request", get=_access_request_read, group="api"
)
ENTRIES["api:access-request-history"] = Entry(
    obj="access_request", get=_access_request_read, group="api"
)


def _board_access_decide(role: str, scope: str) -> int:
    if role == ANON:
        return 302
    if role not in CLASSIFIED_ACCESS:
        return 403
    # Another's is decided and back to the list; one's own is refused: the page again, 403.
    return 403 if scope == OWN else 302


ENTRIES["board_access_decide"] = post_only(
    "access_request", _board_access_decide, kwargs={"decision": "approve"}, group="boards"
)


# The admin: every registered model's pages, for staff only --------------------------------------

ADMIN_SUFFIXES = ("_changelist", "_add", "_change", "_history", "_delete")


def _admin_expected(name: str, role: str, instances: dict) -> int:
    if name == "admin:login":
        return 302 if role == ROOT else 200
    if role != ROOT:
        return 302  # to the admin's sign-in: no one but staff gets further
    if name == "admin:logout":
        return 405
    if name == "admin:view_on_site":
        return 404  # no model of ours has a public address
    if name == "admin:autocomplete":
        return 403  # without its parameters
    if name in ("admin:index", "admin:password_change", "admin:password_change_done"):
        return 200
    if name in ("admin:jsi18n", "admin:app_list", "admin:auth_user_password_change"):
        return 200
    model, suffix = _admin_model(name)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = instances["users"][ROOT]
    if suffix == "_add":
        return 200 if model_admin.has_add_permission(request) else 403
    if suffix == "_delete" and not model_admin.has_delete_permission(request):
        return 403
    if instances["admin"].get(model) is None:  # nothing of it: back to the admin's index
        return 302 if suffix in ("_change", "_delete", "_history") else 200
    return 200


def _admin_model(name: str):
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for suffix in ADMIN_SUFFIXES:
            if name == base + suffix:
                return model, suffix
    return None, None


def _admin_names(names):
    known = {"admin:index", "admin:login", "admin:logout", "admin:password_change"}
    known |= {"admin:password_change_done", "admin:jsi18n", "admin:app_list"}
    known |= {"admin:view_on_site", "admin:autocomplete", "admin:auth_user_password_change"}
    return [n for n in names if n.startswith("admin:") and (n in known or _admin_model(n)[0])]


# URLs from the resolver ------------------------------------------------------------------------


def _walk(patterns, namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespaces, pattern.name))


def url_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


ALL = url_names()
ADMIN = _admin_names(ALL)


def test_every_url_has_an_entry():
    missing = [name for name in ALL if name not in ENTRIES and name not in ADMIN]
    assert missing == [], "add these to ENTRIES, with the status each role must get"
    stale = [name for name in ENTRIES if name not in ALL]
    assert stale == [], "these URLs are gone: drop their entries"


# The world ---------------------------------------------------------------------------------------


def _team_objects(team, tag: str) -> dict:
    live = EpicFactory(
        team=team,
        title=f"Payments {tag}",
        status=Epic.Status.PROD_DEPLOY_COMPLETE,
        production_at=timezone.now(),
    )
    building = EpicFactory(
        team=team, title=f"Ledger {tag}", status=Epic.Status.PIPELINE_IN_PROGRESS
    )
    story_ticket = TicketFactory(
        epic=building, status=Ticket.Status.TRIAGED, epic_status_before=Epic.Status.NEW
    )
    il6 = TicketFactory(
        epic=live,
        request_type=RequestType.IL6_PROD_DEPLOY,
        impact_level="IL6",
        status=Ticket.Status.IN_PROGRESS,
    )
    return {
        "team": team,
        "team_query": team,
        "epic": live,
        "ticket": TicketFactory(epic=live, request_type=RequestType.PIPELINE, title=f"R {tag}"),
        "il6_ticket": TicketFactory(
            epic=live,
            request_type=RequestType.IL6_PROD_DEPLOY,
            impact_level="IL6",
            status=Ticket.Status.TRIAGED,
        ),
        "story": StoryFactory(ticket=story_ticket, epic=building),
        "classified_story": StoryFactory(ticket=il6, epic=live, board=Story.Board.CLASSIFIED_OPS),
        "document": DocumentFactory(epic=live, status=Document.Status.UPLOADED),
        "release": ReleaseFactory(epic=live),
    }


def build_world() -> SimpleNamespace:
    alpha = TeamFactory(name="Team Alpha")
    bravo = TeamFactory(name="Team Bravo")
    charlie = TeamFactory(name="Team Charlie")
    users = {
        MEMBER: UserFactory(username="alice", roles=[PRODUCT_TEAM], teams=[alpha]),
        OUTSIDER: UserFactory(username="bob", roles=[PRODUCT_TEAM], teams=[bravo]),
        PM: UserFactory(username="pat", roles=[MDO_PM]),
        DEVOPS_: UserFactory(username="dana", roles=[DEVOPS]),
        CYBER_: UserFactory(username="casey", roles=[CYBER]),
        CLASSIFIED_: UserFactory(username="cleo", roles=[CLASSIFIED_OPS]),
        AUDITOR_: UserFactory(username="avery", roles=[AUDITOR]),
        ROOT: UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    asker = UserFactory(username="asker", roles=[PRODUCT_TEAM])
    return SimpleNamespace(
        users=users,
        asker=asker,
        objects={OWN: _team_objects(alpha, "A"), OTHER: _team_objects(charlie, "C")},
        admin={},
    )


def _per_user_object(world, kind: str, role: str, scope: str):
    """Access requests and notifications belong to a person: the caller's own, or another's."""
    owner = world.users.get(role) if scope == OWN else world.asker
    if owner is None:  # anonymous: someone's
        owner = world.asker
    if kind == "access_request":
        return AccessRequest.objects.filter(user=owner).first() or AccessRequestFactory(user=owner)
    return Notification.objects.get_or_create(
        event_key=f"matrix:{owner.pk}",
        channel=Notification.Channel.IN_APP,
        recipient=owner,
        defaults={"event_type": "ticket_filed", "subject": "Something happened"},
    )[0]


def _client(world, role: str, api_call: bool) -> Client:
    if role == ANON:
        client = Client()
        # An anonymous visitor who acknowledged the banner: what sign-in demands comes next.
        session = client.session
        session[CONSENT_SESSION_KEY] = timezone.now().isoformat()
        session.save()
        return client
    user = world.users[role]
    if api_call:
        client = Client()
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue(user)}"
        return client
    return sign_in(Client(), user)


def _url(world, name: str, entry: Entry, role: str, scope: str) -> str:
    kwargs = dict(entry.kwargs)
    query = dict(entry.query)
    if entry.obj in ("access_request", "notification"):
        kwargs["pk"] = _per_user_object(world, entry.obj, role, scope).pk
    elif entry.obj == "team_query":
        query["team"] = world.objects[scope]["team"].pk
    elif entry.obj is not None:
        kwargs["pk"] = world.objects[scope][entry.obj].pk
    url = reverse(name, kwargs=kwargs or None)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


# The tests ----------------------------------------------------------------------------------


def _scopes(entry: Entry) -> tuple[str, ...]:
    return (OWN, OTHER) if entry.scoped else (OWN,)


# Pages that only read are asked by every role in one test (one world); those that change
# something are POSTed in a test of their own for each role and scope.
READS = [name for name in sorted(ENTRIES) if name in ALL and ENTRIES[name].post is None]
WRITES = [
    pytest.param(name, role, scope, id=f"{name}-{role}-{scope}")
    for name in sorted(ENTRIES)
    if name in ALL and ENTRIES[name].post is not None
    for role in ROLES
    for scope in _scopes(ENTRIES[name])
]


@pytest.fixture
def world(db, settings):
    settings.GITLAB_WEBHOOK_SECRET = "matrix-secret"
    return build_world()


def _ask(world, name: str, role: str, scope: str) -> tuple[dict, dict]:
    entry = ENTRIES[name]
    client = _client(world, role, api_call=entry.group == "api")
    url = _url(world, name, entry, role, scope)
    got, expected = {}, {}
    if entry.get is not None:
        expected["GET"] = entry.get(role, scope)
        got["GET"] = client.get(url).status_code
    if entry.post is not None:
        expected["POST"] = entry.post(role, scope)
        got["POST"] = client.post(url, entry.data).status_code
    return got, expected


@pytest.mark.parametrize("name", READS)
def test_each_role_reads_what_it_may(world, name):
    got, expected = {}, {}
    for role in ROLES:
        for scope in _scopes(ENTRIES[name]):
            got[role, scope], expected[role, scope] = _ask(world, name, role, scope)
    assert got == expected


@pytest.mark.parametrize("name, role, scope", WRITES)
def test_each_role_does_what_it_may(world, name, role, scope):
    got, expected = _ask(world, name, role, scope)
    assert got == expected


def _admin_instance(model, world):
    users = world.users
    if model is ApiToken:
        return ApiToken.objects.get(digest=digest(issue(users[MEMBER])))
    if model is Group:
        return Group.objects.get_or_create(name=MDO_PM)[0]
    if model is AuditEvent:
        return record(by=users[MEMBER], obj=world.objects[OWN]["ticket"], action="file")
    if model is LogEntry:
        ticket = world.objects[OWN]["ticket"]
        return LogEntry.objects.create(
            user=users[ROOT],
            content_type=ContentType.objects.get_for_model(ticket),
            object_id=str(ticket.pk),
            object_repr=str(ticket),
            action_flag=CHANGE,
        )
    if model is type(users[MEMBER]):
        return users[MEMBER]
    for objects in world.objects.values():
        for obj in objects.values():
            if isinstance(obj, model):
                return obj
    if model._meta.model_name == "accessrequest":
        return AccessRequestFactory(user=world.asker)
    if model._meta.model_name == "notification":
        return _per_user_object(world, "notification", MEMBER, OWN)
    return model._default_manager.first()  # whatever the world made of it, or nothing


def _admin_url(world, name: str) -> str:
    model, suffix = _admin_model(name)
    kwargs = {}
    if model is not None:
        if model not in world.admin:
            world.admin[model] = _admin_instance(model, world)
        instance = world.admin[model]
        if suffix in ("_change", "_delete", "_history"):
            kwargs["object_id"] = instance.pk if instance is not None else 0
    elif name == "admin:app_list":
        kwargs["app_label"] = "epics"
    elif name == "admin:auth_user_password_change":
        kwargs["id"] = world.users[MEMBER].pk
    elif name == "admin:view_on_site":
        ticket = world.objects[OWN]["ticket"]
        kwargs = {
            "content_type_id": ContentType.objects.get_for_model(ticket).pk,
            "object_id": ticket.pk,
        }
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("name", ADMIN)
def test_the_admin_answers_the_superuser(world, name):
    client = _client(world, ROOT, api_call=False)

    response = client.get(_admin_url(world, name))

    assert response.status_code == _admin_expected(name, ROOT, vars(world))


@pytest.mark.parametrize("role", [role for role in ROLES if role != ROOT])
def test_the_admin_is_for_staff_only(world, role):
    client = _client(world, role, api_call=False)
    got = {name: client.get(_admin_url(world, name)).status_code for name in ADMIN}

    assert got == {name: _admin_expected(name, role, vars(world)) for name in ADMIN}
