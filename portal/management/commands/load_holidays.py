"""`manage.py load_holidays [--year YYYY ...]`: top up the work calendar from the chinesecalendar package.

A thin wrapper over portal.calendar.work_calendar_load_package (idempotent; never overwrites a
hand edit), then the same warning clerks see when this or next year's schedule is missing.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.calendar import calendar_missing_years, work_calendar_load_package


class Command(BaseCommand):
    help = gettext_lazy(
        "Add the holidays and adjusted working weekends the chinesecalendar package knows and the work "
        "calendar lacks. Never overwrites a day entered by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help=gettext_lazy("only this year (repeat for several); default: every year the package knows"),
        )

    def handle(self, *args, years=None, **options):
        added = work_calendar_load_package(years=years)

        for year in sorted(set(years or ()) | set(added)):
            count = added.get(year, 0)
            self.stdout.write(
                ngettext("%(year)s: %(count)s day added", "%(year)s: %(count)s days added", count)
                % {"year": year, "count": count}
            )
        if not added:
            self.stdout.write(_("Nothing to add: the work calendar already has every day the package knows."))

        for year in calendar_missing_years():
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "WARNING: the %(year)s holiday schedule is not entered. Deadlines through %(year)s count "
                        "Monday to Friday and are provisional; enter the State Council's schedule in the work "
                        "calendar (admin) as soon as it is published."
                    )
                    % {"year": year}
                )
            )
