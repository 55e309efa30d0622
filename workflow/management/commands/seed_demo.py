"""Demo data: the users of API.md and a working week of teams, epics, requests and stories.

Every status change goes through workflow/services.py, so the demo carries a real audit
trail. Idempotent: users, roles and teams are brought to the described state each run; a
scenario runs only when its epic does not exist yet.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from epics.models import Document, Epic, Team, one_year_after
from notifications import outbox
from requests_app.models import RequestType, Ticket
from workflow import services
from workflow.errors import Conflict, GatesUnmet
from workflow.models import AccessRequest
from workflow.permissions import AUDITOR, CLASSIFIED_OPS, CYBER, DEVOPS, MDO_PM, PRODUCT_TEAM

PASSWORD = "partybus-demo"

USERS = {
    # username: (roles, superuser, full name)
    "alice": ((PRODUCT_TEAM,), False, "Alice Alvarez"),
    "bob": ((PRODUCT_TEAM,), False, "Bob Brennan"),
    "pat": ((MDO_PM,), False, "Pat Patterson"),
    "dana": ((DEVOPS,), False, "Dana Dorsey"),
    "casey": ((CYBER,), False, "Casey Castillo"),
    "cleo": ((CLASSIFIED_OPS,), False, "Cleo Carter"),
    "avery": ((AUDITOR,), False, "Avery Adams"),
    "admin": ((), True, "Portal Administrator"),
    # More of the factory, so the boards look like a working week.
    "devon": ((DEVOPS,), False, "Devon Diaz"),
    "carl": ((PRODUCT_TEAM,), False, "Carl Chen"),
    "della": ((PRODUCT_TEAM,), False, "Della Diggs"),
    "ed": ((PRODUCT_TEAM,), False, "Ed Ellis"),
    "fay": ((PRODUCT_TEAM,), False, "Fay Foster"),
    "gus": ((PRODUCT_TEAM,), False, "Gus Green"),
}

TEAMS = {
    # name: (funded, onboarded, members)
    "Team Alpha": (True, True, ("alice",)),
    "Team Bravo": (False, True, ("bob",)),
    "Team Charlie": (True, True, ("carl",)),
    "Team Delta": (True, True, ("della",)),
    "Team Echo": (True, True, ("ed",)),
    "Team Foxtrot": (True, True, ("fay",)),
    "Team Golf": (True, True, ("gus",)),
}


def minimal_pdf(title: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"% " + title.encode() + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


class Demo:
    """Drives the demo's epics through the services, as the people of the demo."""

    def __init__(self, users: dict):
        self.u = users

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
        name = f"{kind}-{epic.title}.pdf".replace(" ", "-").lower()
        document = services.document_upload(
            by=self.member_of(epic.team),
            epic=epic,
            kind=kind,
            file=ContentFile(minimal_pdf(name), name=name),
            signed_on=timezone.localdate() - dt.timedelta(days=days_ago),
            impact_levels=levels,
        )
        if reject:
            return services.document_reject(by=self.u["casey"], document=document, reason=reject)
        if verify:
            return services.document_verify(by=self.u["casey"], document=document)
        return document

    def expire(self, letter: Document) -> None:
        """Age a letter past its year (the demo is seeded today; its history is not)."""
        signed = timezone.localdate() - dt.timedelta(days=380)
        Document.objects.filter(pk=letter.pk).update(
            signed_on=signed, expires_on=one_year_after(signed)
        )

    def triage(self, ticket):
        return services.ticket_triage(by=self.u["pat"], ticket=ticket)

    def story_of(self, ticket, board="product"):
        return ticket.stories.get(board=board)

    def pipeline(self, epic: Epic, level="IL4", until="done"):
        """A pipeline request on `epic`, carried as far as `until`."""
        ticket = self.file(epic, RequestType.PIPELINE, level)
        if until == "submitted":
            return ticket
        self.triage(ticket)
        if until == "triaged":
            return ticket
        services.epic_start_pipeline(by=self.u["pat"], epic=epic)
        if until == "started":
            return ticket
        story = self.story_of(ticket)
        services.story_pick_up(by=self.u["dana"], story=story)
        if until == "building":
            return ticket
        services.story_complete(by=self.u["dana"], story=story)
        return ticket

    def prod_deploy(self, epic: Epic, level="IL4", until="done"):
        ticket = self.file(epic, RequestType.PROD_DEPLOY, level)
        if until == "submitted":
            return ticket
        self.triage(ticket)
        if until == "queued":
            return ticket
        story = self.story_of(ticket)
        services.story_pick_up(by=self.u["devon"], story=story)
        if until == "deploying":
            return ticket
        services.story_complete(by=self.u["devon"], story=story)
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
        epic = ticket.epic
        services.epic_verify_cyber_compliance(by=self.u["casey"], epic=epic)
        services.epic_start_pipeline(by=self.u["pat"], epic=epic)
        story = self.story_of(ticket)
        services.story_assign(by=self.u["pat"], story=story, assignee=self.u["dana"])
        services.story_complete(by=self.u["dana"], story=story)
        return ticket


