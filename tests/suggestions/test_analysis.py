"""The analysis (建言分析): hot topics by jieba and TF-IDF against all campaigns, the breakdowns that
add up to the campaign page's approved count, the most valuable suggestions, recomputation
only after a change (the recorded fingerprint), the task and its command twin, and the public
pages that read what the task stored."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from suggestions import selectors, tasks
from suggestions.models import Assessment, CampaignAnalysis, Phase, Suggestion
from suggestions.services import analysis
from tests.factories import UserFactory
from tests.portal.test_pages import assert_csp_clean
from tests.suggestions.factories import CampaignFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

A = Suggestion.State


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def approved(campaign, text: str, **fields) -> Suggestion:
    """An approved suggestion whose whole text is `text` (title, problem and measures)."""
    return SuggestionFactory(
        campaign=campaign, state=A.APPROVED, title=text[:30], problem=text, measures="我们希望尽快落实。", **fields
    )


@pytest.fixture
def corpus():
    """Two campaigns: both talk about buses (公交); only the first about parking (停车)."""
    city = CampaignFactory(phase=Phase.ANALYSIS)
    other = CampaignFactory(phase=Phase.SUMMARY)
    for text in (
        "建议增加公交班次,方便居民出行。",
        "公交站台缺少遮雨棚。",
        "希望公交车准点到站。",
        "夜间公交太少。",
        "小区停车难,建议建设立体停车库。",
        "医院周边停车收费太高。",
        "学校门口停车混乱。",
        "建议开通地铁支线。",  # one suggestion only: never a topic
    ):
        approved(city, text)
    for text in ("开通夜间公交。", "公交票价优惠。", "公交站牌看不清。", "公交专用道被占。", "垃圾分类投放点太少。"):
        approved(other, text)
    # Not approved: they count for nothing.
    SuggestionFactory(campaign=city, state=A.REJECTED, problem="路灯不亮,路灯损坏。", title="路灯坏了")
    SuggestionFactory(campaign=city, state=A.PENDING, problem="路灯不亮,路灯损坏。", title="路灯问题")
    return city, other


def terms_of(result) -> list[str]:
    return [item["term"] for item in result.keywords]


def test_tf_idf_ranks_campaign_specific_words_above_words_every_campaign_uses(corpus):
    city, other = corpus
    analysis.campaign_analyses_refresh()
    city_analysis = CampaignAnalysis.objects.get(campaign=city)
    ranked = terms_of(city_analysis)
    # 停车 is in 3 suggestions of this campaign only; 公交 in 4, but also in the other campaign.
    assert ranked.index("停车") < ranked.index("公交")
    scores = {item["term"]: item for item in city_analysis.keywords}
    assert scores["公交"]["suggestions"] == 4 and scores["停车"]["suggestions"] == 3
    # Stop words (general and the genre's) and words of a single suggestion are not topics.
    for word in ("建议", "希望", "我们", "居民", "地铁", "路灯"):
        assert word not in ranked
    # In the other campaign, 公交 leads (it is most of what that campaign is about).
    assert terms_of(CampaignAnalysis.objects.get(campaign=other))[0] == "公交"


def test_only_approved_suggestions_count_and_every_breakdown_adds_up_to_the_campaign_pages_approved(corpus):
    city, _other = corpus
    SuggestionFactory(campaign=city, state=A.FORWARDED, problem="公交换乘不便。", channel="symposium", area="东城区")
    SuggestionFactory(campaign=city, state=A.ANSWERED, problem="停车位不足。", channel="hotline", area="东城区")
    SuggestionFactory(campaign=city, state=A.MERGED, merged_into=Suggestion.objects.filter(campaign=city).first())
    SuggestionFactory(campaign=city, state=A.WITHDRAWN)
    computed, recomputed = analysis.campaign_analysis_compute(campaign=city)
    assert recomputed
    approved_count = selectors.campaign_counts(city).approved
    figures = computed.figures
    assert figures["total"] == computed.suggestions_counted == approved_count == 10
    for key in ("by_category", "by_channel", "by_area", "by_phase", "by_week"):
        assert sum(row["count"] for row in figures[key]) == approved_count, key
    channels = {row["channel"]: row["count"] for row in figures["by_channel"]}
    assert channels == {"online": 8, "hotline": 1, "symposium": 1}
    areas = {(row["kind"], row["area"]): row["count"] for row in figures["by_area"]}
    assert areas == {("named", "东城区"): 2, ("unknown", ""): 8}
    assert figures["by_phase"] == [{"phase": Phase.ANALYSIS, "count": 10}]


def test_an_authors_own_name_and_an_area_of_one_suggestion_never_show(corpus):
    city, _other = corpus
    for text in ("我是王小明,建议公交提速。", "我叫王小明,公交线路太绕。", "王小明反映:公交拥挤。"):
        approved(city, text, contact_name="王小明", area="幸福小区3栋")
    approved(city, "停车场收费不透明。", area="和平里小区12号楼")
    computed, _ = analysis.campaign_analysis_compute(campaign=city)
    words = set(computed.terms)
    assert "王小明" not in words and "小明" not in words
    assert "公交" in words
    labels = [row["area"] for row in computed.figures["by_area"]]
    assert "和平里小区12号楼" not in labels  # one suggestion: folded into "other areas"
    assert {row["kind"] for row in computed.figures["by_area"]} >= {"other"}


def test_a_word_found_almost_only_inside_a_longer_hot_word_is_left_out():
    terms = {"公交线路": 5, "公交线": 5, "线路": 5, "公交": 9}
    ranked = [item["term"] for item in analysis.rank_keywords(terms, Counter(terms.keys()), 1)]
    # 公交线 and 线路 appear only inside 公交线路; 公交 has four suggestions of its own.
    assert ranked == ["公交", "公交线路"]


def test_a_third_persons_name_used_in_several_suggestions_is_never_a_topic():
    # The topics are public and counted over unpublished suggestions too: a name is no topic.
    terms = {"陈晓静": 9, "刘德华": 7, "路灯": 5, "公交": 4}
    ranked = [item["term"] for item in analysis.rank_keywords(terms, Counter(terms.keys()), 1)]
    assert ranked == ["路灯", "公交"]


@pytest.mark.parametrize(
    ("campaigns", "with_word", "expected"),
    [(1, 1, 1.0), (2, 2, 1.0), (2, 1, 1.4055), (10, 1, 2.7047), (10, 10, 1.0)],
)
def test_inverse_document_frequency_is_smoothed_and_never_zero(campaigns, with_word, expected):
    assert analysis.inverse_document_frequency(campaigns, with_word) == pytest.approx(expected, abs=1e-4)


def test_most_valuable_by_mean_assessment(corpus):
    city, _other = corpus
    first, second, third = Suggestion.objects.filter(campaign=city, state=A.APPROVED).order_by("pk")[:3]
    rejected = Suggestion.objects.get(campaign=city, state=A.REJECTED)
    experts = [UserFactory() for _ in range(2)]
    scores = {first: [(5, 4, 3), (3, 3, 3)], second: [(5, 5, 5)], third: [(2, 2, 2), (2, 3, 1)], rejected: [(5, 5, 5)]}
    for suggestion, given in scores.items():
        for expert, (r, f, i) in zip(experts, given, strict=False):
            Assessment.objects.create(
                suggestion=suggestion, assessor=expert, reasonableness=r, feasibility=f, innovation=i
            )
    computed, _ = analysis.campaign_analysis_compute(campaign=city)
    valuable = computed.figures["valuable"]
    assert [row["suggestion_id"] for row in valuable] == [second.pk, first.pk, third.pk]  # not the rejected one
    assert valuable[1] | {"suggestion_id": 0} == {
        "suggestion_id": 0,
        "mean": 3.5,
        "reasonableness": 4.0,
        "feasibility": 3.5,
        "innovation": 3.0,
        "assessments": 2,
    }


def test_recomputed_only_after_a_change_it_can_see(corpus):
    city, other = corpus
    first = analysis.campaign_analyses_refresh()
    assert first["recomputed"] == 2 and first["reranked"] == 2
    assert analysis.campaign_analyses_refresh() == {"campaigns": 2, "recomputed": 0, "reranked": 0}
    computed_at = CampaignAnalysis.objects.get(campaign=city).computed_at

    # A suggestion approved through its service (a history row), an assessment: recomputed.
    pending = Suggestion.objects.get(campaign=city, state=A.PENDING)
    pending.state, pending.number, pending.sequence = A.APPROVED, "JY-X-0001", 999
    pending._change_reason = "approved"
    pending.save()
    assert analysis.campaign_analyses_refresh()["recomputed"] == 1
    assert CampaignAnalysis.objects.get(campaign=city).computed_at > computed_at
    Assessment.objects.create(suggestion=pending, assessor=UserFactory(), reasonableness=4, feasibility=4, innovation=4)
    assert analysis.campaign_analyses_refresh()["recomputed"] == 1
    # A phase moved (a clerk closed one early): the by-phase figures depend on it.
    other.feedback_on = timezone.localdate() - timedelta(days=45)
    other.save()
    assert analysis.campaign_analyses_refresh()["recomputed"] == 1
    assert analysis.campaign_analyses_refresh(force=True)["recomputed"] == 2


def test_campaigns_not_yet_collecting_are_not_analysed():
    CampaignFactory(phase=Phase.PREPARATION)
    assert analysis.campaign_analyses_refresh() == {"campaigns": 0, "recomputed": 0, "reranked": 0}


def test_task_and_command_twin(corpus, capsys):
    city, _other = corpus
    assert tasks.compute_campaign_analyses.run()["recomputed"] == 2
    call_command("compute_campaign_analyses")
    assert "recomputed: 0" in capsys.readouterr().out
    call_command("compute_campaign_analyses", "--force")
    assert "recomputed: 2" in capsys.readouterr().out
    assert tasks.compute_campaign_analysis.run(city.pk)["recomputed"] is True
    assert tasks.compute_campaign_analysis.run(10**9) == {"campaign": 10**9, "recomputed": False}


# --- the public pages -----------------------------------------------------------------------------


def test_analysis_page_waits_for_the_analysis_phase(client):
    campaign = CampaignFactory(phase=Phase.COLLECTION)
    approved(campaign, "公交太挤。")
    approved(campaign, "公交太慢。")
    analysis.campaign_analyses_refresh()  # computed for the staff, not yet public
    response = client.get(reverse("suggestions:analysis", args=[campaign.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "published when the analysis phase begins" in html
    assert "analysis-data" not in html and "公交" not in html
    assert (
        'id="analysis-title"' not in client.get(reverse("suggestions:campaign", args=[campaign.slug])).content.decode()
    )


def test_analysis_page_charts_each_breakdown_beside_a_table_of_the_same_figures(client, corpus):
    city, _other = corpus
    best = Suggestion.objects.filter(campaign=city, state=A.APPROVED).first()
    Suggestion.objects.filter(pk=best.pk).update(
        published_at=timezone.now(), publish_consent=True, public_title="公交提速"
    )
    Assessment.objects.create(suggestion=best, assessor=UserFactory(), reasonableness=5, feasibility=5, innovation=4)
    hidden = Suggestion.objects.filter(campaign=city, state=A.APPROVED, published_at__isnull=True).first()
    Assessment.objects.create(suggestion=hidden, assessor=UserFactory(), reasonableness=5, feasibility=5, innovation=5)
    analysis.campaign_analyses_refresh()
    url = reverse("suggestions:analysis", args=[city.slug])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    # No inline script: the one <script> without src is the figures' JSON (json_script).
    assert 'id="analysis-data" type="application/json"' in html
    assert_csp_clean(re.sub(r'<script id="analysis-data" type="application/json">.*?</script>', "", html, flags=re.S))
    data = json.loads(re.search(r'id="analysis-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert (
        sum(data["categories"]["values"]) == sum(data["channels"]["values"]) == selectors.campaign_counts(city).approved
    )
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/campaign-analysis.js" in html
    for key in ("keywords", "categories", "channels", "areas", "weeks"):
        assert f'data-key="{key}"' in html
    assert html.count("<table") >= 6
    assert "停车" in html and "公交" in html
    assert reverse("suggestions:detail", args=[city.slug, best.pk]) in html  # most valuable, published
    assert reverse("suggestions:detail", args=[city.slug, hidden.pk]) not in html  # unpublished: never shown
    # Chinese too.
    assert "热点" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_campaign_page_shows_the_analysis_from_the_analysis_phase(client, corpus):
    city, _other = corpus
    analysis.campaign_analyses_refresh()
    html = client.get(reverse("suggestions:campaign", args=[city.slug])).content.decode()
    assert 'id="analysis-title"' in html
    assert "停车" in html
    assert reverse("suggestions:analysis", args=[city.slug]) in html


def test_analysis_page_of_an_unknown_or_unpublished_campaign_is_404(client):
    assert client.get(reverse("suggestions:analysis", args=["no-such-campaign"])).status_code == 404
    hidden = CampaignFactory(phase=Phase.ANALYSIS, is_published=False)
    assert client.get(reverse("suggestions:analysis", args=[hidden.slug])).status_code == 404


def test_no_analysis_is_computed_in_a_request(client, corpus, django_assert_max_num_queries):
    city, _other = corpus
    with django_assert_max_num_queries(8):
        response = client.get(reverse("suggestions:analysis", args=[city.slug]))
    assert "being computed" in response.content.decode()
    assert not CampaignAnalysis.objects.exists()


def test_stop_word_lists_are_loaded_from_the_data_files():
    words = analysis.stop_words()
    assert {"的", "我们", "建议", "希望", "问题"} <= words
    assert not any(word.startswith("#") for word in words)
