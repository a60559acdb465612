"""The citizens' side of public suggestions: the campaigns, a campaign's page (phases, figures,
news, tips, excellent suggestions, the published list with filters and search), a published
suggestion with its answers and measures, following, the form and its phase boundaries in
Beijing time, similar suggestions, "my suggestions" with withdrawal, files, privacy and the
anonymous cache."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.uploads import check_uploads
from suggestions import views
from suggestions.models import (
    Campaign,
    CampaignNews,
    Forwarding,
    ForwardingBatch,
    Measure,
    Outcome,
    Phase,
    Suggestion,
    SuggestionAttachment,
)
from suggestions.services import follows
from suggestions.services.common import refresh_search
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of
from tests.portal.test_pages import assert_csp_clean
from tests.suggestions.factories import CampaignFactory, CategoryFactory, SuggestionFactory, submitted

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
INDEX = reverse("suggestions:index")
MINE = reverse("suggestions:mine")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def campaign_url(campaign, **query) -> str:
    return reverse("suggestions:campaign", args=[campaign.slug])


def detail_url(suggestion) -> str:
    return reverse("suggestions:detail", args=[suggestion.campaign.slug, suggestion.pk])


def submit_url(campaign) -> str:
    return reverse("suggestions:submit", args=[campaign.slug])


def published(**fields) -> Suggestion:
    """An approved suggestion, published (its author consented)."""
    return SuggestionFactory(state=Suggestion.State.APPROVED, published=True, **fields)


def pdf_upload(name="现场情况说明.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def attach(suggestion, name="王小明的材料.pdf") -> SuggestionAttachment:
    checked = check_uploads([pdf_upload(name)])[0]
    attachment = SuggestionAttachment(
        suggestion=suggestion, original_name=checked.name, content_type=checked.content_type, size=checked.size
    )
    attachment.file.save(checked.name, checked.file, save=False)
    attachment.save()
    return attachment


def answer(suggestion, *answers, state=Suggestion.State.ANSWERED) -> list[Forwarding]:
    """Forward `suggestion` and record answers: each (department, outcome or "", public text, is_lead)."""
    batch = ForwardingBatch(
        campaign=suggestion.campaign, report_name="分析报告.pdf", report_content_type="application/pdf"
    )
    batch.created_by = clerk()
    batch.report.save("report.pdf", ContentFile(PDF_BYTES), save=False)
    batch.save()
    now = timezone.now()
    rows = []
    for department, outcome, text, is_lead in answers:
        rows.append(
            Forwarding.objects.create(
                suggestion=suggestion,
                department=department,
                is_lead=is_lead,
                batch=batch,
                outcome=outcome,
                answer=f"私下答复:{text}" if outcome else "",
                public_answer=text,
                answered_at=now if outcome else None,
            )
        )
    lead = next((department for department, _o, _t, is_lead in answers if is_lead), None)
    lead_outcome = next((outcome for _d, outcome, _t, is_lead in answers if is_lead), "")
    Suggestion.objects.filter(pk=suggestion.pk).update(
        state=state,
        forwarded_at=now,
        answered_at=now if state == Suggestion.State.ANSWERED else None,
        outcome=lead_outcome if state == Suggestion.State.ANSWERED else "",
        lead_department=lead,
    )
    suggestion.refresh_from_db()
    refresh_search(suggestion)  # the public answers are searched too, as the answering service does
    Suggestion.objects.filter(pk=suggestion.pk).update(public_search_document=suggestion.public_search_document)
    return rows


# --- the campaigns ---------------------------------------------------------------------------


def test_index_lists_current_campaigns_first_then_past_ones(client):
    past = CampaignFactory(title="去年的活动", phase=Phase.SUMMARY)
    Campaign.objects.filter(pk=past.pk).update(
        preparation_on=date(2025, 1, 1),
        collection_on=date(2025, 1, 10),
        analysis_on=date(2025, 2, 1),
        feedback_on=date(2025, 3, 1),
        summary_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 30),
    )
    collecting = CampaignFactory(title="正在征集的活动", theme="汇聚民智,共筑美好未来")
    coming = CampaignFactory(title="即将开始的活动", phase=Phase.PREPARATION)
    CampaignFactory(title="未发布的活动", is_published=False)
    html = client.get(INDEX).content.decode()
    assert "未发布的活动" not in html
    assert html.index("正在征集的活动") < html.index("去年的活动")
    assert html.index("即将开始的活动") < html.index("去年的活动")
    assert html.index("Current campaigns") < html.index("正在征集的活动") < html.index("Past campaigns")
    assert "汇聚民智,共筑美好未来" in html
    assert f"Collection opens on {coming.collection_on:%Y-%m-%d}" in html
    last_day = collecting.analysis_on - timezone.timedelta(days=1)
    assert f"Suggestions are collected until {last_day:%Y-%m-%d}" in html
    assert "Suggestions were collected 2025-01-10 – 2025-01-31" in html
    assert_csp_clean(html)


def test_index_in_chinese(client):
    CampaignFactory(title="正在征集的活动")
    html = client.get(INDEX, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "公众建言" in html
    assert "正在征集的活动" in html
    assert "Current campaigns" not in html


def test_campaign_page_in_chinese(client):
    campaign = CampaignFactory()
    published(campaign=campaign, title="建议增设社区公交线路")
    html = client.get(campaign_url(campaign), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    expected = ("活动安排", "建言收集", "当前阶段", "收到建言", "审核通过", "我要建言", "建言小贴士", "建言公示")
    for text in (*expected, "主办部门"):
        assert text in html, text
    assert "Collection" not in html and "Received (" not in html


@pytest.mark.parametrize("count", [2, 12])
def test_index_query_budget(client, count, django_assert_max_num_queries):
    for _ in range(count):
        CampaignFactory()
    with django_assert_max_num_queries(1):  # the campaigns, in one query
        assert client.get(INDEX).status_code == 200


def test_unknown_or_unpublished_campaign_is_404(client):
    hidden = CampaignFactory(is_published=False)
    assert client.get(campaign_url(hidden)).status_code == 404
    assert client.get(reverse("suggestions:campaign", args=["no-such-campaign"])).status_code == 404


# --- the campaign page -----------------------------------------------------------------------


def test_campaign_page_shows_theme_timeline_tips_news_and_the_way_in(client):
    campaign = CampaignFactory(
        title="2026年城市发展建言", description="围绕城市发展征集意见建议。", tips="一事一议\n问题具体,措施可行"
    )
    CampaignNews.objects.create(campaign=campaign, title="活动启动", body="建言活动正式启动。")
    CampaignNews.objects.create(
        campaign=campaign,
        title="明天的新闻",
        body="尚未发布",
        published_on=timezone.localdate() + timezone.timedelta(1),
    )
    html = client.get(campaign_url(campaign)).content.decode()
    assert "2026年城市发展建言" in html and "汇聚民智,共筑美好未来" in html and "围绕城市发展征集意见建议。" in html
    steps = re.findall(r'<li class="phase-step phase-step-(\w+)"( aria-current="step")?', html)
    assert [status for status, _ in steps] == ["done", "current", "upcoming", "upcoming", "upcoming"]
    assert steps[1][1]  # the current phase is marked for assistive technology too
    assert "Collection" in html and "Feedback and publication" in html
    assert f"{campaign.collection_on:%Y-%m-%d}" in html
    assert submit_url(campaign) in html
    assert "一事一议" in html and "问题具体,措施可行" in html
    assert "活动启动" in html
    assert "明天的新闻" not in html
    assert_csp_clean(html)


@pytest.mark.parametrize(
    ("phase", "says", "form_link"),
    [
        (Phase.PREPARATION, "Collection opens on", False),
        (Phase.COLLECTION, "Suggestions are collected until", True),
        (Phase.ANALYSIS, "Collection closed on", False),
        (Phase.SUMMARY, "Collection closed on", False),
    ],
)
def test_campaign_page_says_when_collection_opens_or_closed(client, phase, says, form_link):
    campaign = CampaignFactory(phase=phase)
    html = client.get(campaign_url(campaign)).content.decode()
    assert says in html
    assert (submit_url(campaign) in html) is form_link


def test_figures_are_defined_once_and_add_up(client):
    campaign = CampaignFactory()
    department = DepartmentFactory()
    target = published(campaign=campaign)
    SuggestionFactory(campaign=campaign)  # pending
    SuggestionFactory(campaign=campaign, state=Suggestion.State.REJECTED)
    SuggestionFactory(campaign=campaign, state=Suggestion.State.WITHDRAWN)  # not counted at all
    SuggestionFactory(campaign=campaign, state=Suggestion.State.MERGED, merged_into=target)
    answer(published(campaign=campaign), (department, "", "", True), state=Suggestion.State.FORWARDED)
    answer(published(campaign=campaign), (department, Outcome.ADOPTED, "采纳", True))
    answer(published(campaign=campaign), (department, Outcome.PARTLY, "部分采纳", True))
    answer(published(campaign=campaign), (department, Outcome.NOT_ADOPTED, "解释说明", True))
    SuggestionFactory(campaign=CampaignFactory())  # another campaign's
    html = client.get(campaign_url(campaign)).content.decode()
    figures = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd class=\"campaign-count-value\">(\d+)</dd>", html))
    assert figures == {
        "Received (收到建言)": "8",
        "Approved (审核通过)": "5",
        "Forwarded (已转交)": "4",
        "Answered (已答复)": "3",
        "Adopted (采纳)": "2",
    }
    assert "except those their authors withdrew" in html  # each says what it counts


def test_excellent_suggestions_name_their_author_only_with_consent(client):
    campaign = CampaignFactory()
    now = timezone.now()
    published(
        campaign=campaign,
        title="优秀建言甲",
        contact_name="王小明",
        name_consent=True,
        excellent_at=now,
        excellent_citation="切实可行",
    )
    published(campaign=campaign, title="优秀建言乙", contact_name="李大海", name_consent=False, excellent_at=now)
    published(campaign=campaign, title="普通建言丙")
    html = client.get(campaign_url(campaign)).content.decode()
    section = html[html.index("Excellent suggestions (优秀建言)") : html.index("Published suggestions and answers")]
    assert "优秀建言甲" in section and "优秀建言乙" in section and "普通建言丙" not in section
    assert "切实可行" in section
    assert "by 王小明" in section
    assert "李大海" not in html


def test_analysis_and_report_places_stay_empty_until_there_is_something(client):
    for phase in (Phase.COLLECTION, Phase.ANALYSIS, Phase.SUMMARY):  # nothing computed or published yet
        html = client.get(campaign_url(CampaignFactory(phase=phase))).content.decode()
        assert 'id="analysis-title"' not in html and 'id="report-title"' not in html


# --- the published list: filters, search, pages ----------------------------------------------


@pytest.fixture
def listed():
    housing = DepartmentFactory(name="住房和城乡建设局")
    transport = DepartmentFactory(name="交通运输局")
    roads = CategoryFactory(name="公共交通")
    homes = CategoryFactory(name="住房保障")
    campaign = CampaignFactory(categories=[roads, homes])
    campaign.departments.set([housing, transport])
    bus = published(
        campaign=campaign,
        category=roads,
        title="建议增设社区公交微循环线路",
        received_at=datetime(2026, 10, 15, 10, tzinfo=BEIJING),
    )
    answer(bus, (transport, Outcome.ADOPTED, "已采纳,将于明年开通。", True))
    lift = published(
        campaign=campaign,
        category=homes,
        title="老旧小区加装电梯补贴",
        problem="老人上下楼困难。",
        measures="对加装电梯给予补贴。",
        received_at=datetime(2026, 11, 3, 10, tzinfo=BEIJING),
    )
    answer(lift, (housing, "", "", True), state=Suggestion.State.FORWARDED)
    SuggestionFactory(campaign=campaign, title="尚未公开的建言")  # pending: never listed
    published(campaign=CampaignFactory(), title="别的活动的建言")
    return {"campaign": campaign, "bus": bus, "lift": lift, "roads": roads, "housing": housing}


def titles(client, campaign, **params) -> set[str]:
    html = client.get(campaign_url(campaign), params).content.decode()
    return {title for title in ("建议增设社区公交微循环线路", "老旧小区加装电梯补贴") if title in html}


def test_only_the_campaigns_published_suggestions_are_listed(client, listed):
    html = client.get(campaign_url(listed["campaign"])).content.decode()
    assert "建议增设社区公交微循环线路" in html and "老旧小区加装电梯补贴" in html
    assert "尚未公开的建言" not in html and "别的活动的建言" not in html
    assert "Answer: Adopted" in html
    assert "Forwarded, awaiting the answer" in html


def test_filters_and_chinese_search(client, listed):
    campaign = listed["campaign"]
    both = {"建议增设社区公交微循环线路", "老旧小区加装电梯补贴"}
    assert titles(client, campaign) == both
    assert titles(client, campaign, category=listed["roads"].pk) == {"建议增设社区公交微循环线路"}
    assert titles(client, campaign, department=listed["housing"].pk) == {"老旧小区加装电梯补贴"}
    assert titles(client, campaign, outcome="adopted") == {"建议增设社区公交微循环线路"}
    assert titles(client, campaign, outcome="awaiting") == {"老旧小区加装电梯补贴"}
    assert titles(client, campaign, outcome="not_adopted") == set()
    assert titles(client, campaign, month="2026-10") == {"建议增设社区公交微循环线路"}
    assert titles(client, campaign, q="电梯") == {"老旧小区加装电梯补贴"}
    assert titles(client, campaign, q="公交") == {"建议增设社区公交微循环线路"}
    assert titles(client, campaign, q="明年开通") == {"建议增设社区公交微循环线路"}  # the public answer too
    assert titles(client, campaign, q="垃圾分类") == set()


def test_bad_filters_are_explained_not_crashed(client, listed):
    response = client.get(
        campaign_url(listed["campaign"]),
        {"month": "2026-13", "category": "x", "department": "9" * 30, "outcome": "<b>", "page": "-1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "YYYY-MM" in html and 'role="alert"' in html


def test_list_is_paginated_newest_first_and_keeps_filters(client):
    campaign = CampaignFactory()
    now = timezone.now()
    for number in range(25):
        published(
            campaign=campaign, title=f"建言编号{number:02d}", published_at=now - timezone.timedelta(minutes=number)
        )
    html = client.get(campaign_url(campaign)).content.decode()
    assert html.index("建言编号00") < html.index("建言编号01")
    assert "建言编号24" not in html
    assert "建言编号24" in client.get(campaign_url(campaign), {"page": 2}).content.decode()
    filtered = client.get(campaign_url(campaign), {"outcome": "awaiting"}).content.decode()
    assert 'href="?outcome=awaiting&amp;page=2"' in filtered


@pytest.mark.parametrize("rows", [3, 30])
def test_campaign_page_query_budget_does_not_grow_with_rows(client, rows, django_assert_max_num_queries):
    campaign = CampaignFactory()
    departments = [DepartmentFactory(), DepartmentFactory()]
    campaign.departments.set(departments)
    CampaignNews.objects.create(campaign=campaign, title="活动启动", body="启动")
    for number in range(rows):
        suggestion = published(campaign=campaign, excellent_at=timezone.now() if number < 3 else None)
        if number % 3 == 0:
            answer(suggestion, (departments[number % 2], Outcome.ADOPTED, "采纳", True))
    # campaign, its categories and departments (the filters), figures, news, excellent ones,
    # the capped count and the page of rows
    with django_assert_max_num_queries(8):
        assert client.get(campaign_url(campaign)).status_code == 200
    cache.clear()
    with django_assert_max_num_queries(8):
        client.get(campaign_url(campaign), {"q": "公交", "outcome": "adopted", "month": "2026-11"})


def test_anonymous_visitors_share_the_campaign_page(client, django_assert_num_queries):
    campaign = CampaignFactory()
    published(campaign=campaign, title="缓存中的建言")
    assert client.get(campaign_url(campaign)).status_code == 200
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    with django_assert_num_queries(0):
        again = other.get(campaign_url(campaign))
    assert again["X-Page-Cache"] == "hit"
    assert "缓存中的建言" in again.content.decode()
    assert "csrfmiddlewaretoken" not in again.content.decode()


# --- one published suggestion -----------------------------------------------------------------


def test_detail_shows_number_texts_answers_and_measures(client):
    lead = DepartmentFactory(name="交通运输局")
    other = DepartmentFactory(name="城市管理局")
    suggestion = published(
        title="建议增设社区公交线路",
        problem="居民出行不便。",
        measures="增设微循环公交。",
        channel=Suggestion.Channel.LETTER,
    )
    lead_row, other_row = answer(
        suggestion,
        (lead, Outcome.ADOPTED, "已采纳,明年开通。", True),
        (other, Outcome.STUDYING, "站点设置研究中。", False),
    )
    Measure.objects.create(
        forwarding=lead_row, description="规划线路", planned_on=date(2026, 12, 1), done_on=date(2026, 11, 20)
    )
    Measure.objects.create(
        forwarding=lead_row, description="采购车辆", planned_on=date(2027, 1, 1), done_on=date(2026, 11, 25)
    )
    Measure.objects.create(forwarding=other_row, description="设置站点", planned_on=date(2027, 2, 1))
    html = client.get(detail_url(suggestion)).content.decode()
    assert suggestion.number in html
    assert "Suggestion box letter" in html
    assert "居民出行不便。" in html and "增设微循环公交。" in html
    assert html.index("交通运输局") < html.index("城市管理局")  # the lead department's answer first
    assert "已采纳,明年开通。" in html and "站点设置研究中。" in html
    assert "私下答复" not in html  # the answer as written to the author stays private
    assert "2 of 3 measures done" in html
    assert '<progress class="measure-progress" value="2" max="3"' in html
    assert "<strong>0</strong> people follow this suggestion" in html
    assert_csp_clean(html)


def test_merged_suggestion_points_to_the_one_it_was_merged_into(client):
    target = published(title="先提出的建言")
    merged = published(campaign=target.campaign, title="后提出的建言")
    Suggestion.objects.filter(pk=merged.pk).update(state=Suggestion.State.MERGED, merged_into=target)
    html = client.get(detail_url(merged)).content.decode()
    assert f"Merged into {target.number}" in html
    assert detail_url(target) in html
    assert (
        "1 later suggestion on the same matter was merged into this one."
        in client.get(detail_url(target)).content.decode()
    )


def test_only_published_suggestions_have_a_public_page(client):
    pending = SuggestionFactory()
    no_consent = SuggestionFactory(state=Suggestion.State.APPROVED)
    shown = published()
    assert client.get(detail_url(shown)).status_code == 200
    assert client.get(detail_url(pending)).status_code == 404
    assert client.get(detail_url(no_consent)).status_code == 404
    elsewhere = CampaignFactory()
    assert client.get(reverse("suggestions:detail", args=[elsewhere.slug, shown.pk])).status_code == 404
    assert client.get(reverse("suggestions:detail", args=[shown.campaign.slug, 9 * 10**30])).status_code == 404


# --- following ---------------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_page(client, django_capture_on_commit_callbacks):
    suggestion = published()
    assert "Sign in to follow" in client.get(detail_url(suggestion)).content.decode()
    follower = citizen()
    client.force_login(follower)
    url = reverse("suggestions:follow", args=[suggestion.campaign.slug, suggestion.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "follow"}).status_code == 302
        client.post(url, {"action": "follow"})  # once per account
    html = client.get(detail_url(suggestion)).content.decode()
    assert "<strong>1</strong> person follows this suggestion" in html
    assert "You follow this suggestion." in html and "Stop following" in html
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(suggestion)).content.decode()
    assert "<strong>1</strong> person follows" in anonymous
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "unfollow"})
    suggestion.refresh_from_db()
    assert suggestion.follower_count == 0
    assert client.get(url).status_code == 405
    assert client.post(url, {"action": "like"}).status_code == 302  # refused, said so
    assert suggestion.follows.count() == 0


def test_follow_needs_an_account_and_a_published_suggestion(client):
    suggestion = published()
    url = reverse("suggestions:follow", args=[suggestion.campaign.slug, suggestion.pk])
    response = client.post(url, {"action": "follow"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(citizen())
    hidden = SuggestionFactory(state=Suggestion.State.APPROVED)
    assert client.post(reverse("suggestions:follow", args=[hidden.campaign.slug, hidden.pk])).status_code == 404
    assert not suggestion.follows.exists()


# --- the form and the phase boundaries -------------------------------------------------------


@pytest.fixture
def author():
    return citizen("xiaoming", email="xiaoming@example.com", mobile="13800138000", first_name="小明", last_name="王")


def form_data(campaign, **overrides) -> dict:
    return {
        "category": campaign.categories.first().pk,
        "title": "建议在人民公园增设健身步道",
        "problem": "公园缺少适合老年人的健身设施。",
        "measures": "建议沿湖修建一条塑胶健身步道。",
        "area": "城东区",
        "contact_name": "王小明",
        "contact_mobile": "13800138000",
        "contact_email": "xiaoming@example.com",
        "publish_consent": "on",
    } | overrides


def test_the_form_needs_an_account(client):
    campaign = CampaignFactory()
    for method in ("get", "post"):
        response = getattr(client, method)(submit_url(campaign))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_form_is_prefilled_labelled_and_offers_similar_suggestions(client, author):
    campaign = CampaignFactory(tips="一事一议")
    client.force_login(author)
    html = client.get(submit_url(campaign)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'value="xiaoming@example.com"' in html and 'value="13800138000"' in html
    assert f'data-similar-url="{reverse("suggestions:similar", args=[campaign.slug])}"' in html
    assert 'id="similar-suggestions"' in html and 'aria-live="polite"' in html
    assert "js/suggestions.js" in html
    for name in ("category", "title", "problem", "measures", "area", "attachments", "name_consent"):
        assert f'for="id_{name}"' in html, name
    assert "一事一议" in html
    assert_csp_clean(html)


def test_submit_stores_the_suggestion_and_shows_it_under_mine(client, author):
    campaign = CampaignFactory()
    client.force_login(author)
    response = client.post(submit_url(campaign), form_data(campaign, name_consent="on", attachments=[pdf_upload()]))
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("suggestions:mine_detail", args=[suggestion.reference])
    assert (suggestion.citizen, suggestion.state, suggestion.channel) == (author, "pending", "online")
    assert (suggestion.publish_consent, suggestion.name_consent, suggestion.area) == (True, True, "城东区")
    assert suggestion.attachments.count() == 1
    page = client.get(response.url).content.decode()
    assert suggestion.reference in page and "Awaiting review" in page and "reviewers decide" in page
    assert "现场情况说明.pdf" in page  # the author sees their own file name
    assert suggestion.reference in client.get(MINE).content.decode()


def test_validation_errors_keep_everything_typed(client, author):
    campaign = CampaignFactory()
    client.force_login(author)
    response = client.post(
        submit_url(campaign),
        form_data(campaign, contact_mobile="12345", name_consent="on", publish_consent="", attachments=[pdf_upload()]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Suggestion.objects.exists()
    assert 'value="建议在人民公园增设健身步道"' in html
    assert "公园缺少适合老年人的健身设施。" in html and "建议沿湖修建一条塑胶健身步道。" in html
    assert 'value="城东区"' in html
    assert "Please choose your files again" in html
    assert "tick the consent to publish as well" in html
    assert 'role="alert"' in html


def test_a_category_the_campaign_does_not_take_is_refused(client, author):
    campaign = CampaignFactory()
    client.force_login(author)
    response = client.post(submit_url(campaign), form_data(campaign, category=CategoryFactory().pk))
    assert response.status_code == 200 and not Suggestion.objects.exists()


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


# Collection runs 2026-12-01 to 2026-12-20 inclusive (analysis starts on the 21st), Beijing time.
BOUNDARIES = [
    (beijing(2026, 11, 30, 23, 59, 59), "before"),  # the day before collection starts
    (beijing(2026, 12, 1, 0, 0, 0), "open"),  # its first day, from midnight
    (beijing(2026, 12, 20, 23, 59, 59), "open"),  # its last day, to midnight
    (beijing(2026, 12, 21, 0, 0, 0), "after"),
]


@pytest.fixture
def december():
    return CampaignFactory(
        preparation_on=date(2026, 11, 20),
        collection_on=date(2026, 12, 1),
        analysis_on=date(2026, 12, 21),
        feedback_on=date(2027, 1, 10),
        summary_on=date(2027, 2, 1),
        ends_on=date(2027, 2, 28),
    )


@pytest.mark.parametrize(("moment", "expected"), BOUNDARIES)
def test_phase_boundaries_in_beijing_time(client, author, december, moment, expected):
    with time_machine.travel(moment, tick=False):
        client.force_login(author)
        page = client.get(submit_url(december)).content.decode()
        posted = client.post(submit_url(december), form_data(december))
        public = Client(HTTP_ACCEPT_LANGUAGE="en").get(campaign_url(december)).content.decode()
    if expected == "open":
        assert 'name="title"' in page
        assert posted.status_code == 302 and Suggestion.objects.count() == 1
        assert "Suggestions are collected until <strong>2026-12-20</strong>" in public
        return
    assert 'name="title"' not in page and "<form" not in page.split('id="main"')[1].split("</main>")[0]
    assert not Suggestion.objects.exists()
    if expected == "before":
        assert "starts collecting suggestions on <strong>2026-12-01</strong>" in page
        assert "Collection opens on <strong>2026-12-01</strong>" in public
    else:
        assert "closed its collection on <strong>2026-12-20</strong>" in page
        assert "Collection closed on <strong>2026-12-20</strong>" in public
        # What was sent after the close is shown back, not lost.
        assert "建议沿湖修建一条塑胶健身步道。" in posted.content.decode()


def test_the_campaign_page_turns_at_midnight_even_when_cached(client, december):
    """A page cached on the last evening of collection is not served the next morning."""
    with time_machine.travel(beijing(2026, 12, 20, 23, 0), tick=False):
        assert submit_url(december) in client.get(campaign_url(december)).content.decode()
    with time_machine.travel(beijing(2026, 12, 21, 0, 0, 1), tick=False):
        html = client.get(campaign_url(december)).content.decode()
    assert submit_url(december) not in html
    assert "Collection closed on" in html


def test_submissions_are_rate_limited(client, author, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"suggestions.submit": "2/h"}
    campaign = CampaignFactory()
    client.force_login(author)
    for number in range(2):
        assert client.post(submit_url(campaign), form_data(campaign, title=f"建言{number}")).status_code == 302
    assert client.post(submit_url(campaign), form_data(campaign, title="第三条")).status_code == 429
    assert Suggestion.objects.count() == 2


# --- similar suggestions while typing --------------------------------------------------------


def test_similar_offers_up_to_five_published_suggestions_of_the_campaign(client):
    campaign = CampaignFactory()
    for number in range(7):
        published(campaign=campaign, title=f"建议增设社区公交线路第{number}条", problem="公交站点太远。")
    published(campaign=campaign, title="老旧小区加装电梯", problem="老人上下楼难。")
    SuggestionFactory(campaign=campaign, title="建议增设社区公交线路未公开")
    published(campaign=CampaignFactory(), title="别的活动:社区公交线路")
    url = reverse("suggestions:similar", args=[campaign.slug])
    results = client.get(url, {"title": "社区公交线路太少"}).json()["results"]
    assert len(results) == 5
    assert all("社区公交线路" in result["title"] for result in results)
    assert all(result["url"].startswith(f"/suggestions/{campaign.slug}/") for result in results)
    assert client.get(url, {"title": "电"}).json() == {"results": []}  # too short to look for
    assert client.get(url, {"title": "建议"}).json() == {"results": []}  # a word every title has
    assert client.get(url, {"title": "x" * 5000}).status_code == 200  # bounded, not refused
    assert client.get(reverse("suggestions:similar", args=["no-such"]), {"title": "公交"}).status_code == 404


# --- my suggestions ---------------------------------------------------------------------------


def test_mine_lists_only_my_suggestions(client, author):
    mine = submitted(citizen=author, title="我的建言")
    submitted(citizen=citizen(), title="别人的建言")
    client.force_login(author)
    html = client.get(MINE).content.decode()
    assert "我的建言" in html and "别人的建言" not in html
    assert reverse("suggestions:mine_detail", args=[mine.reference]) in html
    assert "My suggestions" in client.get(INDEX).content.decode()  # in the account menu


def test_one_of_mine_shows_state_timeline_and_rejection_reason(client, author):
    suggestion = submitted(citizen=author, title="被驳回的建言")
    Suggestion.objects.filter(pk=suggestion.pk).update(state="rejected", rejection_reason="与本次活动主题无关")
    client.force_login(author)
    html = client.get(reverse("suggestions:mine_detail", args=[suggestion.reference])).content.decode()
    assert "Not approved" in html and "与本次活动主题无关" in html
    assert "Received" in html and "Online" in html  # the timeline's first step and its channel
    assert "Withdraw this suggestion" not in html
    someone = Client(HTTP_ACCEPT_LANGUAGE="en")
    someone.force_login(citizen())
    assert someone.get(reverse("suggestions:mine_detail", args=[suggestion.reference])).status_code == 404


def test_one_of_mine_shows_the_answers_as_written_to_me(client, author):
    suggestion = submitted(citizen=author)
    Suggestion.objects.filter(pk=suggestion.pk).update(state="approved", number="JY2026-SM-0042", sequence=42)
    answer(suggestion, (DepartmentFactory(name="园林局"), Outcome.ADOPTED, "已纳入计划。", True))
    client.force_login(author)
    html = client.get(reverse("suggestions:mine_detail", args=[suggestion.reference])).content.decode()
    assert "JY2026-SM-0042" in html and "园林局" in html and "私下答复:已纳入计划。" in html


def test_withdraw_needs_a_reason_and_only_while_pending(client, author):
    suggestion = submitted(citizen=author)
    client.force_login(author)
    url = reverse("suggestions:withdraw", args=[suggestion.reference])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Say why you withdraw" in response.content.decode()
    response = client.post(url, {"reason": "已通过其他渠道反映"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.withdrawal_reason) == ("withdrawn", "已通过其他渠道反映")
    html = client.get(response.url).content.decode()
    assert "You withdrew this suggestion" in html and "Withdraw this suggestion" not in html
    again = client.post(url, {"reason": "再撤一次"}, follow=True)
    assert "cannot be handled this way" in again.content.decode()
    other = Client()
    other.force_login(citizen())
    assert other.post(url, {"reason": "不是我的"}).status_code == 404


# --- files -----------------------------------------------------------------------------------


def test_files_are_public_only_for_published_suggestions_and_then_under_neutral_names(client, author):
    shown = published(citizen=author)
    hidden = SuggestionFactory(citizen=author)
    shown_file, hidden_file = attach(shown), attach(hidden)
    page = client.get(detail_url(shown)).content.decode()
    assert "Attachment 1.pdf" in page and "王小明的材料" not in page
    public = client.get(reverse("suggestions:attachment", args=[shown_file.pk]))
    assert public.status_code == 200
    assert "Attachment%201.pdf" in public["Content-Disposition"] or "Attachment 1.pdf" in public["Content-Disposition"]
    assert "public" in public["Cache-Control"]
    assert client.get(reverse("suggestions:attachment", args=[hidden_file.pk])).status_code == 404
    client.force_login(author)
    own = client.get(reverse("suggestions:attachment", args=[hidden_file.pk]))
    assert own.status_code == 200 and "private" in own["Cache-Control"]
    assert "%E7%8E%8B" in own["Content-Disposition"]  # 王…: the uploaded name, for its author
    stranger = Client()
    stranger.force_login(citizen())
    assert stranger.get(reverse("suggestions:attachment", args=[hidden_file.pk])).status_code == 404
    assert client.get(reverse("suggestions:attachment", args=[10**25])).status_code == 404


def test_staff_see_the_files_of_suggestions_they_work_on(client):
    suggestion = SuggestionFactory(state=Suggestion.State.APPROVED)
    department = DepartmentFactory()
    answer(suggestion, (department, "", "", True), state=Suggestion.State.FORWARDED)
    url = reverse("suggestions:attachment", args=[attach(suggestion).pk])
    for user, allowed in (
        (clerk(), True),
        (staff_of(department), True),
        (staff_of(DepartmentFactory()), False),
        (UserFactory(is_staff=True), False),  # staff without the permission
    ):
        client.force_login(user)
        response = client.get(url)
        assert (response.status_code == 200) is allowed, user
        if allowed:
            assert "private" in response["Cache-Control"]


# --- privacy ----------------------------------------------------------------------------------

FULL_WIDTH_MOBILE = "１３９１２３４５６７８"
SPACED_MOBILE = "139 1234 5678"


def test_public_pages_never_show_personal_data(client, django_capture_on_commit_callbacks):
    """Through the real intake: the name in the text, phones typed full-width and spaced, the
    contact fields; the author's name nowhere without consent."""
    campaign = CampaignFactory()
    suggestion = submitted(
        campaign=campaign,
        title="王小明建议增设公交线路",
        problem=f"我是王小明,电话{FULL_WIDTH_MOBILE},也可拨{SPACED_MOBILE},邮箱wxm@example.com。",
        measures="建议开通夜班车。身份证110101199003074518。",
        contact_name="王小明",
        contact_mobile="13812345678",
        contact_email="wxm@example.com",
        area="人民路88号",
        publish_consent=True,
        name_consent=False,
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(
        state="approved", number="JY2026-SM-0001", sequence=1, published_at=timezone.now()
    )
    suggestion.refresh_from_db()
    secrets = (
        "王小明",
        "小明",
        FULL_WIDTH_MOBILE,
        SPACED_MOBILE,
        "13912345678",
        "13812345678",
        "wxm@example.com",
        "110101199003074518",
        "人民路88号",
    )
    pages = [INDEX, campaign_url(campaign), detail_url(suggestion)]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in html, (url, secret)
        assert_csp_clean(html)
    similar = client.get(reverse("suggestions:similar", args=[campaign.slug]), {"title": "增设公交线路"}).content
    assert similar and all(secret not in similar.decode("unicode_escape") for secret in secrets)
    detail = client.get(detail_url(suggestion)).content.decode()
    assert "王某" in detail  # the name masked in the text
    assert "Author" not in detail  # no name without consent


def test_the_author_is_named_only_with_consent(client):
    named = published(contact_name="李大海", name_consent=True)
    unnamed = published(contact_name="赵小川", name_consent=False)
    assert "李大海" in client.get(detail_url(named)).content.decode()
    assert "赵小川" not in client.get(detail_url(unnamed)).content.decode()


def test_markup_is_escaped_on_fresh_and_cached_pages(client):
    payload = '<script>alert("x")</script>'
    suggestion = published(title=f"标题{payload}", problem=f"内容{payload}")
    for url in (campaign_url(suggestion.campaign), detail_url(suggestion)):
        for _attempt in ("fresh", "cached"):
            html = client.get(url).content.decode()
            assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_campaign_markup_is_escaped_on_the_fresh_and_cached_index(client):
    payload = '<script>alert("x")</script>'
    CampaignFactory(title=f"活动{payload}", theme=f"主题{payload}")
    for _attempt in ("fresh", "cached"):
        html = client.get(INDEX).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_a_follow_through_the_service_shows_at_once(client, django_capture_on_commit_callbacks):
    suggestion = published()
    assert "<strong>0</strong> people follow" in client.get(detail_url(suggestion)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        follows.suggestion_follow(suggestion=suggestion, user=citizen())
    assert "<strong>1</strong> person follows" in client.get(detail_url(suggestion)).content.decode()


def test_the_header_and_home_page_declare_the_area(client):
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert INDEX in home and "建言" in home
    english_home = client.get(reverse("home")).content.decode()
    assert "Public suggestions" in english_home
    assert "Review of a suggestion" in english_home  # its deadline rules


def test_the_list_count_is_capped(client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "PUBLIC_MAX_ROWS", 3)
    campaign = CampaignFactory()
    for _ in range(5):
        published(campaign=campaign)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(campaign_url(campaign))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "LIMIT 3" in q["sql"]]
    assert len(counts) == 1


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_campaign_banner_is_served_only_for_published_campaigns_and_only_as_an_image(client):
    shown = CampaignFactory()
    shown.banner.save("banner.png", ContentFile(png_bytes()))
    response = client.get(reverse("suggestions:banner", args=[shown.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "public" in response["Cache-Control"]
    assert reverse("suggestions:banner", args=[shown.slug]) in client.get(campaign_url(shown)).content.decode()
    hidden = CampaignFactory(is_published=False)
    hidden.banner.save("banner.png", ContentFile(png_bytes()))
    assert client.get(reverse("suggestions:banner", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("suggestions:banner", args=[CampaignFactory().slug])).status_code == 404  # none
    disguised = CampaignFactory()
    disguised.banner.save("banner.png", ContentFile(b"<html><script>alert(1)</script></html>"))
    assert client.get(reverse("suggestions:banner", args=[disguised.slug])).status_code == 404
