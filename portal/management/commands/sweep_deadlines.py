from django.core.management.base import BaseCommand

from portal.clocks import sweep_deadlines


class Command(BaseCommand):
    help = "Run one deadline sweep now (the twin of the beat task portal.sweep_deadlines)."

    def handle(self, *args, **options):
        result = sweep_deadlines()
        self.stdout.write(f"overdue: {len(result.overdue)}, reminded: {len(result.reminded)}")
