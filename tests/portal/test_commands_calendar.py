"""The calendar's management commands: `deadline` and `load_holidays`."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from portal.deadlines import LOCAL_TZ
from portal.models import WorkCalendarDay

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- deadline ----------------------------------------------------------------------------------


def test_deadline_explains_spring_festival_2026():
    out, _ = run("deadline", "2026-02-12T10:00", "7")

    assert out.splitlines() == [
        "Start: 2026-02-12T10:00:00+08:00",
        "Due: 2026-02-28T23:59:59.999999+08:00",
        "Working days counted: 7 (2026-02-13, 2026-02-14, 2026-02-24, 2026-02-25, 2026-02-26, 2026-02-27, 2026-02-28)",
        "Holidays skipped: 2026-02-16 春节, 2026-02-17 春节, 2026-02-18 春节, 2026-02-19 春节, 2026-02-20 春节, "
        "2026-02-23 春节",
        "Adjusted working weekends counted: 2026-02-14 春节调休, 2026-02-28 春节调休",
    ]


def test_deadline_with_a_date_only_start_is_the_issue_example():
    out, _ = run("deadline", "2026-03-10", "6")

    assert "Start: 2026-03-10T00:00:00+08:00" in out
    assert "Due: 2026-03-18T23:59:59.999999+08:00" in out
    assert "Holidays skipped: none" in out
    assert "Adjusted working weekends counted: none" in out
    assert "PROVISIONAL" not in out


def test_deadline_start_with_an_offset_is_shown_and_counted_in_local_time():
    # 17:30 UTC on the 12th is 01:30 on the 13th in Shanghai: day 1 is Saturday the 14th (worked).
    out, _ = run("deadline", "2026-02-12T17:30+00:00", "1")

    assert "Start: 2026-02-13T01:30:00+08:00" in out
    assert "Due: 2026-02-14T23:59:59.999999+08:00" in out


def test_deadline_into_an_unknown_year_is_provisional():
    out, _ = run("deadline", "2026-12-28", "7")

    assert "Due: 2027-01-06T23:59:59.999999+08:00" in out
    assert "PROVISIONAL: the 2027 holiday schedule is not entered" in out


def test_deadline_in_hours():
    out, _ = run("deadline", "2026-02-13T22:00", "3", "--hours")

    assert out.splitlines() == [
        "Start: 2026-02-13T22:00:00+08:00",
        "Due: 2026-02-14T01:00:00+08:00",
        "Calendar hours: 3",
    ]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("2026-13-01", "7"), id="bad-month"),
        pytest.param(("tomorrow", "7"), id="not-a-date"),
        pytest.param(("2026-02-12", "-1"), id="negative"),
        pytest.param(("2026-02-12", "-1", "--hours"), id="negative-hours"),
    ],
)
def test_deadline_refuses_bad_input(args):
    with pytest.raises(CommandError):
        run("deadline", *args)


# --- load_holidays -----------------------------------------------------------------------------


def test_load_holidays_reports_rows_added_per_year_and_is_idempotent(time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL_TZ))
    WorkCalendarDay.objects.filter(date__year__in=[2025, 2026]).delete()

    out, err = run("load_holidays")

    # 2025: 18 weekday holidays + 5 weekends worked; 2026: 19 + 6.
    assert out.splitlines() == ["2025: 23 days added", "2026: 25 days added"]
    assert "WARNING: the 2027 holiday schedule is not entered" in err
    assert "2026 holiday schedule" not in err

    out, err = run("load_holidays")

    assert out.splitlines() == ["Nothing to add: the work calendar already has every day the package knows."]
    assert "WARNING: the 2027 holiday schedule is not entered" in err


def test_load_holidays_for_chosen_years(time_machine):
    time_machine.move_to(datetime(2025, 6, 1, 10, 0, tzinfo=LOCAL_TZ))
    WorkCalendarDay.objects.filter(date__year__in=[2024, 2025, 2026]).delete()

    out, err = run("load_holidays", "--year", "2026", "--year", "2027")

    assert out.splitlines() == ["2026: 25 days added", "2027: 0 days added"]
    assert not WorkCalendarDay.objects.filter(date__year__in=[2024, 2025]).exists()
    # Now is 2025, whose rows were just deleted and not reloaded.
    assert "WARNING: the 2025 holiday schedule is not entered" in err
    assert "2026 holiday schedule" not in err


def test_load_holidays_without_missing_years_warns_nothing(time_machine):
    time_machine.move_to(datetime(2025, 6, 1, 10, 0, tzinfo=LOCAL_TZ))

    out, err = run("load_holidays")

    assert "Nothing to add" in out
    assert err == ""
