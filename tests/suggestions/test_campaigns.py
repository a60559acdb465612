"""Running a campaign: a clerk closes the current phase early (logged with who and why, clerks
told), its page in the admin, and the news column written through the services with history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import notifications
from portal.exceptions import DomainError, NotPermitted
from portal.models import Notice
from suggestions.models import CampaignNews, Phase
from suggestions.services import campaigns as services
from tests.factories import clerk
from tests.suggestions.factories import CampaignFactory, phase_dates
from tests.suggestions.staffside import reviewer

pytestmark = pytest.mark.django_db


def test_closing_the_collection_early_starts_the_analysis_today_and_is_logged():
    office, other = clerk(), clerk()
    campaign = CampaignFactory(phase=Phase.COLLECTION)
    feedback_on = campaign.feedback_on
    campaign = services.campaign_close_phase(campaign=campaign, actor=office, reason="征集目标已完成")
    campaign.refresh_from_db()
    today = timezone.localdate()
    assert campaign.analysis_on == today
    assert campaign.phase == Phase.ANALYSIS and not campaign.is_collecting
    assert campaign.feedback_on == feedback_on  # the later phases keep their dates
    record = campaign.history.first()
    assert record.history_user == office
    assert "collection closed early" in record.history_change_reason
    assert "征集目标已完成" in record.history_change_reason
    notice = Notice.objects.get(recipient=other, kind=services.PHASE_CLOSED_NOTICE)
    assert "征集目标已完成" in notifications.notice_text(notice)
    assert notice.url == reverse("admin:suggestions_campaign_change", args=[campaign.pk])


def test_closing_the_preparation_opens_the_collection_today():
    campaign = services.campaign_close_phase(
        campaign=CampaignFactory(phase=Phase.PREPARATION), actor=clerk(), reason="提前启动"
    )
    assert campaign.collection_on == timezone.localdate()
    assert campaign.is_collecting


def test_what_cannot_be_closed_early():
    office = clerk()
    with pytest.raises(DomainError):
        services.campaign_close_phase(campaign=CampaignFactory(phase=Phase.SUMMARY), actor=office, reason="结束")
    with pytest.raises(DomainError):
        services.campaign_close_phase(campaign=CampaignFactory(), actor=office, reason=" ")
    today = timezone.localdate()
    started_today = CampaignFactory(**(phase_dates(Phase.COLLECTION) | {"collection_on": today}))
    with pytest.raises(DomainError):
        services.campaign_close_phase(campaign=started_today, actor=office, reason="太早")
    over = CampaignFactory(**{field: today - timedelta(days=200 - n) for n, field in enumerate(phase_dates("summary"))})
    with pytest.raises(DomainError):
        services.campaign_close_phase(campaign=over, actor=office, reason="已结束")
    with pytest.raises(NotPermitted):
        services.campaign_close_phase(campaign=CampaignFactory(), actor=reviewer(), reason="无权")


def test_the_close_phase_page_is_the_clerks_only(client):
    campaign = CampaignFactory()
    url = reverse("admin:suggestions_campaign_close_phase", args=[campaign.pk])
    client.force_login(reviewer())
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 403
    client.force_login(clerk())
    page = client.get(reverse("admin:suggestions_campaign_change", args=[campaign.pk]))
    assert url in page.content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "", "confirm": "on"}).status_code == 200  # the form's error
    response = client.post(url, {"reason": "征集目标已完成", "confirm": "on"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == Phase.ANALYSIS


def test_phase_dates_already_begun_are_read_only_in_the_campaign_form(client):
    campaign = CampaignFactory(phase=Phase.ANALYSIS)
    client.force_login(clerk())
    form = client.get(reverse("admin:suggestions_campaign_change", args=[campaign.pk])).context["adminform"].form
    assert "collection_on" not in form.fields and "analysis_on" not in form.fields
    assert "feedback_on" in form.fields and "summary_on" in form.fields


def test_news_posts_are_written_through_the_services_with_history(client):
    office = clerk()
    campaign = CampaignFactory()
    client.force_login(office)
    add = client.post(
        reverse("admin:suggestions_campaignnews_add"),
        {
            "campaign": campaign.pk,
            "title": "座谈会预告",
            "body": "本周五下午召开建言座谈会。",
            "published_on": "2026-11-20",
        },
    )
    assert add.status_code == 302
    news = CampaignNews.objects.get()
    assert (news.author, news.history.get().history_user) == (office, office)
    change = client.post(
        reverse("admin:suggestions_campaignnews_change", args=[news.pk]),
        {"title": "座谈会改期", "body": "座谈会改为下周一。", "published_on": "2026-11-21"},
    )
    assert change.status_code == 302
    news.refresh_from_db()
    assert news.title == "座谈会改期"
    assert [r.history_change_reason for r in news.history.order_by("history_date")] == ["posted", "edited"]
    client.force_login(reviewer())
    assert client.post(reverse("admin:suggestions_campaignnews_add"), {}).status_code == 403
    with pytest.raises(NotPermitted):
        services.campaign_news_create(campaign=campaign, actor=reviewer(), title="x", body="y")
    with pytest.raises(DomainError):
        services.campaign_news_create(campaign=campaign, actor=office, title=" ", body="y")
    services.campaign_news_delete(news=news, actor=office)
    assert not CampaignNews.objects.exists()
    assert news.history.first().history_type == "-"


def test_a_number_pattern_that_cannot_number_is_a_form_error(client):
    campaign = CampaignFactory(phase=Phase.PREPARATION)
    client.force_login(clerk())
    url = reverse("admin:suggestions_campaign_change", args=[campaign.pk])
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if key in page.context["adminform"].form.fields and value is not None
    }
    data |= {
        "categories": [c.pk for c in campaign.categories.all()],
        "number_pattern": "JY{year}-{number:04d}",
        "banner": "",
    }
    for field in ("preparation_on", "collection_on", "analysis_on", "feedback_on", "summary_on", "ends_on"):
        if field in data:
            data[field] = data[field].isoformat()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "number_pattern" in response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.number_pattern == "JY{year}-{category}-{number:04d}"
