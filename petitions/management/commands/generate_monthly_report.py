"""`manage.py generate_monthly_report [--month YYYY-MM]`: the twin of the beat task
petitions.generate_monthly_report. A stored report is never rewritten."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from petitions import reports
from portal.exceptions import DomainError


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"--month must be YYYY-MM, not {value!r}") from None


class Command(BaseCommand):
    help = "Store the monthly report (月报) of last month, or of --month YYYY-MM, unless it is already stored."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="the month to report on, YYYY-MM (default: last month)")

    def handle(self, *args, month=None, **options):
        try:
            report, created = reports.monthly_report_generate(month=_month(month) if month else None)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(self.style.SUCCESS(f"stored the report of {report.month:%Y-%m}"))
        else:
            self.stdout.write(f"the report of {report.month:%Y-%m} was already stored; left unchanged")
