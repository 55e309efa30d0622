"""How every service runs: one durable transaction, the rows it moves locked, every refusal
audited, and its side effects asked for in the open.

A service is a function decorated with `@audited(action, ...)`. The runner opens the
transaction and an audit trail (workflow/audit.py); the service locks, checks (role 403,
input 400, status 409, every gate 422), calls the django-fsm transitions and records what
moved. Then, still in the transaction, the runner writes the notifications those events
cause (notifications/outbox.py); after the commit it counts them (portal/ops.py). A
refusal rolls everything back and is itself audited and counted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from notifications import outbox
from portal import ops as metrics
from workflow import audit, gates
from workflow.errors import Conflict, GatesUnmet, InvalidInput, NotPermitted, Refusal
from workflow.fsm import may_take, starts_from
from workflow.permissions import MDO_PM, has_role


@dataclass
class Verdict:
    """Why an action cannot happen now: a status conflict, unmet gates, or nothing."""

    conflict: str = ""
    status: str = ""
    unmet: list[gates.Check] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.conflict and not self.unmet

    def enforce(self) -> None:
        if self.conflict:
            raise Conflict(self.conflict, status=self.status)
        if self.unmet:
            raise GatesUnmet(self.unmet)


def audited(action: str, subject: str | None = None, model=None):
    """Run the service in one durable transaction; audit and re-raise any refusal.

    `subject` names the keyword argument holding the object acted on (absent for a
    creation, where `model` says what would have been created).
    """

    def decorate(service):
        @functools.wraps(service)
        def run(*, by, **kwargs):
            try:
                with transaction.atomic(durable=True), audit.trail() as trail:
                    trail.hold()  # the chain's, before any row lock: workflow/chain.py
                    result = service(by=by, **kwargs)
                    outbox.notify(trail.recorded)
            except (TransitionNotAllowed, ConcurrentTransition) as exc:
                refusal = Conflict(
                    "Someone else changed this at the same time; look at it again and retry."
                    if isinstance(exc, ConcurrentTransition)
                    else f"Not possible from the current status: {exc}",
                    status=getattr(kwargs.get(subject), "status", ""),
                )
                _audit_refusal(by, action, kwargs.get(subject), model, refusal)
                raise refusal from exc
            except Refusal as refusal:
                _audit_refusal(by, action, kwargs.get(subject), model, refusal)
                raise
            metrics.observe(*trail.events)
            return result

        run.action = action
        return run

    return decorate


def _audit_refusal(by, action, obj, model, refusal: Refusal) -> None:
    detail = {"status_code": refusal.status_code}
    if isinstance(refusal, GatesUnmet):
        detail["unmet"] = [check.code for check in refusal.unmet]
    if isinstance(refusal, InvalidInput):
        detail["fields"] = sorted(refusal.fields)
    event = audit.record(
        by=by,
        obj=obj,
        model=model,
        action=action,
        # A conflict knows the status the object really had (the caller's copy may be old).
        from_status=getattr(refusal, "status", "") or getattr(obj, "status", ""),
        refused=True,
        reason=refusal.detail,
        detail=detail,
    )
    metrics.observe(event)


# What services share -------------------------------------------------------------------


def locked(model, pk, *related: str):
    """The row, locked; the rows `related` names are read with it (not locked)."""
    return model.objects.select_related(*related).select_for_update(of=("self",)).get(pk=pk)


def moved(by, obj, action: str, before: str, **extra) -> None:
    """Save a transition's object and record the move."""
    obj.save()
    audit.record(by=by, obj=obj, action=action, from_status=before, to_status=obj.status, **extra)


def status_conflict(obj, transition, wanted: str) -> Verdict:
    """A conflict unless `obj` is in a status `transition` starts from."""
    if starts_from(transition):
        return Verdict()
    return Verdict(
        conflict=f"{name_of(obj)} is {obj.get_status_display()}: {wanted}.", status=obj.status
    )


def name_of(obj) -> str:
    kind = type(obj)._meta.verbose_name.capitalize()
    return f"Ticket #{obj.pk}" if kind == "Ticket" else f"{kind} “{obj}”"


def require_role(transition, user, message: str) -> None:
    if not may_take(transition, user):
        raise NotPermitted(message)


def require_pm(by, what: str) -> None:
    if not has_role(by, MDO_PM):
        raise NotPermitted(f"Only MDO PMs may {what}.")


def length_errors(model, **values) -> dict[str, list[str]]:
    """Text longer than its column is malformed input (400), never a database error."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if value and limit and len(value) > limit:
            errors[name] = [f"At most {limit} characters ({len(value)} given)."]
    return errors


def require_fit(model, **values) -> None:
    if errors := length_errors(model, **values):
        raise InvalidInput(errors)


def require_text(value: str | None, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput({field_name: [message]})
    return value
