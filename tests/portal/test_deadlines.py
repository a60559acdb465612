"""portal.deadlines: working days on China's calendar, calendar hours.

The database-backed tables use the calendar the migration seeds from the `chinesecalendar`
package (2004-2026). Every expected date below was derived by hand from the State Council's
published schedule, not by calling the code under test:

* New Year 2026: Thu 1 - Sat 3 January off; Sunday 4 January worked (调休).
* Spring Festival 2026: Sun 15 - Mon 23 February off (weekdays 16-20 and 23); Saturdays
  14 and 28 February worked.
* Labour Day 2026: Fri 1 - Tue 5 May off (weekdays 1, 4, 5); Saturday 9 May worked.
* National Day + Mid-autumn 2025: Wed 1 - Wed 8 October off (weekdays 1-3, 6-8);
  Sunday 28 September and Saturday 11 October worked.
* 2027 has no schedule: Monday-Friday, and every result through it is provisional.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.deadlines import (
    LOCAL_TZ,
    DayOverride,
    WorkCalendar,
    count_working_days,
    due_after_hours,
    due_after_working_days,
    is_working_day,
    local_date,
    working_days_between,
)


def moment(text: str) -> datetime:
    """An aware datetime from ISO text; without an offset it is Asia/Shanghai local time."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59, 999999), tzinfo=LOCAL_TZ)


# --- the database calendar: real holiday periods ----------------------------------------------

