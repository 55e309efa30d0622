"""The transitions a person can ask for, by name, as the API and the pages offer them.

Each names the model's FSM transition (whose `permission` says which role may take it),
the check that says what stands in the way now (a status conflict or unmet gates) and the
service that carries it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from epics.models import Document, Epic, Story
from requests_app.models import Ticket
from workflow import request_types, services
from workflow.errors import InvalidInput
from workflow.fsm import may_take, permission_of, starts_from
from workflow.models import AccessRequest
from workflow.permissions import who_may
from workflow.services import Verdict
from workflow.text import line_problem


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    check: Callable
    run: Callable
    subject: str
    params: tuple[str, ...] = ()
    transition: str = ""

    @property
    def method(self) -> str:
        return self.transition or self.name

    def label_for(self, obj) -> str:
        kind = request_types.BY_VALUE.get(getattr(obj, "request_type", ""))
        if self.name == "triage" and kind is not None:
            return kind.triage_label  # "Convert to story" for an IL6 request
        return self.label

    def offered_to(self, obj, user) -> bool:
        """The user's role may take it, and the object is in a status it starts from."""
        method = getattr(obj, self.method)
        return may_take(method, user) and starts_from(method)

    def perform(self, obj, user, **params):
        # A reason is one line (workflow/text.py), whichever page or endpoint gave it.
        if problem := line_problem(params.get("reason")):
            raise InvalidInput({"reason": [problem]})
        return self.run(by=user, **{self.subject: obj}, **params)


ACTIONS: dict[type, tuple[Action, ...]] = {
    Ticket: (
        Action("triage", "Triage", services.check_ticket_triage, services.ticket_triage, "ticket"),
        Action(
            "reject",
            "Reject",
            services.check_ticket_reject,
            services.ticket_reject,
            "ticket",
            params=("reason",),
        ),
        Action(
            "withdraw",
            "Withdraw",
            services.check_ticket_withdraw,
            services.ticket_withdraw,
            "ticket",
        ),
        Action(
            "ask_for_info",
            "Ask for info",
            services.check_ticket_ask_for_info,
            services.ticket_ask_for_info,
            "ticket",
            params=("question",),
        ),
        Action(
            "provide_info",
            "Answer",
            services.check_ticket_provide_info,
            services.ticket_provide_info,
            "ticket",
            params=("answer",),
        ),
        Action(
            "open_classified_story",
            "Open the Classified Ops story",
            services.check_ticket_open_classified_story,
            services.ticket_open_classified_story,
            "ticket",
        ),
    ),
    Epic: (
        Action(
            "start_pipeline",
            "Start the pipeline",
            services.check_epic_start_pipeline,
            services.epic_start_pipeline,
            "epic",
        ),
        Action(
            "verify_cyber_compliance",
            "Verify cyber compliance",
            services.check_epic_verify_cyber_compliance,
            services.epic_verify_cyber_compliance,
            "epic",
        ),
    ),
    Story: (
        Action(
            "assign",
            "Assign",
            services.check_story_assign,
            services.story_assign,
            "story",
            params=("assignee",),
        ),
        Action("pick_up", "Pick up", services.check_story_pick_up, services.story_pick_up, "story"),
        Action(
            "complete", "Complete", services.check_story_complete, services.story_complete, "story"
        ),
    ),
    Document: (
        Action(
            "verify", "Verify", services.check_document_verify, services.document_verify, "document"
        ),
        Action(
            "reject",
            "Reject",
            services.check_document_reject,
            services.document_reject,
            "document",
            params=("reason",),
        ),
    ),
    AccessRequest: (
        Action(
            "approve",
            "Approve",
            services.check_access_request_decide,
            services.access_request_approve,
            "access_request",
            params=("days",),
        ),
        Action(
            "deny",
            "Deny",
            services.check_access_request_decide,
            services.access_request_deny,
            "access_request",
            params=("reason",),
        ),
        Action(
            "revoke",
            "Revoke",
            services.check_access_request_revoke,
            services.access_request_revoke,
            "access_request",
            params=("reason",),
        ),
    ),
}


def action_named(model: type, name: str) -> Action | None:
    return next((a for a in ACTIONS.get(model, ()) if a.name == name), None)


@dataclass(frozen=True)
class Offer:
    """The one answer to "what can this person do next with this object, and what is in the
    way": whether their role may (and, if not, who may, in the words of the transition's own
    permission), and the check's verdict (a status conflict, unmet gates, or nothing). The
    API's `transitions`, the boards' dialogs, My work, the triage queue, the request and epic
    pages all read it."""

    action: Action
    obj: object
    permitted: bool
    verdict: Verdict

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self) -> str:
        return self.action.label_for(self.obj)

    @property
    def allowed(self) -> bool:
        return self.permitted and self.verdict.allowed

    @property
    def offered(self) -> bool:
        """Shown at all: the person's role may take it and the object's status is one it
        starts from (what stands in its way, if anything, is said beside it)."""
        return self.permitted and starts_from(getattr(self.obj, self.action.method))

    @property
    def conflict(self) -> str:
        return self.verdict.conflict

    @property
    def unmet(self) -> list:
        return self.verdict.unmet

    @property
    def who(self) -> str:
        """Who may take it, from the transition's `permission` ("MDO PMs")."""
        return who_may(permission_of(getattr(self.obj, self.action.method)), self.obj)

    @property
    def not_yours(self) -> str:
        return not_yours(self.who)

    def as_dict(self) -> dict:
        """The API's entry in `transitions`."""
        entry = {
            "name": self.name,
            "label": self.label,
            "allowed": self.allowed,
            "unmet": [check.as_dict() for check in self.unmet],
        }
        if self.conflict:
            entry["detail"] = self.conflict
        return entry


def not_yours(*who: str) -> str:
    """What a person whose role may not take an action is told."""
    named = " or ".join(filter(None, who))
    return f"Not yours to do: it is for {named}." if named else "Not yours to do."


def offer(action: Action, obj, user, *, verdict: Verdict | None = None, **check_params) -> Offer:
    """What stands between `user` and `action` on `obj` now (`verdict`: the check's answer,
    when the caller has it already, found for a whole page at once)."""
    return Offer(
        action,
        obj,
        permitted=may_take(getattr(obj, action.method), user),
        verdict=verdict if verdict is not None else action.check(obj, user, **check_params),
    )


def offer_named(obj, name: str, user) -> Offer:
    return offer(action_named(type(obj), name), obj, user)


def offers_for(obj, user, names=None) -> list[Offer]:
    """The actions the user's role may take on `obj` from its current status (those of
    `names` only, when given), each with what stands in its way."""
    return [
        offer(action, obj, user)
        for action in ACTIONS.get(type(obj), ())
        if (names is None or action.name in names) and action.offered_to(obj, user)
    ]


def transitions_for(obj, user) -> list[dict]:
    """What the user could do next with `obj`, and what stands in the way of each (API)."""
    return [entry.as_dict() for entry in offers_for(obj, user)]
