"""Single sign-on with P1 SSO (Keycloak) over OpenID Connect, with mozilla-django-oidc.

The authorization code flow with PKCE and a nonce; the ID token is an RS256 JWT verified
against the provider's JWKS, and must name this client as its audience and the configured
issuer. The person's groups (the `groups` claim, OIDC_GROUPS_CLAIM) decide their roles and
teams on every sign-in, so the provider stays the one source of truth:

- OIDC_GROUP_MAP maps a provider group to a role (`mdo_pm`, `devops`, `cyber`,
  `classified_ops`, `product_team`) or to `superuser` (the Django admin);
- a group under OIDC_TEAM_GROUP_PREFIX (`/teams/Team Alpha`) makes the person a member of
  the existing team of that name, and a product team member.

A person whose groups map to nothing is refused: nothing is created for them, the sign-in
page says whom to ask, and the audit trail records the refusal with their groups. Someone
signed in before who has lost every mapped group is refused too, and loses the roles and
teams they had (their API token grants nothing any more).

An SSO user is found by the provider's issuer and subject (portal.models.SsoIdentity), never
by user name or e-mail: a local account, such as a demo or break-glass administrator, is
never taken over by an SSO account that happens to share its name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from epics.models import Team
from portal import auth
from portal.models import SsoIdentity
from workflow.permissions import PRODUCT_TEAM, ROLES

logger = logging.getLogger(__name__)

SUPERUSER = "superuser"
MAP_TARGETS = frozenset(ROLES) | {SUPERUSER}


# The group map ------------------------------------------------------------------------------


def parse_group_map(raw: str | dict) -> dict[str, frozenset[str]]:
    """`{"group": "role" | ["role", …]}` as JSON, or `group=role` pairs separated by commas
    (name a group twice to give it two roles). Unknown roles raise ValueError."""
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        loaded = raw
    elif raw.strip().startswith("{"):
        loaded = json.loads(raw)
    else:
        loaded = None
        for item in raw.split(","):
            if not item.strip():
                continue
            group, sep, role = item.rpartition("=")
            if not sep or not group.strip():
                raise ValueError(f"OIDC_GROUP_MAP: {item.strip()!r} is not group=role")
            pairs.append((group.strip(), role.strip()))
    if loaded is not None:
        for group, roles in loaded.items():
            for role in [roles] if isinstance(roles, str) else roles:
                pairs.append((group, role))
    mapping: dict[str, set[str]] = {}
    for group, role in pairs:
        if role not in MAP_TARGETS:
            known = ", ".join(sorted(MAP_TARGETS))
            raise ValueError(f"OIDC_GROUP_MAP: {group!r} maps to {role!r}, not one of {known}")
        mapping.setdefault(group, set()).add(role)
    return {group: frozenset(roles) for group, roles in mapping.items()}


@dataclass
class Mapped:
    roles: set[str] = field(default_factory=set)
    team_names: set[str] = field(default_factory=set)
    superuser: bool = False
    teams: list = field(default_factory=list)  # the named teams that exist

    def __bool__(self):
        """Grants anything: a role, a team of ours, or the admin."""
        return bool(self.roles or self.teams or self.superuser)


def groups_of(claims: dict) -> list[str]:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    return [str(group) for group in groups if isinstance(group, str | int)]


def map_groups(groups: list[str]) -> Mapped:
    mapping = parse_group_map(settings.OIDC_GROUP_MAP)
    prefix = settings.OIDC_TEAM_GROUP_PREFIX
    mapped = Mapped()
    for group in groups:
        for role in mapping.get(group, ()):
            if role == SUPERUSER:
                mapped.superuser = True
            else:
                mapped.roles.add(role)
        if prefix and group.startswith(prefix) and group[len(prefix) :].strip("/"):
            mapped.team_names.add(group[len(prefix) :].strip("/"))
    if mapped.team_names:
        mapped.teams = list(Team.objects.filter(name__in=mapped.team_names))
    return mapped


def apply_mapping(user, mapped: Mapped) -> dict:
    """Give the user exactly the roles, teams and admin rights the mapping says."""
    teams = mapped.teams
    roles = set(mapped.roles) | ({PRODUCT_TEAM} if teams else set())
    kept = user.groups.exclude(name__in=ROLES)
    user.groups.set([*kept, *Group.objects.filter(name__in=roles)])
    user.teams.set(teams)
    if user.is_superuser != mapped.superuser or user.is_staff != mapped.superuser:
        user.is_superuser = user.is_staff = mapped.superuser
        user.save(update_fields=["is_superuser", "is_staff"])
    unknown = sorted(mapped.team_names - {team.name for team in teams})
    if unknown:
        logger.warning("SSO groups name teams that do not exist: %s", unknown)
    return {
        "roles": sorted(roles),
        "teams": sorted(team.name for team in teams),
        "superuser": mapped.superuser,
        "unknown_teams": unknown,
    }


# The backend --------------------------------------------------------------------------------


class SsoRefused(Exception):
    """The provider vouched for the person, but the portal does not let them in."""

    def __init__(self, message: str, *, reason: str, claims: dict):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.claims = claims


def _display_name(claims: dict) -> str:
    return str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "?")[
        : auth.NAME_LENGTH
    ]


class PortalOIDCBackend(auth.LoadsRoles, OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        # Only the SSO callback passes a nonce; password sign-ins also ask this backend.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        try:
            user = super().authenticate(request, **kwargs)
        except SsoRefused as refused:
            self._refuse(request, refused.reason, refused.claims, message=refused.message)
            return None
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError) as exc:
            logger.warning("SSO sign-in failed: %r", exc)
            self._refuse(request, f"The SSO sign-in could not be completed: {exc}", {})
            return None
        if user is None:
            self._refuse(request, "The provider's answer was not accepted.", {})
        return user

    def _refuse(self, request, reason: str, claims: dict, *, message: str = "") -> None:
        User = get_user_model()
        auth.record_account(
            by=None,
            obj=User(**{User.USERNAME_FIELD: _display_name(claims)}),
            action=auth.SIGN_IN,
            refused=True,
            reason=reason[:1000],
            detail={"method": "sso", "subject": claims.get("sub", ""), "groups": groups_of(claims)},
        )
        messages.error(
            request,
            message
            or "Signing in with P1 SSO did not work. Try again; if it keeps failing, "
            "tell the MDO team.",
        )

    # The ID token: signature (JWKS), algorithm, audience, issuer, expiry.
    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "sub", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The ID token was refused: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's on top (same subject)."""
        info = super().get_userinfo(access_token, id_token, payload)
        if info.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        return {**payload, **info}

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider named no subject.")
        issuer = payload.get("iss") or settings.OIDC_OP_ISSUER
        groups = groups_of(claims)
        mapped = map_groups(groups)
        with transaction.atomic():
            identity = (
                SsoIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=issuer, subject=claims["sub"])
                .first()
            )
            if not mapped and identity is not None:  # lost every group: loses every grant
                apply_mapping(identity.user, mapped)
                identity.groups = groups
                identity.save(update_fields=["groups"])
        if not mapped:
            raise SsoRefused(
                "Your P1 account is not in any group this portal knows, so it cannot sign "
                f"you in. Ask the MDO team to add you to your team's group. {_groups_said(groups)}",
                reason="No configured group: " + (", ".join(groups) or "no groups at all") + ".",
                claims=claims,
            )
        with transaction.atomic():
            if identity is None:
                user = self.create_user(claims)
                identity = SsoIdentity.objects.create(
                    user=user, issuer=issuer, subject=claims["sub"]
                )
            user = identity.user
            self.update_user(user, claims)
            granted = apply_mapping(user, mapped)
            identity.groups = groups
            identity.last_sign_in_at = timezone.now()
            identity.save(update_fields=["groups", "last_sign_in_at"])
        if not user.is_active:
            raise SsoRefused(
                "This account is disabled in the portal. Ask an administrator.",
                reason="The portal account is disabled.",
                claims=claims,
            )
        setattr(user, auth.METHOD_ATTR, "sso")
        setattr(user, auth.DETAIL_ATTR, {"groups": groups, **granted})
        return user

    def create_user(self, claims):
        User = get_user_model()
        base = _display_name(claims).strip() or "sso-user"
        username = base
        suffix = 1
        while User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
            tail = "-sso" if suffix == 1 else f"-sso{suffix}"
            username = base[: auth.NAME_LENGTH - len(tail)] + tail
            suffix += 1
        user = User._default_manager.create_user(username, email=claims.get("email") or "")
        return user  # no usable password: this account signs in only through SSO

    def update_user(self, user, claims):
        changes = {
            "email": (claims.get("email") or "")[:254],
            "first_name": (claims.get("given_name") or "")[:150],
            "last_name": (claims.get("family_name") or "")[:150],
        }
        changed = [name for name, value in changes.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, changes[name])
        if changed:
            user.save(update_fields=changed)
        return user