# (start, working days, due day, provisional). Comments count the working days by hand.
WORKING_DAY_CASES = [
    # The example: a Tuesday before a plain week -> the following Wednesday.
    pytest.param("2026-03-10T10:00", 6, "2026-03-18", False, id="issue-example-tuesday+6"),
    pytest.param("2025-06-10T09:00", 6, "2025-06-18", False, id="plain-tuesday-2025+6"),
    # Spring Festival 2026.
    pytest.param("2026-02-12T10:00", 1, "2026-02-13", False, id="spring-thu+1-fri"),
    pytest.param("2026-02-12T10:00", 2, "2026-02-14", False, id="spring-thu+2-adjusted-sat"),
    # 13 (1), 14 Sat worked (2), 15 Sun, 16-20 off, 21-22 weekend, 23 off, 24 (3).
    pytest.param("2026-02-12T10:00", 3, "2026-02-24", False, id="spring-thu+3-after-festival"),
    # 13, 14, 24, 25, 26, 27, 28 Sat worked.
    pytest.param("2026-02-12T10:00", 7, "2026-02-28", False, id="spring-thu+7-second-adjusted-sat"),
    pytest.param("2026-02-12T10:00", 8, "2026-03-02", False, id="spring-thu+8"),
    # 11, 12, 13, 14, 24, 25, 26, 27, 28, Mar 2, 3, 4, 5, 6, 9.
    pytest.param("2026-02-10T10:00", 15, "2026-03-09", False, id="spring-tue+15"),
    pytest.param("2026-02-13T00:00", 1, "2026-02-14", False, id="spring-start-at-midnight"),
    pytest.param("2026-02-13T23:59:59", 1, "2026-02-14", False, id="spring-start-at-235959"),
    pytest.param("2026-02-12T15:59:59Z", 1, "2026-02-13", False, id="spring-utc-still-12th-local"),
    pytest.param("2026-02-12T16:00Z", 1, "2026-02-14", False, id="spring-utc-is-13th-0000-local"),
    pytest.param("2026-02-12T17:30Z", 1, "2026-02-14", False, id="spring-utc-is-13th-0130-local"),
    pytest.param("2026-02-12T17:30Z", 2, "2026-02-24", False, id="spring-utc-is-13th-0130-local+2"),
    pytest.param("2026-02-14T09:00", 1, "2026-02-24", False, id="spring-start-on-adjusted-sat"),
    pytest.param("2026-02-15T09:00", 1, "2026-02-24", False, id="spring-start-on-weekend"),
    pytest.param("2026-02-18T09:00", 1, "2026-02-24", False, id="spring-start-on-holiday"),
    pytest.param("2026-02-18T09:00", 5, "2026-02-28", False, id="spring-start-on-holiday+5"),
    pytest.param("2026-02-23T23:59:59", 1, "2026-02-24", False, id="spring-start-last-holiday"),
    pytest.param("2026-02-27T12:00", 1, "2026-02-28", False, id="spring-fri+1-adjusted-sat"),
    pytest.param("2026-02-28T12:00", 1, "2026-03-02", False, id="spring-start-on-second-adjusted-sat"),
    # National Day 2025.
    # 25 (1), 26 (2), 28 Sun worked (3), 29 (4), 30 (5), Oct 1-8 off, 9 (6).
    pytest.param("2025-09-24T10:00", 6, "2025-10-09", False, id="national-wed+6"),
    pytest.param("2025-09-26T10:00", 1, "2025-09-28", False, id="national-fri+1-adjusted-sun"),
    pytest.param("2025-09-26T10:00", 4, "2025-10-09", False, id="national-fri+4"),
    pytest.param("2025-09-26T10:00", 6, "2025-10-11", False, id="national-fri+6-adjusted-sat"),
    pytest.param("2025-09-26T10:00", 7, "2025-10-13", False, id="national-fri+7"),
    pytest.param("2025-09-27T10:00", 1, "2025-09-28", False, id="national-start-on-plain-sat"),
    pytest.param("2025-09-28T23:59:59", 1, "2025-09-29", False, id="national-start-on-adjusted-sun"),
    pytest.param("2025-09-27T16:30Z", 1, "2025-09-29", False, id="national-utc-is-28th-local"),
    pytest.param("2025-09-30T17:00", 1, "2025-10-09", False, id="national-eve+1"),
    # Oct 9, 10, 11 Sat, 13-17, 20-24, 27, 28.
    pytest.param("2025-09-30T17:00", 15, "2025-10-28", False, id="national-eve+15"),
    pytest.param("2025-10-01T00:00", 1, "2025-10-09", False, id="national-start-on-holiday-midnight"),
    pytest.param("2025-10-06T10:00", 3, "2025-10-11", False, id="national-start-on-mid-autumn+3"),
    # Labour Day 2026.
    pytest.param("2026-04-29T10:00", 2, "2026-05-06", False, id="labour-wed+2"),
    pytest.param("2026-04-30T10:00", 1, "2026-05-06", False, id="labour-thu+1"),
    pytest.param("2026-04-30T10:00", 4, "2026-05-09", False, id="labour-thu+4-adjusted-sat"),
    pytest.param("2026-04-30T10:00", 5, "2026-05-11", False, id="labour-thu+5"),
    pytest.param("2026-05-02T10:00", 1, "2026-05-06", False, id="labour-start-on-weekend"),
    pytest.param("2026-05-04T10:00", 1, "2026-05-06", False, id="labour-start-on-holiday"),
    pytest.param("2026-05-09T10:00", 1, "2026-05-11", False, id="labour-start-on-adjusted-sat"),
    pytest.param("2026-05-08T16:00Z", 1, "2026-05-11", False, id="labour-utc-is-adjusted-sat-local"),
    # New Year 2026, across the 2025/2026 boundary (both years known).
    pytest.param("2025-12-30T10:00", 1, "2025-12-31", False, id="newyear-tue+1"),
    pytest.param("2025-12-30T10:00", 2, "2026-01-04", False, id="newyear-tue+2-adjusted-sun"),
    pytest.param("2025-12-31T15:00", 1, "2026-01-04", False, id="newyear-eve+1"),
    pytest.param("2025-12-31T15:00", 2, "2026-01-05", False, id="newyear-eve+2"),
    # Dec 30, 31, Jan 4 Sun, 5, 6, 7, 8.
    pytest.param("2025-12-29T10:00", 7, "2026-01-08", False, id="newyear-mon+7"),
    pytest.param("2025-12-30T16:30Z", 1, "2026-01-04", False, id="newyear-utc-is-31st-local"),
    pytest.param("2026-01-01T10:00", 1, "2026-01-04", False, id="newyear-start-on-holiday"),
    pytest.param("2026-01-03T10:00", 1, "2026-01-04", False, id="newyear-start-on-weekend"),
    pytest.param("2026-01-04T10:00", 1, "2026-01-05", False, id="newyear-start-on-adjusted-sun"),
    # A plain weekend.
    pytest.param("2026-03-07T12:00", 1, "2026-03-09", False, id="plain-sat+1"),
    pytest.param("2026-03-07T12:00", 6, "2026-03-16", False, id="plain-sat+6"),
    pytest.param("2026-03-08T23:59:59", 5, "2026-03-13", False, id="plain-sun+5"),
    # Into 2027, whose schedule is unknown: Monday-Friday, provisional.
    pytest.param("2026-12-28T10:00", 3, "2026-12-31", False, id="to-2027-stays-in-2026"),
    pytest.param("2026-12-28T10:00", 4, "2027-01-01", True, id="to-2027-new-year-day-counted"),
    # Dec 29, 30, 31, Jan 1 (Fri, unknown), 4, 5, 6.
    pytest.param("2026-12-28T10:00", 7, "2027-01-06", True, id="to-2027-mon+7"),
    pytest.param("2026-12-31T23:59:59", 1, "2027-01-01", True, id="to-2027-start-at-235959"),
    pytest.param("2026-12-31T16:00Z", 1, "2027-01-04", True, id="to-2027-utc-is-2027-local"),
    pytest.param("2027-01-08T10:00", 1, "2027-01-11", True, id="in-2027-fri+1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "n", "due_day", "provisional"), WORKING_DAY_CASES)
def test_due_after_working_days_on_the_seeded_calendar(start, n, due_day, provisional):
    due = due_after_working_days(moment(start), n)

    assert due == end_of(due_day)
    assert due.tzinfo is not None
    assert due.astimezone(LOCAL_TZ).time() == time(23, 59, 59, 999999)
    assert count_working_days(moment(start), n).provisional is provisional


@pytest.mark.django_db
def test_count_explains_spring_festival_2026():
    count = count_working_days(moment("2026-02-12T10:00"), 7)

    assert count.start == date(2026, 2, 12)
    assert count.due_day == date(2026, 2, 28)
    assert count.counted == [
        date(2026, 2, 13),
        date(2026, 2, 14),
        date(2026, 2, 24),
        date(2026, 2, 25),
        date(2026, 2, 26),
        date(2026, 2, 27),
        date(2026, 2, 28),
    ]
    assert count.skipped_holidays == [(date(2026, 2, day), "春节") for day in (16, 17, 18, 19, 20, 23)]
    assert count.adjusted_working_days == [(date(2026, 2, 14), "春节调休"), (date(2026, 2, 28), "春节调休")]
    assert count.unknown_years == set()


@pytest.mark.django_db
def test_count_into_2027_names_the_unknown_year():
    count = count_working_days(moment("2026-12-28T10:00"), 7)

    assert count.unknown_years == {2027}
    assert count.provisional is True
    assert count.skipped_holidays == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),
        ("2026-02-14", True),  # Saturday worked (春节调休)
        ("2026-02-15", False),  # Sunday inside the break
        ("2026-02-16", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday worked
        ("2025-09-28", True),  # Sunday worked (国庆节调休)
        ("2025-10-06", False),  # 中秋节
        ("2025-10-08", False),
        ("2025-10-11", True),  # Saturday worked
        ("2026-01-01", False),
        ("2026-01-02", False),
        ("2026-01-03", False),
        ("2026-01-04", True),  # Sunday worked (元旦调休)
        ("2026-05-05", False),
        ("2026-05-09", True),
        ("2026-03-10", True),  # a plain Tuesday
        ("2026-03-07", False),  # a plain Saturday
        ("2027-01-01", True),  # unknown year: Monday-Friday
        ("2027-01-02", False),
    ],
)
def test_is_working_day_on_the_seeded_calendar(day, working):
    assert is_working_day(date.fromisoformat(day)) is working


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("2026-02-12T10:00", "2026-02-28T10:00", 7, id="spring-festival"),
        pytest.param("2026-02-28T10:00", "2026-02-12T10:00", -7, id="spring-festival-reversed"),
        pytest.param("2026-02-13T23:59:59", "2026-02-14T00:00", 1, id="one-second-onto-adjusted-sat"),
        pytest.param("2026-02-15T08:00", "2026-02-23T20:00", 0, id="inside-the-break"),
        pytest.param("2026-02-24T08:00", "2026-02-24T20:00", 0, id="same-day"),
        pytest.param("2026-02-12T17:30Z", "2026-02-24T01:00", 2, id="utc-start-is-next-local-day"),
        pytest.param("2025-09-30T10:00", "2025-10-09T10:00", 1, id="national-day"),
        pytest.param("2025-12-31T10:00", "2026-01-05T10:00", 2, id="new-year"),
    ],
)
def test_working_days_between_on_the_seeded_calendar(a, b, expected):
    assert working_days_between(moment(a), moment(b)) == expected


