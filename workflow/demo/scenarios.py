"""The demo's epics, each a story told through the services on the demo's clock.

`today(demo, teams)`: the epics the boards show at work now, each begun some days ago so its
cards have been where they are for a while. `season(demo, teams)`: about 120 days of
finished work behind them, epics that went through pipeline and production-deploy requests
one after another, with questions asked and answered, internal notes, rejections and CtF
letters renewed. Each is keyed by (team, epic title) and runs only when that epic is missing.
"""

from __future__ import annotations

import contextlib

from epics.models import Document, Epic
from requests_app.models import RequestType, Ticket
from workflow import services
from workflow.errors import Conflict, GatesUnmet

CTF, CISSO = Document.Kind.CTF_LETTER, Document.Kind.CISSO_DOCUMENT


def today(demo, teams: dict) -> dict:
    alpha, bravo = teams["Team Alpha"], teams["Team Bravo"]
    charlie, delta, echo = teams["Team Charlie"], teams["Team Delta"], teams["Team Echo"]
    foxtrot, golf = teams["Team Foxtrot"], teams["Team Golf"]
    u = demo.u

    def payments_service():
        demo.on(112)
        epic = demo.epic(alpha, "Payments Service")
        # GitLab tag pushes from this repository record its releases (POST /hooks/gitlab/).
        Epic.objects.filter(pk=epic.pk).update(
            repository_url="https://gitlab.example.mil/team-alpha/payments-service"
        )
        built = demo.pipeline(epic, "IL4")
        # Alice tries to withdraw the request once it is done: refused, and the audit trail
        # (what avery, the auditor, reads) says so.
        with contextlib.suppress(Conflict):
            services.ticket_withdraw(by=u["alice"], ticket=Ticket.objects.get(pk=built.pk))
        demo.document(epic, CTF, ["IL2", "IL4", "IL5", "IL6"], days_ago=40)
        demo.document(epic, CISSO, days_ago=40)
        demo.prod_deploy(epic, "IL4")
        for tag in ("v1.0.0", "v1.1.0"):
            demo.wait("deploy")
            services.release_create(by=u["alice"], epic=epic, tag=tag)

    def mission_planner():
        demo.on(95)
        epic = demo.epic(alpha, "Mission Planner")
        demo.pipeline(epic, "IL4")
        # Its CtF letter expires within 30 days: the team and Cyber are reminded.
        demo.document(epic, CTF, ["IL4", "IL5"], days_ago=340)

    def logistics_tracker():
        demo.on(30)
        epic = demo.epic(alpha, "Logistics Tracker")
        demo.on(2, hour=10)
        asked = demo.pipeline(epic, "IL4", until="submitted")
        # pat's question waits for alice's answer (Needs Info: the triage clock is paused).
        demo.ask(asked, "Which GitLab group should the IL4 pipeline build Logistics Tracker from?")

    def field_reports():
        demo.on(20)
        demo.epic(bravo, "Field Reports")

    def radar_dashboard():
        demo.on(6)
        demo.pipeline(demo.epic(charlie, "Radar Dashboard"), "IL4", until="started")

    def drone_telemetry():
        # A new CtF's epic, opened at triage, waits for the Cyber team's compliance check.
        demo.on(5)
        demo.new_ctf(charlie, "Drone Telemetry", until="triaged")

    def supply_chain():
        demo.on(9)
        demo.pipeline(demo.epic(charlie, "Supply Chain API"), "IL5", until="building")

    def flight_ops():
        demo.on(92)
        epic = demo.epic(delta, "Flight Ops")
        demo.document(epic, CTF, ["IL4"], days_ago=90)
        # A pipeline added after its CtF: the letter is due for renewal (and still counts).
        demo.pipeline(epic, "IL4")
        demo.on(3, hour=11)
        demo.prod_deploy(epic, "IL4", until="queued")

    def med_records():
        demo.on(14)
        demo.epic(delta, "Clinic Scheduler")
        demo.new_ctf(delta, "Med Records")

    def comms_relay():
        demo.on(125)
        epic = demo.epic(echo, "Comms Relay")
        demo.pipeline(epic, "IL2")
        demo.document(epic, CTF, ["IL2", "IL4"], days_ago=120)
        demo.on(4, hour=13)
        demo.prod_deploy(epic, "IL2", until="deploying")

    def weather_feed():
        demo.on(12)
        epic = demo.epic(echo, "Weather Feed")
        demo.pipeline(epic, "IL2", until="triaged")
        demo.document(epic, CTF, ["IL2"], days_ago=10, verify=False)

    def maintenance_log():
        demo.on(118)
        epic = demo.epic(foxtrot, "Maintenance Log")
        demo.document(epic, CTF, ["IL4", "IL6"], days_ago=200)
        demo.document(epic, CISSO, days_ago=200)
        demo.on(60)
        demo.pipeline(epic, "IL4")
        il6 = demo.file(epic, RequestType.IL6_PROD_DEPLOY, "IL6")
        demo.triage(il6)
        story = demo.story_of(il6)
        demo.wait("pick_up")
        services.story_pick_up(by=u["dana"], story=story)
        demo.wait("build")
        services.story_complete(by=u["dana"], story=story)
        demo.wait("start")
        services.ticket_open_classified_story(by=u["pat"], ticket=il6)
        # A second IL6 request, waiting for the PM to convert it to a story.
        demo.on(1, hour=15)
        demo.file(epic, RequestType.IL6_PROD_DEPLOY, "IL6", title="IL6 hotfix deploy")

    def intel_viewer():
        demo.on(25)
        epic = demo.epic(foxtrot, "Intel Viewer")
        demo.document(
            epic, CTF, ["IL5"], days_ago=20,
            reject="The letter is not signed by the Authorizing Official.",
        )
        rejected = demo.pipeline(epic, "IL5", until="triaged")  # its story is cancelled
        demo.wait("start")
        services.ticket_reject(
            by=u["pat"], ticket=rejected, reason="Duplicate of an earlier request."
        )
        withdrawn = demo.pipeline(epic, "IL4", until="submitted")
        demo.wait("answer")
        services.ticket_withdraw(by=u["fay"], ticket=withdrawn)

    def training_portal():
        demo.on(118)
        epic = demo.epic(golf, "Training Portal")
        demo.pipeline(epic, "IL2")
        letter = demo.document(epic, CTF, ["IL2"], days_ago=300)
        demo.prod_deploy(epic, "IL2")
        services.release_create(by=u["gus"], epic=epic, tag="v1.0.0")
        # In production, its CtF since expired: the next release is refused (ctf_in_force).
        demo.expire(letter)
        # Early enough that the question and its answer (up to three days of waits) are done.
        demo.on(4, hour=9)
        with contextlib.suppress(GatesUnmet):
            services.release_create(by=u["gus"], epic=epic, tag="v1.1.0")
        # A new CtF request, whose question pat asked and gus answered: back for triage.
        mobile = demo.new_ctf(golf, "Training Portal Mobile", until="submitted")
        demo.ask(
            mobile,
            "Will Training Portal Mobile hold CUI? That decides its impact level.",
            answer="No CUI: training content only, IL4 is right.",
        )

    return {
        ("Team Alpha", "Payments Service"): payments_service,
        ("Team Alpha", "Mission Planner"): mission_planner,
        ("Team Alpha", "Logistics Tracker"): logistics_tracker,
        ("Team Bravo", "Field Reports"): field_reports,
        ("Team Charlie", "Radar Dashboard"): radar_dashboard,
        ("Team Charlie", "Supply Chain API"): supply_chain,
        ("Team Charlie", "Drone Telemetry"): drone_telemetry,
        ("Team Delta", "Flight Ops"): flight_ops,
        ("Team Delta", "Clinic Scheduler"): med_records,
        ("Team Echo", "Comms Relay"): comms_relay,
        ("Team Echo", "Weather Feed"): weather_feed,
        ("Team Foxtrot", "Maintenance Log"): maintenance_log,
        ("Team Foxtrot", "Intel Viewer"): intel_viewer,
        ("Team Golf", "Training Portal"): training_portal,
    }


