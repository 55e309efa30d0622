"""The request portal's pages: file a request, follow it, withdraw it, list a team's requests.

Views parse input, call one service (workflow.services) or selector (workflow.selectors),
and render; the gates and refusals come from the services, word for word.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from boards.views.conversation import in_place as answer_in_place
from epics.models import Story
from portal.http import attempt, fragment_of, is_fragment, safe_next, varies
from portal.timeline import entries as timeline_entries
from requests_app import checklist, sequences
from requests_app.comments import thread_context
from requests_app.forms import RequestForm, TicketFilterForm
from requests_app.models import Ticket
from workflow import forecast, request_types, services
from workflow.actions import action_named, transitions_for
from workflow.errors import GatesUnmet, InvalidInput, Refusal
from workflow.models import AccessRequest
from workflow.permissions import has_classified_access, is_member
from workflow.selectors import (
    access_requests_for,
    classified_story_of,
    classified_story_pk,
    documents_for,
    epics_for,
    history_of,
    member_teams,
    stories_for,
    team_for_user,
    ticket_for_user,
    tickets_for,
)

# Filing ------------------------------------------------------------------------------------

NEW_TEMPLATE = "requests_app/new.html"


def _form_context(request, form: RequestForm, *, refusal: str = "") -> dict:
    team, epic = form.chosen_team, form.chosen_epic
    context = {
        "form": form,
        "refusal": refusal,
        "types": [
            {
                "value": kind.value,
                "label": kind.label,
                "explanation": kind.explanation,
                "levels": ", ".join(str(level) for level in kind.levels),
            }
            for kind in request_types.KINDS
        ],
        "items": [],
        "nav": "new",
    }
    if team is None:
        return context
    if epic is not None:
        epic = epics_for(request.user).prefetch_related("documents").get(pk=epic.pk)
    level_known = bool(form.chosen_level)
    checks = services.filing_checks(
        team=team,
        request_type=form.chosen_type,
        impact_level=form.chosen_level,
        # The epic's document gates need the impact level to say anything.
        epic=epic if level_known else None,
    )
    current = form.current()
    description = form.value_of("description")
    if len(description) <= 1500:
        current["description"] = description
    back = f"{reverse('ticket_new')}?{urlencode(current)}"
    context["items"] = checklist.items(
        checks,
        team=team,
        epic=epic,
        impact_level=form.chosen_level,
        back=back,
        documents=documents_for(request.user).filter(epic=epic) if epic else (),
    )
    context["still_to_choose"] = _still_to_choose(form)
    context["all_met"] = (
        all(item.passed for item in context["items"]) and not context["still_to_choose"]
    )
    return context


def _still_to_choose(form: RequestForm) -> list[str]:
    """What the checklist cannot judge yet, because it is not chosen."""
    missing = []
    if not form.type_chosen:
        missing.append("Choose a request type to see the checks it needs.")
        return missing
    if form.needs_epic and form.chosen_epic is None:
        missing.append("Choose the epic this request is for.")
    if not form.chosen_level:
        missing.append("Choose an impact level.")
    if form.needs_application and not form.value_of("application_name").strip():
        missing.append("Name the new application.")
    return missing


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    user = request.user
    teams = member_teams(user)
    if not teams:
        return render(request, NEW_TEMPLATE, {"no_team": True, "nav": "new"})
    epics = epics_for(user)
    status = 200
    refusal = ""
    if request.method == "POST":
        form = RequestForm(request.POST, teams=teams, epics=epics)
        if form.is_valid():
            try:
                ticket = services.ticket_file(by=user, **form.service_arguments())
            except GatesUnmet as refused:
                status = 422
                count = len(refused.unmet)
                refusal = (
                    "Nothing was filed: "
                    + ("one check is" if count == 1 else f"{count} checks are")
                    + " not met yet. The checklist says what to do."
                )
            except InvalidInput as refused:
                status = 400
                for field, problems in refused.fields.items():
                    form.add_error(field if field in form.fields else None, problems)
                refusal = "Nothing was filed: some fields need fixing."
            except Refusal as refused:
                status = refused.status_code
                refusal = f"Nothing was filed: {refused.detail}"
            else:
                messages.success(
                    request,
                    f"Request #{ticket.pk} filed. An MDO PM will triage it; follow it here.",
                )
                return redirect("ticket_detail", pk=ticket.pk)
        else:
            status = 400
            refusal = "Nothing was filed: some fields need fixing."
    else:
        form = RequestForm(initial=request.GET.dict(), teams=teams, epics=epics)
    context = _form_context(request, form, refusal=refusal)
    response = render(request, fragment_of(request, NEW_TEMPLATE, "live"), context, status=status)
    return varies(response)


# Following a request ---------------------------------------------------------------------

DETAIL_TEMPLATE = "requests_app/detail.html"


def _classified_context(request, ticket: Ticket) -> dict:
    user = request.user
    if not ticket.kind.classified:
        return {}
    access = has_classified_access(user)
    story_pk = classified_story_pk(ticket)
    context = {
        "classified_access": access,
        "classified_link": reverse("board_story_card", args=[story_pk]) if story_pk else "",
    }
    opening = action_named(Ticket, "open_classified_story")
    if story_pk is None and opening.offered_to(ticket, user):
        context["open_classified"] = opening.check(ticket, user)
    if access:
        context["classified_story"] = classified_story_of(user, ticket)
    else:
        context["access_requests"] = list(access_requests_for(user).filter(user=user)[:3])
        context["access_pending"] = any(
            a.status == AccessRequest.Status.PENDING for a in context["access_requests"]
        )
    return context


def _in_the_way(request, ticket: Ticket, progress: sequences.Progress) -> dict | None:
    """What stands between the request and its next step, as that step's transition check
    (workflow.actions) says: a status conflict, unmet gates with where to fix them, or
    nothing (`free`). None when the next step has no such check."""
    current = progress.current
    if current is None or current.state != "current" or current.step.transition is None:
        return None
    subject, name = current.step.transition
    obj = ticket if subject == "ticket" else ticket.epic
    if obj is None:
        return None
    verdict = action_named(type(obj), name).check(obj, request.user)
    if verdict.allowed:
        return {"free": True}
    epic = ticket.epic
    return {
        "conflict": verdict.conflict,
        "items": checklist.items(
            verdict.unmet,
            team=ticket.team,
            epic=epic,
            impact_level=ticket.impact_level,
            documents=documents_for(request.user).filter(epic=epic) if epic else (),
        ),
    }


def _detail_context(request, ticket: Ticket, *, notice: str = "", error: str = "") -> dict:
    user = request.user
    stories = list(stories_for(user).filter(ticket=ticket).order_by("created_at", "pk"))
    product_stories = [s for s in stories if s.board == Story.Board.PRODUCT]
    sources = [ticket, *product_stories]
    if ticket.epic_id:
        sources.append(history_of(ticket.epic).filter(detail__ticket=ticket.pk))
    transitions = {t["name"]: t for t in transitions_for(ticket, user)}
    progress = sequences.progress(ticket)
    return {
        "ticket": ticket,
        "progress": progress,
        "in_the_way": _in_the_way(request, ticket, progress),
        "stories": stories,
        "timeline": timeline_entries(*sources, viewer=user),
        "withdraw": transitions.get("withdraw"),
        "forecast": forecast.forecast(ticket),
        "forecast_method": forecast.METHOD,
        **thread_context(user, ticket, transitions),
        "notice": notice,
        "error": error,
        **_classified_context(request, ticket),
    }


@login_required
@require_http_methods(["GET"])
def request_detail(request, pk: int):
    ticket = ticket_for_user(request.user, pk)
    template = fragment_of(request, DETAIL_TEMPLATE, "ticket-main")
    return varies(render(request, template, _detail_context(request, ticket)))


@login_required
@require_http_methods(["POST"])
def request_withdraw(request, pk: int):
    ticket = ticket_for_user(request.user, pk, "withdraw")
    status = 200
    notice = error = ""
    try:
        services.ticket_withdraw(by=request.user, ticket=ticket)
    except Refusal as refused:
        status = refused.status_code
        error = f"Not withdrawn: {refused.detail}"
    else:
        notice = f"Request #{ticket.pk} withdrawn. Nothing more happens to it."
    if not is_fragment(request):
        (messages.error if error else messages.success)(request, error or notice)
        return redirect("ticket_detail", pk=ticket.pk)
    ticket = ticket_for_user(request.user, pk)
    context = _detail_context(request, ticket, notice=notice, error=error)
    return render(request, f"{DETAIL_TEMPLATE}#ticket-main", context, status=status)


# The conversation (requests_app/comments.py) -----------------------------------------------


def _after(request, pk: int, outcome, done: str, in_place=None):
    """The request page after a conversation action: a redirect (to `next`, if any) with a
    message, or for HTMX the page's main region, saying what happened or why nothing did.
    `in_place`: the answer of the place the form was in instead (a triage row, a card's
    dialog: boards/views/conversation.py)."""
    error = f"Not done: {outcome.detail} {outcome.problems}".strip() if outcome.refused else ""
    if not is_fragment(request):
        (messages.error if error else messages.success)(request, error or done)
        return redirect(safe_next(request, reverse("ticket_detail", args=[pk])))
    if in_place is not None:
        status = outcome.status if outcome.refused else 200
        ticket = ticket_for_user(request.user, pk)
        return in_place(request, ticket, notice="" if error else done, error=error, status=status)
    context = _detail_context(
        request, ticket_for_user(request.user, pk), notice="" if error else done, error=error
    )
    if error:
        context["draft"] = request.POST
    status = outcome.status if outcome.refused else 200
    return render(request, f"{DETAIL_TEMPLATE}#ticket-main", context, status=status)


@login_required
@require_http_methods(["POST"])
def request_comment(request, pk: int):
    ticket = ticket_for_user(request.user, pk, "comment")
    in_place = answer_in_place(request) if is_fragment(request) else None
    outcome = attempt(
        lambda: services.ticket_comment(
            by=request.user,
            ticket=ticket,
            body=request.POST.get("body", ""),
            internal=request.POST.get("internal") == "on",
            attachments=request.FILES.getlist("attachments"),
        )
    )
    return _after(request, pk, outcome, "Comment added.", in_place)


def _transition_with_text(request, pk: int, name: str, param: str, done: str):
    ticket = ticket_for_user(request.user, pk, name)
    text = request.POST.get(param, "")
    outcome = attempt(
        lambda: action_named(Ticket, name).perform(ticket, request.user, **{param: text})
    )
    return _after(request, pk, outcome, done)


@login_required
@require_http_methods(["POST"])
def request_ask_for_info(request, pk: int):
    done = "Question sent: the request waits in Needs Info for the team's answer."
    return _transition_with_text(request, pk, "ask_for_info", "question", done)


@login_required
@require_http_methods(["POST"])
def request_provide_info(request, pk: int):
    done = "Answer sent: the request waits for triage again."
    return _transition_with_text(request, pk, "provide_info", "answer", done)


# A team's requests -------------------------------------------------------------------------

LIST_TEMPLATE = "requests_app/team_list.html"


@login_required
@require_http_methods(["GET"])
def team_requests(request, pk: int):
    team = team_for_user(request.user, pk)
    filters = TicketFilterForm(request.GET)
    tickets = filters.filter(tickets_for(request.user).filter(team=team))
    page = Paginator(tickets, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(request.GET.get(name) for name in filters.fields)
    context = {
        "team": team,
        "filters": filters,
        "page": page,
        "filtered": filtered,
        "may_file": is_member(request.user, team.pk),  # staff read a team's list, members file
        "nav": "team",
    }
    return varies(render(request, fragment_of(request, LIST_TEMPLATE, "results"), context))
