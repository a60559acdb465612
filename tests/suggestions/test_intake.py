"""Intake: online submission in the collection phase only, offline recording, withdrawal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, Notice, OutboundEmail
from suggestions.models import Phase, Suggestion, SuggestionEvent
from suggestions.services import intake
from tests.factories import UserFactory, citizen, clerk
from tests.suggestions.factories import CampaignFactory, CategoryFactory, submitted

pytestmark = pytest.mark.django_db(transaction=False)


def test_submission_is_pending_on_its_24_hour_moderation_clock(django_capture_on_commit_callbacks):
    author = citizen()
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = submitted(citizen=author, title="建议增加夜间公交 13812345678")
    assert suggestion.state == Suggestion.State.PENDING
    assert suggestion.reference.startswith("JY-")
    assert suggestion.number == ""
    assert "13812345678" not in suggestion.public_title
    clock = Clock.objects.for_subject(suggestion).get()
    assert (clock.area, clock.kind, clock.policy) == ("suggestion", "moderate", "suggestion.moderate")
    assert clock.due_at - clock.started_at == timezone.timedelta(hours=24)
    assert SuggestionEvent.objects.get(suggestion=suggestion).action == "received"
    assert Notice.objects.filter(recipient=author, kind="suggestion_received").exists()
    assert OutboundEmail.objects.filter(to="lisi@example.com").count() == 1


@pytest.mark.parametrize("phase", [Phase.PREPARATION, Phase.ANALYSIS, Phase.FEEDBACK, Phase.SUMMARY])
def test_only_the_collection_phase_accepts_suggestions(phase):
    campaign = CampaignFactory(phase=phase)
    with pytest.raises(DomainError):
        submitted(campaign=campaign)
    assert not Suggestion.objects.exists()


def test_unpublished_campaign_and_foreign_category_are_refused():
    with pytest.raises(DomainError):
        submitted(campaign=CampaignFactory(is_published=False))
    with pytest.raises(DomainError):
        submitted(category=CategoryFactory())
    assert not Suggestion.objects.exists()


def test_anonymous_cannot_submit():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotPermitted):
        submitted(citizen=AnonymousUser())


def test_author_withdraws_a_pending_suggestion_and_its_clock_stops():
    author = citizen()
    suggestion = submitted(citizen=author)
    with pytest.raises(NotPermitted):
        intake.suggestion_withdraw(suggestion=suggestion, citizen=citizen(), reason="不想提了")
    with pytest.raises(DomainError):
        intake.suggestion_withdraw(suggestion=suggestion, citizen=author, reason="  ")
    intake.suggestion_withdraw(suggestion=suggestion, citizen=author, reason="已通过其他渠道反映")
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.WITHDRAWN
    assert not Clock.objects.for_subject(suggestion).open().exists()
    with pytest.raises(IllegalTransition):
        intake.suggestion_withdraw(suggestion=suggestion, citizen=author, reason="again")


def test_staff_record_an_offline_suggestion_with_its_date_and_place():
    campaign = CampaignFactory()
    staff = clerk()
    suggestion = intake.suggestion_record(
        actor=staff,
        campaign=campaign,
        channel=Suggestion.Channel.LETTER,
        category=campaign.categories.first(),
        title="意见箱来信",
        problem="小区停车难。",
        measures="建议开放夜间路边停车。",
        received_on=timezone.localdate(),
        place="市民中心意见箱",
    )
    assert (suggestion.channel, suggestion.recorded_by, suggestion.place) == ("letter", staff, "市民中心意见箱")
    with pytest.raises(DomainError):
        intake.suggestion_record(
            actor=staff,
            campaign=campaign,
            channel=Suggestion.Channel.ONLINE,
            category=campaign.categories.first(),
            title="x",
            problem="x",
            measures="x",
            received_on=timezone.localdate(),
        )
    with pytest.raises(NotPermitted):
        intake.suggestion_record(
            actor=UserFactory(),
            campaign=campaign,
            channel=Suggestion.Channel.LETTER,
            category=campaign.categories.first(),
            title="x",
            problem="x",
            measures="x",
            received_on=timezone.localdate(),
        )
