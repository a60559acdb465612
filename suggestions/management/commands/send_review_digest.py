"""`manage.py send_review_digest`: the twin of the beat task suggestions.send_review_digest."""

from django.core.management.base import BaseCommand

from suggestions.tasks import send_review_digest


class Command(BaseCommand):
    help = (
        "Send each reviewer today's digest of the suggestions awaiting review (the morning task, now); "
        "a reviewer who already has today's digest is skipped."
    )

    def handle(self, *args, **options):
        result = send_review_digest.run()
        self.stdout.write(f"reviewers sent the digest: {result['reviewers']}")
