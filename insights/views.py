"""Insights: the flow of requests at a glance, for MDO PMs (every team, with a team filter)
and for each team (its own work only), and the workflow pictures.

Who sees what comes from workflow.selectors: a product team member sees their own teams
and gets 404 for another team's dashboard; Party Bus staff roles see every team.
"""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from insights.dashboard import Dashboard, build
from insights.forms import DEFAULT_WEEKS, InsightsFilterForm
from insights.metrics import Period
from insights.queries import Scope
from insights.workflow_pictures import pictures
from portal.http import fragment_of, varies
from requests_app.models import RequestType
from requests_app.sequences import EXPLANATIONS
from workflow.permissions import sees_all_teams, team_ids_of
from workflow.selectors import team_for_user, teams_for

TEMPLATE = "insights/dashboard.html"


@login_required
@require_http_methods(["GET"])
def dashboard(request):
    """Every team the user sees (all of them for Party Bus staff), one of them if chosen."""
    user = request.user
    teams = list(teams_for(user).prefetch_related(None).values_list("pk", "name"))
    form = InsightsFilterForm(request.GET, teams=teams)
    if form.unknown_team and request.GET.get("team"):
        raise Http404("No team that you can see.")
    chosen = form.value("team")
    if chosen is not None:
        team_ids = frozenset({chosen})
    else:
        team_ids = None if sees_all_teams(user) else frozenset(team_ids_of(user))
    everyone = sees_all_teams(user)
    return _dashboard(
        request,
        form=form,
        team_ids=team_ids,
        heading="Insights: every team" if everyone else "Insights: your teams",
        scope_name=dict(teams)[chosen] if chosen else ("All teams" if everyone else "Your teams"),
        slug=f"team-{chosen}" if chosen else "all-teams",
        action=reverse("insights:dashboard"),
        no_team=not teams,
    )


@login_required
@require_http_methods(["GET"])
def team_dashboard(request, pk: int):
    """One team's own work; 404 for a team the user may not see."""
    team = team_for_user(request.user, pk)
    return _dashboard(
        request,
        form=InsightsFilterForm(request.GET),
        team_ids=frozenset({team.pk}),
        heading=f"Insights: {team.name}",
        scope_name=team.name,
        slug=f"team-{team.pk}",
        action=reverse("insights:team_dashboard", args=[team.pk]),
        team=team,
    )


def _dashboard(request, *, form, team_ids, heading, scope_name, slug, action, **extra):
    weeks = form.value("weeks", DEFAULT_WEEKS)
    request_type = form.value("request_type", "")
    now = timezone.now()
    period = Period.last_weeks(weeks, now=now, zone=timezone.get_current_timezone())
    board = build(Scope(team_ids, request_type), period, now=now)
    if request.GET.get("format") == "csv":
        return _csv(board, request.GET.get("chart", ""), f"insights-{slug}")
    filters = {"weeks": weeks, "team": form.value("team") or "", "request_type": request_type}
    context = {
        "board": board,
        "form": form,
        "heading": heading,
        "scope_name": scope_name,
        "type_name": RequestType(request_type).label if request_type else "All request types",
        "weeks": weeks,
        "action": action,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "nav": "insights",
        **extra,
    }
    return varies(render(request, fragment_of(request, TEMPLATE, "results"), context))


def _csv(board: Dashboard, key: str, name: str) -> HttpResponse:
    panel = board.panel(key)
    if panel is None:
        raise Http404(f"No chart named “{key}”.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{name}-{key}-{board.period.end.astimezone(board.period.zone):%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(panel.table.columns)
    for row in panel.table.rows:
        writer.writerow([_cell(value) for value in row])
    return response


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # A spreadsheet runs a cell that starts like a formula; numbers are never text here.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


@login_required
@require_http_methods(["GET"])
def workflows(request):
    """How each request type flows, drawn from the state machines."""
    return render(
        request,
        "insights/workflows.html",
        {
            "pictures": [(p, EXPLANATIONS.get(p.request_type, "")) for p in pictures()],
            "nav": "workflows",
        },
    )
