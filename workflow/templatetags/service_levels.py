"""The triage clock on the team's pages: `{% triage_clocks tickets as clocks %}` once for a
list (two queries for the whole page), then `clocks|clock_for:ticket` in its rows; one
ticket's with `{% triage_clock_of ticket as clock %}`. Shown by workflow/triage_due.html."""

from __future__ import annotations

from django import template

from workflow import service_levels

register = template.Library()


@register.simple_tag
def triage_clocks(tickets) -> dict:
    return service_levels.triage_clocks(tickets)


@register.simple_tag
def triage_clock_of(ticket) -> service_levels.TriageClock:
    return service_levels.triage_clock(ticket)


@register.filter
def clock_for(clocks: dict, ticket):
    return clocks.get(ticket.pk)
