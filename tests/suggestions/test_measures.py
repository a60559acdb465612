"""Follow-up to implementation (跟踪回应措施和改进方案): measures of adopted and partly adopted
suggestions only, each a milestone clock due at the end of its planned day (Beijing time), overdue
on the clerks' board a moment later like any overdue item, met when the department records it done."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock
from suggestions import policies
from suggestions.models import Forwarding, Measure, Outcome, SuggestionEvent
from suggestions.services import answers
from tests.suggestions.forwarding import build_side

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
Action = SuggestionEvent.Action
FORWARDED_AT = datetime(2026, 11, 2, 10, tzinfo=SH)
ANSWERED_AT = datetime(2026, 11, 5, 16, tzinfo=SH)
PLANNED = date(2026, 11, 30)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def side():
    with time_machine.travel(FORWARDED_AT, tick=False):
        yield build_side()


def answered(side, *outcomes):
    """A suggestion forwarded to housing (lead) and transport, answered with `outcomes` in order."""
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion(published=True, publish_consent=True)
        side.forward(suggestion, lead=side.housing, others=[side.transport][: len(outcomes) - 1])
    with time_machine.travel(ANSWERED_AT, tick=False):
        for department, outcome in zip((side.housing, side.transport), outcomes, strict=False):
            side.answer(suggestion, department, outcome, "答复意见")
    return suggestion


def forwarding_of(suggestion, department) -> Forwarding:
    return Forwarding.objects.get(suggestion=suggestion, department=department)


def record(side, suggestion, department=None, planned_on=PLANNED, description="在试点小区增设健身步道"):
    department = department or side.housing
    with time_machine.travel(ANSWERED_AT + timedelta(hours=1), tick=False):
        return answers.measure_record(
            forwarding=forwarding_of(suggestion, department),
            actor=side.staff(department),
            description=description,
            planned_on=planned_on,
        )


def test_measures_are_recorded_for_adopted_and_partly_adopted_answers_only(side):
    suggestion = answered(side, Outcome.PARTLY, Outcome.NOT_ADOPTED)
    measure = record(side, suggestion)
    clock = Clock.objects.for_subject(measure).get()
    assert (clock.policy, clock.kind, clock.unit, clock.department, clock.due_at) == (
        policies.MILESTONE_POLICY,
        policies.MILESTONE,
        "date",
        side.housing,
        end_of(PLANNED),
    )
    event = suggestion.events.get(action=Action.MEASURE)
    assert event.public and event.choice == "planned" and "2026-11-30" in event.note
    with pytest.raises(DomainError) as refused:
        record(side, suggestion, department=side.transport)  # not adopted
    assert "adopted" in str(refused.value) or "采纳" in str(refused.value)
    studying = answered(side, Outcome.STUDYING)
    with pytest.raises(DomainError):
        record(side, studying)
    assert Measure.objects.count() == 1


def test_a_measure_needs_a_description_a_date_ahead_and_the_departments_own_staff(side):
    suggestion = answered(side, Outcome.ADOPTED)
    with pytest.raises(DomainError):
        record(side, suggestion, description="  ")
    with pytest.raises(DomainError):
        record(side, suggestion, planned_on=date(2026, 11, 4))  # before the day it is recorded
    with time_machine.travel(ANSWERED_AT, tick=False), pytest.raises(NotPermitted):
        answers.measure_record(
            forwarding=forwarding_of(suggestion, side.housing),
            actor=side.staff_transport,
            description="别的部门的措施",
            planned_on=PLANNED,
        )
    assert not Measure.objects.exists()


def test_an_answer_with_measures_cannot_turn_into_one_without(side):
    suggestion = answered(side, Outcome.STUDYING)
    with time_machine.travel(ANSWERED_AT, tick=False):
        side.answer(suggestion, side.housing, Outcome.ADOPTED, "采纳")
    record(side, suggestion)
    assert forwarding_of(suggestion, side.housing).outcome == Outcome.ADOPTED


def test_a_milestone_past_its_day_is_overdue_on_the_clerks_board_at_the_boundary(client, side):
    suggestion = answered(side, Outcome.ADOPTED)
    measure = record(side, suggestion)
    clock = Clock.objects.for_subject(measure).get()
    client.force_login(side.clerk)
    overdue = reverse("dashboard") + "?status=overdue"
    with time_machine.travel(end_of(PLANNED), tick=False):
        rows = client.get(overdue).context["rows"]
        assert clock.pk not in [row.clock.pk for row in rows]
        due_soon = client.get(reverse("dashboard") + "?status=due_soon").context["rows"]
        assert clock.pk in [row.clock.pk for row in due_soon]  # due today: on the board, not yet overdue
    with time_machine.travel(end_of(PLANNED) + timedelta(microseconds=1), tick=False):  # 12-01 00:00 Beijing
        response = client.get(overdue)
    [row] = [row for row in response.context["rows"] if row.clock.pk == clock.pk]
    assert row.is_overdue and row.reference == suggestion.number
    assert "在试点小区增设健身步道" in row.title and suggestion.title in row.title
    assert row.url == reverse("admin:suggestions_forwarding_change", args=[measure.forwarding_id])
    html = response.content.decode()
    assert suggestion.number in html


def test_recording_a_measure_done_meets_its_milestone_on_time_or_late(side):
    suggestion = answered(side, Outcome.ADOPTED)
    on_time = record(side, suggestion)
    late = record(side, suggestion, planned_on=date(2026, 11, 10), description="发布实施方案")
    forwarding = forwarding_of(suggestion, side.housing)
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=SH), tick=False):
        answers.measure_complete(measure=on_time, actor=side.staff_housing, done_on=date(2026, 11, 30), note="已建成")
        answers.measure_complete(measure=late, actor=side.staff_housing, done_on=date(2026, 12, 3))
        with pytest.raises(IllegalTransition):
            answers.measure_complete(measure=late, actor=side.staff_housing, done_on=date(2026, 12, 3))
    assert Clock.objects.for_subject(on_time).get().state == "met_on_time"
    assert Clock.objects.for_subject(late).get().state == "met_late"
    on_time.refresh_from_db()
    assert on_time.done_on == date(2026, 11, 30) and "已建成" in on_time.note
    assert forwarding.measures.filter(done_on__isnull=False).count() == 2
    assert suggestion.events.filter(action=Action.MEASURE, choice="done").count() == 2


def test_a_done_date_in_the_future_or_before_the_measure_is_refused(side):
    suggestion = answered(side, Outcome.ADOPTED)
    measure = record(side, suggestion)
    with time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=SH), tick=False):
        with pytest.raises(DomainError):
            answers.measure_complete(measure=measure, actor=side.staff_housing, done_on=date(2026, 11, 21))
        with pytest.raises(DomainError):
            answers.measure_complete(measure=measure, actor=side.staff_housing, done_on=date(2026, 11, 1))
    measure.refresh_from_db()
    assert measure.done_on is None and Clock.objects.for_subject(measure).get().is_open
