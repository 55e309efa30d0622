"""Every action that changes state: one function each, named <thing>_<verb>.

Each runs in one durable transaction, locks the rows it moves (the epic first, then its
ticket and story), checks the caller's role (403), the input (400), the status
(409) and every gate (422, all of them at once), calls the django-fsm transitions and
appends to the audit trail. A refusal rolls everything back and is itself audited.
Views, the API, the admin and management commands call these; nothing else saves a status.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from epics.models import Document, Epic, ImpactLevel, Pipeline, Release, Story, Team
from requests_app.models import IMPACT_LEVELS, RequestType, Ticket
from workflow import documents, gates, notifications
from workflow.audit import record
from workflow.dates import day
from workflow.errors import Conflict, GatesUnmet, InvalidInput, NotPermitted, Refusal
from workflow.fsm import may_take, starts_from
from workflow.models import AccessRequest
from workflow.permissions import (
    MDO_PM,
    forget,
    has_role,
    is_member,
    may_record_releases,
    may_upload_documents,
)

# Verdicts: what stands between a user and an action ------------------------------------


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


def _status_conflict(obj, transition, wanted: str) -> Verdict:
    """A conflict unless `obj` is in a status `transition` starts from."""
    if starts_from(transition):
        return Verdict()
    return Verdict(
        conflict=f"{_name(obj)} is {obj.get_status_display()}: {wanted}.", status=obj.status
    )


def _name(obj) -> str:
    kind = type(obj)._meta.verbose_name.capitalize()
    return f"{kind} “{obj}”" if not isinstance(obj, Ticket) else f"Ticket #{obj.pk}"


def _require_role(transition, user, message: str) -> None:
    if not may_take(transition, user):
        raise NotPermitted(message)


# Running an action ----------------------------------------------------------------------


def _audited(action: str, subject: str | None = None, model=None):
    """Run the service in one durable transaction; audit and re-raise any refusal.

    `subject` names the keyword argument holding the object acted on (absent for a
    creation, where `model` says what would have been created).
    """

    def decorate(service):
        @functools.wraps(service)
        def run(*, by, **kwargs):
            try:
                with transaction.atomic(durable=True), notifications.outbox():
                    return service(by=by, **kwargs)
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

        run.action = action
        return run

    return decorate


def _audit_refusal(by, action, obj, model, refusal: Refusal) -> None:
    detail = {"status_code": refusal.status_code}
    if isinstance(refusal, GatesUnmet):
        detail["unmet"] = [check.code for check in refusal.unmet]
    if isinstance(refusal, InvalidInput):
        detail["fields"] = sorted(refusal.fields)
    record(
        by=by,
        obj=obj,
        model=model,
        action=action,
        from_status=getattr(obj, "status", ""),
        refused=True,
        reason=refusal.detail,
        detail=detail,
    )


def _locked(model, pk, *related: str):
    """The row, locked; the rows `related` names are read with it (not locked)."""
    return model.objects.select_related(*related).select_for_update(of=("self",)).get(pk=pk)


def _lock_ticket_and_epic(ticket: Ticket) -> Ticket:
    """Lock the ticket's epic, then the ticket: the epic stored now, not the one the caller's
    copy names (triage of a new CtF gives the ticket its epic)."""
    epic_id = Ticket.objects.filter(pk=ticket.pk).values_list("epic_id", flat=True).get()
    epic = _locked(Epic, epic_id) if epic_id else None
    ticket = _locked(Ticket, ticket.pk)
    if ticket.epic_id != epic_id:
        raise ConcurrentTransition("The ticket's epic changed while it was being locked.")
    ticket.epic = epic
    return ticket


def _moved(by, obj, action: str, before: str, **extra) -> None:
    obj.save()
    record(by=by, obj=obj, action=action, from_status=before, to_status=obj.status, **extra)


def _length_errors(model, **values) -> dict[str, list[str]]:
    """Text longer than its column is malformed input (400), never a database error."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if value and limit and len(value) > limit:
            errors[name] = [f"At most {limit} characters ({len(value)} given)."]
    return errors


def _require_fit(model, **values) -> None:
    if errors := _length_errors(model, **values):
        raise InvalidInput(errors)


