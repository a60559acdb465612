"""suggestions.demo: `manage.py load_demo` brings three campaigns a newcomer can walk through (one
collecting, one answering, one summed up), made through the services, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portal import clocks
from portal.models import Clock, OutboundEmail, User
from suggestions import policies, selectors
from suggestions.demo import CAMPAIGNS
from suggestions.models import (
    Assessment,
    Campaign,
    CampaignAnalysis,
    CampaignNews,
    CampaignReport,
    Follow,
    Forwarding,
    Measure,
    Outcome,
    Phase,
    Suggestion,
    SuggestionEvent,
)
from suggestions.selectors import campaign_counts

S = Suggestion.State
pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "campaigns": Campaign.objects.count(),
        "campaign history": Campaign.history.count(),
        "news": CampaignNews.objects.count(),
        "suggestions": Suggestion.objects.count(),
        "suggestion history": Suggestion.history.count(),
        "events": SuggestionEvent.objects.count(),
        "forwardings": Forwarding.objects.count(),
        "measures": Measure.objects.count(),
        "assessments": Assessment.objects.count(),
        "follows": Follow.objects.count(),
        "clocks": Clock.objects.count(),
        "clock history": Clock.history.count(),
        "analyses": CampaignAnalysis.objects.count(),
        "reports": CampaignReport.objects.count(),
        "users": User.objects.count(),
        "e-mails": OutboundEmail.objects.count(),
    }


def test_load_demo_twice_writes_nothing_the_second_time():
    _load()
    before = _counts()
    assert before["campaigns"] == len(CAMPAIGNS)
    assert before["suggestions"] == sum(len(spec.ideas) for spec in CAMPAIGNS)

    assert "nothing changed" in _load()

    assert _counts() == before


def test_the_campaigns_are_in_their_phases_whenever_loaded():
    _load()
    phases = dict(Campaign.objects.values_list("slug", "id"))
    assert {slug: Campaign.objects.get(pk=pk).phase for slug, pk in phases.items()} == {
        "huiju-minzhi": Phase.COLLECTION,
        "yiju-shequ": Phase.FEEDBACK,
        "lvse-ditan": Phase.SUMMARY,
    }
    collecting = Campaign.objects.get(slug="huiju-minzhi")
    assert collecting.is_published and collecting.theme == "汇聚民智，共筑美好未来"
    assert collecting.tips and collecting.news.count() >= 2
    assert collecting.categories.count() >= 5
    states = set(collecting.suggestions.values_list("state", flat=True))
    assert states == {S.APPROVED, S.PENDING, S.REJECTED, S.MERGED, S.WITHDRAWN}
    published = collecting.suggestions.published()
    assert published.values("category").distinct().count() >= 4
    assert collecting.suggestions.exclude(channel=Suggestion.Channel.ONLINE).exists()


def test_the_feedback_campaign_has_answers_measures_and_follows():
    _load()
    campaign = Campaign.objects.get(slug="yiju-shequ")
    outcomes = set(campaign.suggestions.filter(state=S.ANSWERED).values_list("outcome", flat=True))
    assert outcomes == set(Outcome.values)
    not_adopted = Forwarding.objects.filter(suggestion__campaign=campaign, outcome=Outcome.NOT_ADOPTED).get()
    assert not_adopted.public_answer
    # One suggestion answered by two departments, the lead's outcome public.
    several = Suggestion.objects.filter(campaign=campaign, forwardings__is_lead=False, state=S.ANSWERED).distinct()
    assert several.exists()
    for suggestion in several:
        assert suggestion.outcome == suggestion.forwardings.get(is_lead=True).outcome
    # Still within its deadline, and one past it (on the board after the sweep).
    assert campaign.suggestions.filter(state=S.FORWARDED).count() == 2
    measures = Measure.objects.filter(forwarding__suggestion__campaign=campaign)
    assert measures.filter(done_on__isnull=False).exists() and measures.filter(done_on__isnull=True).exists()
    assert Assessment.objects.filter(suggestion__campaign=campaign, assessor__username="expert").exists()
    assert campaign.experts.filter(username="expert").exists()
    elevator = campaign.suggestions.get(title="老旧小区加装电梯给予财政补贴")
    assert elevator.follower_count == 5 == elevator.follows.count()
    assert elevator.high_attention_at is not None
    assert elevator.briefing_held_on and elevator.briefing_link.startswith("https://")
    assert elevator.excellent_at and elevator.excellent_citation
    assert selectors.excellent_suggestions(campaign) == [elevator]
    assert campaign.suggestions.filter(state=S.MERGED, merged_into=elevator).exists()
    counts = campaign_counts(campaign)
    assert counts.received > counts.approved > counts.forwarded > counts.answered > counts.adopted > 0


def test_the_summary_campaign_has_its_hot_topics():
    _load()
    campaign = Campaign.objects.get(slug="lvse-ditan")
    assert not campaign.suggestions.filter(state__in=[S.PENDING, S.APPROVED, S.FORWARDED]).exists()
    analysis = CampaignAnalysis.objects.get(campaign=campaign)
    terms = [keyword["term"] for keyword in analysis.keywords]
    assert {"垃圾", "公交"} <= set(terms[:5]), terms
    assert analysis.figures["total"] == campaign_counts(campaign).approved


def test_the_summary_campaign_has_its_published_report(client):
    _load()
    campaign = Campaign.objects.get(slug="lvse-ditan")
    report = CampaignReport.objects.get(campaign=campaign)
    assert report.version == 1 and report.is_published and report.outcomes and report.lessons
    # Generated by the task when the summary phase began, before the office wrote it up.
    assert timezone.localdate(report.generated_at) == campaign.summary_on and report.generated_by is None
    counts = campaign_counts(campaign)
    assert report.figures["counts"]["approved"] == counts.approved
    assert report.figures["counts"]["adopted"] == counts.adopted > 0
    assert report.figures["hot_topics"]
    assert len(report.figures["excellent"]) == 2  # selected during feedback, counted in the report
    response = client.get(f"/suggestions/{campaign.slug}/report/")
    assert response.status_code == 200
    assert report.outcomes[:20] in response.content.decode()
    assert client.get(f"/suggestions/{campaign.slug}/analysis/").status_code == 200


def test_the_story_is_consistent_with_the_clocks_and_the_calendar():
    _load()
    result = clocks.sweep_deadlines()
    assert result.overdue  # the review past its 24 hours and the department past its deadline
    assert Clock.objects.filter(area=policies.AREA, state=Clock.State.OVERDUE, kind=policies.MODERATE).exists()
    assert Clock.objects.filter(area=policies.AREA, state=Clock.State.OVERDUE, kind=policies.RESPOND).exists()
    assert Clock.objects.filter(area=policies.AREA, state=Clock.State.MET_LATE).exists()
    for clock in Clock.objects.filter(area=policies.AREA):
        # Every moved clock still agrees with its policy and the work calendar.
        assert clock.due_at == clocks.clock_explain(clock).due_at, clock
        if clock.met_at:
            assert clock.state == ("met_on_time" if clock.met_at <= clock.due_at else "met_late"), clock
    for measure in Measure.objects.all():
        clock = Clock.objects.for_subject(measure).get()
        assert clocks.fixed_day(clock) == measure.planned_on
    for suggestion in Suggestion.objects.select_related("campaign"):
        received = suggestion.received_at.astimezone(clocks.deadlines.LOCAL_TZ)
        assert suggestion.reference[3:11] == f"{received:%Y%m%d}"
        assert suggestion.campaign.collection_on <= received.date() < suggestion.campaign.analysis_on
        moments = [
            suggestion.received_at,
            suggestion.decided_at,
            suggestion.forwarded_at,
            suggestion.answered_at,
        ]
        known = [moment for moment in moments if moment]
        assert known == sorted(known), suggestion
        if suggestion.forwarded_at:
            assert (
                suggestion.forwarded_at.astimezone(clocks.deadlines.LOCAL_TZ).date() >= suggestion.campaign.analysis_on
            )
        events = list(suggestion.events.order_by("created_at", "id").values_list("action", flat=True))
        assert events[0] == "received"


def test_published_texts_are_masked_and_names_shown_only_with_consent():
    _load()
    masked = Suggestion.objects.get(title="建议在社区增设老年助餐点")
    assert "13912345678" not in masked.public_problem and "139****5678" in masked.public_problem
    assert "王小民" not in masked.public_problem
    for suggestion in Suggestion.objects.published():
        assert suggestion.publish_consent
        if not suggestion.name_consent:
            assert suggestion.public_author == ""
    assert not Suggestion.objects.filter(publish_consent=False, published_at__isnull=False).exists()


def test_demo_reviewer_and_expert_accounts_sign_in_and_see_the_admin():
    _load()
    for username in ("reviewer", "expert"):
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": "minsheng-demo"})
        assert response.status_code == 302, username
        assert client.get("/admin/suggestions/suggestion/").status_code == 200, username


@pytest.mark.parametrize("slug", [spec.slug for spec in CAMPAIGNS])
def test_demo_campaign_pages_render_in_both_languages(client, slug):
    _load()
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        assert client.get(f"/suggestions/{slug}/").status_code == 200
    published = Suggestion.objects.published().filter(campaign__slug=slug).first()
    assert client.get(f"/suggestions/{slug}/{published.pk}/").status_code == 200
