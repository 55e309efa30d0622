"""Small filters for the boards."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def age(since, now) -> str:
    """How long since `since`, as a card has room for: "12 min", "5 h", "3 d", "6 wk"."""
    if not since or not now:
        return ""
    seconds = max(0.0, (now - since).total_seconds())
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    if seconds < 14 * 86400:
        return f"{int(seconds // 86400)} d"
    return f"{int(seconds // (7 * 86400))} wk"
