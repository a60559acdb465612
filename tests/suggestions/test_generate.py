"""`manage.py generate_data --suggestions N`: generated suggestions are what the services would
have written, and later work continues from them (numbers, tracking numbers, clocks)."""

import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from portal.clocks import sweep_deadlines
from portal.models import Clock, Notice, SequenceCounter
from portal.references import reference_next
from suggestions import policies
from suggestions.generate import CAMPAIGNS
from suggestions.models import Campaign, Follow, Forwarding, Measure, Outcome, Suggestion, SuggestionEvent
from suggestions.selectors import campaign_counts
from suggestions.services import moderation
from suggestions.services.moderation import number_scope
from tests.suggestions.factories import submitted
from tests.suggestions.staffside import reviewer

S = Suggestion.State
MOBILE = re.compile(r"1[3-9]\d{9}")
pytestmark = pytest.mark.django_db


def _generate(count: int, seed: int = 7) -> None:
    call_command("generate_data", suggestions=count, no_progress=True, seed=seed)


def test_generated_suggestions_are_consistent():
    _generate(800)
    assert Suggestion.objects.count() == 800
    assert set(Campaign.objects.values_list("slug", flat=True)) >= {slug for slug, *_ in CAMPAIGNS}
    # Each campaign is in the phase its states need: pending only while collecting, answers only
    # once forwarding has begun.
    phases = {campaign.slug: campaign.phase for campaign in Campaign.objects.all()}
    assert phases == {"gen-collection": "collection", "gen-analysis": "analysis", "gen-feedback": "feedback",
                      "gen-summary": "summary"}  # fmt: skip
    states = Counter(Suggestion.objects.values_list("state", flat=True))
    assert set(states) == set(S.values)
    assert not Suggestion.objects.filter(state=S.PENDING).exclude(campaign__slug="gen-collection").exists()
    assert not Suggestion.objects.filter(state__in=[S.FORWARDED, S.ANSWERED], campaign__slug="gen-collection").exists()
    assert set(Suggestion.objects.values_list("channel", flat=True)) == set(Suggestion.Channel.values)

    for suggestion in Suggestion.objects.select_related("campaign", "category"):
        # Received within its campaign's collection phase, in its tracking number's day.
        day = timezone.localdate(suggestion.received_at)
        assert suggestion.reference.startswith(f"JY-{day:%Y%m%d}-")
        assert suggestion.campaign.collection_on <= day < suggestion.campaign.analysis_on
        accepted = suggestion.state in Suggestion.ACCEPTED_STATES
        assert bool(suggestion.number) == accepted
        if accepted:
            assert suggestion.number == moderation.number_format(
                suggestion.campaign.number_pattern,
                year=suggestion.campaign.year,
                category=suggestion.category.code,
                number=suggestion.sequence,
            )
            assert suggestion.number.lower().replace("-", " ") in suggestion.search_document
        if suggestion.published_at:
            assert suggestion.publish_consent and accepted
            assert suggestion.public_search_document
            assert not MOBILE.search(suggestion.public_problem), suggestion.public_problem
            assert suggestion.contact_name not in suggestion.public_problem
        else:
            assert suggestion.public_search_document == ""
        if suggestion.state == S.MERGED:
            assert suggestion.merged_into.received_at < suggestion.received_at
            assert suggestion.merged_into.state in Suggestion.ACCEPTED_STATES
        assert (suggestion.decided_at is None) == (suggestion.state in (S.PENDING, S.WITHDRAWN))

    # Classified numbers are gap-free per campaign and category.
    for row in Suggestion.objects.filter(sequence__isnull=False).values("campaign", "category").distinct():
        numbers = sorted(
            Suggestion.objects.filter(
                campaign=row["campaign"], category=row["category"], sequence__isnull=False
            ).values_list("sequence", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))

    # Forwarded and answered: forwardings with one lead; answered ones answered by every department
    # and carry the lead's outcome; measures only for adopting answers.
    for suggestion in Suggestion.objects.filter(state__in=[S.FORWARDED, S.ANSWERED]).prefetch_related("forwardings"):
        forwardings = list(suggestion.forwardings.all())
        assert [f.is_lead for f in forwardings].count(True) == 1
        lead = next(f for f in forwardings if f.is_lead)
        assert lead.department_id == suggestion.lead_department_id
        assert timezone.localdate(suggestion.forwarded_at) >= suggestion.campaign.analysis_on
        if suggestion.state == S.ANSWERED:
            assert all(f.answered_at for f in forwardings)
            assert suggestion.outcome == lead.outcome
        else:
            assert lead.answered_at is None and suggestion.outcome == ""
    assert not Measure.objects.exclude(forwarding__outcome__in=Outcome.with_measures()).exists()
    assert Measure.objects.filter(done_on__isnull=False).exists()

    # Follows: the count beside the rows.
    follows = Counter(Follow.objects.values_list("suggestion_id", flat=True))
    for pk, count in Suggestion.objects.filter(follower_count__gt=0).values_list("pk", "follower_count"):
        assert follows[pk] == count
    assert sum(follows.values()) == sum(Suggestion.objects.values_list("follower_count", flat=True))

    # Every suggestion has its receipt event and its moderation clock; every forwarding its answer
    # clock, every measure its milestone; open clocks only for work still owed.
    assert SuggestionEvent.objects.filter(action="received").count() == 800
    assert Clock.objects.filter(kind=policies.MODERATE).count() == 800
    assert Clock.objects.filter(kind=policies.RESPOND).count() == Forwarding.objects.count()
    assert Clock.objects.filter(kind=policies.MILESTONE).count() == Measure.objects.count()
    open_clocks = Clock.objects.filter(state__in=Clock.OPEN_STATES)
    pending = Suggestion.objects.filter(state=S.PENDING).values("pk")
    assert set(open_clocks.filter(kind=policies.MODERATE).values_list("object_id", flat=True)) == {
        row["pk"] for row in pending
    }
    unanswered = Forwarding.objects.filter(answered_at__isnull=True).values_list("pk", flat=True)
    assert set(open_clocks.filter(kind=policies.RESPOND).values_list("object_id", flat=True)) == set(unanswered)
    for clock in Clock.objects.filter(met_at__isnull=False)[:300]:
        assert clock.state == ("met_on_time" if clock.met_at <= clock.due_at else "met_late")

    # The campaign page's figures add up (received ≥ approved ≥ forwarded ≥ answered ≥ adopted).
    counts = campaign_counts(Campaign.objects.get(slug="gen-feedback"))
    assert counts.received >= counts.approved >= counts.forwarded >= counts.answered >= counts.adopted > 0


