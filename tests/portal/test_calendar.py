"""portal.calendar: the seeded work calendar, its per-year cache, the services and the clock recompute."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction

from portal.calendar import (
    calendar_known_years,
    calendar_missing_years,
    database_calendar,
    work_calendar_day_delete,
    work_calendar_day_save,
    work_calendar_load_package,
)
from portal.clocks import clock_meet, clock_start
from portal.deadlines import LOCAL_TZ
from portal.exceptions import DomainError
from portal.models import Clock, WorkCalendarDay
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def moment(text: str) -> datetime:
    """An aware datetime from ISO text; without an offset it is Asia/Shanghai local time."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def end_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59, 999999), tzinfo=LOCAL_TZ)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=offset) for offset in range((date(year + 1, 1, 1) - first).days)]


# --- the seeded calendar -----------------------------------------------------------------------


def test_the_migration_seeded_2004_to_2026_from_the_package():
    assert calendar_known_years() == list(range(2004, 2027))
    assert set(WorkCalendarDay.objects.values_list("source", flat=True)) == {WorkCalendarDay.Source.PACKAGE}
    # Only real overrides are stored: weekday holidays and weekend working days.
    for row in WorkCalendarDay.objects.all():
        assert row.is_working_day == (row.date.weekday() >= 5), row


def test_the_seeded_2026_schedule():
    rows = {row.date: (row.is_working_day, row.name) for row in WorkCalendarDay.objects.filter(date__year=2026)}

    assert rows[date(2026, 1, 1)] == (False, "元旦")
    assert rows[date(2026, 1, 4)] == (True, "元旦调休")
    assert rows[date(2026, 2, 14)] == (True, "春节调休")
    assert [day for day, (working, _) in sorted(rows.items()) if not working and day.month == 2] == [
        date(2026, 2, day) for day in (16, 17, 18, 19, 20, 23)
    ]
    assert rows[date(2026, 2, 28)] == (True, "春节调休")
    assert sum(1 for working, _ in rows.values() if not working) == 19
    assert sum(1 for working, _ in rows.values() if working) == 6


@pytest.mark.parametrize(
    ("now", "missing"),
    [
        pytest.param("2026-06-01T10:00", [2027], id="mid-2026"),
        pytest.param("2026-12-31T23:59", [2027], id="last-minute-of-2026-local"),
        pytest.param("2026-12-31T16:30Z", [2027, 2028], id="utc-2026-is-2027-local"),
        pytest.param("2027-03-01T10:00", [2027, 2028], id="in-2027"),
        pytest.param("2025-06-01T10:00", [], id="mid-2025-both-known"),
        pytest.param("2004-06-01T10:00", [], id="first-seeded-year"),
        pytest.param("2003-06-01T10:00", [2003], id="before-the-package"),
    ],
)
def test_calendar_missing_years_checks_the_current_and_next_year(now, missing):
    assert calendar_missing_years(now=moment(now)) == missing


def test_calendar_missing_years_defaults_to_now(time_machine):
    time_machine.move_to(moment("2026-03-01T10:00"))

    assert calendar_missing_years() == [2027]


# --- the cache: one query per year, then none --------------------------------------------------