@pytest.mark.django_db
def test_working_days_between_accepts_dates():
    # May 6, 7, 8, 9 (Saturday worked), 11.
    assert working_days_between(date(2026, 4, 30), date(2026, 5, 11)) == 5


# --- calendar hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        pytest.param("2026-02-13T22:00+08:00", 3, "2026-02-14T01:00+08:00", id="across-local-midnight"),
        pytest.param("2026-02-13T23:59:59+08:00", 24, "2026-02-14T23:59:59+08:00", id="from-235959"),
        pytest.param("2026-02-16T10:00+08:00", 48, "2026-02-18T10:00+08:00", id="holidays-do-not-matter"),
        pytest.param("2026-02-12T17:30Z", 24, "2026-02-14T01:30+08:00", id="utc-start"),
        pytest.param("2026-02-12T17:30Z", 0, "2026-02-13T01:30+08:00", id="zero-hours"),
        # Shanghai keeps +08:00 all year: the days other zones change their clocks are plain days.
        pytest.param("2026-03-08T01:30+08:00", 24, "2026-03-09T01:30+08:00", id="us-dst-start-day"),
        pytest.param("2026-03-28T12:00+08:00", 24, "2026-03-29T12:00+08:00", id="eu-dst-start-day"),
        pytest.param("2026-10-24T12:00+08:00", 24, "2026-10-25T12:00+08:00", id="eu-dst-end-day"),
    ],
)
def test_due_after_hours(start, hours, due):
    result = due_after_hours(datetime.fromisoformat(start), hours)

    assert result == datetime.fromisoformat(due)
    assert result.tzinfo is not None


