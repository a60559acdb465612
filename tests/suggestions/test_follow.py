"""Following (关注): one follow per account, the public count, and the high-attention flag at the
campaign's threshold, raised once, with a staff-only timeline step and one notice to the clerks."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import translation

from portal.exceptions import DomainError, NotPermitted
from portal.models import Notice
from suggestions.models import Follow, Suggestion, SuggestionEvent
from suggestions.services import follows
from tests.factories import citizen, clerk
from tests.suggestions.factories import CampaignFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


def published(**fields) -> Suggestion:
    return SuggestionFactory(state=Suggestion.State.APPROVED, published=True, **fields)


def test_one_follow_per_account_and_the_count(django_capture_on_commit_callbacks):
    suggestion = published()
    first, second = citizen(), citizen()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        follows.suggestion_follow(suggestion=suggestion, user=first)
    assert callbacks  # the public pages are told (portal.pagecache)
    follows.suggestion_follow(suggestion=suggestion, user=first)  # again: nothing changes
    follows.suggestion_follow(suggestion=suggestion, user=second)
    suggestion.refresh_from_db()
    assert suggestion.follower_count == 2
    assert Follow.objects.filter(suggestion=suggestion).count() == 2
    follows.suggestion_unfollow(suggestion=suggestion, user=first)
    follows.suggestion_unfollow(suggestion=suggestion, user=first)  # not following: nothing changes
    suggestion.refresh_from_db()
    assert suggestion.follower_count == 1
    assert list(Follow.objects.values_list("user", flat=True)) == [second.pk]


@translation.override("en")  # the refusal is matched by its English words
def test_only_signed_in_accounts_follow_published_suggestions():
    with pytest.raises(NotPermitted):
        follows.suggestion_follow(suggestion=published(), user=AnonymousUser())
    inactive = citizen(is_active=False)
    with pytest.raises(NotPermitted):
        follows.suggestion_follow(suggestion=published(), user=inactive)
    with pytest.raises(DomainError):
        follows.suggestion_follow(suggestion=SuggestionFactory(state=Suggestion.State.APPROVED), user=citizen())
    target = published()
    merged = published(campaign=target.campaign)
    Suggestion.objects.filter(pk=merged.pk).update(state=Suggestion.State.MERGED, merged_into=target)
    with pytest.raises(DomainError, match="merged"):
        follows.suggestion_follow(suggestion=merged, user=citizen())
    assert not Follow.objects.exists()


def test_high_attention_at_the_threshold_is_flagged_once():
    office = [clerk(), clerk()]
    suggestion = published(campaign=CampaignFactory(attention_threshold=3))
    people = [citizen() for _ in range(5)]
    for person in people[:2]:
        follows.suggestion_follow(suggestion=suggestion, user=person)
    suggestion.refresh_from_db()
    assert suggestion.high_attention_at is None
    follows.suggestion_follow(suggestion=suggestion, user=people[2])
    suggestion.refresh_from_db()
    flagged_at = suggestion.high_attention_at
    assert flagged_at is not None
    event = SuggestionEvent.objects.get(suggestion=suggestion, action=SuggestionEvent.Action.ATTENTION)
    assert event.public is False  # the office's business, not on the author's timeline
    assert "3" in event.note
    notices = Notice.objects.filter(kind="suggestion_high_attention")
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(user.pk for user in office)
    # Falling below and climbing back does not flag or notify again.
    follows.suggestion_unfollow(suggestion=suggestion, user=people[0])
    follows.suggestion_follow(suggestion=suggestion, user=people[3])
    follows.suggestion_follow(suggestion=suggestion, user=people[4])
    suggestion.refresh_from_db()
    assert suggestion.high_attention_at == flagged_at
    assert suggestion.follower_count == 4
    assert notices.count() == 2
    assert SuggestionEvent.objects.filter(suggestion=suggestion, action="attention").count() == 1


def test_the_high_attention_notice_reads_well():
    clerk()
    suggestion = published(campaign=CampaignFactory(attention_threshold=1), number="JY2026-SM-0042", sequence=42)
    follows.suggestion_follow(suggestion=suggestion, user=citizen())
    notice = Notice.objects.get(kind="suggestion_high_attention")
    assert notice.context["reference"] == "JY2026-SM-0042"
    assert notice.context["note"] == "1"
    assert notice.url.endswith(f"/suggestions/suggestion/{suggestion.pk}/change/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the role groups come back after
def test_concurrent_follows_lose_no_count():
    """Eight accounts follow at once, each in its own transaction: the row lock and F() keep
    every one, and the threshold flags the suggestion exactly once."""
    clerk()
    suggestion = published(campaign=CampaignFactory(attention_threshold=5))
    people = [citizen() for _ in range(8)]
    barrier = threading.Barrier(len(people))
    errors = []

    def follow(person):
        try:
            barrier.wait()
            follows.suggestion_follow(suggestion=Suggestion.objects.get(pk=suggestion.pk), user=person)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=follow, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    suggestion.refresh_from_db()
    assert suggestion.follower_count == 8 == Follow.objects.filter(suggestion=suggestion).count()
    assert SuggestionEvent.objects.filter(suggestion=suggestion, action="attention").count() == 1
    assert Notice.objects.filter(kind="suggestion_high_attention").count() == 1