def _require_text(value: str | None, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput({field_name: [message]})
    return value


# Teams and epics ------------------------------------------------------------------------


def _require_pm(by, what: str) -> None:
    if not has_role(by, MDO_PM):
        raise NotPermitted(f"Only MDO PMs may {what}.")


@_audited("create", model=Team)
def team_create(*, by, name: str, funded: bool = False, onboarded: bool = False, members=()):
    _require_pm(by, "create teams")
    name = _require_text(name, "name", "Give the team a name.")
    _require_fit(Team, name=name)
    if Team.objects.filter(name__iexact=name).exists():
        raise InvalidInput({"name": [f"A team named “{name}” already exists."]})
    team = Team.objects.create(name=name, funded=funded, onboarded=onboarded)
    team.members.set(members)
    record(by=by, obj=team, action="create")
    return team


@_audited("update", subject="team")
def team_update(*, by, team: Team, **changes):
    _require_pm(by, "change teams")
    team = _locked(Team, team.pk)
    if "name" in changes:
        name = _require_text(changes["name"], "name", "Give the team a name.")
        _require_fit(Team, name=name)
        if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
            raise InvalidInput({"name": [f"A team named “{name}” already exists."]})
        team.name = name
    for flag in ("funded", "onboarded"):
        if flag in changes:
            setattr(team, flag, bool(changes[flag]))
    team.save()
    if "members" in changes:
        team.members.set(changes["members"])
    record(by=by, obj=team, action="update", detail={"changed": sorted(changes)})
    return team


def _unique_epic_title(team: Team, title: str, field_name: str) -> None:
    if Epic.objects.filter(team=team, title__iexact=title).exists():
        raise InvalidInput({field_name: [f"{team.name} already has an epic named “{title}”."]})


@_audited("create", model=Epic)
def epic_create(*, by, team: Team, title: str, requires_new_ctf: bool = False):
    _require_pm(by, "create epics")
    title = _require_text(title, "title", "Give the epic a title.")
    _require_fit(Epic, title=title)
    _unique_epic_title(team, title, "title")
    epic = Epic.objects.create(team=team, title=title, requires_new_ctf=requires_new_ctf)
    record(by=by, obj=epic, action="create", to_status=epic.status)
    return epic


# Tickets ----------------------------------------------------------------------------------


def filing_checks(*, team: Team, request_type: str, impact_level: str, epic: Epic | None):
    """Every gate that filing this request must pass, met or not (the form's checklist)."""
    checks = gates.validity(team)
    if epic is not None:
        checks.append(gates.epic_of_team(epic, team))
        if request_type == RequestType.PROD_DEPLOY:
            checks.append(gates.signed_ctf_letter(epic, impact_level))
        elif request_type == RequestType.IL6_PROD_DEPLOY:
            checks.append(gates.ctf_approves_il6(epic))
    if request_type == RequestType.IL6_PROD_DEPLOY:
        checks.append(gates.has_il245_pipeline(team))
    return checks


def _filing_input_errors(*, team, request_type, impact_level, epic, application_name):
    errors: dict[str, list[str]] = {}
    if request_type not in RequestType.values:
        errors["request_type"] = [
            f"“{request_type}” is not a request type; choose one of "
            + ", ".join(RequestType.values)
            + "."
        ]
        return errors
    allowed = IMPACT_LEVELS[request_type]
    if impact_level not in allowed:
        errors["impact_level"] = [
            f"{RequestType(request_type).label} takes "
            + ", ".join(str(level) for level in allowed)
            + (f", not “{impact_level}”." if impact_level else "; choose one.")
        ]
    if request_type == RequestType.NEW_PIPELINE_CTF:
        if epic is not None:
            errors["epic"] = ["A new CtF opens a new epic: leave the epic empty."]
        if not application_name:
            errors["application_name"] = ["Name the new application (it becomes the epic)."]
        elif Epic.objects.filter(team=team, title__iexact=application_name).exists():
            errors["application_name"] = [
                f"{team.name} already has an epic named “{application_name}”: "
                "file an additional pipeline on it instead."
            ]
    elif epic is None:
        errors["epic"] = ["Choose the epic this request is for."]
    return errors


def _default_title(request_type, impact_level, epic, application_name) -> str:
    subject = application_name if request_type == RequestType.NEW_PIPELINE_CTF else str(epic)
    return f"{RequestType(request_type).label} ({impact_level}): {subject}"[:200]


@_audited("file", model=Ticket)
def ticket_file(
    *,
    by,
    team: Team,
    request_type: str,
    impact_level: str,
    epic: Epic | None = None,
    title: str = "",
    description: str = "",
    application_name: str = "",
) -> Ticket:
    """File a request for `team`: validity gate and the type's gates, or nothing is stored."""
    if not (is_member(by, team.pk) or by.is_superuser):
        raise NotPermitted(f"Only members of {team.name} may file its requests.")
    application_name = (application_name or "").strip()
    title = (title or "").strip()
    errors = _length_errors(Ticket, title=title, application_name=application_name)
    errors |= _filing_input_errors(
        team=team,
        request_type=request_type,
        impact_level=impact_level,
        epic=epic,
        application_name=application_name,
    )
    if errors:
        raise InvalidInput(errors)
    Verdict(
        unmet=gates.unmet(
            filing_checks(
                team=team, request_type=request_type, impact_level=impact_level, epic=epic
            )
        )
    ).enforce()
    ticket = Ticket.objects.create(
        team=team,
        epic=epic,
        request_type=request_type,
        impact_level=impact_level,
        title=title or _default_title(request_type, impact_level, epic, application_name),
        description=description or "",
        application_name=application_name,
        created_by=by,
    )
    record(by=by, obj=ticket, action="file", to_status=ticket.status)
    return ticket


def triage_gates(ticket: Ticket) -> list[gates.Check]:
    """The gates triage checks for the ticket's type, met or not (the triage queue shows
    them all)."""
    epic = ticket.epic
    if ticket.request_type == RequestType.PROD_DEPLOY:
        return [gates.signed_ctf_letter(epic, ticket.impact_level), gates.epic_free(epic)]
    if ticket.request_type == RequestType.IL6_PROD_DEPLOY:
        return [gates.ctf_approves_il6(epic), gates.signed_cisso_document(epic)]
    return []


def check_ticket_triage(ticket: Ticket, user=None) -> Verdict:
    verdict = _status_conflict(ticket, ticket.triage, "only Submitted tickets can be triaged")
    if not verdict.allowed:
        return verdict
    epic = ticket.epic
    if ticket.request_type == RequestType.PROD_DEPLOY:
        if epic.status not in Epic.AT_REST:
            return Verdict(
                conflict=f"Epic “{epic}” is {epic.get_status_display()}: a production "
                "deployment is queued only from Pipeline Complete, Deployed - Staging or "
                "Prod Deploy - Complete (the epic needs a pipeline first).",
                status=ticket.status,
            )
    elif (
        ticket.request_type == RequestType.NEW_PIPELINE_CTF
        and Epic.objects.filter(
            team_id=ticket.team_id, title__iexact=ticket.application_name
        ).exists()
    ):
        return Verdict(
            conflict=f"{ticket.team.name} already has an epic named “{ticket.application_name}”: "
            "the new CtF's epic cannot be opened under that name.",
            status=ticket.status,
        )
    return Verdict(unmet=gates.unmet(triage_gates(ticket)))


@_audited("triage", subject="ticket")
def ticket_triage(*, by, ticket: Ticket) -> Ticket:
    """Open the ticket's story (and a new epic, or queue the epic, as its type says)."""
    _require_role(ticket.triage, by, "Only MDO PMs triage tickets.")
    ticket = _lock_ticket_and_epic(ticket)
    epic = ticket.epic
    check_ticket_triage(ticket, by).enforce()
    before = ticket.status
    if ticket.request_type == RequestType.NEW_PIPELINE_CTF:
        epic = Epic.objects.create(
            team=ticket.team, title=ticket.application_name, requires_new_ctf=True
        )
        record(
            by=by, obj=epic, action="create", to_status=epic.status, detail={"ticket": ticket.pk}
        )
        ticket.epic = epic
    elif ticket.request_type == RequestType.PROD_DEPLOY:
        ticket.epic_status_before = epic.status
        epic.queue_prod_deploy()
        _moved(
            by, epic, "queue_prod_deploy", ticket.epic_status_before, detail={"ticket": ticket.pk}
        )
    ticket.triage()
    _moved(by, ticket, "triage", before)
    story = Story.objects.create(
        epic=epic, ticket=ticket, board=Story.Board.PRODUCT, title=_story_title(ticket)
    )
    record(by=by, obj=story, action="create", to_status=story.status, detail={"ticket": ticket.pk})
    return ticket


def _story_title(ticket: Ticket) -> str:
    verb = {
        RequestType.PIPELINE: "Build the {level} pipeline",
        RequestType.NEW_PIPELINE_CTF: "Build the {level} pipeline (new CtF)",
        RequestType.PROD_DEPLOY: "{level} production deployment",
        RequestType.IL6_PROD_DEPLOY: "Prepare the structure for the IL6 production deploy",
    }[ticket.request_type]
    return f"{verb.format(level=ticket.impact_level)}: {ticket.epic or ticket.application_name}"


def check_ticket_reject(ticket: Ticket, user=None) -> Verdict:
    return _status_conflict(
        ticket,
        ticket.reject,
        "only Submitted tickets, or Triaged ones whose story is still To Do, can be rejected",
    )


@_audited("reject", subject="ticket")
def ticket_reject(*, by, ticket: Ticket, reason: str) -> Ticket:
    """Reject with a reason; cancel its story and put the epic back where it was."""
    _require_role(ticket.reject, by, "Only MDO PMs reject tickets.")
    reason = _require_text(reason, "reason", "Say why the request is rejected.")
    ticket = _lock_ticket_and_epic(ticket)
    epic = ticket.epic
    check_ticket_reject(ticket).enforce()
    before = ticket.status
    for story in ticket.stories.select_for_update():
        story_before = story.status
        story.cancel()
        _moved(by, story, "cancel", story_before, detail={"ticket": ticket.pk})
    if epic is not None and ticket.epic_status_before and starts_from(epic.revert):
        epic_before = epic.status
        epic.revert(ticket.epic_status_before)
        _moved(by, epic, "revert", epic_before, detail={"ticket": ticket.pk})
    ticket.reject(reason=reason)
    _moved(by, ticket, "reject", before, reason=reason)
    return ticket


def check_ticket_withdraw(ticket: Ticket, user=None) -> Verdict:
    return _status_conflict(ticket, ticket.withdraw, "only Submitted tickets can be withdrawn")


@_audited("withdraw", subject="ticket")
def ticket_withdraw(*, by, ticket: Ticket) -> Ticket:
    _require_role(
        ticket.withdraw, by, f"Only members of {ticket.team.name} may withdraw its requests."
    )
    ticket = _locked(Ticket, ticket.pk)
    check_ticket_withdraw(ticket).enforce()
    before = ticket.status
    ticket.withdraw()
    _moved(by, ticket, "withdraw", before)
    return ticket


def check_ticket_open_classified_story(ticket: Ticket, user) -> Verdict:
    verdict = _status_conflict(
        ticket,
        ticket.open_classified_story,
        "the Classified Ops story is opened for a Triaged IL6 ticket",
    )
    if not verdict.allowed:
        return verdict
    return Verdict(
        unmet=gates.unmet([gates.structure_prepared(ticket), gates.classified_access(user)])
    )


@_audited("open_classified_story", subject="ticket")
def ticket_open_classified_story(*, by, ticket: Ticket) -> Ticket:
    """Open the Production Deploy story on the Classified Ops board for an IL6 ticket."""
    _require_role(ticket.open_classified_story, by, "Only MDO PMs open Classified Ops stories.")
    ticket = _locked(Ticket, ticket.pk)
    check_ticket_open_classified_story(ticket, by).enforce()
    before = ticket.status
    story = Story.objects.create(
        epic_id=ticket.epic_id,
        ticket=ticket,
        board=Story.Board.CLASSIFIED_OPS,
        title=f"Production Deploy (IL6): {ticket.epic}",
    )
    record(by=by, obj=story, action="create", to_status=story.status, detail={"ticket": ticket.pk})
    ticket.open_classified_story()
    _moved(by, ticket, "open_classified_story", before, detail={"story": story.pk})
    return ticket


# Epics -------------------------------------------------------------------------------------


_PIPELINE_TYPES = (RequestType.PIPELINE, RequestType.NEW_PIPELINE_CTF)


def _ticket_awaiting_pipeline(epic: Epic) -> Ticket | None:
    """The oldest triaged pipeline request on the epic whose pipeline has not started.

    A list that prefetched `epic.tickets` (to offer start_pipeline on each epic) asks no query.
    """
    if "tickets" in getattr(epic, "_prefetched_objects_cache", {}):
        waiting = [
            ticket
            for ticket in epic.tickets.all()
            if ticket.request_type in _PIPELINE_TYPES
            and ticket.status == Ticket.Status.TRIAGED
            and not ticket.epic_status_before
        ]
        return min(waiting, key=lambda ticket: (ticket.created_at, ticket.pk), default=None)
    return (
        Ticket.objects.filter(
            epic=epic,
            request_type__in=_PIPELINE_TYPES,
            status=Ticket.Status.TRIAGED,
            epic_status_before="",
        )
        .order_by("created_at", "pk")
        .first()
    )


def check_epic_start_pipeline(epic: Epic, user=None) -> Verdict:
    verdict = _status_conflict(
        epic,
        epic.start_pipeline,
        "a pipeline starts from New, Pipeline Complete, Deployed - Staging or "
        "Prod Deploy - Complete",
    )
    if not verdict.allowed:
        return verdict
    if _ticket_awaiting_pipeline(epic) is None:
        return Verdict(
            conflict=f"No triaged pipeline request is waiting on epic “{epic}”: triage one first.",
            status=epic.status,
        )
    return Verdict(unmet=gates.unmet([gates.epic_free(epic), gates.cyber_compliant(epic)]))


@_audited("start_pipeline", subject="epic")
def epic_start_pipeline(*, by, epic: Epic) -> Epic:
    _require_role(epic.start_pipeline, by, "Only MDO PMs start pipelines.")
    epic = _locked(Epic, epic.pk)
    # The triaged requests waiting on it, locked in the same query the check reads.
    waiting = Ticket.objects.filter(status=Ticket.Status.TRIAGED).select_for_update()
    prefetch_related_objects([epic], Prefetch("tickets", queryset=waiting))
    check_epic_start_pipeline(epic).enforce()
    ticket = _ticket_awaiting_pipeline(epic)
    before = epic.status
    epic.start_pipeline()
    _moved(by, epic, "start_pipeline", before, detail={"ticket": ticket.pk})
    ticket.epic_status_before = before
    ticket.save(update_fields=["epic_status_before"])
    return epic


def check_epic_verify_cyber_compliance(epic: Epic, user=None) -> Verdict:
    if epic.cyber_compliant:
        return Verdict(
            conflict=f"Epic “{epic}” was already verified cyber compliant by "
            f"{epic.cyber_compliant_by} on {day(epic.cyber_compliant_at)}.",
            status=epic.status,
        )
    return Verdict()


@_audited("verify_cyber_compliance", subject="epic")
def epic_verify_cyber_compliance(*, by, epic: Epic) -> Epic:
    _require_role(
        epic.verify_cyber_compliance, by, "Only MDO PMs and the Cyber team verify cyber compliance."
    )
    epic = _locked(Epic, epic.pk)
    check_epic_verify_cyber_compliance(epic).enforce()
    epic.verify_cyber_compliance(by=by, at=timezone.now())
    _moved(by, epic, "verify_cyber_compliance", epic.status)
    return epic


# Stories -------------------------------------------------------------------------------------

# The epic status a product-board story needs before work starts, by request type.
_EPIC_READY = {
    RequestType.PIPELINE: Epic.Status.PIPELINE_IN_PROGRESS,
    RequestType.NEW_PIPELINE_CTF: Epic.Status.PIPELINE_IN_PROGRESS,
    RequestType.PROD_DEPLOY: Epic.Status.PROD_DEPLOY_QUEUED,
}


def _check_story_start(story: Story, by, assignee, transition) -> Verdict:
    verdict = _status_conflict(story, transition, "only To Do stories can be started")
    if not verdict.allowed:
        return verdict
    ticket, epic = story.ticket, story.epic
    if story.board == Story.Board.CLASSIFIED_OPS:
        return Verdict(
            unmet=gates.unmet(
                [gates.classified_access(by), gates.assignee_is_devops(story, assignee)]
            )
        )
    ready = _EPIC_READY.get(ticket.request_type)
    if ready is not None and (epic.status != ready or not ticket.epic_status_before):
        action = (
            "starts the pipeline" if ready == Epic.Status.PIPELINE_IN_PROGRESS else "triages it"
        )
        return Verdict(
            conflict=f"Epic “{epic}” is {epic.get_status_display()}: it must be "
            f"{Epic.Status(ready).label} for this request before work starts (an MDO PM "
            f"{action} first).",
            status=story.status,
        )
    return Verdict(
        unmet=gates.unmet([gates.assignee_is_devops(story, assignee), gates.epic_free(epic, story)])
    )


def _check_story_start_before_choosing(story: Story, by, transition) -> Verdict:
    """Everything `_check_story_start` checks except the assignee, who is chosen later."""
    verdict = _check_story_start(story, by, by, transition)
    verdict.unmet = [check for check in verdict.unmet if check.code != "assignee_is_devops"]
    return verdict


def check_story_assign(story: Story, user, assignee=None) -> Verdict:
    if assignee is None:  # listing what the user could do: the assignee is chosen later
        return _check_story_start_before_choosing(story, user, story.assign)
    return _check_story_start(story, user, assignee, story.assign)


def check_story_pick_up(story: Story, user) -> Verdict:
    return _check_story_start(story, user, user, story.pick_up)


def _lock_story(story: Story) -> Story:
    """The epic, then all its stories and their tickets in one query: the story acted on is
    among them, and the gates read the others (is the epic free?). The teams notifications
    name come with them. The epic's lock comes first on every path, so no other order can
    interleave."""
    epic = _locked(Epic, story.epic_id, "team")
    stories = Story.objects.select_related("ticket__team").select_for_update(of=("self", "ticket"))
    prefetch_related_objects([epic], Prefetch("stories", queryset=stories.order_by("pk")))
    story = next(other for other in epic.stories.all() if other.pk == story.pk)
    story.ticket.epic = epic
    return story


def _start_story(by, story: Story, action: str) -> None:
    """Moves what follows a story that goes In Progress: the epic and the ticket."""
    ticket, epic = story.ticket, story.epic
    story.save()
    record(
        by=by,
        obj=story,
        action=action,
        from_status=Story.Status.TO_DO,
        to_status=story.status,
        detail={"assignee": story.assignee.username},
    )
    if story.board == Story.Board.CLASSIFIED_OPS or ticket.is_il6:
        return  # the IL6 flow does not move the epic; its ticket moves with the Classified story
    epic_before = epic.status
    if ticket.request_type == RequestType.PROD_DEPLOY:
        epic.deploy_prod()
    else:
        epic.build_pipeline()
    _moved(by, epic, action, epic_before, detail={"story": story.pk, "ticket": ticket.pk})
    ticket_before = ticket.status
    ticket.start_work()
    _moved(by, ticket, "start_work", ticket_before, detail={"story": story.pk})


@_audited("assign", subject="story")
def story_assign(*, by, story: Story, assignee) -> Story:
    _require_role(story.assign, by, "Only MDO PMs assign stories.")
    if assignee is None:
        raise InvalidInput({"assignee": ["Choose who works this story."]})
    story = _lock_story(story)
    check_story_assign(story, by, assignee).enforce()
    story.assign(assignee)
    _start_story(by, story, "assign")
    return story


@_audited("pick_up", subject="story")
def story_pick_up(*, by, story: Story) -> Story:
    team = "Classified Ops" if story.board == Story.Board.CLASSIFIED_OPS else "DevOps"
    _require_role(story.pick_up, by, f"Only {team} engineers pick up these stories.")
    story = _lock_story(story)
    check_story_pick_up(story, by).enforce()
    story.pick_up(by)
    _start_story(by, story, "pick_up")
    return story


def check_story_complete(story: Story, user=None) -> Verdict:
    verdict = _status_conflict(story, story.complete, "only stories In Progress can be completed")
    if not verdict.allowed or user is None or story.board != Story.Board.CLASSIFIED_OPS:
        return verdict
    # An MDO PM may complete any story, but a Classified Ops one only with access to the board.
    return Verdict(unmet=gates.unmet([gates.classified_access(user)]))


@_audited("complete", subject="story")
def story_complete(*, by, story: Story) -> Story:
    """Done; the epic and ticket follow as the request type says."""
    story = _lock_story(story)
    _require_role(story.complete, by, "Only the story's assignee or an MDO PM completes it.")
    check_story_complete(story, by).enforce()
    ticket, epic = story.ticket, story.epic
    before = story.status
    story.complete()
    _moved(by, story, "complete", before)
    if story.board == Story.Board.PRODUCT and ticket.is_il6:
        return story  # structure prepared: the PM opens the Classified Ops story next
    if story.board == Story.Board.PRODUCT:
        epic_before = epic.status
        if ticket.request_type == RequestType.PROD_DEPLOY:
            epic.complete_prod_deploy(at=timezone.now())
        else:
            if ticket.request_type == RequestType.NEW_PIPELINE_CTF:
                epic.deploy_staging()
            else:
                epic.complete_pipeline()
            # The level's first pipeline stays (a second request for it rebuilt that one).
            Pipeline.objects.bulk_create(
                [Pipeline(epic=epic, impact_level=ticket.impact_level, ticket=ticket)],
                ignore_conflicts=True,
            )
        _moved(by, epic, "complete", epic_before, detail={"story": story.pk, "ticket": ticket.pk})
    ticket_before = ticket.status
    ticket.finish()
    _moved(by, ticket, "finish", ticket_before, detail={"story": story.pk})
    return story


# Documents -----------------------------------------------------------------------------------


@_audited("upload", model=Document)
def document_upload(*, by, epic: Epic, kind: str, file, signed_on, impact_levels=()) -> Document:
    """A PDF (checked by content) for the epic; a CtF letter says which levels it covers."""
    if not may_upload_documents(by, epic):
        raise NotPermitted(f"Only members of {epic.team.name} and MDO PMs upload its documents.")
    errors: dict[str, list[str]] = {}
    if kind not in Document.Kind.values:
        errors["kind"] = ["Choose ctf_letter or cisso_document."]
    levels = sorted(set(impact_levels or ()))
    if unknown := [level for level in levels if level not in ImpactLevel.values]:
        errors["impact_levels"] = [f"Unknown impact level: {', '.join(unknown)}."]
    elif kind == Document.Kind.CTF_LETTER and not levels:
        errors["impact_levels"] = ["Say which impact levels the CtF letter covers."]
    elif kind == Document.Kind.CISSO_DOCUMENT:
        levels = []
    if signed_on is None:
        errors["signed_on"] = ["Give the date the document was signed."]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = ["The signing date is in the future."]
    if problem := documents.pdf_problem(file):
        errors["file"] = [problem]
    if errors:
        raise InvalidInput(errors)
    document = Document(
        epic=epic,
        kind=kind,
        signed_on=signed_on,
        impact_levels=levels,
        uploaded_by=by,
        original_name=(getattr(file, "name", "") or "")[-255:],
        size=file.size,
        sha256=documents.sha256_of(file),
    )
    document.file.save("upload.pdf", file, save=False)
    document.save()
    record(by=by, obj=document, action="upload", to_status=document.status)
    return document


def check_document_verify(document: Document, user=None) -> Verdict:
    return _status_conflict(document, document.verify, "only Uploaded documents can be verified")


def check_document_reject(document: Document, user=None) -> Verdict:
    return _status_conflict(document, document.reject, "only Uploaded documents can be rejected")


@_audited("verify", subject="document")
def document_verify(*, by, document: Document) -> Document:
    _require_role(document.verify, by, "Only MDO PMs and the Cyber team verify documents.")
    document = _locked(Document, document.pk)
    check_document_verify(document).enforce()
    before = document.status
    document.verify(by=by, at=timezone.now())
    _moved(by, document, "verify", before)
    return document


@_audited("reject", subject="document")
def document_reject(*, by, document: Document, reason: str) -> Document:
    _require_role(document.reject, by, "Only MDO PMs and the Cyber team reject documents.")
    reason = _require_text(reason, "reason", "Say why the document is rejected.")
    document = _locked(Document, document.pk)
    check_document_reject(document).enforce()
    before = document.status
    document.reject(by=by, at=timezone.now(), reason=reason)
    _moved(by, document, "reject", before, reason=reason)
    return document


# Releases ------------------------------------------------------------------------------------


@_audited("create", model=Release)
def release_create(*, by, epic: Epic, tag: str, source: str = Release.Source.PORTAL) -> Release:
    """Record a release tag of an epic that has production."""
    if not may_record_releases(by, epic):
        raise NotPermitted(f"Only members of {epic.team.name} record its releases.")
    tag = _require_text(tag, "tag", "Give the release tag.")
    _require_fit(Release, tag=tag)
    epic = _locked(Epic, epic.pk)
    Verdict(unmet=gates.unmet([gates.epic_has_production(epic)])).enforce()
    if epic.releases.filter(tag=tag).exists():
        raise InvalidInput({"tag": [f"Tag “{tag}” is already recorded for epic “{epic}”."]})
    release = Release.objects.create(epic=epic, tag=tag, source=source, created_by=by)
    record(by=by, obj=release, action="create", detail={"epic": epic.pk, "tag": tag})
    return release


@dataclass(frozen=True)
class SystemActor:
    """Who acts when no portal user does (a GitLab tag push): named in the audit trail, but
    signed in as nobody, so it holds no role and belongs to no team."""

    username: str
    pk = None
    is_authenticated = False
    is_superuser = False


def gitlab_actor(pushed_by: str = "") -> SystemActor:
    return SystemActor(f"gitlab:{pushed_by}"[:150] if pushed_by else "gitlab")


@_audited("record_release", subject="epic")
def _release_record_from_gitlab(*, by, epic: Epic, tag: str, detail: dict):
    tag = _require_text(tag, "tag", "The tag push names no tag.")
    _require_fit(Release, tag=tag)
    epic = _locked(Epic, epic.pk)
    # The epic's row lock makes a second delivery of the same push wait, then find this one.
    if (existing := epic.releases.filter(tag=tag).first()) is not None:
        return existing, False
    if unmet := gates.unmet([gates.epic_has_production(epic)]):
        raise GatesUnmet(
            unmet, detail=f"Tag “{tag}” pushed to GitLab is not a release yet: {unmet[0].message}"
        )
    release = Release.objects.create(epic=epic, tag=tag, source=Release.Source.GITLAB)
    record(by=by, obj=release, action="create", detail={"epic": epic.pk, "tag": tag, **detail})
    return release, True


def release_record_from_gitlab(
    *, epic: Epic, tag: str, pushed_by: str = "", detail: dict | None = None
) -> tuple[Release, bool]:
    """Record a tag pushed to the epic's GitLab project (workflow/hooks.py): the system path
    of `release_create`, whose actor is GitLab rather than a team member.

    Returns the release and whether it is new: a tag already recorded for the epic (GitLab
    delivering the same push again) records nothing. An epic without production refuses it
    (gate `epic_has_production`), and the refusal is audited on the epic, naming the pusher.
    """
    return _release_record_from_gitlab(
        by=gitlab_actor(pushed_by), epic=epic, tag=tag, detail=detail or {}
    )


# Classified Ops access -------------------------------------------------------------------------


@_audited("request", model=AccessRequest)
def access_request_create(*, by, justification: str) -> AccessRequest:
    justification = _require_text(
        justification, "justification", "Say why you need Classified Ops access."
    )
    if (
        has_role(by, "classified_ops")
        or AccessRequest.objects.filter(user=by, status=AccessRequest.Status.APPROVED).exists()
    ):
        raise Conflict("You already have Classified Ops access.", status="approved")
    if AccessRequest.objects.filter(user=by, status=AccessRequest.Status.PENDING).exists():
        raise Conflict("You already have a pending access request.", status="pending")
    try:
        with transaction.atomic():
            access = AccessRequest.objects.create(user=by, justification=justification)
    except IntegrityError as exc:  # a second request racing the first
        raise Conflict("You already have a pending access request.", status="pending") from exc
    record(by=by, obj=access, action="request", to_status=access.status)
    return access


def check_access_request_decide(access: AccessRequest, user=None) -> Verdict:
    return _status_conflict(access, access.approve, "only Pending requests can be decided")


def _decide(by, access: AccessRequest, action: str) -> AccessRequest:
    _require_role(
        getattr(access, action),
        by,
        "Only Classified Ops members decide access requests, and not their own.",
    )
    access = _locked(AccessRequest, access.pk)
    check_access_request_decide(access).enforce()
    before = access.status
    getattr(access, action)(by=by, at=timezone.now())
    _moved(by, access, action, before)
    forget(access.user)
    return access


@_audited("approve", subject="access_request")
def access_request_approve(*, by, access_request: AccessRequest) -> AccessRequest:
    return _decide(by, access_request, "approve")


@_audited("deny", subject="access_request")
def access_request_deny(*, by, access_request: AccessRequest) -> AccessRequest:
    return _decide(by, access_request, "deny")
