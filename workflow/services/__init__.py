"""Every action that changes state: one function each, named <thing>_<verb>, in a module per
object. Views, the API, the admin and management commands call these (`from workflow import
services`); nothing else saves a status.

How each runs (one durable transaction, locks, checks in the order role 403 / input 400 /
status 409 / every gate 422, refusals audited, notifications and metrics asked for) is
workflow/services/runner.py.
"""

from workflow.audit import SystemActor
from workflow.services.access import (
    access_request_approve,
    access_request_create,
    access_request_deny,
    access_request_revoke,
    access_requests_expire,
    check_access_request_decide,
    check_access_request_revoke,
)
from workflow.services.comments import may_comment, ticket_comment
from workflow.services.documents import (
    check_document_reject,
    check_document_verify,
    document_reject,
    document_upload,
    document_verify,
)
from workflow.services.epics import (
    check_epic_start_pipeline,
    check_epic_verify_cyber_compliance,
    epic_start_pipeline,
    epic_verify_cyber_compliance,
)
from workflow.services.releases import (
    gitlab_actor,
    production_levels,
    release_create,
    release_gates,
    release_record_from_gitlab,
)
from workflow.services.runner import Verdict
from workflow.services.stories import (
    check_story_assign,
    check_story_complete,
    check_story_pick_up,
    story_assign,
    story_complete,
    story_pick_up,
)
from workflow.services.teams import epic_create, team_create, team_update
from workflow.services.tickets import (
    check_ticket_ask_for_info,
    check_ticket_open_classified_story,
    check_ticket_provide_info,
    check_ticket_reject,
    check_ticket_triage,
    check_ticket_withdraw,
    filing_checks,
    ticket_ask_for_info,
    ticket_file,
    ticket_open_classified_story,
    ticket_provide_info,
    ticket_reject,
    ticket_triage,
    ticket_withdraw,
    triage_gates,
)

__all__ = [
    "SystemActor",
    "Verdict",
    "access_request_approve",
    "access_request_create",
    "access_request_deny",
    "access_request_revoke",
    "access_requests_expire",
    "check_access_request_decide",
    "check_access_request_revoke",
    "check_document_reject",
    "check_document_verify",
    "check_epic_start_pipeline",
    "check_epic_verify_cyber_compliance",
    "check_story_assign",
    "check_story_complete",
    "check_story_pick_up",
    "check_ticket_ask_for_info",
    "check_ticket_open_classified_story",
    "check_ticket_provide_info",
    "check_ticket_reject",
    "check_ticket_triage",
    "check_ticket_withdraw",
    "document_reject",
    "document_upload",
    "document_verify",
    "epic_create",
    "epic_start_pipeline",
    "epic_verify_cyber_compliance",
    "filing_checks",
    "gitlab_actor",
    "may_comment",
    "production_levels",
    "release_create",
    "release_gates",
    "release_record_from_gitlab",
    "story_assign",
    "story_complete",
    "story_pick_up",
    "team_create",
    "team_update",
    "ticket_ask_for_info",
    "ticket_comment",
    "ticket_file",
    "ticket_open_classified_story",
    "ticket_provide_info",
    "ticket_reject",
    "ticket_triage",
    "ticket_withdraw",
    "triage_gates",
]
