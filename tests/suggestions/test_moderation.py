"""Moderation (审核), merging, assessment and the public version, through the services: states,
clocks, timeline, notices and e-mails, who may act, and the campaign's counts."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from portal import notifications
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, Notice, OutboundEmail
from suggestions import selectors
from suggestions.models import Assessment, Suggestion, SuggestionEvent
from suggestions.services import moderation
from tests.factories import DepartmentFactory, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, CategoryFactory, submitted
from tests.suggestions.staffside import approved, expert, reviewer

pytestmark = pytest.mark.django_db

S = Suggestion.State
Action = SuggestionEvent.Action


def events(suggestion) -> list[str]:
    return list(suggestion.events.order_by("created_at", "id").values_list("action", flat=True))


def decision_email(suggestion) -> OutboundEmail:
    """The decision e-mail about `suggestion` in its present state (the factory's authors share an address)."""
    return OutboundEmail.objects.get(
        to=suggestion.contact_email, template=moderation.DECISION_EMAIL, context__state=suggestion.state
    )


# --- approve -------------------------------------------------------------------------------------


def test_approval_numbers_publishes_with_masking_meets_the_clock_and_tells_the_author():
    who = reviewer()
    suggestion = submitted(problem="小区门口没有公交站,联系我13812345678。", contact_name="李四")
    suggestion = moderation.suggestion_approve(suggestion=suggestion, actor=who)
    suggestion.refresh_from_db()
    assert suggestion.state == S.APPROVED
    assert suggestion.number.endswith("-0001")
    assert (suggestion.decided_by, suggestion.decided_at is not None) == (who, True)
    assert suggestion.published_at is not None
    assert "13812345678" not in suggestion.public_problem
    assert "13812345678" not in suggestion.public_search_document
    clock = Clock.objects.for_subject(suggestion).get()
    assert clock.state == Clock.State.MET_ON_TIME
    assert events(suggestion) == [Action.RECEIVED, Action.APPROVED, Action.PUBLISHED]
    assert suggestion.events.get(action=Action.APPROVED).note == suggestion.number
    notice = Notice.objects.get(recipient=suggestion.citizen, kind="suggestion_approved")
    assert notice.context["reference"] == suggestion.number
    assert suggestion.history.first().history_user == who
    row = decision_email(suggestion)
    row.language = "en"
    subject, body = notifications.render_email(row)
    assert suggestion.number in subject and "approved" in subject
    assert suggestion.number in body
    row.language = "zh-hans"
    subject, body = notifications.render_email(row)
    assert "审核通过" in body


def test_without_consent_an_approved_suggestion_stays_off_the_public_pages():
    suggestion = moderation.suggestion_approve(suggestion=submitted(publish_consent=False), actor=reviewer())
    assert suggestion.number and suggestion.published_at is None
    assert suggestion.public_search_document == ""
    assert Action.PUBLISHED not in events(suggestion)


def test_a_category_the_campaign_does_not_take_is_refused_and_nothing_changes():
    suggestion = submitted()
    with pytest.raises(DomainError):
        moderation.suggestion_approve(suggestion=suggestion, actor=reviewer(), category=CategoryFactory())
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.number) == (S.PENDING, "")


@pytest.mark.parametrize("role", ["clerk", "expert", "staff"])
def test_only_reviewers_moderate(role):
    suggestion = submitted()
    actor = {
        "clerk": clerk,
        "expert": lambda: expert(suggestion.campaign),
        "staff": lambda: staff_of(DepartmentFactory()),
    }[role]()
    for service, extra in (
        (moderation.suggestion_approve, {}),
        (moderation.suggestion_reject, {"reason": "重复"}),
    ):
        with pytest.raises(NotPermitted):
            service(suggestion=suggestion, actor=actor, **extra)
    assert Suggestion.objects.get(pk=suggestion.pk).state == S.PENDING