def test_a_year_costs_one_query_then_none(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar = database_calendar()
        answers = [calendar.is_working_day(day) for day in days_of(2026)]
    # 261 weekdays - 19 weekday holidays + 6 weekend working days.
    assert sum(answers) == 248

    with django_assert_num_queries(0):
        again = database_calendar()
        assert [again.is_working_day(day) for day in days_of(2026)] == answers


def test_an_unknown_year_is_cached_too(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert not database_calendar().knows_year(2027)
    with django_assert_num_queries(0):
        calendar = database_calendar()
        assert not calendar.knows_year(2027)
        assert calendar.is_working_day(date(2027, 1, 1))  # Monday-Friday fallback


def test_an_edit_invalidates_the_cached_year(django_assert_num_queries):
    day = date(2026, 11, 20)  # a plain Friday
    assert database_calendar().is_working_day(day)
    with django_assert_num_queries(0):
        assert database_calendar().is_working_day(day)

    row = work_calendar_day_save(day=day, is_working_day=False, name="测试假日")

    with django_assert_num_queries(1):
        assert not database_calendar().is_working_day(day)

    work_calendar_day_delete(row=row)

    assert database_calendar().is_working_day(day)


def test_a_rolled_back_edit_leaves_no_trace_in_the_cache():
    # A running clock whose window contains the day, so the edit recomputes it (and reads the year).
    start_reply_clock("2026-03-02T10:00")
    day = date(2026, 3, 5)

    with pytest.raises(RuntimeError), transaction.atomic():
        work_calendar_day_save(day=day, is_working_day=False, name="测试")
        raise RuntimeError("the surrounding change fails")

    assert not WorkCalendarDay.objects.filter(date=day).exists()
    assert database_calendar().is_working_day(day)


def test_the_first_entry_of_an_unknown_year_makes_it_known():
    assert calendar_missing_years(now=moment("2026-06-01T10:00")) == [2027]

    work_calendar_day_save(day=date(2027, 1, 1), is_working_day=False, name="元旦")

    assert calendar_missing_years(now=moment("2026-06-01T10:00")) == []
    calendar = database_calendar()
    assert calendar.knows_year(2027)
    assert not calendar.is_working_day(date(2027, 1, 1))


# --- services ----------------------------------------------------------------------------------


def test_loading_the_package_on_the_seeded_database_adds_nothing():
    assert work_calendar_load_package() == {}


def test_load_package_is_idempotent():
    seeded = {row.date: (row.is_working_day, row.name) for row in WorkCalendarDay.objects.filter(date__year=2026)}
    WorkCalendarDay.objects.filter(date__year=2026).delete()

    assert work_calendar_load_package() == {2026: len(seeded)}
    assert work_calendar_load_package() == {}

    reloaded = {row.date: (row.is_working_day, row.name) for row in WorkCalendarDay.objects.filter(date__year=2026)}
    assert reloaded == seeded
    assert WorkCalendarDay.history.filter(date__year=2026, history_type="+").count() == len(seeded)
    assert not database_calendar().is_working_day(date(2026, 2, 16))


def test_load_package_limited_to_years():
    WorkCalendarDay.objects.filter(date__year__in=[2025, 2026]).delete()

    added = work_calendar_load_package(years=[2026])

    assert set(added) == {2026}
    assert not WorkCalendarDay.objects.filter(date__year=2025).exists()
    assert work_calendar_load_package(years=[2027]) == {}  # the package knows nothing of 2027


def test_load_package_never_overwrites_a_hand_edit():
    work_calendar_day_save(day=date(2026, 10, 1), is_working_day=False, name="国庆节（本市）")

    work_calendar_load_package()
    work_calendar_load_package(years=[2026])

    row = WorkCalendarDay.objects.get(date=date(2026, 10, 1))
    assert row.name == "国庆节（本市）"
    assert row.source == WorkCalendarDay.Source.MANUAL


@pytest.mark.parametrize(
    ("day", "is_working_day", "name"),
    [
        pytest.param("2026-03-04", True, "调休", id="weekday-as-adjusted-working-day"),
        pytest.param("2026-03-07", False, "假日", id="weekend-as-holiday"),
        pytest.param("2026-03-04", False, "", id="empty-name"),
        pytest.param("2026-03-04", False, "   ", id="blank-name"),
    ],
)
def test_refusals(day, is_working_day, name):
    with pytest.raises(DomainError):
        work_calendar_day_save(day=date.fromisoformat(day), is_working_day=is_working_day, name=name)

    assert not WorkCalendarDay.objects.filter(date=date.fromisoformat(day)).exists()


def test_history_records_the_acting_user():
    admin = UserFactory()

    row = work_calendar_day_save(day=date(2027, 2, 8), is_working_day=False, name=" 春节 ", actor=admin)

    assert row.name == "春节"
    assert row.source == WorkCalendarDay.Source.MANUAL
    latest = row.history.first()
    assert latest.history_user == admin
    assert latest.history_type == "+"

    other = UserFactory()
    seeded = WorkCalendarDay.objects.get(date=date(2026, 2, 16))
    work_calendar_day_save(day=seeded.date, is_working_day=False, name="春节（本市）", actor=other)
    latest = seeded.history.first()
    assert latest.history_user == other
    assert latest.history_type == "~"
    assert latest.name == "春节（本市）"

    work_calendar_day_delete(row=WorkCalendarDay.objects.get(date=date(2027, 2, 8)), actor=admin)
    deleted = WorkCalendarDay.history.filter(date=date(2027, 2, 8)).first()
    assert deleted.history_type == "-"
    assert deleted.history_user == admin


# --- clocks follow calendar changes ------------------------------------------------------------


def start_reply_clock(started_at: str) -> Clock:
    """An ordinary petition reply: 7 working days."""
    clock = clock_start(subject=DepartmentFactory(), policy="petition.reply.ordinary", started_at=moment(started_at))
    assert clock.amount == 7
    return clock


def test_entering_next_years_schedule_recomputes_provisional_clocks():
    # Dec 29, 30, 31, then 2027 unknown: Jan 1 (Fri), 4, 5, 6.
    clock = start_reply_clock("2026-12-28T10:00")
    assert clock.due_at == end_of("2027-01-06")
    assert clock.provisional is True

    work_calendar_day_save(day=date(2027, 1, 1), is_working_day=False, name="元旦")

    clock.refresh_from_db()
    # Jan 1 is now off: Dec 29, 30, 31, Jan 4, 5, 6, 7.
    assert clock.due_at == end_of("2027-01-07")
    assert clock.provisional is False
    assert clock.history.first().history_change_reason == "work calendar changed"


def test_entering_next_years_schedule_clears_provisional_even_outside_the_window():
    clock = start_reply_clock("2026-12-28T10:00")

    work_calendar_day_save(day=date(2027, 2, 8), is_working_day=False, name="春节")

    clock.refresh_from_db()
    assert clock.due_at == end_of("2027-01-06")
    assert clock.provisional is False


def test_deleting_the_only_entry_of_a_year_makes_its_clocks_provisional_again():
    clock = start_reply_clock("2026-12-28T10:00")
    row = work_calendar_day_save(day=date(2027, 10, 1), is_working_day=False, name="国庆节")  # entered by mistake
    clock.refresh_from_db()
    assert clock.provisional is False

    work_calendar_day_delete(row=row)

    assert calendar_missing_years(now=moment("2026-12-28T10:00")) == [2027]
    clock.refresh_from_db()
    assert clock.due_at == end_of("2027-01-06")
    assert clock.provisional is True


@pytest.mark.parametrize(
    ("day", "is_working_day", "due_day"),
    [
        # Started Monday 2 March 2026: 3, 4, 5, 6, 9, 10, 11.
        pytest.param("2026-03-05", False, "2026-03-12", id="holiday-inside-the-window"),
        pytest.param("2026-03-03", False, "2026-03-12", id="holiday-on-day-one"),
        pytest.param("2026-03-11", False, "2026-03-12", id="holiday-on-the-due-day"),
        pytest.param("2026-03-07", True, "2026-03-10", id="adjusted-saturday-inside-the-window"),
    ],
)
def test_an_edit_inside_the_window_moves_the_due_moment(day, is_working_day, due_day):
    clock = start_reply_clock("2026-03-02T10:00")
    assert clock.due_at == end_of("2026-03-11")

    work_calendar_day_save(day=date.fromisoformat(day), is_working_day=is_working_day, name="测试")

    clock.refresh_from_db()
    assert clock.due_at == end_of(due_day)
    assert clock.provisional is False


@pytest.mark.parametrize(
    ("day", "is_working_day"),
    [
        pytest.param("2026-03-02", False, id="holiday-on-the-start-day"),
        pytest.param("2026-02-27", False, id="holiday-before-the-start"),
        pytest.param("2026-03-12", False, id="holiday-after-the-due-day"),
        pytest.param("2026-03-14", True, id="adjusted-saturday-after-the-due-day"),
        pytest.param("2027-03-01", False, id="another-year"),
    ],
)
def test_an_edit_outside_the_window_changes_nothing(day, is_working_day):
    clock = start_reply_clock("2026-03-02T10:00")
    versions = clock.history.count()

    work_calendar_day_save(day=date.fromisoformat(day), is_working_day=is_working_day, name="测试")

    clock.refresh_from_db()
    assert clock.due_at == end_of("2026-03-11")
    assert clock.provisional is False
    assert clock.history.count() == versions


def test_a_start_at_the_last_instant_of_the_previous_day_is_in_the_window():
    clock = start_reply_clock("2026-03-02T23:59:59.999999")

    work_calendar_day_save(day=date(2026, 3, 3), is_working_day=False, name="测试")

    clock.refresh_from_db()
    assert clock.due_at == end_of("2026-03-12")


def test_removing_a_holiday_moves_the_due_moment_earlier():
    # 13, 14 (Sat worked), 24, 25, 26, 27, 28 (Sat worked).
    clock = start_reply_clock("2026-02-12T10:00")
    assert clock.due_at == end_of("2026-02-28")

    work_calendar_day_delete(row=WorkCalendarDay.objects.get(date=date(2026, 2, 23)))

    clock.refresh_from_db()
    # 13, 14, 23, 24, 25, 26, 27.
    assert clock.due_at == end_of("2026-02-27")


def test_an_overdue_clock_whose_due_moment_moves_past_now_runs_again(time_machine):
    time_machine.move_to(moment("2026-03-12T10:00"))
    clock = start_reply_clock("2026-03-02T10:00")
    Clock.objects.filter(pk=clock.pk).update(
        state=Clock.State.OVERDUE, overdue_at=moment("2026-03-12T00:05"), reminded_at=moment("2026-03-10T09:00")
    )

    work_calendar_day_save(day=date(2026, 3, 5), is_working_day=False, name="测试")

    clock.refresh_from_db()
    assert clock.due_at == end_of("2026-03-12")
    assert clock.state == Clock.State.RUNNING
    assert clock.overdue_at is None
    assert clock.reminded_at is None


def test_closed_and_hour_clocks_are_left_alone():
    met = start_reply_clock("2026-03-02T10:00")
    met = clock_meet(clock=met, at=moment("2026-03-04T10:00"))
    hours = clock_start(
        subject=DepartmentFactory(), policy="petition.acknowledge", started_at=moment("2026-03-04T10:00")
    )
    assert hours.due_at == moment("2026-03-05T10:00")

    work_calendar_day_save(day=date(2026, 3, 5), is_working_day=False, name="测试")

    met.refresh_from_db()
    hours.refresh_from_db()
    assert met.due_at == end_of("2026-03-11")
    assert met.state == Clock.State.MET_ON_TIME
    assert hours.due_at == moment("2026-03-05T10:00")


def test_load_package_does_not_bring_back_a_day_deleted_by_hand():
    from portal.calendar import work_calendar_day_delete

    row = WorkCalendarDay.objects.get(date=date(2026, 10, 7))
    work_calendar_day_delete(row=row)
    assert work_calendar_load_package(years=[2026]) == {}
    assert not WorkCalendarDay.objects.filter(date=date(2026, 10, 7)).exists()
