"""Signing in with a password: failures lock the account, and the audit trail hears of all.

LOCKOUT_FAILURES (3) wrong passwords for one user name within LOCKOUT_WINDOW_SECONDS
(15 minutes) lock it for LOCKOUT_SECONDS (15 minutes): until then every attempt is refused,
even with the right password, on every path that checks a password (the sign-in page, the
admin's, the API's token endpoint). A successful sign-in starts the count again, and so do an
administrator's unlock (`account_unlock`, the User admin's "Unlock sign-in") and a new
password. ADDRESS_FAILURES (10) wrong passwords from one client address within the window
stop password checks from that address for ADDRESS_THROTTLE_SECONDS, whatever the name, so one
client cannot lock every account; the names' counts are left as they are.

The counts live in portal.models.SignInCounter, taken and given back by portal/lockout.py
around each password check: however many processes try one name at once, no more than
LOCKOUT_FAILURES of its passwords are checked before it locks. The backend refuses with
`AccountLocked` or `SignInThrottled` (both PermissionDenied, which stops the other backends);
django.contrib.auth.authenticate() turns them into None, so the refusal is also left on the
request (`sign_in_refusal`) for the sign-in page to say which.

The audit trail hears of each attempt, on the User model, by user name (the attempted name
for one that does not exist: such names lock too, so a lock says nothing about whether an
account exists):

| action | outcome | when |
| --- | --- | --- |
| `sign_in` | done | a session began (`method`: password, sso), an API token was given (api_token) |
| `sign_in` | refused | a wrong user name or password (reason says so), an SSO sign-in refused |
| `sign_in_locked` | refused | an attempt while the account is locked |
| `sign_in_throttled` | refused | an attempt from a throttled address, or while all checks run |
| `lock` | done | the failure that locked it (detail `until`) |
| `throttle` | done | the failure that throttled its address (detail `address`, `until`) |
| `unlock` | done | an administrator unlocked it, or a new password was set (reason says which) |
| `unlock` | refused | not a superuser, no reason given, or nothing to unlock |
| `sign_out` | done | the person signed out, or the session ended after idling (reason says so) |

Sessions made without checking credentials (tests' `force_login`) are neither.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import math

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from portal import lockout, ops
from workflow import audit
from workflow.errors import NotPermitted, Refusal
from workflow.models import AuditEvent
from workflow.permissions import with_roles

SIGN_IN = "sign_in"
SIGN_IN_LOCKED = "sign_in_locked"
SIGN_IN_THROTTLED = "sign_in_throttled"
LOCK = "lock"
THROTTLE = "throttle"
UNLOCK = "unlock"
SIGN_OUT = "sign_out"
WRONG_CREDENTIALS = "Wrong user name or password."
NEW_PASSWORD = "A new password was set."
# Set on a user object by a backend that checked their credentials, read when the session
# starts: a session started any other way (tests' force_login) is not a sign-in.
METHOD_ATTR = "_portal_sign_in_method"
# What else the backend wants the sign-in's audit event to say (SSO: groups, roles granted).
DETAIL_ATTR = "_portal_sign_in_detail"
# In the session: how it was signed in to (a session made otherwise is not audited).
SESSION_METHOD_KEY = "signed_in_with"
# Set on the request by whatever ends a session for a reason other than the person asking.
SIGN_OUT_REASON_ATTR = "_portal_sign_out_reason"
# Set on the request by the backend when it refused to check a password (`sign_in_refusal`).
REFUSAL_ATTR = "_portal_sign_in_refusal"
# User names are at most this long (Django's User); longer attempts are counted by this prefix.
NAME_LENGTH = 150
# How long to wait when a name's checks are all running (they take a second or less).
BUSY_RETRY_SECONDS = 1


class AccountLocked(PermissionDenied):
    """The user name is locked: no password is checked for it before `until`."""

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(f"The account is locked until {until:%H:%M:%S} UTC.")

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


class SignInThrottled(PermissionDenied):
    """No password is checked now: too many wrong passwords came from the client's address
    (`busy` False), or the name's (or the address's) checks are all running (`busy`). Try again
    in `retry_after` seconds."""

    def __init__(self, reason: str, *, retry_after: int, busy: bool):
        self.retry_after = max(1, int(retry_after))
        self.busy = busy
        super().__init__(reason)


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


def _subject(username: str):
    """The account an attempt is about: the user, or an unsaved stand-in with that name."""
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return User(**{User.USERNAME_FIELD: username[:NAME_LENGTH]})


def _name_limit(username: str) -> lockout.Limit:
    return lockout.for_name(username[:NAME_LENGTH])


def locked_until(username: str) -> dt.datetime | None:
    """When the lock on this user name ends, if it is locked now."""
    return lockout.locked_until(_name_limit(username))


def sign_in_refusal(request) -> PermissionDenied | None:
    """Why the password backend refused to check a password in this request (AccountLocked,
    SignInThrottled), or the lock its wrong password set, if any."""
    for each in (request, getattr(request, "_request", None)):
        if (refusal := getattr(each, REFUSAL_ATTR, None)) is not None:
            return refusal
    return None


def _refusal(refused: lockout.Refused) -> PermissionDenied:
    now = timezone.now()
    if refused.until is None:
        return SignInThrottled(
            "Too many sign-in attempts at once: every password check allowed is running.",
            retry_after=BUSY_RETRY_SECONDS,
            busy=True,
        )
    if refused.limit.cleared_by_success:  # the user name's counter
        return AccountLocked(refused.until)
    return SignInThrottled(
        f"Too many failed sign-ins from this address: no password is checked from it until "
        f"{refused.until:%H:%M:%S} UTC.",
        retry_after=math.ceil((refused.until - now).total_seconds()),
        busy=False,
    )


def _refuse(request, username: str, refusal: PermissionDenied):
    """Audit the refusal, leave it on the request, raise it."""
    record_account(
        by=None,
        obj=_subject(username),
        action=SIGN_IN_LOCKED if isinstance(refusal, AccountLocked) else SIGN_IN_THROTTLED,
        refused=True,
        reason=str(refusal),
    )
    _remember(request, refusal)
    raise refusal  # stops the other backends too


def _remember(request, refusal: PermissionDenied) -> None:
    for each in (request, getattr(request, "_request", None)):
        if each is not None:
            setattr(each, REFUSAL_ATTR, refusal)


def record_failure(username: str, locked: list[lockout.Locked], address: str | None) -> None:
    """A wrong password, and the locks it set (the name's, its address's)."""
    subject = _subject(username)
    record_account(
        by=None,
        obj=subject,
        action=SIGN_IN,
        refused=True,
        reason=WRONG_CREDENTIALS,
        detail={"method": "password"},
    )
    minutes = settings.LOCKOUT_WINDOW_SECONDS // 60
    for lock in locked:
        detail = {"until": lock.until.isoformat(), "failures": lock.failures}
        if lock.limit.cleared_by_success:
            reason = f"{lock.failures} failed sign-ins within {minutes} minutes."
            record_account(
                by=None, obj=subject, action=LOCK, to_status="locked", reason=reason, detail=detail
            )
        else:
            reason = (
                f"{lock.failures} failed sign-ins from {address} within {minutes} minutes: "
                f"no password is checked from it until {lock.until:%H:%M:%S} UTC."
            )
            detail["address"] = address
            record_account(by=None, obj=subject, action=THROTTLE, reason=reason, detail=detail)


# Who is setting passwords in this context (an administrator in the admin), for the audit
# event of the unlock a new password makes; the system's when nobody said.
_acting: contextvars.ContextVar = contextvars.ContextVar("portal_acting", default=None)


@contextlib.contextmanager
def acting_as(user):
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def _forget_failures(user, *, by, reason: str) -> bool:
    """Clear the user name's wrong passwords and lock; audited, if there was anything."""
    cleared = lockout.clear(_name_limit(user.get_username()))
    if cleared is None:
        return False
    until = cleared.locked_until
    record_account(
        by=by,
        obj=user,
        action=UNLOCK,
        from_status="locked" if until else "",
        reason=reason,
        detail={"failures": cleared.failures, "was_locked_until": until and until.isoformat()},
    )
    return True


