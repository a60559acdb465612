"""`manage.py close_unrated_petitions`: the twin of the beat task petitions.close_unrated."""

from django.core.management.base import BaseCommand

from petitions.tasks import close_unrated


class Command(BaseCommand):
    help = "Close the replied tickets whose rating period has passed without a rating (the hourly task, now)."

    def handle(self, *args, **options):
        result = close_unrated.run()
        self.stdout.write(f"closed as unrated: {result['closed']}")
