"""`manage.py compute_campaign_analyses [--force]`: the twin of the beat task
suggestions.compute_campaign_analyses."""

from django.core.management.base import BaseCommand

from suggestions.services import analysis


class Command(BaseCommand):
    help = (
        "Recompute the hot topics and breakdowns of every campaign whose suggestions or assessments changed "
        "since the last run (--force: every campaign)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recompute every campaign, changed or not")

    def handle(self, *args, force=False, **options):
        result = analysis.campaign_analyses_refresh(force=force)
        self.stdout.write(
            f"campaigns: {result['campaigns']}, recomputed: {result['recomputed']}, "
            f"rankings changed: {result['reranked']}"
        )