def _scenarios(demo: Demo, teams: dict) -> dict:
    """Each epic's story, keyed by (team, epic title): run only when the epic is missing."""
    alpha, bravo = teams["Team Alpha"], teams["Team Bravo"]
    charlie, delta, echo = teams["Team Charlie"], teams["Team Delta"], teams["Team Echo"]
    foxtrot, golf = teams["Team Foxtrot"], teams["Team Golf"]
    u = demo.u

    def payments_service():
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
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL2", "IL4", "IL5", "IL6"], days_ago=40)
        demo.document(epic, Document.Kind.CISSO_DOCUMENT, days_ago=40)
        demo.prod_deploy(epic, "IL4")
        for tag in ("v1.0.0", "v1.1.0"):
            services.release_create(by=u["alice"], epic=epic, tag=tag)

    def mission_planner():
        epic = demo.epic(alpha, "Mission Planner")
        demo.pipeline(epic, "IL4")
        # Its CtF letter expires within 30 days: the team and Cyber are reminded.
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL4", "IL5"], days_ago=340)

    def logistics_tracker():
        epic = demo.epic(alpha, "Logistics Tracker")
        demo.pipeline(epic, "IL5", until="submitted")

    def field_reports():
        demo.epic(bravo, "Field Reports")

    def radar_dashboard():
        demo.pipeline(demo.epic(charlie, "Radar Dashboard"), "IL4", until="started")

    def supply_chain():
        demo.pipeline(demo.epic(charlie, "Supply Chain API"), "IL5", until="building")

    def flight_ops():
        epic = demo.epic(delta, "Flight Ops")
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL4"], days_ago=90)
        # A pipeline added after its CtF: the letter is due for renewal (and still counts).
        demo.pipeline(epic, "IL4")
        demo.prod_deploy(epic, "IL4", until="queued")

    def med_records():
        demo.epic(delta, "Clinic Scheduler")
        demo.new_ctf(delta, "Med Records")

    def comms_relay():
        epic = demo.epic(echo, "Comms Relay")
        demo.pipeline(epic, "IL2")
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL2", "IL4"], days_ago=120)
        demo.prod_deploy(epic, "IL2", until="deploying")

    def weather_feed():
        epic = demo.epic(echo, "Weather Feed")
        demo.pipeline(epic, "IL2", until="triaged")
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL2"], days_ago=10, verify=False)

    def maintenance_log():
        epic = demo.epic(foxtrot, "Maintenance Log")
        demo.pipeline(epic, "IL4")
        demo.document(epic, Document.Kind.CTF_LETTER, ["IL4", "IL6"], days_ago=200)
        demo.document(epic, Document.Kind.CISSO_DOCUMENT, days_ago=200)
        il6 = demo.file(epic, RequestType.IL6_PROD_DEPLOY, "IL6")
        demo.triage(il6)
        story = demo.story_of(il6)
        services.story_pick_up(by=u["dana"], story=story)
        services.story_complete(by=u["dana"], story=story)
        services.ticket_open_classified_story(by=u["pat"], ticket=il6)
        # A second IL6 request, waiting for the PM to convert it to a story.
        demo.file(epic, RequestType.IL6_PROD_DEPLOY, "IL6", title="IL6 hotfix deploy")

    def intel_viewer():
        epic = demo.epic(foxtrot, "Intel Viewer")
        demo.document(
            epic,
            Document.Kind.CTF_LETTER,
            ["IL5"],
            days_ago=20,
            reject="The letter is not signed by the Authorizing Official.",
        )
        rejected = demo.pipeline(epic, "IL5", until="triaged")  # its story is cancelled
        services.ticket_reject(
            by=u["pat"], ticket=rejected, reason="Duplicate of an earlier request."
        )
        withdrawn = demo.pipeline(epic, "IL4", until="submitted")
        services.ticket_withdraw(by=u["fay"], ticket=withdrawn)

    def training_portal():
        epic = demo.epic(golf, "Training Portal")
        demo.pipeline(epic, "IL2")
        letter = demo.document(epic, Document.Kind.CTF_LETTER, ["IL2"], days_ago=300)
        demo.prod_deploy(epic, "IL2")
        services.release_create(by=u["gus"], epic=epic, tag="v1.0.0")
        # In production, its CtF since expired: the next release is refused (ctf_in_force).
        demo.expire(letter)
        with contextlib.suppress(GatesUnmet):
            services.release_create(by=u["gus"], epic=epic, tag="v1.1.0")
        demo.new_ctf(golf, "Training Portal Mobile", until="submitted")

    return {
        ("Team Alpha", "Payments Service"): payments_service,
        ("Team Alpha", "Mission Planner"): mission_planner,
        ("Team Alpha", "Logistics Tracker"): logistics_tracker,
        ("Team Bravo", "Field Reports"): field_reports,
        ("Team Charlie", "Radar Dashboard"): radar_dashboard,
        ("Team Charlie", "Supply Chain API"): supply_chain,
        ("Team Delta", "Flight Ops"): flight_ops,
        ("Team Delta", "Clinic Scheduler"): med_records,
        ("Team Echo", "Comms Relay"): comms_relay,
        ("Team Echo", "Weather Feed"): weather_feed,
        ("Team Foxtrot", "Maintenance Log"): maintenance_log,
        ("Team Foxtrot", "Intel Viewer"): intel_viewer,
        ("Team Golf", "Training Portal"): training_portal,
    }


