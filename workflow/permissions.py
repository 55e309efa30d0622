"""Who may do what: roles are Django groups (made by workflow's data migration).

Role checks read the user's groups once per user object and cache them on it, so a page
that asks many times costs one query; a user loaded `with_roles` (the signed-in user on every
request, an engineer being assigned) costs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

PRODUCT_TEAM = "product_team"
MDO_PM = "mdo_pm"
DEVOPS = "devops"
CYBER = "cyber"
CLASSIFIED_OPS = "classified_ops"
AUDITOR = "auditor"
ROLES = (PRODUCT_TEAM, MDO_PM, DEVOPS, CYBER, CLASSIFIED_OPS, AUDITOR)

# Party Bus staff see every team's work; product teams see only their own teams'. Auditors
# read everything staff read (and change nothing: no service lets them).
STAFF_ROLES = frozenset({MDO_PM, DEVOPS, CYBER, CLASSIFIED_OPS})
READS_EVERYTHING = STAFF_ROLES | {AUDITOR}


def _flag(role: str) -> str:
    return f"_portal_is_{role}"


def with_roles(users):
    """`users` (a queryset) with each one's roles read in the same query."""
    from django.contrib.auth.models import Group
    from django.db.models import Exists, OuterRef

    return users.annotate(
        **{
            _flag(role): Exists(Group.objects.filter(user=OuterRef("pk"), name=role))
            for role in ROLES
        }
    )


def roles_of(user: AbstractBaseUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_roles"):
        if hasattr(user, _flag(MDO_PM)):  # loaded with_roles
            names = frozenset(role for role in ROLES if getattr(user, _flag(role)))
        else:
            names = frozenset(user.groups.values_list("name", flat=True))
        user._portal_roles = frozenset(ROLES) if user.is_superuser else names
    return user._portal_roles


def has_role(user: AbstractBaseUser, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def sees_all_teams(user: AbstractBaseUser) -> bool:
    return bool(roles_of(user) & READS_EVERYTHING)


# Who sees the client addresses in a timeline: staff and auditors, never product teams.
sees_client_addresses = sees_all_teams


def reads_the_trail(user: AbstractBaseUser) -> bool:
    """The whole audit trail, its page and its export: auditors (and superusers)."""
    return has_role(user, AUDITOR)


def writes_internal_notes(user: AbstractBaseUser) -> bool:
    """Internal notes on a ticket's conversation are written by Party Bus staff."""
    return has_role(user, *STAFF_ROLES)


def reads_internal_notes(user: AbstractBaseUser) -> bool:
    """Staff and auditors read internal notes; product team members never do."""
    return has_role(user, *READS_EVERYTHING)


def team_ids_of(user: AbstractBaseUser) -> frozenset[int]:
    """The teams the user is a member of (cached on the user object)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_portal_team_ids"):
        user._portal_team_ids = frozenset(user.teams.values_list("pk", flat=True))
    return user._portal_team_ids


def is_member(user: AbstractBaseUser, team_id: int) -> bool:
    return team_id in team_ids_of(user)


def may_upload_documents(user, epic) -> bool:
    """Members of the epic's team and MDO PMs upload its documents."""
    return is_member(user, epic.team_id) or has_role(user, MDO_PM)


def may_record_releases(user, epic) -> bool:
    """Members of the epic's team record its release tags."""
    return is_member(user, epic.team_id)


def has_classified_access(user: AbstractBaseUser) -> bool:
    """In classified_ops, or holding an approved access request (cached on the user)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_portal_classified"):
        user._portal_classified = (
            has_role(user, CLASSIFIED_OPS) or user.access_requests.in_force().exists()
        )
    return user._portal_classified


def forget(user: AbstractBaseUser) -> None:
    """Drop the cached roles, teams and access (after they change)."""
    for attr in ("_portal_roles", "_portal_team_ids", "_portal_classified", *map(_flag, ROLES)):
        user.__dict__.pop(attr, None)


# Who holds each role, in the words of a sentence ("Not yours to do: MDO PMs do it").
ROLE_HOLDERS = {
    PRODUCT_TEAM: "product team members",
    MDO_PM: "MDO PMs",
    DEVOPS: "DevOps engineers",
    CYBER: "the Cyber team",
    CLASSIFIED_OPS: "Classified Ops",
    AUDITOR: "auditors",
}


def described(who):
    """Name who may take an FSM transition `permission`, for the person it refuses: a
    phrase, or a function of the object giving one."""

    def decorate(permission):
        permission.who = who
        return permission

    return decorate


def who_may(permission, instance) -> str:
    """Who a transition's `permission` lets take it, in words."""
    who = getattr(permission, "who", "")
    return who(instance) if callable(who) else who


def role_permission(*roles: str):
    """An FSM transition `permission`: the user holds one of these roles."""

    @described(" or ".join(ROLE_HOLDERS[role] for role in roles))
    def permitted(instance, user) -> bool:
        return has_role(user, *roles)

    permitted.roles = roles
    return permitted


@described("members of its team")
def team_member_permission(instance, user) -> bool:
    """An FSM transition `permission`: the user is a member of the object's team."""
    return is_member(user, instance.team_id)