@pytest.mark.parametrize("day", ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"])
def test_shanghai_has_no_daylight_saving(day):
    start = datetime.fromisoformat(f"{day}T00:30").replace(tzinfo=LOCAL_TZ)

    due = due_after_hours(start, 24)

    assert start.utcoffset() == due.utcoffset() == timedelta(hours=8)
    assert due.astimezone(LOCAL_TZ) == start + timedelta(hours=24)
    assert due.astimezone(LOCAL_TZ).time() == time(0, 30)


def test_due_after_hours_counts_elapsed_hours_whatever_the_start_zone():
    # 24 calendar hours are 24 elapsed hours, even for a start expressed in a zone that
    # moves its clocks that night (Berlin, 29 March 2026: 02:00 -> 03:00).
    start = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))

    due = due_after_hours(start, 24)

    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)


# --- refusals ----------------------------------------------------------------------------------

PURE = WorkCalendar.from_overrides({}, known_years=[2026])


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: due_after_working_days(datetime(2026, 2, 12, 10, 0), 1, PURE), id="working-days"),
        pytest.param(lambda: count_working_days(datetime(2026, 2, 12, 10, 0), 1, PURE), id="count"),
        pytest.param(lambda: due_after_hours(datetime(2026, 2, 12, 10, 0), 1), id="hours"),
        pytest.param(
            lambda: working_days_between(datetime(2026, 2, 12), moment("2026-02-20T10:00"), PURE), id="between-a"
        ),
        pytest.param(
            lambda: working_days_between(moment("2026-02-12T10:00"), datetime(2026, 2, 20), PURE), id="between-b"
        ),
        pytest.param(lambda: local_date(datetime(2026, 2, 12, 10, 0)), id="local-date"),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: due_after_working_days(moment("2026-02-12T10:00"), -1, PURE), id="working-days"),
        pytest.param(lambda: count_working_days(moment("2026-02-12T10:00"), -1, PURE), id="count"),
        pytest.param(lambda: due_after_hours(moment("2026-02-12T10:00"), -1), id="hours"),
    ],
)
def test_negative_amounts_are_refused(call):
    with pytest.raises(ValueError):
        call()


# --- a pure, in-memory calendar ----------------------------------------------------------------

# 2030: Tuesday 1 January off, Saturday 5 January worked; 2031 known with no overrides.
HOLIDAY = DayOverride(is_working_day=False, name="元旦")
ADJUSTED = DayOverride(is_working_day=True, name="元旦调休")
SMALL = WorkCalendar.from_overrides({date(2030, 1, 1): HOLIDAY, date(2030, 1, 5): ADJUSTED}, known_years=[2031])


