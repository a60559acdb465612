"""The suggestion list's filters: the moderation queue (待审核, the most urgent first), the review
deadlines on portal.admin_tools' clock filters, and the campaign and category, limited to what
the user sees.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import params
from portal.admin_tools import ClockDueSoonFilter, ClockOverdueFilter
from portal.scoping import user_department_ids
from suggestions.models import Campaign, Category, Suggestion
from suggestions.scoping import expert_campaign_ids, sees_every_suggestion

QUEUE_PARAMETER = "queue"
QUEUE_VALUE = "moderation"


class ModerationQueueFilter(admin.SimpleListFilter):
    """The moderation queue: suggestions awaiting review, ordered by when their 24 hours end
    (SuggestionAdmin.get_ordering), with overdue and due-soon markers."""

    title = _("moderation queue")
    parameter_name = QUEUE_PARAMETER

    def lookups(self, request, model_admin):
        return [(QUEUE_VALUE, _("Awaiting review, the most urgent first (审核队列)"))]

    def queryset(self, request, queryset):
        if self.value() == QUEUE_VALUE:
            return queryset.filter(state=Suggestion.State.PENDING)
        return queryset


def in_queue(request) -> bool:
    return request.GET.get(QUEUE_PARAMETER) == QUEUE_VALUE


class OverdueFilter(ClockOverdueFilter):
    """Suggestions with an overdue review or department answer."""


class DueSoonFilter(ClockDueSoonFilter):
    due_soon_label = _("Due soon (review: within 4 hours; answers: within a working day)")


def visible_campaigns(user):
    """The campaigns whose suggestions `user` may see (for the filter's choices; no scan of the
    suggestions)."""
    campaigns = Campaign.objects.order_by("-collection_on", "-id")
    if sees_every_suggestion(user):
        return campaigns
    condition = Q(pk__in=expert_campaign_ids(user))
    departments = user_department_ids(user)
    if departments:
        condition |= Q(
            pk__in=Campaign.departments.through.objects.filter(department_id__in=departments).values("campaign_id")
        )
    return campaigns.filter(condition)


class CampaignFilter(admin.SimpleListFilter):
    title = _("campaign")
    parameter_name = "campaign"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.title) for c in visible_campaigns(request.user)]

    def queryset(self, request, queryset):
        campaign_id = params.parse_id(self.value())
        return queryset.filter(campaign_id=campaign_id) if campaign_id else queryset


class CategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.display_name) for c in Category.objects.order_by("order", "name")]

    def queryset(self, request, queryset):
        category_id = params.parse_id(self.value())
        return queryset.filter(category_id=category_id) if category_id else queryset


class ExcellentFilter(admin.SimpleListFilter):
    """Suggestions the office selected as excellent (优秀建言), or not."""

    title = _("excellent suggestions")
    parameter_name = "excellent"

    def lookups(self, request, model_admin):
        return [("yes", _("Selected as excellent (优秀建言)")), ("no", _("Not selected"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(excellent_at__isnull=self.value() == "no")
        return queryset


class HighAttentionFilter(admin.SimpleListFilter):
    """High-attention suggestions (高关注: their campaign's threshold of followers reached), with
    or without a press briefing recorded yet, as the campaign plan has the office hold one."""

    title = _("high attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("high", _("High attention (高关注)")),
            ("no_briefing", _("High attention, no press briefing recorded yet")),
            ("briefing", _("Press briefing held")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "high":
            return queryset.filter(high_attention_at__isnull=False)
        if value == "no_briefing":
            return queryset.filter(high_attention_at__isnull=False, briefing_held_on__isnull=True)
        if value == "briefing":
            return queryset.filter(briefing_held_on__isnull=False)
        return queryset