# The season's finished work: each epic runs these requests one after another, a cycle
# apart, starting its own number of days ago.
SEASON_EPICS = {
    "Team Charlie": ("Cargo Manifest", 119),
    "Team Delta": ("Range Scheduler", 117),
    "Team Echo": ("Sensor Fusion", 115),
    "Team Foxtrot": ("Readiness Reports", 113),
    "Team Golf": ("Crew Rostering", 111),
}
SEASON_REQUESTS = (
    (RequestType.PIPELINE, "IL4"),
    (RequestType.PROD_DEPLOY, "IL4"),
    (RequestType.PIPELINE, "IL2"),
    (RequestType.PROD_DEPLOY, "IL2"),
    (RequestType.PIPELINE, "IL4"),
    (RequestType.PROD_DEPLOY, "IL4"),
    (RequestType.PIPELINE, "IL2"),
    (RequestType.PROD_DEPLOY, "IL2"),
)
CYCLE_DAYS = 13
QUESTIONS = (
    ("Which GitLab project should the pipeline build from?",
     "The monorepo's services/api project; its default branch is main."),
    ("Is the release candidate tagged yet? We deploy from a tag.",
     "Yes: v2.3.0-rc1, the scan results are attached to the merge request."),
    ("Does this deploy change any ports or protocols on the PPSM?",
     "No change: the same two HTTPS endpoints as the last deploy."),
)