@pytest.mark.parametrize(
    ("start", "n", "due_day", "provisional"),
    [
        # Friday Dec 28 2029 + 1: Monday Dec 31, in a year the calendar does not know.
        pytest.param("2029-12-28T10:00", 1, "2029-12-31", True, id="unknown-2029"),
        # Jan 1 off; 2, 3, 4, 5 (Saturday worked).
        pytest.param("2030-01-01T00:00", 4, "2030-01-05", False, id="start-on-holiday"),
        pytest.param("2030-01-04T10:00", 2, "2030-01-07", False, id="fri+2"),
        # 2031 is known with no overrides: Monday-Friday, not provisional.
        pytest.param("2030-12-31T10:00", 3, "2031-01-03", False, id="into-known-empty-year"),
        # Dec 31 2031 (Wed) + 3: Jan 1, 2 (2032, unknown), Jan 5.
        pytest.param("2031-12-31T10:00", 3, "2032-01-05", True, id="into-unknown-2032"),
    ],
)
def test_pure_calendar(start, n, due_day, provisional):
    count = count_working_days(moment(start), n, SMALL)

    assert count.due_at == end_of(due_day)
    assert due_after_working_days(moment(start), n, SMALL) == end_of(due_day)
    assert count.provisional is provisional


def test_pure_calendar_explains_the_days():
    count = count_working_days(moment("2029-12-31T10:00"), 4, SMALL)

    assert count.counted == [date(2030, 1, 2), date(2030, 1, 3), date(2030, 1, 4), date(2030, 1, 5)]
    assert count.skipped_holidays == [(date(2030, 1, 1), "元旦")]
    assert count.adjusted_working_days == [(date(2030, 1, 5), "元旦调休")]


def test_pure_calendar_knows_its_years():
    assert SMALL.knows_year(2030)
    assert SMALL.knows_year(2031)
    assert not SMALL.knows_year(2032)
    assert not is_working_day(date(2030, 1, 1), SMALL)
    assert is_working_day(date(2030, 1, 5), SMALL)
    assert is_working_day(date(2032, 1, 1), SMALL)  # unknown: Monday-Friday


# --- properties --------------------------------------------------------------------------------

KNOWN_YEARS = (2030, 2031)
ALL_DAYS = [date(2030, 1, 1) + timedelta(days=offset) for offset in range(730)]
WEEKDAYS = [day for day in ALL_DAYS if day.weekday() < 5]
WEEKEND_DAYS = [day for day in ALL_DAYS if day.weekday() >= 5]
ZONES = [
    UTC,
    LOCAL_TZ,
    ZoneInfo("America/New_York"),
    ZoneInfo("Pacific/Kiritimati"),  # +14
    timezone(timedelta(hours=-11)),
]
END_OF_DAY = time(23, 59, 59, 999999)


@st.composite
def calendars(draw) -> WorkCalendar:
    """Random holidays (scattered and in week-long runs, like real breaks) and adjusted weekends."""
    holidays = set(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=60)))
    for first, length in draw(st.lists(st.tuples(st.integers(0, len(WEEKDAYS) - 1), st.integers(1, 8)), max_size=8)):
        holidays.update(WEEKDAYS[first : first + length])
    adjusted = draw(st.sets(st.sampled_from(WEEKEND_DAYS), max_size=20))
    overrides = {day: DayOverride(False, "假日") for day in holidays}
    overrides |= {day: DayOverride(True, "调休") for day in adjusted}
    return WorkCalendar.from_overrides(overrides, known_years=KNOWN_YEARS)


starts = st.datetimes(
    min_value=datetime(2030, 1, 1), max_value=datetime(2031, 10, 31), timezones=st.sampled_from(ZONES)
)
amounts = st.integers(min_value=1, max_value=40)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=starts, n=amounts)
def test_property_due_is_the_end_of_a_working_day_after_the_start(calendar, start, n):
    due = due_after_working_days(start, n, calendar)

    local_due = due.astimezone(LOCAL_TZ)
    assert local_due.time() == END_OF_DAY
    assert local_due.utcoffset() == timedelta(hours=8)
    assert calendar.is_working_day(local_due.date())
    assert local_due.date() > local_date(start)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=starts, n=amounts)
def test_property_strictly_monotone_in_n(calendar, start, n):
    assert due_after_working_days(start, n + 1, calendar) > due_after_working_days(start, n, calendar)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), first=starts, second=starts, n=amounts)
def test_property_monotone_in_start(calendar, first, second, n):
    earlier, later = sorted((first, second))

    assert due_after_working_days(earlier, n, calendar) <= due_after_working_days(later, n, calendar)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=starts, n=amounts)
def test_property_working_days_between_inverts_due(calendar, start, n):
    due = due_after_working_days(start, n, calendar)

    assert working_days_between(start, due, calendar) == n


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), a=starts, b=starts)
def test_property_working_days_between_is_antisymmetric(calendar, a, b):
    assert working_days_between(a, b, calendar) == -working_days_between(b, a, calendar)