def test_a_decided_suggestion_cannot_be_decided_again():
    who = reviewer()
    suggestion = approved(by=who)
    with pytest.raises(IllegalTransition):
        moderation.suggestion_approve(suggestion=suggestion, actor=who)
    with pytest.raises(IllegalTransition):
        moderation.suggestion_reject(suggestion=suggestion, actor=who, reason="不相关")
    assert Suggestion.objects.get(pk=suggestion.pk).number == suggestion.number


# --- reject --------------------------------------------------------------------------------------


def test_rejection_needs_a_reason_which_the_author_reads():
    who = reviewer()
    suggestion = submitted()
    with pytest.raises(DomainError):
        moderation.suggestion_reject(suggestion=suggestion, actor=who, reason="  ")
    assert Suggestion.objects.get(pk=suggestion.pk).state == S.PENDING
    suggestion = moderation.suggestion_reject(suggestion=suggestion, actor=who, reason="内容与本次活动主题无关")
    assert (suggestion.state, suggestion.rejection_reason, suggestion.number) == (
        S.REJECTED,
        "内容与本次活动主题无关",
        "",
    )
    assert Clock.objects.for_subject(suggestion).get().state == Clock.State.MET_ON_TIME
    event = suggestion.events.get(action=Action.REJECTED)
    assert event.public and event.note == "内容与本次活动主题无关"
    notice = Notice.objects.get(recipient=suggestion.citizen, kind="suggestion_rejected")
    assert "内容与本次活动主题无关" in notifications.notice_text(notice)
    row = decision_email(suggestion)
    row.language = "en"
    subject, body = notifications.render_email(row)
    assert "not approved" in subject
    assert "内容与本次活动主题无关" in body


# --- merge ---------------------------------------------------------------------------------------


def test_merging_a_duplicate_keeps_it_visible_and_counts_it_once():
    who = reviewer()
    campaign = CampaignFactory()
    earlier = approved(campaign, by=who)
    later = submitted(campaign)
    assert selectors.campaign_counts(campaign).received == 2
    merged = moderation.suggestion_merge(suggestion=later, actor=who, into=earlier, note="同一线路")
    assert (merged.state, merged.merged_into) == (S.MERGED, earlier)
    assert Clock.objects.for_subject(merged).get().state == Clock.State.MET_ON_TIME
    assert merged.events.get(action=Action.MERGED).note == earlier.number
    assert merged.number == ""  # a pending duplicate never took a number
    assert earlier.events.filter(action=Action.NOTE).exists()
    notice = Notice.objects.get(recipient=merged.citizen, kind="suggestion_merged")
    assert earlier.number in notifications.notice_text(notice)
    row = decision_email(merged)
    row.language = "en"
    subject, _body = notifications.render_email(row)
    assert earlier.number in subject
    counts = selectors.campaign_counts(campaign)
    assert (counts.received, counts.approved) == (2, 1)


def test_merging_an_approved_duplicate_takes_it_out_of_the_accepted_count_but_keeps_its_number():
    who = reviewer()
    campaign = CampaignFactory()
    earlier, later = approved(campaign, by=who), approved(campaign, by=who)
    assert selectors.campaign_counts(campaign).approved == 2
    merged = moderation.suggestion_merge(suggestion=later, actor=who, into=earlier)
    assert merged.number == later.number  # the sequence keeps no gap
    assert selectors.campaign_counts(campaign).approved == 1
    assert selectors.merged_count(earlier) == 1


