"""`manage.py generate_campaign_reports`: the twin of the beat task
suggestions.generate_campaign_reports. A stored report is never rewritten."""

from django.core.management.base import BaseCommand

from suggestions.services import reports


class Command(BaseCommand):
    help = (
        "Generate version 1 of the summary report (活动总结报告) of every campaign whose summary phase has begun "
        "and that has none yet."
    )

    def handle(self, *args, **options):
        made = reports.campaign_reports_generate_due()
        for report in made:
            self.stdout.write(self.style.SUCCESS(f"generated {report.campaign.slug} v{report.version}"))
        if not made:
            self.stdout.write("no campaign was due a report")
