"""Campaigns in the admin: categories (administrators), campaigns with their phases, categories,
departments, invited experts and banner (clerks and administrators), closing a phase early
(suggestions.services.campaigns.campaign_close_phase) and the news column (活动动态), whose posts
are written through the campaign services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_actions import action_page
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.exceptions import DomainError
from portal.history_admin import HistoryAdmin
from portal.pagecache import AnnouncesPublicChangeAdmin
from portal.roles import EXPERT
from portal.scoping import NotDepartmentWorkAdminMixin
from suggestions.admin_forms import CampaignForm, ClosePhaseForm, NewsForm
from suggestions.models import PHASE_START_FIELDS, Campaign, CampaignNews, Category, Phase, Suggestion
from suggestions.services import campaigns as services


@admin.register(Category)
class CategoryAdmin(DeclaredFiltersAdminMixin, AnnouncesPublicChangeAdmin, HistoryAdmin):
    """Administrators edit the suggestion categories; a category in use is retired, not deleted."""

    list_display = ("name", "name_en", "code", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")
    ordering = ("order", "name")

    def has_delete_permission(self, request, obj=None):
        # Suggestions keep their category (PROTECT): retire it instead.
        if obj is not None and Suggestion.objects.filter(category=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(NotDepartmentWorkAdminMixin, DeclaredFiltersAdminMixin, AnnouncesPublicChangeAdmin, HistoryAdmin):
    """A campaign's theme, phases and settings. Once a phase has begun its start date is history:
    read-only here; the current phase is closed early with its own page, which records why. The
    number pattern is fixed once a suggestion has its number."""

    not_department_work_because = (
        "Its departments are those a campaign concerns, not their work; the office runs campaigns."
    )

    form = CampaignForm
    list_display = ("title", "slug", "current_phase", "collection_on", "summary_on", "ends_on", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title", "slug")
    ordering = ("-collection_on", "-id")
    prepopulated_fields = {}
    filter_horizontal = ("categories", "departments", "experts")
    fieldsets = (
        (_("Campaign"), {"fields": ("title", "slug", "theme", "description", "tips", "banner", "is_published")}),
        (
            _("Phases (活动安排)"),
            {
                "description": _(
                    "Each phase starts on its date (Beijing time) and lasts until the next one starts; the summary "
                    "lasts until the campaign ends. Only the collection phase accepts suggestions."
                ),
                "fields": (
                    ("preparation_on", "collection_on"),
                    ("analysis_on", "feedback_on"),
                    ("summary_on", "ends_on"),
                ),
            },
        ),
        (_("Categories and departments"), {"fields": ("categories", "departments")}),
        (
            _("Experts (专家论证)"),
            {
                "description": _(
                    "Invited experts see and assess this campaign's suggestions only, without the authors' contact "
                    "details. Only accounts with the Expert role can be invited."
                ),
                "fields": ("experts",),
            },
        ),
        (_("Numbers and attention"), {"fields": ("number_pattern", "attention_threshold")}),
    )

    @admin.display(description=_("current phase"))
    def current_phase(self, obj):
        phase = obj.phase
        return Phase(phase).label if phase else "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        today = timezone.localdate()
        readonly += [field for field in PHASE_START_FIELDS.values() if getattr(obj, field) <= today]
        if obj.ends_on < today:
            readonly.append("ends_on")
        if Suggestion.objects.filter(campaign=obj).exclude(number="").exists():
            readonly.append("number_pattern")
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "experts":
            kwargs["queryset"] = (
                db_field.related_model.objects.filter(groups__name=EXPERT, is_active=True)
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # a campaign keeps its suggestions and its history; unpublish it instead

    # --- closing a phase early ---------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/close-phase/",
                self.admin_site.admin_view(self.close_phase_view),
                name="suggestions_campaign_close_phase",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        campaign = self.get_object(request, object_id)
        if campaign is not None and request.user.has_perm(services.MANAGE):
            phase = campaign.phase
            if phase and services.next_phase(phase):
                extra_context["close_phase_url"] = reverse("admin:suggestions_campaign_close_phase", args=[campaign.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def close_phase_view(self, request, object_id):
        if not request.user.has_perm(services.MANAGE):
            raise PermissionDenied
        campaign = self.get_object(request, object_id)
        if campaign is None:
            raise Http404
        form = ClosePhaseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.campaign_close_phase(campaign=campaign, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("The phase was closed; the next phase starts today."))
                return redirect(reverse("admin:suggestions_campaign_change", args=[campaign.pk]))
        phase = campaign.phase
        following = services.next_phase(phase) if phase else None
        summary = [
            (gettext("Current phase"), Phase(phase).label if phase else "—"),
            (gettext("Next phase, from today"), Phase(following).label if following else "—"),
        ]
        return action_page(
            request,
            self,
            original=campaign,
            form=form,
            title=gettext("Close the current phase early"),
            description=form.description,
            summary=summary,
        )


@admin.register(CampaignNews)
class CampaignNewsAdmin(DeclaredFiltersAdminMixin, HistoryAdmin):
    """The campaign news column (活动动态): clerks post, correct and remove short news; every
    version is kept in the history."""

    form = NewsForm
    list_display = ("title", "campaign", "published_on", "author")
    list_filter = ("campaign",)
    list_select_related = ("campaign", "author")
    search_fields = ("title",)
    ordering = ("-published_on", "-id")
    date_hierarchy = "published_on"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                saved = services.campaign_news_edit(
                    news=CampaignNews.objects.get(pk=obj.pk),
                    actor=request.user,
                    title=data["title"],
                    body=data["body"],
                    published_on=data.get("published_on"),
                )
            else:
                saved = services.campaign_news_create(
                    campaign=data["campaign"],
                    actor=request.user,
                    title=data["title"],
                    body=data["body"],
                    published_on=data.get("published_on"),
                )
        except DomainError as error:
            raise PermissionDenied(str(error)) from None
        obj.pk = saved.pk

    def get_readonly_fields(self, request, obj=None):
        # A post stays in its campaign's column.
        return ("campaign", "author") if obj is not None else ("author",)

    def delete_model(self, request, obj):
        services.campaign_news_delete(news=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for news in queryset:
            services.campaign_news_delete(news=news, actor=request.user)
