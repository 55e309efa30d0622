from django.utils.functional import SimpleLazyObject

from notifications.inbox import unread_count


def notifications(request):
    """The bell's unread count, counted only on pages that show it."""
    user = getattr(request, "user", None)
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user) if user else 0)}
