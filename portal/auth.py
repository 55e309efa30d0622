"""Signing in with a password: failures lock the account, and the audit trail hears of all.

LOCKOUT_FAILURES (3) wrong passwords for one user name within LOCKOUT_WINDOW_SECONDS
(15 minutes) lock it for LOCKOUT_SECONDS (15 minutes): until then every attempt is refused,
even with the right password, on every path that checks a password (the sign-in page, the
admin's, the API's token endpoint). A successful sign-in starts the count again.

The audit trail is the record the lock is computed from, so it holds across processes and
restarts with no extra table. Its events are on the User model, by user name (the attempted
name for one that does not exist: such names lock too, so a lock says nothing about whether
an account exists):

| action | outcome | when |
| --- | --- | --- |
| `sign_in` | done | a session began (`method`: password, sso), an API token was given (api_token) |
| `sign_in` | refused | a wrong user name or password (reason says so), an SSO sign-in refused |
| `sign_in_locked` | refused | an attempt while the account is locked |
| `lock` | done | the failure that locked it (detail `until`) |
| `sign_out` | done | the person signed out, or the session ended after idling (reason says so) |

Sessions made without checking credentials (tests' `force_login`) are neither.
"""

from __future__ import annotations

import datetime as dt
import math

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import LoginView
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from portal import ops
from workflow import audit
from workflow.models import AuditEvent
from workflow.permissions import with_roles

SIGN_IN = "sign_in"
SIGN_IN_LOCKED = "sign_in_locked"
LOCK = "lock"
SIGN_OUT = "sign_out"
WRONG_CREDENTIALS = "Wrong user name or password."
# Set on a user object by a backend that checked their credentials, read when the session
# starts: a session started any other way (tests' force_login) is not a sign-in.
METHOD_ATTR = "_portal_sign_in_method"
# What else the backend wants the sign-in's audit event to say (SSO: groups, roles granted).
DETAIL_ATTR = "_portal_sign_in_detail"
# In the session: how it was signed in to (a session made otherwise is not audited).
SESSION_METHOD_KEY = "signed_in_with"
# Set on the request by whatever ends a session for a reason other than the person asking.
SIGN_OUT_REASON_ATTR = "_portal_sign_out_reason"
# User names are at most this long (Django's User); longer attempts are counted by this prefix.
NAME_LENGTH = 150


def record_account(*, by, obj, **event) -> AuditEvent:
    """An audit event about an account (`obj`: a user, maybe the lazy request.user, or an
    unsaved stand-in carrying an attempted name)."""
    if isinstance(obj, SimpleLazyObject):
        if obj._wrapped is empty:
            obj._setup()
        obj = obj._wrapped
    recorded = audit.record(by=by, obj=obj, model=get_user_model(), **event)
    ops.observe(recorded)
    return recorded


def _events(username: str):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False),
        object_repr=username[:NAME_LENGTH],
    )


def _subject(username: str):
    """The account an attempt is about: the user, or an unsaved stand-in with that name."""
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return User(**{User.USERNAME_FIELD: username[:NAME_LENGTH]})


def locked_until(username: str) -> dt.datetime | None:
    """When the lock on this user name ends, if it is locked now."""
    last_lock = _events(username).filter(action=LOCK).aggregate(at=Max("created_at"))["at"]
    if last_lock is None:
        return None
    until = last_lock + dt.timedelta(seconds=settings.LOCKOUT_SECONDS)
    return until if until > timezone.now() else None


def _failures_counted(username: str) -> int:
    """Wrong passwords within the window, since the last lock or successful sign-in."""
    events = _events(username)
    since = timezone.now() - dt.timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS)
    last_reset = (
        events.filter(action__in=(LOCK, SIGN_IN), outcome=AuditEvent.Outcome.DONE)
        .filter(created_at__gt=since)
        .aggregate(at=Max("created_at"))["at"]
    )
    return (
        events.filter(action=SIGN_IN, outcome=AuditEvent.Outcome.REFUSED, detail__method="password")
        .filter(created_at__gt=max(since, last_reset) if last_reset else since)
        .count()
    )


