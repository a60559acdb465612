"""Running a campaign (活动安排): a clerk closes the current phase early, and writes, edits or
removes the posts of the campaign's news column (活动动态). Each write keeps its history (who,
when, why) and makes the public pages fresh after commit.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import notifications
from portal.exceptions import DomainError, NotPermitted
from portal.pagecache import public_content_changed
from portal.workflow import save_with_history
from suggestions.models import PHASE_START_FIELDS, Campaign, CampaignNews, Phase

MANAGE = "suggestions.manage_campaign"
PHASE_CLOSED_NOTICE = "suggestion_phase_closed"
PHASES = list(PHASE_START_FIELDS)


def _require_manager(actor) -> None:
    if actor is None or not actor.is_active or not actor.has_perm(MANAGE):
        raise NotPermitted(_("You are not allowed to run campaigns."))


def next_phase(phase: str) -> str | None:
    """The phase after `phase`; None after the summary."""
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


@transaction.atomic
def campaign_close_phase(*, campaign: Campaign, actor, reason: str, today: date | None = None) -> Campaign:
    """A clerk closes the campaign's current phase early (提前结束): the next phase starts today,
    the later phases keep their dates. The campaign's history records who did it and why, and
    the office's clerks are told. The summary, the last phase, ends on its date."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the phase is closed early; the campaign's history records it."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    today = today or timezone.localdate()
    phase = campaign.phase_on(today)
    if phase is None:
        raise DomainError(_("The campaign is not running today: it has no current phase to close."))
    following = next_phase(phase)
    if following is None:
        raise DomainError(_("The summary is the campaign's last phase; it ends on the campaign's end date."))
    if phase == Phase.COLLECTION and campaign.collection_on >= today:
        # Collection and analysis cannot start on the same day (campaign_phases_in_order).
        raise DomainError(_("The collection started today; it can be closed from tomorrow on."))
    setattr(campaign, PHASE_START_FIELDS[following], today)
    with translation.override(settings.LANGUAGE_CODE):
        closed_label, next_label = str(Phase(phase).label), str(Phase(following).label)
    save_with_history(
        campaign, actor, f"{phase} closed early: {reason}", public=campaign.is_published
    )  # the history keeps the first 100 characters; the notice the whole reason
    notifications.notify_office_clerks(
        kind=PHASE_CLOSED_NOTICE,
        context={
            "campaign": campaign.title,
            "phase": closed_label,
            "next": next_label,
            "date": today.isoformat(),
            "actor": actor.get_full_name() or actor.get_username(),
            "note": reason,
        },
        url=reverse("admin:suggestions_campaign_change", args=[campaign.pk]),
    )
    return campaign


def _news_fields(title: str, body: str, published_on: date | None) -> tuple[str, str, date]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise DomainError(_("A news post needs a title and a text."))
    return title, body, published_on or timezone.localdate()


def _save_news(news: CampaignNews, actor, reason: str) -> None:
    news._history_user = actor
    news._change_reason = reason
    news.save()
    if news.campaign.is_published:
        public_content_changed()


@transaction.atomic
def campaign_news_create(
    *, campaign: Campaign, actor, title: str, body: str, published_on: date | None = None
) -> CampaignNews:
    """A clerk posts to the campaign's news column (活动动态)."""
    _require_manager(actor)
    title, body, published_on = _news_fields(title, body, published_on)
    news = CampaignNews(campaign=campaign, title=title, body=body, published_on=published_on, author=actor)
    _save_news(news, actor, "posted")
    return news


@transaction.atomic
def campaign_news_edit(
    *, news: CampaignNews, actor, title: str, body: str, published_on: date | None = None
) -> CampaignNews:
    """A clerk corrects a news post; its history keeps every earlier version."""
    _require_manager(actor)
    news = CampaignNews.objects.select_for_update().select_related("campaign").get(pk=news.pk)
    news.title, news.body, news.published_on = _news_fields(title, body, published_on)
    _save_news(news, actor, "edited")
    return news


@transaction.atomic
def campaign_news_delete(*, news: CampaignNews, actor) -> None:
    """A clerk removes a news post; its history keeps it, with who removed it."""
    _require_manager(actor)
    news = CampaignNews.objects.select_for_update().select_related("campaign").get(pk=news.pk)
    news._history_user = actor
    news._change_reason = "removed"
    published = news.campaign.is_published
    news.delete()
    if published:
        public_content_changed()
