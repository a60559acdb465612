"""Classified numbers (分类编号): one gap-free sequence per campaign and category, from the
campaign's pattern, through portal.references — under real concurrent approvals on PostgreSQL,
and with a rolled-back approval freeing its number."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from portal.exceptions import DomainError
from suggestions.models import Suggestion
from suggestions.services import moderation
from tests.factories import citizen
from tests.suggestions.factories import CampaignFactory, CategoryFactory, SuggestionFactory, submitted
from tests.suggestions.staffside import reviewer

S = Suggestion.State


def approve(suggestion, actor, **kwargs) -> Suggestion:
    return moderation.suggestion_approve(suggestion=suggestion, actor=actor, **kwargs)


@pytest.mark.django_db
def test_numbers_count_per_campaign_and_category_from_the_pattern():
    social, economy = CategoryFactory(code="SM"), CategoryFactory(code="JJ")
    campaign = CampaignFactory(categories=[social, economy])
    other = CampaignFactory(categories=[social])
    who = reviewer()
    first = approve(submitted(campaign, category=social), who)
    second = approve(submitted(campaign, category=social), who)
    economic = approve(submitted(campaign, category=economy), who)
    elsewhere = approve(submitted(other, category=social), who)
    year = campaign.collection_on.year
    assert [first.number, second.number] == [f"JY{year}-SM-0001", f"JY{year}-SM-0002"]
    assert (first.sequence, second.sequence) == (1, 2)
    assert economic.number == f"JY{year}-JJ-0001"
    assert elsewhere.number == f"JY{other.collection_on.year}-SM-0001"


@pytest.mark.django_db
def test_the_campaign_pattern_makes_the_number_and_the_reviewer_may_correct_the_category():
    social, economy = CategoryFactory(code="SM"), CategoryFactory(code="JJ")
    campaign = CampaignFactory(categories=[social, economy], number_pattern="{year}年{category}第{number:03d}号")
    suggestion = approve(submitted(campaign, category=social), reviewer(), category=economy)
    assert suggestion.category == economy
    assert suggestion.number == f"{campaign.year}年JJ第001号"


@pytest.mark.parametrize(
    "pattern",
    ["JY{year}-{number:04d}", "JY{year}-{category}", "JY-{category}-{number}-{month}", "{category}{number:x<50}"],
)
def test_a_pattern_that_would_repeat_or_cannot_be_filled_is_refused(pattern):
    with pytest.raises(DomainError):
        moderation.number_format(pattern, year=2026, category="SM", number=1)


@pytest.mark.django_db
def test_a_rolled_back_approval_frees_its_number():
    campaign = CampaignFactory()
    who = reviewer()
    undone, kept = submitted(campaign), submitted(campaign)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert approve(undone, who).sequence == 1
        raise RuntimeError
    undone.refresh_from_db()
    assert (undone.state, undone.number, undone.sequence) == (S.PENDING, "", None)
    assert approve(kept, who).sequence == 1
    assert approve(undone, who).sequence == 2


@pytest.mark.django_db
def test_numbers_written_without_the_counter_are_skipped_never_repeated():
    campaign = CampaignFactory()
    category = campaign.categories.get()
    SuggestionFactory(campaign=campaign, category=category, state=S.APPROVED, sequence=7)
    assert approve(submitted(campaign), reviewer()).sequence == 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_approvals_get_distinct_consecutive_numbers():
    campaign = CampaignFactory()
    who = reviewer()
    author = citizen()
    pending = [submitted(campaign, citizen=author, title=f"建议{n}") for n in range(6)]
    barrier = threading.Barrier(len(pending))
    numbers, errors = [], []

    def take(pk):
        try:
            barrier.wait(timeout=10)
            numbers.append(approve(Suggestion.objects.get(pk=pk), who).number)
        except Exception as error:  # asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(s.pk,)) for s in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    year = campaign.year
    code = campaign.categories.get().code
    assert sorted(numbers) == [f"JY{year}-{code}-{n:04d}" for n in range(1, 7)]
    stored = Suggestion.objects.filter(campaign=campaign).order_by("sequence").values_list("sequence", flat=True)
    assert list(stored) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_approval_waits_for_one_that_rolls_back_and_takes_its_number():
    campaign = CampaignFactory()
    who = reviewer()
    undone, kept = submitted(campaign), submitted(campaign)
    holding = threading.Event()
    outcome = {}

    class Undo(Exception):
        pass

    def approve_then_undo():
        try:
            with transaction.atomic():
                outcome["undone"] = approve(Suggestion.objects.get(pk=undone.pk), who).sequence
                holding.set()  # the counter row stays locked by this transaction for a while
                threading.Event().wait(0.5)
                raise Undo
        except Undo:
            pass
        finally:
            holding.set()
            connection.close()

    def approve_meanwhile():
        try:
            holding.wait(timeout=10)
            outcome["kept"] = approve(Suggestion.objects.get(pk=kept.pk), who).sequence
        except Exception as error:  # asserted below
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_then_undo), threading.Thread(target=approve_meanwhile)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert "error" not in outcome
    assert outcome == {"undone": 1, "kept": 1}
    assert Suggestion.objects.get(pk=undone.pk).state == S.PENDING
    assert Suggestion.objects.get(pk=kept.pk).number.endswith("-0001")
