"""`manage.py deadline START N [--hours]`: when is work started at START due, and why.

A thin wrapper over portal.deadlines (with the database calendar): it parses the start,
computes, and prints the explanation in the active language.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import deadlines


def parse_start(text: str) -> datetime:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM, with an optional offset; local Asia/Shanghai without one."""
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(start)s is not a start moment: write YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time in Shanghai).")
            % {"start": text}
        ) from None
    return start if start.tzinfo else start.replace(tzinfo=deadlines.LOCAL_TZ)


def iso_local(moment: datetime) -> str:
    return moment.astimezone(deadlines.LOCAL_TZ).isoformat()


def day_list(days: list[tuple]) -> str:
    return ", ".join(f"{day.isoformat()} {name}" for day, name in days) or _("none")


class Command(BaseCommand):
    help = gettext_lazy(
        "Compute a due moment: START (YYYY-MM-DD or YYYY-MM-DDTHH:MM, Shanghai time unless an offset is given) "
        "plus N working days, or N calendar hours with --hours."
    )

    def add_arguments(self, parser):
        parser.add_argument("start", help=gettext_lazy("YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
        parser.add_argument("n", type=int, help=gettext_lazy("working days (or hours with --hours)"))
        parser.add_argument("--hours", action="store_true", help=gettext_lazy("count calendar hours"))

    def handle(self, *args, start, n, hours, **options):
        if n < 0:
            raise CommandError(_("N must be zero or more."))
        start = parse_start(start)
        self.stdout.write(_("Start: %(start)s") % {"start": iso_local(start)})
        if hours:
            self.stdout.write(_("Due: %(due)s") % {"due": iso_local(deadlines.due_after_hours(start, n))})
            self.stdout.write(_("Calendar hours: %(hours)s") % {"hours": n})
            return

        counted = deadlines.count_working_days(start, n)
        self.stdout.write(_("Due: %(due)s") % {"due": iso_local(counted.due_at)})
        self.stdout.write(
            _("Working days counted: %(count)s (%(days)s)")
            % {
                "count": len(counted.counted),
                "days": ", ".join(day.isoformat() for day in counted.counted) or _("none"),
            }
        )
        self.stdout.write(_("Holidays skipped: %(days)s") % {"days": day_list(counted.skipped_holidays)})
        self.stdout.write(
            _("Adjusted working weekends counted: %(days)s") % {"days": day_list(counted.adjusted_working_days)}
        )
        for year in sorted(counted.unknown_years):
            self.stdout.write(
                self.style.WARNING(_("PROVISIONAL: the %(year)s holiday schedule is not entered") % {"year": year})
            )