def record_failure(username: str, *, reason: str = WRONG_CREDENTIALS, method="password") -> None:
    """A failed password sign-in; the one that reaches the limit locks the account."""
    subject = _subject(username)
    record_account(
        by=None,
        obj=subject,
        action=SIGN_IN,
        refused=True,
        reason=reason,
        detail={"method": method},
    )
    failures = _failures_counted(username)
    if failures >= settings.LOCKOUT_FAILURES and locked_until(username) is None:
        until = timezone.now() + dt.timedelta(seconds=settings.LOCKOUT_SECONDS)
        record_account(
            by=None,
            obj=subject,
            action=LOCK,
            to_status="locked",
            reason=f"{failures} failed sign-ins within "
            f"{settings.LOCKOUT_WINDOW_SECONDS // 60} minutes.",
            detail={"until": until.isoformat(), "failures": failures},
        )


def lock_minutes_left(username: str) -> int:
    until = locked_until(username)
    if until is None:
        return 0
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


class LoadsRoles:
    """The signed-in user of each request, with their roles, in one query (a backend mixin:
    the session names the backend that signed the person in)."""

    def get_user(self, user_id):
        user = with_roles(get_user_model()._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class LockoutModelBackend(LoadsRoles, ModelBackend):
    """Django's password check, refusing locked accounts and counting failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None  # not a password sign-in (SSO's callback asks every backend)
        until = locked_until(username)
        if until is not None:
            record_account(
                by=None,
                obj=_subject(username),
                action=SIGN_IN_LOCKED,
                refused=True,
                reason=f"The account is locked until {until:%H:%M:%S} UTC.",
            )
            raise PermissionDenied("locked")  # stops the other backends too
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username)
            return None
        if request is not None and not isinstance(request, HttpRequest):
            # DRF's Request: the API's token endpoint, which hands out a token, no session.
            record_account(by=None, obj=user, action=SIGN_IN, detail={"method": "api_token"})
        setattr(user, METHOD_ATTR, "password")
        return user


class SignInForm(AuthenticationForm):
    """The sign-in form, saying so when the account is locked rather than 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That user name and password do not match. Try again.",
        "locked": "Too many failed sign-ins: this account is locked. Try again in "
        "%(minutes)s minutes, or ask an administrator.",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            username = self.cleaned_data.get("username")
            minutes = lock_minutes_left(username) if username else 0
            if minutes:
                raise forms.ValidationError(
                    self.error_messages["locked"], code="locked", params={"minutes": minutes}
                ) from None
            raise


class SignInView(LoginView):
    """The sign-in page: the password form, and "Sign in with P1 SSO" when SSO is configured."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.OIDC_ENABLED
        context["sso_label"] = settings.OIDC_BUTTON_LABEL
        return context


def _on_signed_in(sender, request, user, **kwargs):
    method = getattr(user, METHOD_ATTR, None)
    if method is None:
        return
    detail = {"method": method, **getattr(user, DETAIL_ATTR, {})}
    record_account(by=user, obj=user, action=SIGN_IN, detail=detail)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_METHOD_KEY] = method


def _on_signed_out(sender, request, user, **kwargs):
    """The end of a session that a sign-in began (its data is flushed right after this)."""
    session = getattr(request, "session", None)
    if user is None or session is None or SESSION_METHOD_KEY not in session:
        return
    reason = getattr(request, SIGN_OUT_REASON_ATTR, "")
    detail = {"method": session[SESSION_METHOD_KEY]}
    record_account(by=user, obj=user, action=SIGN_OUT, reason=reason, detail=detail)


user_logged_in.connect(_on_signed_in, dispatch_uid="portal.auth.signed_in")
user_logged_out.connect(_on_signed_out, dispatch_uid="portal.auth.signed_out")
