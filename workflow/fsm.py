"""What every state machine of the portal shares, on top of django-fsm-2."""

from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin
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


def may_take(bound_method, user) -> bool:
    """The user's role allows this transition, whatever status the object is in."""
    any_source = next(iter(bound_method._django_fsm.transitions.values()))
    return any_source.has_perm(bound_method.__self__, user)


def starts_from(bound_method) -> bool:
    """The object is in a status this transition starts from, and its conditions hold."""
    meta = bound_method._django_fsm
    state = meta.field.get_state(bound_method.__self__)
    return meta.has_transition(state) and meta.conditions_met(bound_method.__self__, state)
