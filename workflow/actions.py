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
from workflow import services
from workflow.fsm import may_take, starts_from
from workflow.models import AccessRequest


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
        if self.name == "triage" and isinstance(obj, Ticket) and obj.is_il6:
            return "Convert to story"
        return self.label

    def offered_to(self, obj, user) -> bool:
        """The user's role may take it, and the object is in a status it starts from."""
        method = getattr(obj, self.method)
        return may_take(method, user) and starts_from(method)

    def perform(self, obj, user, **params):
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
        ),
        Action(
            "deny",
            "Deny",
            services.check_access_request_decide,
            services.access_request_deny,
            "access_request",
        ),
    ),
}


def action_named(model: type, name: str) -> Action | None:
    return next((a for a in ACTIONS.get(model, ()) if a.name == name), None)


def transitions_for(obj, user) -> list[dict]:
    """What the user could do next with `obj`, and what stands in the way of each."""
    offered = []
    for action in ACTIONS.get(type(obj), ()):
        if not action.offered_to(obj, user):
            continue
        verdict = action.check(obj, user)
        entry = {
            "name": action.name,
            "label": action.label_for(obj),
            "allowed": verdict.allowed,
            "unmet": [check.as_dict() for check in verdict.unmet],
        }
        if verdict.conflict:
            entry["detail"] = verdict.conflict
        offered.append(entry)
    return offered
