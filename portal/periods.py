"""Months, quarters and years: the one place their arithmetic lives.

Pure functions, no ORM. A period is named by its first day (a `date`); its bounds are local
midnights (Asia/Shanghai, `portal.deadlines.LOCAL_TZ`) as a half-open range [start, end), which
is how every report, board and trend filters `started_at` / `met_at`. `portal.params` parses a
month from the address within its bounds; everything after that is done here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from portal import deadlines


class Period:
    MONTH, QUARTER, YEAR = "month", "quarter", "year"
    CHOICES = ((MONTH, _("Month")), (QUARTER, _("Quarter")), (YEAR, _("Year")))


def local_midnight(day: date) -> datetime:
    """The first moment of `day`, local time."""
    return datetime(day.year, day.month, day.day, tzinfo=deadlines.LOCAL_TZ)


def month_first(day: date) -> date:
    """The first day of the month containing `day`."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_month(day: date) -> date:
    return add_months(day, 1)


def month_last_day(day: date) -> date:
    """The last day of the month containing `day`."""
    return next_month(day) - timedelta(days=1)


def month_start(moment: datetime) -> datetime:
    """Local midnight on the first of the month containing `moment`."""
    return local_midnight(month_first(deadlines.local_date(moment)))


def this_month(now: datetime) -> date:
    """The first day of the local month containing `now`."""
    return month_first(deadlines.local_date(now))


def previous_month(now: datetime) -> date:
    """The first day of the month before the one containing `now` (local time)."""
    return add_months(this_month(now), -1)


def quarter_first(day: date) -> date:
    """The first day of the calendar quarter containing `day`."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_of(day: date) -> int:
    """1..4."""
    return (day.month - 1) // 3 + 1


def year_first(day: date) -> date:
    return date(day.year, 1, 1)


def period_first(kind: str, day: date) -> date:
    """The first day of the month, quarter or year containing `day`."""
    if kind == Period.YEAR:
        return year_first(day)
    if kind == Period.QUARTER:
        return quarter_first(day)
    return month_first(day)


def period_months(kind: str) -> int:
    return {Period.YEAR: 12, Period.QUARTER: 3}.get(kind, 1)


def period_bounds(kind: str, day: date) -> tuple[datetime, datetime]:
    """[start, end) local midnights of the month, quarter or year containing `day`."""
    first = period_first(kind, day)
    return local_midnight(first), local_midnight(add_months(first, period_months(kind)))


def months_ending(last: date, count: int) -> list[date]:
    """The first days of the `count` months ending with the month of `last`, oldest first."""
    first = add_months(last, -(count - 1))
    return [add_months(first, offset) for offset in range(count)]


def months_between(start: date, end: date) -> Iterator[date]:
    """The first days of the months from the month of `start` up to and including that of `end`."""
    month, last = month_first(start), month_first(end)
    while month <= last:
        yield month
        month = next_month(month)


def months_bounds(last: date, count: int) -> tuple[datetime, datetime]:
    """[start, end) local midnights of the `count` months ending with the month of `last`."""
    months = months_ending(last, count)
    return local_midnight(months[0]), local_midnight(next_month(months[-1]))
