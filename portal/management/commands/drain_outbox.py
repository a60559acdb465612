from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from portal.notifications import outbox_drain
from portal.tasks import database_locked


class Command(BaseCommand):
    help = "Send the due e-mails of the outbox now (the twin of the task portal.drain_outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit, **options):
        try:
            claimed, sent = outbox_drain(limit=limit)
        except OperationalError as error:
            if not database_locked(error):
                raise
            raise CommandError("the database is locked by another process; nothing was lost, run it again") from None
        self.stdout.write(f"claimed: {claimed}, sent: {sent}")
