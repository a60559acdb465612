"""Forwarding and answers (转交 → 答复): the office forwards approved suggestions in bulk with the
analysis report, one response clock per department on the China calendar (7 working days for one
department, 15 for several); each department answers its own; the suggestion is answered when all
have, with the lead's outcome public and the others beside it; not adopted needs an explanation."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, Notice, OutboundEmail
from portal.notifications import notices_rendered, render_email
from portal.uploads import CheckedUpload
from suggestions import policies
from suggestions.models import Forwarding, ForwardingBatch, Outcome, Phase, Suggestion, SuggestionEvent
from suggestions.services import answers
from tests.suggestions.factories import CampaignFactory
from tests.suggestions.forwarding import build_side, report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = Suggestion.State
Action = SuggestionEvent.Action
# Tuesday before the National Day holiday (10-01 to 10-07, Saturday 10-10 worked: 调休).
FORWARDED_AT = datetime(2026, 9, 29, 10, tzinfo=SH)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def side():
    with time_machine.travel(FORWARDED_AT, tick=False):
        yield build_side()


def response_clock(suggestion, department) -> Clock:
    return Clock.objects.for_subject(Forwarding.objects.get(suggestion=suggestion, department=department)).get()


# --- forwarding ------------------------------------------------------------------------------------


def test_one_department_answers_within_7_working_days_several_within_15(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        alone = side.suggestion()
        shared = side.suggestion()
        side.forward(alone)
        side.forward(shared, lead=side.housing, others=[side.transport, side.education])
    clock = response_clock(alone, side.housing)
    # 09-30 (1), the holiday skipped, 10-08 (2), 10-09 (3), Saturday 10-10 worked (4), 10-12 to 10-14 (5-7).
    assert (clock.policy, clock.kind, clock.department, clock.due_at) == (
        policies.RESPOND_SINGLE,
        policies.RESPOND,
        side.housing,
        end_of(2026, 10, 14),
    )
    several = [response_clock(shared, department) for department in (side.housing, side.transport, side.education)]
    assert {c.policy for c in several} == {policies.RESPOND_SEVERAL}
    assert {c.due_at for c in several} == {end_of(2026, 10, 26)}  # 15 working days
    assert [c.department for c in several] == [side.housing, side.transport, side.education]


def test_a_batch_forwards_with_the_report_lead_first_and_tells_everyone_once(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        first, second = side.suggestion(), side.suggestion()
        batch = side.forward(first, second, lead=side.transport, others=[side.housing], note="请结合分析报告研究答复")
    batch.refresh_from_db()
    assert batch.report_name == "建言分析报告.pdf" and batch.report.name.endswith(".pdf")
    assert batch.report_content_type == "application/pdf" and batch.campaign == side.campaign
    for suggestion in (first, second):
        suggestion.refresh_from_db()
        assert (suggestion.state, suggestion.lead_department, suggestion.forwarded_at) == (
            S.FORWARDED,
            side.transport,
            FORWARDED_AT,
        )
        forwardings = list(suggestion.forwardings.all())
        assert [(f.department, f.is_lead, f.batch) for f in forwardings] == [
            (side.transport, True, batch),
            (side.housing, False, batch),
        ]
        event = suggestion.events.get(action=Action.FORWARDED)
        assert event.public and event.actor == side.clerk and event.department == side.transport
        assert set(event.departments.all()) == {side.housing, side.transport}
        assert event.note == ""  # the office's note to departments is internal
    # The author: one notice per suggestion, naming the departments.
    notices = Notice.objects.filter(recipient=side.author, kind="suggestion_forwarded")
    assert notices.count() == 2
    (_notice, text, _url), *_ = notices_rendered(notices)
    assert side.transport.name in text and side.housing.name in text
    # Each department's staff: one notice and one e-mail for the batch, not one per suggestion.
    staff_notice = Notice.objects.get(recipient=side.staff_housing, kind=answers.DEPARTMENT_NOTICE)
    assert staff_notice.context["count"] == 2 and "请结合分析报告研究答复" in staff_notice.context["note"]
    assert Notice.objects.filter(recipient=side.staff_transport, kind=answers.DEPARTMENT_NOTICE).count() == 1
    assert not Notice.objects.filter(recipient=side.staff_education).exists()
    email = OutboundEmail.objects.get(to=side.staff_housing.email)
    subject, body = render_email(email)
    assert side.campaign.title in subject
    assert "2026-10-26" in body or "2026年10月26日" in body  # 15 working days: two departments


def test_forwarding_is_all_or_nothing_and_names_the_suggestion_refused(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        ready = side.suggestion()
        pending = side.suggestion(state=S.PENDING)
        with pytest.raises(IllegalTransition) as refused:
            side.forward(ready, pending)
    assert pending.reference in str(refused.value)
    ready.refresh_from_db()
    assert ready.state == S.APPROVED and not ready.forwardings.exists()
    assert not ForwardingBatch.objects.exists() and not Clock.objects.exists()


def test_forwarding_belongs_to_the_analysis_phase_and_after(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        collecting = CampaignFactory(phase=Phase.COLLECTION)
        early = side.suggestion(campaign=collecting)
        with pytest.raises(IllegalTransition) as refused:
            side.forward(early)
        assert "analysis phase" in str(refused.value) or "建言分析" in str(refused.value)
        feedback = side.suggestion(campaign=CampaignFactory(phase=Phase.FEEDBACK))
        side.forward(feedback)
    feedback.refresh_from_db()
    assert feedback.state == S.FORWARDED


def test_forwarding_refuses_mixed_campaigns_a_missing_report_and_a_non_clerk(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        mine = side.suggestion()
        other = side.suggestion(campaign=CampaignFactory(phase=Phase.ANALYSIS))
        with pytest.raises(DomainError):
            side.forward(mine, other)
        with pytest.raises(DomainError):
            answers.suggestions_forward(
                suggestions=[mine], actor=side.clerk, departments=[], lead=side.housing, report=None
            )
        with pytest.raises(NotPermitted):
            answers.suggestions_forward(
                suggestions=[mine], actor=side.staff_housing, departments=[], lead=side.housing, report=report()
            )
        # A citizen's kind of file (an image) is no report, whatever the form let through.
        image = CheckedUpload(SimpleUploadedFile("photo.png", b"\x89PNG"), "photo.png", "image/png", 4)
        with pytest.raises(DomainError):
            answers.suggestions_forward(
                suggestions=[mine], actor=side.clerk, departments=[], lead=side.housing, report=image
            )
    mine.refresh_from_db()
    assert mine.state == S.APPROVED and not ForwardingBatch.objects.exists()


# --- answers ---------------------------------------------------------------------------------------


def test_answered_only_when_every_department_has_answered_with_the_leads_outcome(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion(published=True, publish_consent=True)
        side.forward(suggestion, lead=side.housing, others=[side.transport])
    with time_machine.travel(datetime(2026, 10, 12, 15, tzinfo=SH), tick=False):
        side.answer(
            suggestion,
            side.transport,
            Outcome.NOT_ADOPTED,
            "该路段不具备条件。如有疑问请联系王小民 13812345678。",
        )
    suggestion.refresh_from_db()
    assert suggestion.state == S.FORWARDED and suggestion.outcome == "" and suggestion.answered_at is None
    assert not Notice.objects.filter(recipient=side.author, kind="suggestion_answered").exists()
    answered_at = datetime(2026, 10, 20, 9, tzinfo=SH)
    with time_machine.travel(answered_at, tick=False):
        side.answer(suggestion, side.housing, Outcome.PARTLY, "部分采纳:先在试点小区实施。")
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.outcome, suggestion.answered_at) == (S.ANSWERED, Outcome.PARTLY, answered_at)
    lead, other = suggestion.forwardings.all()  # the lead first
    assert (lead.department, lead.outcome, other.department, other.outcome) == (
        side.housing,
        Outcome.PARTLY,
        side.transport,
        Outcome.NOT_ADOPTED,
    )
    # The public answers are masked; the originals stay as written.
    assert "13812345678" in other.answer and "13812345678" not in other.public_answer
    assert "王小民" not in other.public_answer
    assert "试点" in suggestion.public_search_document.split()  # the public answers are searchable
    assert {c.state for c in Clock.objects.filter(kind=policies.RESPOND)} == {"met_on_time"}
    events = list(suggestion.events.filter(action=Action.ANSWERED).order_by("created_at"))
    assert [(e.department, e.choice, e.public) for e in events] == [
        (side.transport, Outcome.NOT_ADOPTED, True),
        (side.housing, Outcome.PARTLY, True),
    ]
    # The author is told once, when all have answered: a notice and an e-mail.
    assert Notice.objects.filter(recipient=side.author, kind="suggestion_answered").count() == 1
    email = OutboundEmail.objects.get(template=answers.ANSWERED_EMAIL)
    assert email.to == "wangxm@example.com" and email.context["outcome"] == Outcome.PARTLY
    email.language = "en"
    subject, body = render_email(email)
    assert suggestion.number in subject and "Partly adopted" in body
    email.language = "zh-hans"
    assert "部分采纳" in render_email(email)[1]


@pytest.mark.parametrize("lead_first", [True, False])
def test_the_public_outcome_is_the_leads_whichever_department_answers_last(side, lead_first):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion(published=True, publish_consent=True)
        side.forward(suggestion, lead=side.housing, others=[side.transport])
    answers_in_order = [
        (side.housing, Outcome.ADOPTED, "采纳:年内实施。"),
        (side.transport, Outcome.NOT_ADOPTED, "该路段不具备条件。"),
    ]
    with time_machine.travel(datetime(2026, 10, 12, 15, tzinfo=SH), tick=False):
        for department, outcome, text in answers_in_order if lead_first else reversed(answers_in_order):
            side.answer(suggestion, department, outcome, text)
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.outcome) == (S.ANSWERED, Outcome.ADOPTED)


def test_not_adopted_without_an_explanation_is_refused_and_nothing_changes(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion()
        side.forward(suggestion)
        with pytest.raises(DomainError) as refused:
            side.answer(suggestion, side.housing, Outcome.NOT_ADOPTED, "   ")
        assert "解释说明" in str(refused.value)
        with pytest.raises(DomainError):
            side.answer(suggestion, side.housing, "maybe", "一些文字")
    forwarding = suggestion.forwardings.get()
    assert forwarding.answered_at is None and forwarding.outcome == ""
    assert Clock.objects.for_subject(forwarding).get().is_open
    assert not suggestion.events.filter(action=Action.ANSWERED).exists()


def test_only_the_departments_own_staff_answer_for_it(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion()
        side.forward(suggestion, lead=side.housing, others=[side.transport])
        forwarding = Forwarding.objects.get(suggestion=suggestion, department=side.housing)
        for intruder in (side.staff_transport, side.clerk, side.staff_education):
            with pytest.raises(NotPermitted):
                answers.suggestion_answer(forwarding=forwarding, actor=intruder, outcome=Outcome.ADOPTED, answer="x")
    forwarding.refresh_from_db()
    assert forwarding.answered_at is None


def test_an_answer_under_study_is_followed_by_the_final_one_and_a_final_answer_stays(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion()
        side.forward(suggestion)
    with time_machine.travel(datetime(2026, 10, 9, 10, tzinfo=SH), tick=False):
        side.answer(suggestion, side.housing, Outcome.STUDYING, "正在研究论证。")
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.outcome) == (S.ANSWERED, Outcome.STUDYING)
    first_answered = suggestion.forwardings.get().answered_at
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        side.answer(suggestion, side.housing, Outcome.ADOPTED, "经研究,予以采纳。")
        with pytest.raises(IllegalTransition):
            side.answer(suggestion, side.housing, Outcome.NOT_ADOPTED, "改变主意。")
    suggestion.refresh_from_db()
    forwarding = suggestion.forwardings.get()
    assert (suggestion.outcome, forwarding.outcome, forwarding.answered_at) == (
        Outcome.ADOPTED,
        Outcome.ADOPTED,
        first_answered,  # the deadline was met by the first answer
    )
    assert Clock.objects.for_subject(forwarding).get().state == "met_on_time"
    # The author hears of the final answer too.
    assert Notice.objects.filter(recipient=side.author, kind="suggestion_answered").count() == 2


def test_an_answer_after_the_deadline_is_met_late(side):
    with time_machine.travel(FORWARDED_AT, tick=False):
        suggestion = side.suggestion()
        side.forward(suggestion)
    with time_machine.travel(datetime(2026, 10, 15, 0, 0, 1, tzinfo=SH), tick=False):
        side.answer(suggestion, side.housing)
    assert response_clock(suggestion, side.housing).state == "met_late"