class Command(BaseCommand):
    help = "Create the demo users, teams, epics and requests (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even where DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo users with a known password: it runs only with DEBUG on, "
                "or with --force."
            )
        # The demo's made-up history is kept in the app: no e-mail or webhook row is even
        # written, so nothing can be delivered outside the process, on any settings.
        with outbox.in_app_only():
            users = self._users()
            teams = self._teams(users)
            self._classified_access(users)
            demo = Demo(users)
            ran = 0
            for (team_name, title), scenario in _scenarios(demo, teams).items():
                if not Epic.objects.filter(team__name=team_name, title=title).exists():
                    scenario()
                    ran += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {len(teams)} teams, "
                f"{ran} new scenario(s). Password for every demo user: {PASSWORD}"
            )
        )

    @transaction.atomic
    def _users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, (roles, superuser, full_name) in USERS.items():
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@partybus.example",
                    "first_name": first,
                    "last_name": last,
                },
            )
            user.is_superuser = user.is_staff = superuser
            if created or not user.check_password(PASSWORD):
                user.set_password(PASSWORD)
            user.save()
            user.groups.set(Group.objects.filter(name__in=roles))
            users[username] = user
        return users

    @transaction.atomic
    def _teams(self, users: dict) -> dict:
        teams = {}
        for name, (funded, onboarded, members) in TEAMS.items():
            team, _ = Team.objects.update_or_create(
                name=name, defaults={"funded": funded, "onboarded": onboarded}
            )
            team.members.add(*(users[m] for m in members))
            teams[name] = team
        return teams

    def _classified_access(self, users: dict) -> None:
        """pat holds access for the default 90 days; dana's was revoked, then granted again for
        10 days (so she is reminded that it ends soon); casey's was denied with a reason;
        devon's request waits for a Classified Ops decision."""
        cleo = users["cleo"]
        if not AccessRequest.objects.filter(user=users["pat"]).in_force().exists():
            access = services.access_request_create(
                by=users["pat"], justification="MDO PM opening Classified Ops stories for IL6."
            )
            services.access_request_approve(by=cleo, access_request=access)
        if not AccessRequest.objects.filter(user=users["dana"]).exists():
            cover = services.access_request_create(
                by=users["dana"], justification="Covering IL6 deploys while Classified Ops is thin."
            )
            services.access_request_approve(by=cleo, access_request=cover, days=30)
            services.access_request_revoke(
                by=cleo, access_request=cover, reason="The cover ended: Classified Ops is staffed."
            )
            again = services.access_request_create(
                by=users["dana"], justification="On the IL6 deploy rota for the next sprint."
            )
            services.access_request_approve(by=cleo, access_request=again, days=10)
        if not AccessRequest.objects.filter(user=users["casey"]).exists():
            asked = services.access_request_create(
                by=users["casey"], justification="Review the evidence of IL6 deploy stories."
            )
            services.access_request_deny(
                by=cleo,
                access_request=asked,
                reason="Cyber reviews the CtF and CISSO documents on the epic page; the board's "
                "stories need no Cyber access.",
            )
        if not AccessRequest.objects.filter(user=users["devon"]).exists():
            services.access_request_create(
                by=users["devon"], justification="On call for IL6 deploy support this quarter."
            )
        services.access_requests_expire()  # the clock's round: dana is reminded
