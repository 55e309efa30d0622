"""Walk the audit trail's hash chain (workflow/chain.py) and say whether it holds."""

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError

from workflow import chain
from workflow.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check every audit event's hash against its content and the previous event's hash. "
        "Prints `first broken event: <id>` and exits non-zero at the first that does not "
        "match; otherwise prints how many events match and the chain's head."
    )

    def handle(self, *args, **options):
        labels = {ct.pk: chain.type_label(ct) for ct in ContentType.objects.all()}
        broken, count, head = chain.first_broken(AuditEvent.objects.all(), labels)
        if broken is not None:
            self.stderr.write(f"{count} events match before it.")
            raise CommandError(f"first broken event: {broken}", returncode=1)
        self.stdout.write(f"{count} events, chain intact; head {head or '(empty)'}")
