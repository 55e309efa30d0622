"""Demo data: the users of API.md, and a season of teams, epics, requests and stories.

Every status change goes through workflow/services.py, on the demo's clock moved back
(workflow/demo/): about 120 days of history, deterministic, ending in a working week, so
the demo carries a real audit trail and the insights, service levels and forecasts show
real figures. Idempotent: users, roles and teams are brought to the described state each
run; a scenario runs only when its epic does not exist yet.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from epics.models import Epic, Team
from notifications import outbox
from workflow import services
from workflow.demo import scenarios
from workflow.demo.clock import DemoClock
from workflow.demo.people import Demo
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
        clock = DemoClock()
        with outbox.in_app_only():
            users = self._users()
            teams = self._teams(users)
            demo = Demo(users, clock)
            ran = 0
            with clock.running():
                self._classified_access(users, demo)
                stories = {**scenarios.season(demo, teams), **scenarios.today(demo, teams)}
                for (team_name, title), scenario in stories.items():
                    if not Epic.objects.filter(team__name=team_name, title=title).exists():
                        scenario()
                        ran += 1
                clock.set(clock.real)
                services.access_requests_expire()  # the clock's round: dana is reminded
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

    def _classified_access(self, users: dict, demo: Demo) -> None:
        """pat has held access since before the season's IL6 work (for 180 days); dana's was
        revoked, then granted again for 10 days (so she is reminded that it ends soon);
        casey's was denied with a reason; devon's request waits for a Classified Ops
        decision."""
        cleo = users["cleo"]
        if not AccessRequest.objects.filter(user=users["pat"]).in_force().exists():
            demo.on(100)
            access = services.access_request_create(
                by=users["pat"], justification="MDO PM opening Classified Ops stories for IL6."
            )
            demo.wait("verify")
            services.access_request_approve(by=cleo, access_request=access, days=180)
        if not AccessRequest.objects.filter(user=users["dana"]).exists():
            demo.on(40)
            cover = services.access_request_create(
                by=users["dana"], justification="Covering IL6 deploys while Classified Ops is thin."
            )
            services.access_request_approve(by=cleo, access_request=cover, days=30)
            demo.on(12)
            services.access_request_revoke(
                by=cleo, access_request=cover, reason="The cover ended: Classified Ops is staffed."
            )
            demo.on(1, hour=10)
            again = services.access_request_create(
                by=users["dana"], justification="On the IL6 deploy rota for the next sprint."
            )
            services.access_request_approve(by=cleo, access_request=again, days=10)
        if not AccessRequest.objects.filter(user=users["casey"]).exists():
            demo.on(20)
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
            demo.on(1, hour=16)
            services.access_request_create(
                by=users["devon"], justification="On call for IL6 deploy support this quarter."
            )
