"""The demo's people at work: each step is a service call made by the person who would make
it, at a moment on the demo's clock (workflow/demo/clock.py) that moves on by a plausible,
seeded wait between steps. So the demo's trail, timelines, insights and forecasts read like
a real season, and the same seed makes the same season every time."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from epics.models import Document, Epic, Team, one_year_after
from requests_app.models import RequestType
from workflow import services
from workflow.demo.clock import DemoClock
from workflow.documents import plain_pdf

SEED = 2026

# Waits between steps, in hours (low, high): how long each kind of step takes here.
WAITS = {
    "triage": (2, 20),
    "start": (3, 40),
    "pick_up": (1, 20),
    "build": (30, 140),
    "deploy": (20, 90),
    "answer": (3, 50),
    "verify": (2, 30),
}


class Demo:
    """Drives the demo's epics through the services, as the people of the demo."""

    def __init__(self, users: dict, clock: DemoClock):
        self.u = users
        self.clock = clock
        self.rng = random.Random(SEED)

    # The clock ---------------------------------------------------------------------------

    def on(self, days_ago: float, hour: int = 9) -> None:
        """Start the next steps `days_ago` days before today, at `hour` (local)."""
        self.clock.days_ago(days_ago, hour, self.rng.randrange(0, 60, 5))

    def wait(self, step: str) -> None:
        low, high = WAITS[step]
        self.clock.advance(hours=self.rng.uniform(low, high))

    # Steps ---------------------------------------------------------------------------------

    def member_of(self, team: Team):
        return team.members.order_by("pk").first()

    def epic(self, team: Team, title: str) -> Epic:
        return services.epic_create(by=self.u["pat"], team=team, title=title)

    def file(self, epic: Epic, request_type: str, level: str, **extra):
        return services.ticket_file(
            by=self.member_of(epic.team),
            team=epic.team,
            request_type=request_type,
            impact_level=level,
            epic=epic,
            **extra,
        )

    def document(self, epic: Epic, kind: str, levels=(), days_ago=60, verify=True, reject=""):
        """A document signed `days_ago` days before today, uploaded then at the earliest
        (and verified, or rejected with `reject`, a little later)."""
        signed_on = timezone.localdate(self.clock.real) - dt.timedelta(days=days_ago)
        if timezone.localdate(self.clock.moment) < signed_on:
            self.on(days_ago, hour=14)
        name = f"{kind}-{epic.title}.pdf".replace(" ", "-").lower()
        document = services.document_upload(
            by=self.member_of(epic.team),
            epic=epic,
            kind=kind,
            file=ContentFile(plain_pdf(name.encode()), name=name),
            signed_on=signed_on,
            impact_levels=levels,
        )
        if not (verify or reject):
            return document
        self.wait("verify")
        if reject:
            return services.document_reject(by=self.u["casey"], document=document, reason=reject)
        return services.document_verify(by=self.u["casey"], document=document)

    def expire(self, letter: Document) -> None:
        """Age a letter past its year (its signing date is what expiry is computed from)."""
        signed = timezone.localdate(self.clock.real) - dt.timedelta(days=380)
        Document.objects.filter(pk=letter.pk).update(
            signed_on=signed, expires_on=one_year_after(signed)
        )

    def triage(self, ticket):
        self.wait("triage")
        return services.ticket_triage(by=self.u["pat"], ticket=ticket)

    def ask(self, ticket, question: str, answer: str = ""):
        """pat asks the team for information; the team answers (when `answer` is given)."""
        self.wait("triage")
        services.ticket_ask_for_info(by=self.u["pat"], ticket=ticket, question=question)
        if answer:
            self.wait("answer")
            services.ticket_provide_info(
                by=self.member_of(ticket.team), ticket=ticket, answer=answer
            )
        return ticket

    def story_of(self, ticket, board="product"):
        return ticket.stories.get(board=board)

    def pipeline(self, epic: Epic, level="IL4", until="done", engineer="dana", **extra):
        """A pipeline request on `epic`, carried as far as `until`."""
        ticket = self.file(epic, RequestType.PIPELINE, level, **extra)
        if until == "submitted":
            return ticket
        self.triage(ticket)
        if until == "triaged":
            return ticket
        self.wait("start")
        services.epic_start_pipeline(by=self.u["pat"], epic=epic)
        if until == "started":
            return ticket
        story = self.story_of(ticket)
        self.wait("pick_up")
        services.story_pick_up(by=self.u[engineer], story=story)
        if until == "building":
            return ticket
        self.wait("build")
        services.story_complete(by=self.u[engineer], story=story)
        return ticket

    def prod_deploy(self, epic: Epic, level="IL4", until="done", engineer="devon", **extra):
        ticket = self.file(epic, RequestType.PROD_DEPLOY, level, **extra)
        if until == "submitted":
            return ticket
        self.triage(ticket)
        if until == "queued":
            return ticket
        story = self.story_of(ticket)
        self.wait("pick_up")
        services.story_pick_up(by=self.u[engineer], story=story)
        if until == "deploying":
            return ticket
        self.wait("deploy")
        services.story_complete(by=self.u[engineer], story=story)
        return ticket

    def new_ctf(self, team: Team, application: str, until="staging"):
        ticket = services.ticket_file(
            by=self.member_of(team),
            team=team,
            request_type=RequestType.NEW_PIPELINE_CTF,
            impact_level="IL4",
            application_name=application,
            description=f"{application} needs its own Certificate to Field.",
        )
        if until == "submitted":
            return ticket
        ticket = self.triage(ticket)
        if until == "triaged":  # its new epic waits for Cyber's compliance check
            return ticket
        epic = ticket.epic
        self.wait("verify")
        services.epic_verify_cyber_compliance(by=self.u["casey"], epic=epic)
        self.wait("start")
        services.epic_start_pipeline(by=self.u["pat"], epic=epic)
        story = self.story_of(ticket)
        self.wait("pick_up")
        services.story_assign(by=self.u["pat"], story=story, assignee=self.u["dana"])
        self.wait("build")
        services.story_complete(by=self.u["dana"], story=story)
        return ticket
