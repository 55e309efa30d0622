"""What every state machine of the portal shares, on top of django-fsm-2, and how the rest
of the portal reads the machines: only through django-fsm-2's public API."""

import functools

from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, can_proceed
from django_fsm.signals import post_transition


class StateMachine(ConcurrentTransitionMixin, models.Model):
    """A model with a protected `status` FSMField that remembers when its status changed."""

    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


def _stamp_status_change(sender, instance, source, target, **kwargs):
    if isinstance(instance, StateMachine) and target is not None and target != source:
        instance.status_changed_at = timezone.now()


post_transition.connect(_stamp_status_change, dispatch_uid="portal_stamp_status_change")


def transitions_of(model) -> list:
    """Every transition of the model's `status` machine, one per source status."""
    return list(model._meta.get_field("status").get_all_transitions(model))


@functools.cache
def _by_name(model) -> dict[str, tuple]:
    found: dict[str, list] = {}
    for transition in transitions_of(model):
        found.setdefault(transition.name, []).append(transition)
    return {name: tuple(transitions) for name, transitions in found.items()}


def transition_named(model, name: str) -> tuple[tuple[str, ...], str | None]:
    """(the statuses transition `name` starts from, the status it leads to)."""
    found = _by_name(model).get(name)
    if not found:
        raise LookupError(f"{model.__name__} has no status transition {name}.")
    target = found[0].target
    return tuple(str(t.source) for t in found), (str(target) if target is not None else None)


def permission_of(bound_method):
    """The `permission` of a bound transition (the same from every source status)."""
    transitions = _by_name(type(bound_method.__self__)).get(bound_method.__name__, ())
    return transitions[0].permission if transitions else None


def may_take(bound_method, user) -> bool:
    """The user's role allows this transition, whatever status the object is in."""
    instance = bound_method.__self__
    transitions = _by_name(type(instance)).get(bound_method.__name__, ())
    return any(t.has_perm(instance, user) for t in transitions)


def starts_from(bound_method) -> bool:
    """The object is in a status this transition starts from, and its conditions hold."""
    return can_proceed(bound_method)
