"""Pure deadline arithmetic on China's working-day calendar. No ORM, no Django.

The rules (pinned by tests/portal/test_deadlines.py):

* A working day is Monday to Friday, except public holidays, plus the adjusted working
  weekends (调休) the State Council announces each year. Dates are local to Asia/Shanghai.
* Hour clocks: due = start + N calendar hours.
* Working-day clocks: the day of the start is not counted (期限开始之日不计算在内 — the
  Regulations on Open Government Information, art. 33, and the general rule for statutory
  time limits). Day 1 is the first working day strictly after the start's local date, whether
  the start fell on a working day or not. The clock is due at the end of working day N
  (23:59:59.999999 local time).
* A year the calendar does not know (no schedule entered) falls back to Monday-Friday, and
  every result computed through it says so (`provisional`): nothing is guessed silently.

The calendar is passed in; with none, the default calendar factory is used (the portal app
installs one that reads the `WorkCalendarDay` table through the cache, see portal.calendar).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SATURDAY = 5


@dataclass(frozen=True)
class DayOverride:
    is_working_day: bool
    name: str


class WorkCalendar:
    """Answers whether a date is a working day, loading one year of overrides at a time.

    `load_year(year)` returns that year's overrides ({date: DayOverride}), or None when the
    year's schedule is unknown. Loaded years are kept for the life of the object, so a
    calendar is cheap to consult many times; make a new one to see edits.
    """

    def __init__(self, load_year: Callable[[int], Mapping[date, DayOverride] | None]):
        self._load_year = load_year
        self._years: dict[int, Mapping[date, DayOverride] | None] = {}

    @classmethod
    def from_overrides(cls, overrides: Mapping[date, DayOverride], known_years=None) -> WorkCalendar:
        """A calendar from a plain mapping; years with an override (or listed) are known."""
        years = set(known_years or ()) | {day.year for day in overrides}
        by_year: dict[int, dict[date, DayOverride]] = {year: {} for year in years}
        for day, override in overrides.items():
            by_year[day.year][day] = override
        return cls(lambda year: by_year.get(year))

    def _year(self, year: int) -> Mapping[date, DayOverride] | None:
        if year not in self._years:
            self._years[year] = self._load_year(year)
        return self._years[year]

    def knows_year(self, year: int) -> bool:
        return self._year(year) is not None

    def override(self, day: date) -> DayOverride | None:
        overrides = self._year(day.year)
        return None if overrides is None else overrides.get(day)

    def is_working_day(self, day: date) -> bool:
        override = self.override(day)
        if override is not None:
            return override.is_working_day
        return day.weekday() < SATURDAY


def _weekdays_only(year: int) -> None:
    return None


_default_calendar_factory: Callable[[], WorkCalendar] = lambda: WorkCalendar(_weekdays_only)  # noqa: E731


def set_default_calendar_factory(factory: Callable[[], WorkCalendar]) -> None:
    """Install where calendars come from when a caller passes none (done by the portal app)."""
    global _default_calendar_factory
    _default_calendar_factory = factory


def default_calendar() -> WorkCalendar:
    return _default_calendar_factory()


def local_date(moment: datetime | date) -> date:
    """The Asia/Shanghai calendar date of an aware datetime (a date is returned as is)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("deadline arithmetic needs an aware datetime")
        return moment.astimezone(LOCAL_TZ).date()
    return moment


def end_of_day(day: date) -> datetime:
    """23:59:59.999999 local time on `day`, as an aware datetime."""
    return datetime.combine(day, time.max, tzinfo=LOCAL_TZ)


def is_working_day(day: date | datetime, calendar: WorkCalendar | None = None) -> bool:
    """Whether the (local) date is a working day; an aware datetime is taken at its local date."""
    return (calendar or default_calendar()).is_working_day(local_date(day))


@dataclass
class WorkingDayCount:
    """How a working-day due date was reached: what an explanation shows."""

    start: date
    due_day: date
    counted: list[date] = field(default_factory=list)
    skipped_holidays: list[tuple[date, str]] = field(default_factory=list)
    adjusted_working_days: list[tuple[date, str]] = field(default_factory=list)
    unknown_years: set[int] = field(default_factory=set)

    @property
    def provisional(self) -> bool:
        return bool(self.unknown_years)

    @property
    def due_at(self) -> datetime:
        return end_of_day(self.due_day)


def count_working_days(start: datetime | date, n: int, calendar: WorkCalendar | None = None) -> WorkingDayCount:
    """Walk forward from the day after `start` until `n` working days are counted."""
    if n < 0:
        raise ValueError("a number of working days cannot be negative")
    calendar = calendar or default_calendar()
    day = local_date(start)
    result = WorkingDayCount(start=day, due_day=day)
    # Only the days walked through matter: the start day itself is never counted.
    while len(result.counted) < n:
        day += timedelta(days=1)
        if not calendar.knows_year(day.year):
            result.unknown_years.add(day.year)
        override = calendar.override(day)
        if calendar.is_working_day(day):
            result.counted.append(day)
            if override is not None and day.weekday() >= SATURDAY:
                result.adjusted_working_days.append((day, override.name))
        elif override is not None and day.weekday() < SATURDAY:
            result.skipped_holidays.append((day, override.name))
    result.due_day = day
    return result


def due_after_working_days(start: datetime | date, n: int, calendar: WorkCalendar | None = None) -> datetime:
    """The end (local) of the n-th working day strictly after the start's local date."""
    return count_working_days(start, n, calendar).due_at


def due_after_hours(start: datetime, n: int) -> datetime:
    """Calendar hours: start + n hours (aware in, aware out)."""
    if start.tzinfo is None:
        raise ValueError("deadline arithmetic needs an aware datetime")
    if n < 0:
        raise ValueError("a number of hours cannot be negative")
    # Elapsed hours: computed in UTC, so a zone's daylight-saving change cannot shorten them.
    return (start.astimezone(UTC) + timedelta(hours=n)).astimezone(start.tzinfo)


def working_days_between(a: datetime | date, b: datetime | date, calendar: WorkCalendar | None = None) -> int:
    """Working days d with local_date(a) < d <= local_date(b); negative when b is before a.

    So `working_days_between(start, due_after_working_days(start, n)) == n`.
    """
    calendar = calendar or default_calendar()
    first, last = local_date(a), local_date(b)
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return sign * count