def account_unlock(*, by, user, reason: str) -> None:
    """An administrator (a superuser) unlocks a user's sign-in, saying why: the user name's
    lock and its count of wrong passwords are forgotten."""
    reason = (reason or "").strip()
    refusal = None
    if not getattr(by, "is_superuser", False):
        refusal = NotPermitted("Only a superuser may unlock a sign-in.")
    elif not reason:
        refusal = Refusal("reason: a reason is required to unlock a sign-in.")
    elif not _forget_failures(user, by=by, reason=reason):
        refusal = Refusal(f"{user}'s sign-in is not locked and counts no failed sign-in.")
    if refusal is not None:
        record_account(by=by, obj=user, action=UNLOCK, refused=True, reason=refusal.detail)
        raise refusal


def _on_user_saved(sender, instance, created, **kwargs):
    """A password set (set_password, then save) unlocks the user name: whoever knows the new
    one may sign in now."""
    if created or getattr(instance, "_password", None) is None:
        return
    _forget_failures(instance, by=_acting.get() or audit.SYSTEM, reason=NEW_PASSWORD)


class LoadsRoles:
    """The signed-in user of each request, with their roles, in one query (a backend mixin:
    the session names the backend that signed the person in)."""

    def get_user(self, user_id):
        user = with_roles(get_user_model()._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class LockoutModelBackend(LoadsRoles, ModelBackend):
    """Django's password check, run only once the name's and the address's counters have
    given it a slot (portal/lockout.py), counting failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None  # not a password sign-in (SSO's callback asks every backend)
        address = audit.client_address_of(request) if request is not None else None
        check = lockout.reserve(lockout.for_address(address), _name_limit(username))
        if isinstance(check, lockout.Refused):
            _refuse(request, username, _refusal(check))
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        except BaseException:
            lockout.finish(check, failed=None)
            raise
        locked = lockout.finish(check, failed=user is None)
        if user is None:
            record_failure(username, locked, address)
            for lock in locked:  # the name's last: the page says it is locked
                _remember(request, _refusal(lockout.Refused(lock.limit, lock.until)))
            return None
        if request is not None and not isinstance(request, HttpRequest):
            # DRF's Request: the API's token endpoint, which hands out a token, no session.
            record_account(by=None, obj=user, action=SIGN_IN, detail={"method": "api_token"})
        setattr(user, METHOD_ATTR, "password")
        return user


class SignInForm(AuthenticationForm):
    """The sign-in form, saying so when the account is locked or the address throttled
    rather than 'wrong password'."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That user name and password do not match. Try again.",
        "locked": "Too many failed sign-ins: this account is locked. Try again in "
        "%(minutes)s minutes, or ask an administrator.",
        "throttled": "Too many failed sign-ins from your network address: no password is "
        "checked from it for now. Try again in %(minutes)s minutes.",
        "busy": "Too many sign-in attempts at once. Try again in a few seconds.",
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            refusal = sign_in_refusal(self.request)
            if isinstance(refusal, AccountLocked):
                code, minutes = "locked", refusal.minutes_left
            elif isinstance(refusal, SignInThrottled):
                code, minutes = ("busy" if refusal.busy else "throttled"), math.ceil(
                    refusal.retry_after / 60
                )
            else:
                raise
            raise forms.ValidationError(
                self.error_messages[code], code=code, params={"minutes": minutes}
            ) from None


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
post_save.connect(_on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal.auth.saved")
