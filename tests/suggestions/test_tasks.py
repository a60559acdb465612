"""The reviewers' daily digest (suggestions.send_review_digest and its command twin): what is
pending and what is close to its 24 hours, once a day per reviewer, in zh-hans and English."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal import notifications, registry
from portal.models import Clock, Notice, OutboundEmail
from suggestions.services import moderation
from suggestions.tasks import send_review_digest
from tests.factories import clerk
from tests.suggestions.factories import CampaignFactory, submitted
from tests.suggestions.staffside import approved, reviewer

pytestmark = pytest.mark.django_db


def digests(user=None):
    rows = OutboundEmail.objects.filter(template=moderation.DIGEST_EMAIL)
    return rows.filter(to=user.email) if user else rows


def make_overdue(suggestion, hours=2):
    """The suggestion's review ended `hours` ago (received 24 + `hours` hours ago)."""
    Clock.objects.for_subject(suggestion).update(due_at=timezone.now() - timedelta(hours=hours))


def test_each_reviewer_gets_one_digest_a_day_whoever_runs_it_again():
    first, second = reviewer(), reviewer(email="")
    clerk()  # not a reviewer: nothing
    campaign = CampaignFactory()
    late = submitted(campaign, title="建议修缮老旧小区电梯")
    make_overdue(late)
    submitted(campaign, title="建议增设口袋公园")
    approved(campaign, by=first)  # decided: not in the digest
    assert send_review_digest.run() == {"reviewers": 2}
    assert send_review_digest.run() == {"reviewers": 0}
    out = StringIO()
    call_command("send_review_digest", stdout=out)
    assert "0" in out.getvalue()
    assert digests(first).count() == 1
    assert digests().count() == 1  # the second reviewer has no address: the notice only
    notices = Notice.objects.filter(kind=moderation.DIGEST_NOTICE)
    assert sorted(notices.values_list("recipient", flat=True)) == sorted([first.pk, second.pk])
    context = notices.first().context
    assert (context["count"], context["overdue"]) == (2, 1)
    assert notices.first().url == moderation.moderation_queue_url()


def test_the_digest_lists_the_most_urgent_first_with_markers_in_both_languages():
    who = reviewer()
    campaign = CampaignFactory()
    calm = submitted(campaign, title="建议增设口袋公园")
    late = submitted(campaign, title="建议修缮老旧小区电梯")
    make_overdue(late)
    send_review_digest.run()
    row = digests(who).get()
    assert [item["title"] for item in row.context["items"]] == [late.title, calm.title]
    assert [item["marker"] for item in row.context["items"]] == ["overdue", ""]
    row.language = "en"
    subject, body = notifications.render_email(row)
    assert "2 suggestions await review" in subject
    assert body.index(late.reference) < body.index(calm.reference)
    assert "[overdue]" in body
    assert "?queue=moderation" in body
    row.language = "zh-hans"
    subject, body = notifications.render_email(row)
    assert "待审核" in body and "超期" in body


def test_a_suggestion_due_within_four_hours_is_marked_due_soon():
    who = reviewer()
    soon = submitted(CampaignFactory())
    Clock.objects.for_subject(soon).update(due_at=timezone.now() + timedelta(hours=2))
    send_review_digest.run()
    assert digests(who).get().context["items"][0]["marker"] == "due_soon"


def test_nothing_pending_sends_nothing_and_a_new_day_sends_again():
    who = reviewer()
    assert send_review_digest.run() == {"reviewers": 0}
    submitted(CampaignFactory())
    assert moderation.moderation_digest_send() == 1
    tomorrow = timezone.now() + timedelta(days=1)
    assert moderation.moderation_digest_send(now=tomorrow) == 1
    assert digests(who).count() == 2


def test_the_digest_is_on_celery_beat_with_its_command_twin():
    entry = registry.beat_schedule()["suggestions-review-digest"]
    assert entry["task"] == "suggestions.send_review_digest"
    assert entry["schedule"].hour == {8}