def season(demo, teams: dict) -> dict:
    def run(team_name: str, title: str, started: int):
        def story():
            team = teams[team_name]
            demo.on(started)
            epic = demo.epic(team, title)
            demo.document(epic, CTF, ["IL2", "IL4", "IL5"], days_ago=started + 4)
            demo.document(epic, CISSO, days_ago=started + 4)
            for number, (request_type, level) in enumerate(SEASON_REQUESTS):
                demo.on(started - 6 - number * CYCLE_DAYS, hour=demo.rng.choice((8, 10, 13, 15)))
                if number == 4:
                    # The pipelines added since its CtF made the letter due for renewal:
                    # Cyber verifies the newly signed one, which supersedes it.
                    demo.document(epic, CTF, ["IL2", "IL4", "IL5"], days_ago=started - 50)
                _one_request(demo, epic, request_type, level, number)
            return epic

        return story

    return {
        (team_name, title): run(team_name, title, started)
        for team_name, (title, started) in SEASON_EPICS.items()
    }


def _one_request(demo, epic, request_type: str, level: str, number: int) -> None:
    """One finished request, sometimes after a question and its answer, an internal note, or
    a duplicate rejected first."""
    u, staff = demo.u, demo.u["pat"]
    if number == 2:
        duplicate = demo.file(epic, request_type, level, title="Duplicate, filed twice")
        demo.wait("triage")
        services.ticket_reject(by=staff, ticket=duplicate, reason="Filed twice: see the other.")
    carry = demo.pipeline if request_type == RequestType.PIPELINE else demo.prod_deploy
    if number % 3 == 1:
        ticket = demo.file(epic, request_type, level)
        question, answer = QUESTIONS[number % len(QUESTIONS)]
        demo.ask(ticket, question, answer=answer)
        if number == 4:
            demo.wait("answer")
            services.ticket_comment(
                by=staff, ticket=ticket, internal=True,
                body="Internal: the IL4 runners are busy this week; start it Monday.",
            )
        _carry_on(demo, epic, ticket, request_type)
        return
    carry(epic, level, engineer="dana" if number % 2 else "devon")
    if number == 7:
        demo.wait("answer")
        ticket = epic.tickets.order_by("-pk").first()
        services.ticket_comment(
            by=demo.member_of(epic.team), ticket=ticket,
            body=f"Thanks @{u['devon'].username}, the deploy looks good from our side.",
        )


def _carry_on(demo, epic, ticket, request_type: str) -> None:
    """A filed ticket the rest of the way to Done."""
    u = demo.u
    demo.triage(ticket)
    if request_type == RequestType.PIPELINE:
        demo.wait("start")
        services.epic_start_pipeline(by=u["pat"], epic=epic)
    story = demo.story_of(ticket)
    demo.wait("pick_up")
    services.story_pick_up(by=u["dana"], story=story)
    demo.wait("build" if request_type == RequestType.PIPELINE else "deploy")
    services.story_complete(by=u["dana"], story=story)
