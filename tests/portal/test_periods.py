from datetime import UTC, date, datetime

import pytest

from portal import periods
from portal.deadlines import LOCAL_TZ
from portal.periods import Period


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 1)),
        (date(2026, 12, 15), 1, date(2027, 1, 1)),
        (date(2026, 1, 1), -1, date(2025, 12, 1)),
        (date(2026, 3, 31), -14, date(2025, 1, 1)),
        (date(2026, 5, 9), 0, date(2026, 5, 1)),
    ],
)
def test_add_months_lands_on_the_first(day, months, expected):
    assert periods.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2026, 2, 3), date(2026, 2, 28)),
        (date(2028, 2, 3), date(2028, 2, 29)),
        (date(2026, 12, 9), date(2026, 12, 31)),
    ],
)
def test_month_last_day(day, last):
    assert periods.month_last_day(day) == last


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (Period.MONTH, date(2026, 12, 9), date(2026, 12, 1), date(2027, 1, 1)),
        (Period.QUARTER, date(2026, 12, 9), date(2026, 10, 1), date(2027, 1, 1)),
        (Period.QUARTER, date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1)),
        (Period.QUARTER, date(2026, 3, 31), date(2026, 1, 1), date(2026, 4, 1)),
        (Period.YEAR, date(2026, 7, 4), date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_period_bounds_are_local_midnights_half_open(kind, day, start, end):
    first, after = periods.period_bounds(kind, day)
    assert first == datetime(start.year, start.month, start.day, tzinfo=LOCAL_TZ)
    assert after == datetime(end.year, end.month, end.day, tzinfo=LOCAL_TZ)


def test_quarter_of():
    assert [periods.quarter_of(date(2026, month, 1)) for month in range(1, 13)] == [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3


def test_month_of_a_moment_is_local():
    # 2026-11-30 17:00 UTC is already 1 December in Beijing.
    moment = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert periods.this_month(moment) == date(2026, 12, 1)
    assert periods.month_start(moment) == datetime(2026, 12, 1, tzinfo=LOCAL_TZ)
    assert periods.previous_month(moment) == date(2026, 11, 1)


def test_months_ending_and_between_cross_the_year():
    months = periods.months_ending(date(2026, 2, 17), 4)
    assert months == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert list(periods.months_between(date(2025, 11, 30), date(2026, 2, 1))) == months
    assert periods.months_bounds(date(2026, 2, 17), 4) == (
        datetime(2025, 11, 1, tzinfo=LOCAL_TZ),
        datetime(2026, 3, 1, tzinfo=LOCAL_TZ),
    )
