"""The clock services: start, meet, extend, reclassify, pause/resume, restart, explain."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal import clocks
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock
from tests.factories import DepartmentFactory, clerk, staff_of

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture
def subject():
    # The engine is generic: any saved model instance can be a clock's subject.
    return DepartmentFactory(name="住房和城乡建设局", code="ZJJ")


def test_start_hour_clock_is_due_24_hours_later(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge", started_at=local(2026, 2, 13, 18, 30))
    assert clock.due_at == local(2026, 2, 14, 18, 30)
    assert (clock.state, clock.unit, clock.amount, clock.area, clock.kind) == (
        "running",
        "hours",
        24,
        "petition",
        "acknowledge",
    )
    assert clock.subject == subject


def test_start_working_day_clock_counts_from_the_next_working_day_through_spring_festival(subject):
    # Thu 2026-02-12: Fri 13 (1), Sat 14 调休 (2), Feb 16–23 Spring Festival skipped, 24–27 (3–6), Sat 28 调休 (7).
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", started_at=local(2026, 2, 12, 10))
    assert clock.due_at == end_of(2026, 2, 28)
    assert clock.provisional is False


def test_start_records_history_with_the_actor(subject):
    actor = clerk()
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge", actor=actor)
    record = clock.history.first()
    assert record.history_user == actor
    assert record.history_change_reason == "started"


def test_second_open_clock_of_the_same_kind_is_refused(subject):
    clocks.clock_start(subject=subject, policy="petition.reply.ordinary")
    with pytest.raises(IllegalTransition):
        clocks.clock_start(subject=subject, policy="petition.reply.complex")


def test_unknown_policy_is_refused(subject):
    with pytest.raises(DomainError):
        clocks.clock_start(subject=subject, policy="petition.reply.eventually")


@pytest.mark.parametrize(
    ("met_after", "expected"),
    [
        (timedelta(hours=23, minutes=59), "met_on_time"),
        (timedelta(hours=24), "met_on_time"),
        (timedelta(hours=24, microseconds=1), "met_late"),
    ],
)
def test_meet_on_time_or_late_at_the_exact_boundary(subject, met_after, expected):
    start = local(2026, 3, 2, 9)
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge", started_at=start)
    clock = clocks.clock_meet(clock=clock, at=start + met_after)
    assert clock.state == expected
    assert clock.met_at == start + met_after


def test_meeting_twice_or_before_start_is_refused(subject):
    start = local(2026, 3, 2, 9)
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge", started_at=start)
    with pytest.raises(DomainError):
        clocks.clock_meet(clock=clock, at=start - timedelta(minutes=1))
    clocks.clock_meet(clock=clock, at=start + timedelta(hours=1))
    with pytest.raises(IllegalTransition):
        clocks.clock_meet(clock=clock, at=start + timedelta(hours=2))


def test_extend_adds_working_days_and_records_who_and_why(subject):
    office = clerk()
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", started_at=local(2026, 3, 2, 9))
    assert clock.due_at == end_of(2026, 3, 11)
    clock = clocks.clock_extend(clock=clock, days=3, reason="需要现场勘查", actor=office)
    assert clock.due_at == end_of(2026, 3, 16)  # Thu 12, Fri 13, Mon 16
    assert clock.extension_days == 3
    assert "需要现场勘查" in clock.extension_reason
    record = clock.history.first()
    assert record.history_user == office
    assert record.history_change_reason == "extended: 需要现场勘查"


def test_extend_is_refused_without_permission_reason_or_days(subject):
    department = DepartmentFactory()
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", department=department)
    with pytest.raises(NotPermitted):
        clocks.clock_extend(clock=clock, days=2, reason="x", actor=staff_of(department))
    with pytest.raises(DomainError):
        clocks.clock_extend(clock=clock, days=2, reason="   ", actor=clerk())
    with pytest.raises(DomainError):
        clocks.clock_extend(clock=clock, days=0, reason="x", actor=clerk())


def test_hour_clocks_cannot_be_extended(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge")
    with pytest.raises(DomainError):
        clocks.clock_extend(clock=clock, days=1, reason="x")


def test_disclosure_extension_is_capped_at_20_working_days_in_all(subject):
    clock = clocks.clock_start(subject=subject, policy="disclosure.reply", started_at=local(2026, 3, 2, 9))
    clock = clocks.clock_extend(clock=clock, days=15, reason="涉及多个部门")
    with pytest.raises(DomainError, match="20"):
        clocks.clock_extend(clock=clock, days=6, reason="还需要时间")
    clock = clocks.clock_extend(clock=clock, days=5, reason="还需要时间")
    assert clock.extension_days == 20


def test_extending_an_overdue_clock_into_the_future_reopens_it_and_rearms_notices(subject):
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", started_at=local(2026, 3, 2, 9))
        clocks.sweep_deadlines()
        clock.refresh_from_db()
        assert clock.state == "overdue" and clock.overdue_at is not None
        clock = clocks.clock_extend(clock=clock, days=10, reason="补充材料")
    assert clock.state == "running"
    assert clock.overdue_at is None and clock.reminded_at is None
    assert clock.due_at == end_of(2026, 3, 25)


def test_reclassify_recomputes_from_the_original_start(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", started_at=local(2026, 3, 2, 9))
    clock = clocks.clock_reclassify(clock=clock, policy="petition.reply.complex", reason="涉及多个部门")
    assert (clock.policy, clock.amount) == ("petition.reply.complex", 15)
    assert clock.due_at == end_of(2026, 3, 23)
    assert clock.started_at == local(2026, 3, 2, 9)


def test_reclassify_to_an_unrelated_policy_is_refused(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.acknowledge")
    with pytest.raises(IllegalTransition):
        clocks.clock_reclassify(clock=clock, policy="petition.reply.complex", reason="x")


def test_pause_and_resume_add_the_paused_working_days_back(subject):
    clock = clocks.clock_start(subject=subject, policy="disclosure.reply", started_at=local(2026, 3, 2, 9))
    assert clock.due_at == end_of(2026, 3, 30)
    clock = clocks.clock_pause(clock=clock, reason="征求第三方意见", at=local(2026, 3, 9, 10))
    assert clock.state == "paused"
    clock = clocks.clock_resume(clock=clock, at=local(2026, 3, 12, 16))  # Tue, Wed, Thu not counted
    assert clock.paused_days == 3
    assert clock.state == "running"
    assert clock.due_at == end_of(2026, 4, 2)


def test_pause_rules(subject):
    petition = clocks.clock_start(subject=subject, policy="petition.reply.ordinary")
    with pytest.raises(DomainError):
        clocks.clock_pause(clock=petition, reason="x")
    other = DepartmentFactory()
    disclosure = clocks.clock_start(subject=other, policy="disclosure.reply")
    with pytest.raises(IllegalTransition):
        clocks.clock_resume(clock=disclosure)
    with pytest.raises(DomainError):
        clocks.clock_pause(clock=disclosure, reason="")


def test_a_paused_clock_is_never_swept_overdue(subject):
    clock = clocks.clock_start(subject=subject, policy="disclosure.reply", started_at=local(2026, 3, 2, 9))
    clocks.clock_pause(clock=clock, reason="征求第三方意见", at=local(2026, 3, 3, 9))
    with time_machine.travel(local(2026, 6, 1), tick=False):
        result = clocks.sweep_deadlines()
    assert clock.pk not in result.overdue
    clock.refresh_from_db()
    assert clock.state == "paused"


def test_restart_counts_again_from_the_corrected_application(subject):
    clock = clocks.clock_start(subject=subject, policy="disclosure.reply", started_at=local(2026, 3, 2, 9))
    clocks.clock_extend(clock=clock, days=5, reason="x")
    clock = clocks.clock_restart(clock=clock, reason="补正申请已收到", started_at=local(2026, 3, 16, 9))
    assert clock.started_at == local(2026, 3, 16, 9)
    assert clock.extension_days == 0
    assert clock.due_at == end_of(2026, 4, 14)  # 20 working days; Qingming 4-6 Apr 2026 falls on Sat-Mon


def test_met_clocks_cannot_be_changed(subject):
    clock = clocks.clock_start(subject=subject, policy="disclosure.reply")
    clocks.clock_meet(clock=clock)
    for operation in (
        lambda: clocks.clock_extend(clock=clock, days=1, reason="x"),
        lambda: clocks.clock_restart(clock=clock, reason="x"),
        lambda: clocks.clock_set_department(clock=clock, department=subject),
    ):
        with pytest.raises(IllegalTransition):
            operation()


def test_explain_lists_counted_days_holidays_and_adjusted_weekends(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary", started_at=local(2026, 2, 12, 10))
    explanation = clocks.clock_explain(clock)
    assert explanation.due_at == clock.due_at
    assert [d.day for d in explanation.counted_days] == [13, 14, 24, 25, 26, 27, 28]
    assert [d.day for d, _ in explanation.skipped_holidays] == [16, 17, 18, 19, 20, 23]
    assert [d.day for d, _ in explanation.adjusted_working_days] == [14, 28]
    assert explanation.weekend_days_skipped == 3  # Sun 15, Sat 21, Sun 22 (Sat 14 and 28 are 调休 working days)
    assert explanation.provisional_years == []


def test_explain_marks_a_clock_through_an_unknown_year_provisional(subject):
    clock = clocks.clock_start(subject=subject, policy="petition.reply.complex", started_at=local(2026, 12, 24, 10))
    assert clock.provisional is True
    assert clocks.clock_explain(clock).provisional_years == [2027]


def test_explanation_renders_in_both_languages(subject):
    from django.template.loader import render_to_string
    from django.utils import translation

    clock = clocks.clock_start(subject=subject, policy="petition.reply.complex", started_at=local(2026, 12, 24, 10))
    explanation = clocks.clock_explain(clock)
    with translation.override("en"):
        english = render_to_string("includes/clock_explanation.html", {"explanation": explanation})
    assert "Provisional" in english and "2027" in english and "working days counted" in english
    with translation.override("zh-hans"):
        chinese = render_to_string("includes/clock_explanation.html", {"explanation": explanation})
    assert "2027" in chinese


def test_set_department_moves_responsibility(subject):
    department = DepartmentFactory()
    clock = clocks.clock_start(subject=subject, policy="petition.reply.ordinary")
    clock = clocks.clock_set_department(clock=clock, department=department, actor=clerk())
    assert Clock.objects.get(pk=clock.pk).department == department
