"""Who can help when only an MDO PM can: what a refusal or a dead end names, so "ask your
MDO PM" always says who that is.

MDO_PM_CONTACT (settings: names, a Mattermost channel, an address) when it is set; else the
names of the portal's active MDO PMs, read when a page shows them (one query).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

from workflow.permissions import MDO_PM

NAMED = 3  # more than this many MDO PMs: the first ones, and "or another MDO PM"


def mdo_pm_contact() -> str:
    if settings.MDO_PM_CONTACT:
        return settings.MDO_PM_CONTACT
    people = get_user_model()._default_manager.filter(groups__name=MDO_PM, is_active=True)
    names = sorted(
        (person.get_full_name() or person.get_username() for person in people.order_by("pk")),
        key=str.casefold,
    )
    if len(names) > NAMED:
        names = [*names[:NAMED], "another MDO PM"]
    return " or ".join(names)
