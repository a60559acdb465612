"""Clocks by date (a milestone's planned date): due at the end of the date given when they start,
Beijing time, whatever the calendar says of that day; overdue a moment later; reminded, swept,
extended (in working days after the date), restarted and explained by the one engine, which
treats them as it treats working-day clocks everywhere else."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.utils import translation

from portal import clocks
from portal.exceptions import DomainError, IllegalTransition
from portal.models import Clock
from portal.policies import get_policy
from tests.factories import DepartmentFactory, clerk

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MILESTONE = "suggestion.milestone"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture
def subject():
    return Group.objects.create(name="里程碑")


def milestone(subject, due_on, started_at=None, **kwargs) -> Clock:
    return clocks.clock_start(
        subject=subject, policy=MILESTONE, started_at=started_at or local(2026, 11, 16, 10), due_on=due_on, **kwargs
    )


def test_a_clock_by_date_is_due_at_the_end_of_that_day_even_a_holiday(subject):
    # 2026-10-03 is in the National Day holiday: a planned date is a date, not a working day.
    clock = milestone(subject, date(2026, 10, 3), started_at=local(2026, 9, 28, 15, 30))
    assert clock.due_at == end_of(2026, 10, 3)
    assert (clock.unit, clock.amount, clock.state, clock.provisional) == ("date", 5, "running", False)
    assert get_policy(MILESTONE).by_date and get_policy(MILESTONE).extendable


def test_the_date_is_required_not_in_the_past_and_only_for_a_policy_by_date(subject):
    with pytest.raises(ValueError):
        clocks.clock_start(subject=subject, policy=MILESTONE)
    with pytest.raises(ValueError):
        clocks.clock_start(subject=subject, policy="petition.reply.ordinary", due_on=date(2026, 12, 1))
    with pytest.raises(DomainError):
        milestone(subject, date(2026, 11, 15))  # the day before it starts
    same_day = milestone(subject, date(2026, 11, 16))
    assert (same_day.amount, same_day.due_at) == (0, end_of(2026, 11, 16))


def test_overdue_a_moment_after_the_end_of_the_day_in_beijing(subject):
    clock = milestone(subject, date(2026, 11, 20))
    assert clocks.sweep_deadlines(now=end_of(2026, 11, 20)).overdue == []
    assert not Clock.objects.overdue(end_of(2026, 11, 20)).filter(pk=clock.pk).exists()
    later = end_of(2026, 11, 20) + timedelta(microseconds=1)  # 2026-11-21 00:00 Beijing, 16:00 UTC the day before
    assert later.astimezone(ZoneInfo("UTC")).day == 20
    assert Clock.objects.overdue(later).filter(pk=clock.pk).exists()
    assert clocks.sweep_deadlines(now=later).overdue == [clock.pk]
    clock.refresh_from_db()
    assert (clock.state, clock.overdue_at) == ("overdue", later)


def test_reminded_within_one_working_day_like_a_working_day_clock(subject):
    soon = milestone(subject, date(2026, 11, 20))  # Friday
    milestone(Group.objects.create(name="另一个"), date(2026, 11, 25))  # due next week: not yet
    now = local(2026, 11, 19, 9)  # Thursday: one working day ahead is Friday's end
    assert set(Clock.objects.due_soon(now).values_list("pk", flat=True)) == {soon.pk}
    assert clocks.sweep_deadlines(now=now).reminded == [soon.pk]


def test_an_extension_counts_working_days_after_the_date(subject):
    clock = milestone(subject, date(2026, 11, 20))  # Friday
    clock = clocks.clock_extend(clock=clock, days=2, reason="施工延误", actor=clerk())
    assert clock.due_at == end_of(2026, 11, 24)  # Monday 23, Tuesday 24
    explanation = clocks.clock_explain(clock)
    assert explanation.is_date and explanation.fixed_day == date(2026, 11, 20)
    assert explanation.counted_days == [date(2026, 11, 23), date(2026, 11, 24)]
    assert explanation.weekend_days_skipped == 2
    assert explanation.due_at == clock.due_at


def test_restart_keeps_the_date_unless_a_new_one_is_planned(subject):
    clock = milestone(subject, date(2026, 11, 30))
    clock = clocks.clock_restart(clock=clock, reason="重新计时", started_at=local(2026, 11, 18, 9))
    assert (clock.amount, clock.due_at) == (12, end_of(2026, 11, 30))
    clock = clocks.clock_restart(clock=clock, reason="调整计划", due_on=date(2026, 12, 10))
    assert clock.due_at == end_of(2026, 12, 10)


def test_met_on_time_up_to_the_end_of_the_day(subject):
    on_time = clocks.clock_meet(clock=milestone(subject, date(2026, 11, 20)), at=end_of(2026, 11, 20))
    assert on_time.state == "met_on_time"
    other = milestone(Group.objects.create(name="迟了"), date(2026, 11, 20))
    late = clocks.clock_meet(clock=other, at=end_of(2026, 11, 20) + timedelta(seconds=1))
    assert late.state == "met_late"


def test_a_clock_by_date_is_not_reclassified_and_a_calendar_change_leaves_it(subject):
    clock = milestone(subject, date(2026, 11, 20))
    with pytest.raises(IllegalTransition):
        clocks.clock_reclassify(clock=clock, policy="suggestion.respond.single", reason="x")
    clocks.clocks_recompute_for_days(days=[date(2026, 11, 18)])
    clock.refresh_from_db()
    assert clock.due_at == end_of(2026, 11, 20)


def test_hour_clocks_still_cannot_be_extended(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge", department=DepartmentFactory())
    with pytest.raises(DomainError) as refused:
        clocks.clock_extend(clock=clock, days=1, reason="x")
    assert "hours" in str(refused.value) or "小时" in str(refused.value)


def test_the_explanation_names_the_date_in_both_languages(subject):
    clock = milestone(subject, date(2026, 11, 20))
    explanation = clocks.clock_explain(clock)
    with translation.override("en"):
        english = render_to_string("includes/clock_explanation.html", {"explanation": explanation})
    assert "A fixed date" in english and "2026-11-20" in english and "end of that day" in english
    assert "working days counted" not in english and "not counted" not in english
    with translation.override("zh-hans"):
        chinese = render_to_string("includes/clock_explanation.html", {"explanation": explanation})
    assert "2026-11-20" in chinese and "A fixed date" not in chinese
    extended = clocks.clock_extend(clock=clock, days=1, reason="x", actor=clerk())
    with translation.override("en"):
        english = render_to_string("includes/clock_explanation.html", {"explanation": clocks.clock_explain(extended)})
    assert "Extended by 1 working day." in english and "end of that working day" in english
