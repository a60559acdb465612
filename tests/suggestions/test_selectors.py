"""The public reads: the campaign's figures (defined once), its phase timeline at the boundaries,
the campaign list's order, similar suggestions on the same Chinese index, measures progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from suggestions import selectors
from suggestions.models import Campaign, Outcome, Phase, Suggestion
from tests.suggestions.factories import CampaignFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

S = Suggestion.State


def test_campaign_counts_each_part_of_the_one_before():
    campaign = CampaignFactory()
    target = SuggestionFactory(campaign=campaign, state=S.APPROVED)
    rows = [
        (S.PENDING, ""),
        (S.REJECTED, ""),
        (S.WITHDRAWN, ""),
        (S.FORWARDED, ""),
        (S.ANSWERED, Outcome.ADOPTED),
        (S.ANSWERED, Outcome.PARTLY),
        (S.ANSWERED, Outcome.STUDYING),
        (S.ANSWERED, Outcome.NOT_ADOPTED),
    ]
    for state, outcome in rows:
        SuggestionFactory(campaign=campaign, state=state, outcome=outcome)
    SuggestionFactory(campaign=campaign, state=S.MERGED, merged_into=target)
    SuggestionFactory(state=S.APPROVED)  # another campaign
    counts = selectors.campaign_counts(campaign)
    assert counts == selectors.CampaignCounts(received=9, approved=6, forwarded=5, answered=4, adopted=2)
    assert counts.received >= counts.approved >= counts.forwarded >= counts.answered >= counts.adopted
    assert [definition.key for definition, _value in counts.rows()] == [
        "received",
        "approved",
        "forwarded",
        "answered",
        "adopted",
    ]
    assert selectors.campaign_counts(CampaignFactory()) == selectors.CampaignCounts()


@pytest.fixture
def campaign():
    return CampaignFactory(
        preparation_on=date(2026, 11, 20),
        collection_on=date(2026, 12, 1),
        analysis_on=date(2026, 12, 21),
        feedback_on=date(2027, 1, 10),
        summary_on=date(2027, 2, 1),
        ends_on=date(2027, 2, 28),
    )


@pytest.mark.parametrize(
    ("today", "statuses"),
    [
        (date(2026, 11, 19), ["upcoming"] * 5),
        (date(2026, 11, 30), ["current", "upcoming", "upcoming", "upcoming", "upcoming"]),
        (date(2026, 12, 1), ["done", "current", "upcoming", "upcoming", "upcoming"]),
        (date(2026, 12, 20), ["done", "current", "upcoming", "upcoming", "upcoming"]),
        (date(2026, 12, 21), ["done", "done", "current", "upcoming", "upcoming"]),
        (date(2027, 2, 28), ["done", "done", "done", "done", "current"]),
        (date(2027, 3, 1), ["done"] * 5),
    ],
)
def test_phase_timeline_at_the_boundaries(campaign, today, statuses):
    steps = selectors.phase_timeline(campaign, today)
    assert [step.status for step in steps] == statuses
    assert [step.phase for step in steps] == list(Phase)
    collection = steps[1]
    assert (collection.starts_on, collection.ends_on) == (date(2026, 12, 1), date(2026, 12, 20))
    assert steps[-1].ends_on == date(2027, 2, 28)
    assert selectors.collection_window(campaign) == (date(2026, 12, 1), date(2026, 12, 20))


def test_a_phase_closed_on_its_first_day_has_no_days_of_its_own(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(feedback_on=date(2026, 12, 21))  # no analysis days
    campaign.refresh_from_db()
    steps = selectors.phase_timeline(campaign, date(2026, 12, 22))
    assert steps[2].ends_on is None and steps[2].status == "done"
    assert steps[3].status == "current"


def test_public_campaigns_running_ones_first_then_past(campaign):
    today = date(2026, 12, 5)
    later = CampaignFactory(
        preparation_on=today,
        collection_on=today + timedelta(days=10),
        analysis_on=today + timedelta(days=40),
        feedback_on=today + timedelta(days=50),
        summary_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=70),
    )
    old = CampaignFactory(
        preparation_on=date(2025, 1, 1),
        collection_on=date(2025, 1, 10),
        analysis_on=date(2025, 2, 1),
        feedback_on=date(2025, 3, 1),
        summary_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 30),
    )
    CampaignFactory(is_published=False)
    current, past = selectors.public_campaigns(today)
    assert current == [campaign, later]  # the soonest to close its collection first
    assert past == [old]


def test_similar_suggestions_share_words_of_the_title_in_the_same_campaign():
    campaign = CampaignFactory()

    def published(title, problem, **fields):
        return SuggestionFactory(
            campaign=campaign,
            state=S.APPROVED,
            published=True,
            title=title,
            problem=problem,
            measures="见上。",
            **fields,
        )

    bus = published("增设社区公交微循环线路", "社区居民出行难,公交站点远。")
    published("老旧小区加装电梯", "老人上下楼难。")
    published("公园增设健身步道", "缺少健身设施。")
    SuggestionFactory(campaign=campaign, title="社区公交线路未公开")
    found = selectors.similar_suggestions(campaign, "建议开通社区公交线路")
    assert found == [bus]
    assert selectors.similar_suggestions(campaign, "建议") == []  # only commonplace words
    assert selectors.similar_suggestions(CampaignFactory(), "社区公交线路") == []
    merged = published("社区公交线路再提一次", "同上。")
    Suggestion.objects.filter(pk=merged.pk).update(state=S.MERGED, merged_into=bus)
    assert selectors.similar_suggestions(campaign, "社区公交线路") == [bus]