def _groups_said(groups: list[str]) -> str:
    if not groups:
        return "Your account is in no group at all."
    shown = ", ".join(groups[:10]) + (" …" if len(groups) > 10 else "")
    return f"Your groups: {shown}."


def provider_sign_out_url(request) -> str:
    """Where someone who signed in with SSO goes when signing out: the provider's
    end-session endpoint (RP-initiated logout), which ends the provider's session too and
    sends them back to the sign-in page, so the next "Sign in with P1 SSO" asks who they
    are. Empty for a password sign-in, or when the provider names no such endpoint. Read it
    before the portal's session is flushed: the ID token it hints with lives there."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token):
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"


# The views: mozilla-django-oidc's, answering 404 while SSO is not configured ----------------


class SsoStartView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        error = request.GET.get("error")
        if error:
            User = get_user_model()
            auth.record_account(
                by=None,
                obj=User(**{User.USERNAME_FIELD: "(unknown)"}),
                action=auth.SIGN_IN,
                refused=True,
                reason=f"The provider answered {error[:60]!r}: "
                f"{request.GET.get('error_description', '')[:300]}",
                detail={"method": "sso"},
            )
            messages.error(request, "P1 SSO did not sign you in. Try again.")
        return super().get(request)

    def login_failure(self):
        if not len(messages.get_messages(self.request)):  # len() leaves them unread
            messages.error(self.request, "Signing in with P1 SSO did not work. Try again.")
        return super().login_failure()
