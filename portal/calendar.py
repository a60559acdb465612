"""The work calendar in the database: selectors, services and the cached calendar.

Reads go through the shared cache one whole year at a time (one query per year on a miss,
none on a hit); every write invalidates that year, then recomputes the clocks the change can
move (portal.clocks.clocks_recompute_for_days), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import DayOverride, WorkCalendar, local_date
from portal.exceptions import DomainError
from portal.models import WorkCalendarDay

CACHE_KEY = "workcalendar:v1:{year}"
CACHE_SECONDS = 24 * 3600
UNKNOWN = "unknown"
# The history reason that marks a deletion as an administrator's decision (load_holidays keeps it).
DELETED_BY_HAND = "deleted by hand"


def _read_year(year: int):
    rows = list(WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_working_day", "name"))
    return [(day.isoformat(), working, name) for day, working, name in rows] if rows else UNKNOWN


def _decode(stored) -> dict[date, DayOverride] | None:
    if stored == UNKNOWN:
        return None
    return {date.fromisoformat(day): DayOverride(working, name) for day, working, name in stored}


def _load_year(year: int) -> dict[date, DayOverride] | None:
    key = CACHE_KEY.format(year=year)
    stored = cache.get(key)
    if stored is None:
        stored = _read_year(year)
        cache.set(key, stored, CACHE_SECONDS)
    return _decode(stored)


def database_calendar() -> WorkCalendar:
    """A calendar over the `WorkCalendarDay` table (the default for portal.deadlines)."""
    return WorkCalendar(_load_year)


def uncached_calendar() -> WorkCalendar:
    """Reads the table directly: for use inside a transaction that changes the calendar, whose
    uncommitted rows must never reach the shared cache."""
    return WorkCalendar(lambda year: _decode(_read_year(year)))


def invalidate_years(years: Iterable[int]) -> None:
    cache.delete_many([CACHE_KEY.format(year=year) for year in set(years)])


# --- selectors -------------------------------------------------------------------------------


def calendar_missing_years(*, now=None) -> list[int]:
    """The current and next year, where no schedule has been entered (clerks are warned)."""
    today = local_date(now or timezone.now())
    calendar = database_calendar()
    return [year for year in (today.year, today.year + 1) if not calendar.knows_year(year)]


def calendar_known_years() -> list[int]:
    return sorted(d.year for d in WorkCalendarDay.objects.dates("date", "year"))


# --- services --------------------------------------------------------------------------------


def _after_change(days: Iterable[date], actor=None) -> None:
    days = set(days)
    if not days:
        return
    years = {day.year for day in days}
    invalidate_years(years)
    # Other processes may re-cache the old rows before this commits: invalidate again after.
    transaction.on_commit(lambda: invalidate_years(years))
    from portal.clocks import clocks_recompute_for_days

    calendar = uncached_calendar()
    # A year left with no entries at all is unknown again: every clock through it is provisional.
    emptied = {year for year in years if not calendar.knows_year(year)}
    clocks_recompute_for_days(days=days, whole_years=emptied, calendar=calendar, actor=actor)


@transaction.atomic
def work_calendar_day_save(
    *, day: date, is_working_day: bool, name: str, actor=None, source=WorkCalendarDay.Source.MANUAL
) -> WorkCalendarDay:
    """Enter or change one day override by hand (an administrator in the admin)."""
    if not name.strip():
        raise DomainError(_("Give the day a name, e.g. 春节 or 国庆节调休."))
    if is_working_day and day.weekday() < 5:
        raise DomainError(_("%(day)s is a weekday: only a weekend day can be an adjusted working day.") % {"day": day})
    if not is_working_day and day.weekday() >= 5:
        raise DomainError(_("%(day)s is already a weekend day: it needs no holiday entry.") % {"day": day})
    row = WorkCalendarDay.objects.filter(date=day).first() or WorkCalendarDay(date=day)
    row.is_working_day = is_working_day
    row.name = name.strip()
    row.source = source
    row._history_user = actor
    row.save()
    _after_change([day], actor)
    return row


@transaction.atomic
def work_calendar_day_delete(*, row: WorkCalendarDay, actor=None) -> None:
    day = row.date
    row._history_user = actor
    row._change_reason = DELETED_BY_HAND
    row.delete()
    _after_change([day], actor)


@transaction.atomic
def work_calendar_load_package(*, years: Iterable[int] | None = None) -> dict[int, int]:
    """Seed the calendar from the `chinesecalendar` package; idempotent.

    Adds the days the package knows and the table lacks; never overwrites a row that exists
    (an administrator's hand edit wins). Returns {year: rows added}.
    """
    from chinese_calendar import constants

    wanted = set(years) if years is not None else None
    entries: dict[date, DayOverride] = {}
    for day, holiday in constants.holidays.items():
        if day.weekday() < 5:  # a weekend holiday changes nothing: weekends are off anyway
            entries[day] = DayOverride(False, _holiday_name(holiday))
    for day, holiday in constants.workdays.items():
        if day.weekday() >= 5:
            entries[day] = DayOverride(True, _holiday_name(holiday) + "调休")
    if wanted is not None:
        entries = {day: value for day, value in entries.items() if day.year in wanted}
    existing = set(WorkCalendarDay.objects.filter(date__in=list(entries)).values_list("date", flat=True))
    # A day an administrator deleted by hand is a hand edit too: it is not brought back.
    existing |= set(
        WorkCalendarDay.history.filter(
            date__in=list(entries), history_type="-", history_change_reason=DELETED_BY_HAND
        ).values_list("date", flat=True)
    )
    new_rows = [
        WorkCalendarDay(
            date=day, is_working_day=value.is_working_day, name=value.name, source=WorkCalendarDay.Source.PACKAGE
        )
        for day, value in sorted(entries.items())
        if day not in existing
    ]
    WorkCalendarDay.objects.bulk_create(new_rows)
    if new_rows:
        WorkCalendarDay.history.bulk_history_create(
            list(WorkCalendarDay.objects.filter(date__in=[row.date for row in new_rows])),
            default_change_reason="Loaded from the chinesecalendar package",
        )
    added: dict[int, int] = {}
    for row in new_rows:
        added[row.date.year] = added.get(row.date.year, 0) + 1
    _after_change(row.date for row in new_rows)
    return added


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _holiday_name(holiday) -> str:
    english = getattr(holiday, "value", None) or str(holiday)
    if isinstance(english, tuple):
        english = english[0]
    return HOLIDAY_NAMES.get(english, english)
