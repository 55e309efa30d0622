"""Stories: assigned by an MDO PM or picked up by an engineer, then completed. The epic and
the ticket follow as the story's request type declares (workflow/request_types.py)."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects

from epics.models import Epic, Pipeline, Story
from workflow import gates, request_types
from workflow.audit import record
from workflow.errors import InvalidInput
from workflow.services.documents import mark_renewal_due
from workflow.services.runner import Verdict, audited, locked, moved, require_role, status_conflict


def _check_story_start(story: Story, by, assignee, transition) -> Verdict:
    verdict = status_conflict(story, transition, "only To Do stories can be started")
    if not verdict.allowed:
        return verdict
    ticket, epic = story.ticket, story.epic
    if story.board == Story.Board.CLASSIFIED_OPS:
        return Verdict(
            unmet=gates.unmet(
                [gates.classified_access(by), gates.assignee_is_devops(story, assignee)]
            )
        )
    kind = ticket.kind
    ready = kind.ready_status
    if ready is not None and (epic.status != ready or not ticket.epic_status_before):
        return Verdict(
            conflict=f"Epic “{epic}” is {epic.get_status_display()}: it must be "
            f"{Epic.Status(ready).label} for this request before work starts (an MDO PM "
            f"{kind.ready_action} first).",
            status=story.status,
        )
    return Verdict(
        unmet=gates.unmet([gates.assignee_is_devops(story, assignee), gates.epic_free(epic, story)])
    )


def check_story_assign(story: Story, user, assignee=None) -> Verdict:
    if assignee is not None:
        return _check_story_start(story, user, assignee, story.assign)
    # Listing what the user could do: the assignee is chosen later.
    verdict = _check_story_start(story, user, user, story.assign)
    verdict.unmet = [check for check in verdict.unmet if check.code != "assignee_is_devops"]
    return verdict


def check_story_pick_up(story: Story, user) -> Verdict:
    return _check_story_start(story, user, user, story.pick_up)


def _lock_story(story: Story) -> Story:
    """The epic, then all its stories and their tickets in one query: the story acted on is
    among them, and the gates read the others (is the epic free?). The teams notifications
    name come with them. The epic's lock comes first on every path, so no other order can
    interleave."""
    epic = locked(Epic, story.epic_id, "team")
    stories = Story.objects.select_related("ticket__team").select_for_update(of=("self", "ticket"))
    prefetch_related_objects([epic], Prefetch("stories", queryset=stories.order_by("pk")))
    story = next(other for other in epic.stories.all() if other.pk == story.pk)
    story.ticket.epic = epic
    return story


def _follow(by, story: Story, action: str, epic_transition: str) -> None:
    """Move the story's epic by the transition its request type names for this step."""
    epic = story.epic
    before = epic.status
    getattr(epic, epic_transition)()
    moved(by, epic, action, before, detail={"story": story.pk, "ticket": story.ticket.pk})


def _start_story(by, story: Story, action: str) -> None:
    """Moves what follows a story that goes In Progress: the epic and the ticket."""
    ticket = story.ticket
    story.save()
    record(
        by=by,
        obj=story,
        action=action,
        from_status=Story.Status.TO_DO,
        to_status=story.status,
        detail={"assignee": story.assignee.username},
    )
    if story.board == Story.Board.CLASSIFIED_OPS or not ticket.kind.moves_epic:
        return  # the ticket follows its Classified Ops story instead, when that one opens
    _follow(by, story, action, ticket.kind.epic.on_start)
    ticket_before = ticket.status
    ticket.start_work()
    moved(by, ticket, "start_work", ticket_before, detail={"story": story.pk})


@audited("assign", subject="story")
def story_assign(*, by, story: Story, assignee) -> Story:
    require_role(story.assign, by, "Only MDO PMs assign stories.")
    if assignee is None:
        raise InvalidInput({"assignee": ["Choose who works this story."]})
    story = _lock_story(story)
    check_story_assign(story, by, assignee).enforce()
    story.assign(assignee)
    _start_story(by, story, "assign")
    return story


@audited("pick_up", subject="story")
def story_pick_up(*, by, story: Story) -> Story:
    team = "Classified Ops" if story.board == Story.Board.CLASSIFIED_OPS else "DevOps"
    require_role(story.pick_up, by, f"Only {team} engineers pick up these stories.")
    story = _lock_story(story)
    check_story_pick_up(story, by).enforce()
    story.pick_up(by)
    _start_story(by, story, "pick_up")
    return story


def check_story_complete(story: Story, user=None) -> Verdict:
    verdict = status_conflict(story, story.complete, "only stories In Progress can be completed")
    if not verdict.allowed or user is None or story.board != Story.Board.CLASSIFIED_OPS:
        return verdict
    # An MDO PM may complete any story, but a Classified Ops one only with access to the board.
    return Verdict(unmet=gates.unmet([gates.classified_access(user)]))


@audited("complete", subject="story")
def story_complete(*, by, story: Story) -> Story:
    """Done; the epic and ticket follow as the request type says."""
    story = _lock_story(story)
    require_role(story.complete, by, "Only the story's assignee or an MDO PM completes it.")
    check_story_complete(story, by).enforce()
    ticket, kind = story.ticket, story.ticket.kind
    before = story.status
    story.complete()
    moved(by, story, "complete", before)
    if story.board == Story.Board.PRODUCT:
        if kind.classified:
            return story  # structure prepared: the PM opens the Classified Ops story next
        _follow(by, story, "complete", kind.epic.on_complete)
        if kind.records_pipeline:
            # The level's first pipeline stays (a second request for it rebuilt that one).
            Pipeline.objects.bulk_create(
                [Pipeline(epic=story.epic, impact_level=ticket.impact_level, ticket=ticket)],
                ignore_conflicts=True,
            )
        if kind is request_types.adding_a_pipeline():
            # P1 treats a new pipeline as a major change: the epic's CtF is due for renewal.
            mark_renewal_due(
                by,
                story.epic,
                f"An {ticket.impact_level} pipeline was added to the epic (request #{ticket.pk}): "
                "a new pipeline is a major change.",
            )
    ticket_before = ticket.status
    ticket.finish()
    moved(by, ticket, "finish", ticket_before, detail={"story": story.pk})
    return story