@translation.override("en")  # the refusals are matched by their English words
def test_what_cannot_be_merged():
    who = reviewer()
    campaign = CampaignFactory()
    first, second = approved(campaign, by=who), approved(campaign, by=who)
    pending = submitted(campaign)
    with pytest.raises(DomainError, match="itself"):
        moderation.suggestion_merge(suggestion=pending, actor=who, into=pending)
    with pytest.raises(DomainError, match="earlier"):
        moderation.suggestion_merge(suggestion=first, actor=who, into=second)
    with pytest.raises(DomainError):
        moderation.suggestion_merge(suggestion=pending, actor=who, into=submitted(campaign))  # not approved
    with pytest.raises(DomainError):
        moderation.suggestion_merge(suggestion=pending, actor=who, into=approved(by=who))  # another campaign
    moderation.suggestion_merge(suggestion=second, actor=who, into=first)
    with pytest.raises(DomainError, match="merged"):
        moderation.suggestion_merge(suggestion=pending, actor=who, into=second)
    with pytest.raises(NotPermitted):
        moderation.suggestion_merge(suggestion=pending, actor=clerk(), into=first)
    assert Suggestion.objects.get(pk=pending.pk).state == S.PENDING


# --- assess --------------------------------------------------------------------------------------


def test_reviewers_and_invited_experts_assess_once_each_and_reassessing_keeps_history():
    campaign = CampaignFactory()
    suggestion = approved(campaign)
    invited = expert(campaign)
    moderation.suggestion_assess(suggestion=suggestion, actor=invited, reasonableness=4, feasibility=3, innovation=5)
    again = moderation.suggestion_assess(
        suggestion=suggestion, actor=invited, reasonableness=5, feasibility=4, innovation=5, note="补充论证"
    )
    moderation.suggestion_assess(suggestion=suggestion, actor=reviewer(), reasonableness=3, feasibility=3, innovation=2)
    assert Assessment.objects.filter(suggestion=suggestion).count() == 2
    again.refresh_from_db()
    assert (again.reasonableness, again.feasibility, again.innovation, again.note) == (5, 4, 5, "补充论证")
    history = list(again.history.order_by("history_date").values_list("reasonableness", "history_user"))
    assert history == [(4, invited.pk), (5, invited.pk)]
    assert suggestion.events.filter(action=Action.ASSESSED).count() == 3


def test_who_may_not_assess_and_what_is_not_a_score():
    campaign = CampaignFactory()
    suggestion = approved(campaign)
    for outsider in (expert(CampaignFactory()), clerk(), staff_of(DepartmentFactory())):
        with pytest.raises(NotPermitted):
            moderation.suggestion_assess(
                suggestion=suggestion, actor=outsider, reasonableness=3, feasibility=3, innovation=3
            )
    for scores in ((0, 3, 3), (3, 6, 3), (3, 3, "x")):
        with pytest.raises(DomainError):
            moderation.suggestion_assess(
                suggestion=suggestion,
                actor=expert(campaign),
                reasonableness=scores[0],
                feasibility=scores[1],
                innovation=scores[2],
            )
    with pytest.raises(IllegalTransition):
        moderation.suggestion_assess(
            suggestion=submitted(campaign), actor=reviewer(), reasonableness=3, feasibility=3, innovation=3
        )
    assert not Assessment.objects.exists()


# --- the public version --------------------------------------------------------------------------


def test_the_public_version_is_masked_again_when_edited():
    who = reviewer()
    suggestion = approved(by=who)
    edited = moderation.suggestion_edit_public(
        suggestion=suggestion,
        actor=who,
        public_title="建议增设社区公交",
        public_problem="请联系李四 13912345678",
        public_measures="增设微循环线路",
    )
    assert edited.public_title == "建议增设社区公交"
    assert "13912345678" not in edited.public_problem and "李四" not in edited.public_problem
    assert "微循环" in edited.public_search_document or "循环" in edited.public_search_document
    assert edited.problem != edited.public_problem  # the original stays as written
    with pytest.raises(DomainError):
        moderation.suggestion_edit_public(
            suggestion=suggestion, actor=who, public_title=" ", public_problem="x", public_measures="y"
        )
    with pytest.raises(NotPermitted):
        moderation.suggestion_edit_public(
            suggestion=suggestion, actor=clerk(), public_title="x", public_problem="x", public_measures="y"
        )
    assert timezone.now() >= edited.published_at
