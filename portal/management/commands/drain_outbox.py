from django.core.management.base import BaseCommand

from portal.notifications import outbox_drain


class Command(BaseCommand):
    help = "Send the due e-mails of the outbox now (the twin of the task portal.drain_outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit, **options):
        claimed, sent = outbox_drain(limit=limit)
        self.stdout.write(f"claimed: {claimed}, sent: {sent}")
