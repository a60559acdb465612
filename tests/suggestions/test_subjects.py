"""Suggestions as clock subjects (portal.subjects): the board and the clock admin urge and extend a
department's answer deadline and a measure's milestone through the suggestion's own services, so
the suggestion's timeline records each urge and extension (and the author sees an extension); a
review deadline is no department's to urge; the board shows each by the suggestion's number."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from portal import subjects
from portal.models import Clock, Notice
from suggestions import policies
from suggestions.models import Forwarding, Measure, Outcome, Suggestion, SuggestionEvent
from suggestions.services import answers
from tests.suggestions.factories import submitted
from tests.suggestions.forwarding import build_side

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
Action = SuggestionEvent.Action
FORWARDED_AT = datetime(2026, 11, 2, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def side():
    with time_machine.travel(FORWARDED_AT, tick=False):
        yield build_side()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def forwarded(side, *others):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion()
        side.forward(suggestion, lead=side.housing, others=list(others))
    return suggestion


def answer_clock(suggestion, department) -> Clock:
    return Clock.objects.for_subject(Forwarding.objects.get(suggestion=suggestion, department=department)).get()


def with_measure(side) -> tuple[Suggestion, Measure]:
    suggestion = forwarded(side)
    with time_machine.travel(FORWARDED_AT + timedelta(days=1), tick=False):
        side.answer(suggestion, side.housing, Outcome.ADOPTED)
        measure = answers.measure_record(
            forwarding=suggestion.forwardings.get(),
            actor=side.staff_housing,
            description="开通社区微循环公交",
            planned_on=date(2026, 11, 20),
        )
    return suggestion, measure


# --- the board's urge ------------------------------------------------------------------------------


def test_urging_answer_deadlines_from_the_board_writes_the_suggestions_timeline(english, side):
    suggestion = forwarded(side, side.transport)
    ticked = [answer_clock(suggestion, side.housing).pk, answer_clock(suggestion, side.transport).pk]
    english.force_login(side.clerk)
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=SH), tick=False):  # both overdue
        response = english.post(reverse("dashboard_urge"), {"clocks": ticked, "note": "请尽快答复URGE"}, follow=True)
    assert "Urged 2 items" in response.content.decode()
    urged = list(suggestion.events.filter(action=Action.URGED).order_by("department__name"))
    assert {event.department for event in urged} == {side.housing, side.transport}  # one per department
    assert all("请尽快答复URGE" in event.note and not event.public and event.actor == side.clerk for event in urged)
    assert Notice.objects.filter(recipient=side.staff_transport, kind="clock_urged").count() == 1
    assert all(Clock.objects.filter(pk__in=ticked).values_list("last_urged_at", flat=True))


def test_a_measures_milestone_is_urged_from_the_board_after_the_answer(english, side):
    suggestion, measure = with_measure(side)
    clock = Clock.objects.for_subject(measure).get()
    english.force_login(side.clerk)
    with time_machine.travel(datetime(2026, 11, 21, 0, 0, 1, tzinfo=SH), tick=False):  # the day after its date
        board = english.get(reverse("dashboard") + "?status=overdue")
        assert clock.pk in [row.clock.pk for row in board.context["rows"]]
        english.post(reverse("dashboard_urge"), {"clocks": [clock.pk], "note": "请落实"}, follow=True)
    event = suggestion.events.get(action=Action.URGED)
    assert "开通社区微循环公交" in event.note and "请落实" in event.note and event.department == side.housing
    assert Clock.objects.get(pk=clock.pk).last_urged_at is not None


def test_a_review_deadline_is_no_departments_to_urge(english, side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        from suggestions.models import Phase
        from tests.suggestions.factories import CampaignFactory

        pending = submitted(campaign=CampaignFactory(phase=Phase.COLLECTION))
    clock = Clock.objects.for_subject(pending).get()
    english.force_login(side.clerk)
    with time_machine.travel(FORWARDED_AT + timedelta(days=2), tick=False):
        response = english.post(reverse("dashboard_urge"), {"clocks": [clock.pk], "note": "x"}, follow=True)
    assert clock.policy == policies.MODERATE_POLICY
    assert not pending.events.filter(action=Action.URGED).exists()
    assert Clock.objects.get(pk=clock.pk).last_urged_at is None
    assert "Urged 1 item" not in response.content.decode()


# --- the clock admin ----------------------------------------------------------------------------------


def test_extending_an_answer_deadline_in_the_clock_admin_writes_the_event_and_tells_the_author(english, side):
    suggestion = forwarded(side)
    clock = answer_clock(suggestion, side.housing)
    before = clock.due_at
    english.force_login(side.clerk)
    response = english.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 3, "reason": "需会同调研"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.extension_days == 3 and clock.due_at > before
    extended = suggestion.events.get(action=Action.EXTENDED)
    assert extended.public and extended.actor == side.clerk and extended.department == side.housing
    assert "需会同调研" in extended.note and "3" in extended.note
    notice = Notice.objects.get(recipient=side.author, kind=answers.EXTENDED_NOTICE)
    assert notice.context["department"] == side.housing.name


def test_extending_a_milestone_in_the_clock_admin_moves_it_after_its_date(english, side):
    suggestion, measure = with_measure(side)
    clock = Clock.objects.for_subject(measure).get()
    english.force_login(side.clerk)
    response = english.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 2, "reason": "材料未到"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.due_at == datetime(2026, 11, 24, 23, 59, 59, 999999, tzinfo=SH)  # Monday 23, Tuesday 24
    event = suggestion.events.get(action=Action.EXTENDED)
    assert "开通社区微循环公交" in event.note and "材料未到" in event.note


def test_urging_from_the_clock_admin_goes_through_the_forwarding(english, side):
    suggestion = forwarded(side)
    clock = answer_clock(suggestion, side.housing)
    english.force_login(side.clerk)
    response = english.post(reverse("admin:portal_clock_urge", args=[clock.pk]), {"note": "催办ADMIN"})
    assert response.status_code == 302
    assert "催办ADMIN" in suggestion.events.get(action=Action.URGED).note


def test_a_department_cannot_urge_or_extend_through_the_adapter(side):
    suggestion = forwarded(side)
    clock = answer_clock(suggestion, side.housing)
    adapter = subjects.adapter_for(Forwarding)
    forwarding = suggestion.forwardings.get()
    from portal.exceptions import DomainError

    with pytest.raises(DomainError):
        adapter.extend(obj=forwarding, clock=clock, days=1, reason="x", actor=side.staff_housing)
    with pytest.raises(DomainError):
        adapter.urge(obj=forwarding, clocks=[clock], note="x", actor=side.staff_housing)
    assert not suggestion.events.filter(action__in=[Action.EXTENDED, Action.URGED]).exists()


# --- showing subjects -----------------------------------------------------------------------------


def test_the_adapters_show_the_suggestions_number_title_and_departments_page(side):
    suggestion, measure = with_measure(side)
    forwarding = suggestion.forwardings.get()
    shown = subjects.describe_all(Clock.objects.filter(object_id__in=[forwarding.pk, measure.pk]))
    by_kind = {Clock.objects.get(pk=pk).kind: display for pk, display in shown.items()}
    answer, milestone = by_kind[policies.RESPOND], by_kind[policies.MILESTONE]
    assert answer.reference == milestone.reference == suggestion.number
    assert answer.title == suggestion.title and "开通社区微循环公交" in milestone.title
    page = reverse("admin:suggestions_forwarding_change", args=[forwarding.pk])
    assert answer.admin_url == milestone.admin_url == page
    assert subjects.adapter_for(Forwarding).department_ids(forwarding) == [side.housing.pk]
    assert subjects.adapter_for(Measure).department_ids(measure) == [side.housing.pk]
    assert answer.public_url is None  # not published


def test_the_declarations_pass_the_start_up_check():
    assert subjects.check_clock_subjects(app_configs=[apps.get_app_config("suggestions")]) == []
    declared = set(apps.get_app_config("suggestions").clock_subjects)
    assert {model._meta.label for model in (Suggestion, Forwarding, Measure)} <= declared
