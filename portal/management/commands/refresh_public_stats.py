from django.core.management.base import BaseCommand

from portal.dashboards import public_stats_refresh


class Command(BaseCommand):
    help = "Recompute the public statistics (/stats/) into the cache now (twin of portal.refresh_public_stats)."

    def handle(self, *args, **options):
        stats = public_stats_refresh()
        self.stdout.write(f"public statistics computed at {stats['computed_at']}")
