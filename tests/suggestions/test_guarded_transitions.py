"""Every suggestion action runs through portal.workflow's guarded transition with
suggestions.workflow.TABLE: a step that moves the state claims the row with the conditional
update (TransitionTable.claim) and saves it with its history reason; a step without a target is
checked by the same table and leaves the suggestion unsaved unless it changes a field. A stale
copy handed to a service is read again under the lock, so it cannot undo a concurrent change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.exceptions import IllegalTransition
from portal.workflow import TransitionTable
from suggestions.models import Forwarding, Outcome, Suggestion
from suggestions.services import answers, intake, moderation
from tests.suggestions.factories import submitted
from tests.suggestions.forwarding import build_side
from tests.suggestions.staffside import approved, reviewer

pytestmark = pytest.mark.django_db
S = Suggestion.State
FORWARDED_AT = datetime(2026, 9, 29, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def guard(monkeypatch):
    """The actions the table checked and the ones it claimed, in order."""
    seen = {"checked": [], "claimed": []}
    check, claim = TransitionTable.check, TransitionTable.claim

    def checked(self, obj, action, actor):
        seen["checked"].append(action)
        return check(self, obj, action, actor)

    def claimed(self, obj, step):
        seen["claimed"].append(step.action)
        return claim(self, obj, step)

    monkeypatch.setattr(TransitionTable, "check", checked)
    monkeypatch.setattr(TransitionTable, "claim", claimed)
    return seen


def reasons(suggestion: Suggestion) -> list[str]:
    return list(
        suggestion.history.order_by("history_date", "history_id").values_list("history_change_reason", flat=True)
    )


def test_moderation_claims_each_decision_and_keeps_its_history_reason(guard):
    who = reviewer()
    earlier = moderation.suggestion_approve(suggestion=submitted(), actor=who)
    rejected = moderation.suggestion_reject(suggestion=submitted(), actor=who, reason="与活动主题无关。")
    duplicate = submitted(campaign=earlier.campaign)
    merged = moderation.suggestion_merge(suggestion=duplicate, actor=who, into=earlier)
    withdrawn = submitted()
    intake.suggestion_withdraw(suggestion=withdrawn, citizen=withdrawn.citizen, reason="已通过其他渠道反映。")

    assert guard["claimed"] == ["approve", "reject", "merge", "withdraw"]
    assert reasons(earlier) == ["received", "approved"]
    assert reasons(rejected) == ["received", "rejected"]
    assert reasons(merged) == ["received", "merged"]
    assert reasons(withdrawn) == ["received", "withdrawn"]


def test_steps_without_a_target_are_checked_by_the_table_and_claim_nothing(guard):
    suggestion = approved()
    for seen in guard.values():
        seen.clear()
    moderation.suggestion_assess(suggestion=suggestion, actor=reviewer(), reasonableness=4, feasibility=3, innovation=5)
    moderation.suggestion_edit_public(
        suggestion=suggestion, actor=reviewer(), public_title="公开标题", public_problem="问题", public_measures="措施"
    )
    assert guard["checked"] == ["assess", "edit_public"]
    assert guard["claimed"] == []
    # The assessment saves no suggestion; the public version is saved with its reason.
    assert reasons(suggestion) == ["received", "approved", "public version edited"]


def test_forwarding_answers_measures_and_urges_go_through_the_table(guard):
    with time_machine.travel(FORWARDED_AT, tick=False):
        side = build_side()
        first, second = side.suggestion(), side.suggestion()
        side.forward(first, second, lead=side.housing, others=[side.transport])
        assert guard["claimed"] == ["forward", "forward"]
        for seen in guard.values():
            seen.clear()

        side.answer(first, side.transport, Outcome.STUDYING)
        forwarding = Forwarding.objects.get(suggestion=first, department=side.housing)
        answers.forwarding_urge(forwarding=forwarding, actor=side.clerk, note="请尽快答复。")
        answers.forwarding_extend(forwarding=forwarding, actor=side.clerk, days=2, reason="需要调研。")
        side.answer(first, side.housing, Outcome.ADOPTED)
        measure = answers.measure_record(
            forwarding=forwarding, actor=side.staff_housing, description="增设公交线路", planned_on=FORWARDED_AT.date()
        )
        answers.measure_complete(measure=measure, actor=side.staff_housing, done_on=FORWARDED_AT.date())

    assert guard["checked"] == ["answer", "urge", "extend", "answer", "answered", "measure", "measure"]
    # Only the last department's answer moves the suggestion (the system's step to answered).
    assert guard["claimed"] == ["answered"]
    first.refresh_from_db()
    assert first.state == S.ANSWERED
    assert reasons(first)[-3:] == ["forwarded", "department answered", "answered"]


def test_a_stale_copy_is_read_again_under_the_lock_and_refused():
    suggestion = submitted()
    stale = Suggestion.objects.get(pk=suggestion.pk)
    moderation.suggestion_approve(suggestion=suggestion, actor=reviewer())
    assert stale.state == S.PENDING
    with pytest.raises(IllegalTransition):
        moderation.suggestion_reject(suggestion=stale, actor=reviewer(), reason="重复。")
    suggestion.refresh_from_db()
    assert suggestion.state == S.APPROVED