def test_numbering_and_tracking_continue_after_generated_rows():
    _generate(300, seed=11)
    # A suggestion submitted now, in a category the generated ones numbered (whatever the seed drew).
    numbered = Suggestion.objects.filter(campaign__slug="gen-collection", sequence__isnull=False).first()
    pending = submitted(campaign=numbered.campaign, category=numbered.category)
    scope = number_scope(pending.campaign, pending.category)
    last = (
        Suggestion.objects.filter(campaign=pending.campaign, category=pending.category, sequence__isnull=False)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
        or 0
    )
    assert SequenceCounter.objects.get(scope=scope).value == last

    approved = moderation.suggestion_approve(suggestion=pending, actor=reviewer())
    assert approved.sequence == last + 1

    day = timezone.localdate(Suggestion.objects.order_by("-received_at").first().received_at)
    new = reference_next(prefix="JY", day=day)
    assert not Suggestion.objects.filter(reference=new).exists()


def test_a_second_run_adds_to_the_same_campaigns():
    _generate(120, seed=1)
    _generate(120, seed=2)
    assert Suggestion.objects.count() == 240
    assert Campaign.objects.filter(slug__startswith="gen-").count() == len(CAMPAIGNS)
    assert Suggestion.objects.values("reference").distinct().count() == 240
    duplicates = (
        Suggestion.objects.exclude(number="").values("campaign", "number").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()


def test_already_overdue_generated_clocks_notify_nobody():
    _generate(300, seed=3)
    assert Clock.objects.filter(Q(state="overdue")).exists()
    result = sweep_deadlines()
    assert result.overdue == []
    assert Notice.objects.filter(kind="clock_overdue").count() == 0


def test_generated_campaign_pages_render(client):
    _generate(200, seed=5)
    for slug in ("gen-collection", "gen-feedback", "gen-summary"):
        response = client.get(f"/suggestions/{slug}/")
        assert response.status_code == 200
    published = Suggestion.objects.published().select_related("campaign").first()
    assert client.get(f"/suggestions/{published.campaign.slug}/{published.pk}/").status_code == 200
