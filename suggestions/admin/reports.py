"""Campaign analyses and summary reports in the admin.

* Analyses (CampaignAnalysis) are written only by the analysis task: read-only here, with a
  "recompute now" action that queues the task (never computed in a request) and each campaign's
  export links (every suggestion with its answers, CSV or XLSX).
* Reports (CampaignReport): the office writes the sections (成效, 经验教训) on the change page
  (suggestions.services.reports.campaign_report_edit, with history), publishes or unpublishes a
  version, and asks for a new version (queued: a new version with the figures of that moment).
  The figures of a version are never edited; its print page and workbook are linked.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_input import AdminInputMixin
from portal.admin_tools import ReadOnlyAdminMixin
from portal.exceptions import DomainError
from portal.forms import PortalModelForm
from portal.history_admin import HistoryAdmin
from suggestions import tasks
from suggestions.models import CampaignAnalysis, CampaignReport
from suggestions.services import reports

MANAGE = reports.PERMISSION


def _may_manage(request) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(MANAGE)


def _export_links(campaign) -> str:
    return format_html(
        '<a href="{}">CSV</a> · <a href="{}">XLSX</a>',
        reverse("suggestions:export", args=[campaign.slug, "csv"]),
        reverse("suggestions:export", args=[campaign.slug, "xlsx"]),
    )


@admin.register(CampaignAnalysis)
class CampaignAnalysisAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, AdminInputMixin, admin.ModelAdmin):
    """Derived data, recomputed by the task: no history of its own (its inputs have theirs)."""

    list_display = ("campaign", "suggestions_counted", "keyword_list", "computed_at", "exports")
    list_select_related = ("campaign",)
    ordering = ("-computed_at",)
    fields = ("campaign", "suggestions_counted", "computed_at", "keyword_list", "figures")
    readonly_fields = fields
    actions = ["recompute"]

    @admin.display(description=_("hot topics"))
    def keyword_list(self, obj):
        return "、".join(item["term"] for item in obj.keywords[:10]) or "—"

    @admin.display(description=_("export suggestions"))
    def exports(self, obj):
        return _export_links(obj.campaign)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("terms")

    def has_view_permission(self, request, obj=None):
        return _may_manage(request) or super().has_view_permission(request, obj)

    @admin.action(description=_("Recompute now (queued; a minute at most)"))
    def recompute(self, request, queryset):
        if not _may_manage(request):
            raise PermissionDenied
        ids = list(queryset.values_list("campaign_id", flat=True))
        for campaign_id in ids:
            transaction.on_commit(lambda campaign_id=campaign_id: tasks.compute_campaign_analysis.delay(campaign_id))
        messages.info(
            request,
            ngettext(
                "The analysis of %(count)s campaign will be recomputed shortly.",
                "The analyses of %(count)s campaigns will be recomputed shortly.",
                len(ids),
            )
            % {"count": len(ids)},
        )


class ReportSectionsForm(PortalModelForm):
    class Meta:
        model = CampaignReport
        fields = ("outcomes", "lessons")
        widgets = {
            "outcomes": forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}),
            "lessons": forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}),
        }


@admin.register(CampaignReport)
class CampaignReportAdmin(DeclaredFiltersAdminMixin, HistoryAdmin):
    form = ReportSectionsForm
    list_display = ("campaign", "version", "is_published", "generated_at", "generated_by", "pages")
    list_filter = ("is_published", "campaign")
    list_select_related = ("campaign", "generated_by")
    ordering = ("campaign", "-version")
    readonly_fields = ("campaign", "version", "is_published", "generated_at", "generated_by", "pages", "exports")
    fieldsets = (
        (None, {"fields": ("campaign", "version", "is_published", "generated_at", "generated_by", "pages", "exports")}),
        (
            _("Written by the office"),
            {
                "description": _(
                    "What the campaign achieved (成效) and what was learned (经验教训). Every change is kept in the "
                    "history. The figures are those of this version and never change; ask for a new version for "
                    "newer figures."
                ),
                "fields": ("outcomes", "lessons"),
            },
        ),
    )
    change_form_template = "admin/suggestions/campaignreport/change_form.html"

    @admin.display(description=_("report"))
    def pages(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">XLSX</a>',
            reverse("suggestions:report_staff", args=[obj.campaign.slug, obj.version]),
            gettext("Print view"),
            reverse("suggestions:report_xlsx", args=[obj.campaign.slug, obj.version]),
        )

    @admin.display(description=_("export suggestions"))
    def exports(self, obj):
        return _export_links(obj.campaign)

    def has_add_permission(self, request, obj=None):
        return False  # versions are generated (the task, or "generate a new version")

    def has_delete_permission(self, request, obj=None):
        return False  # a version is never deleted: it is what was reported

    def has_change_permission(self, request, obj=None):
        return _may_manage(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request) or super().has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        reports.campaign_report_edit(
            report=obj, actor=request.user, outcomes=data.get("outcomes", ""), lessons=data.get("lessons", "")
        )

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here

    def log_change(self, request, obj, message):
        pass  # the report's history records the change (campaign_report_edit)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/report-<str:command>/",
                self.admin_site.admin_view(require_POST(self.command_view)),
                name="suggestions_campaignreport_command",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        report = self.get_object(request, object_id)
        if report is not None and _may_manage(request):
            extra_context["report_commands"] = [
                (
                    reverse("admin:suggestions_campaignreport_command", args=[report.pk, command]),
                    label,
                )
                for command, label in self._commands(report)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def _commands(self, report: CampaignReport) -> list[tuple[str, str]]:
        commands = [("unpublish", gettext("Unpublish"))] if report.is_published else [("publish", gettext("Publish"))]
        commands.append(("regenerate", gettext("Generate a new version with today's figures")))
        return commands

    def command_view(self, request, object_id, command):
        if not _may_manage(request):
            raise PermissionDenied
        report = self.get_object(request, object_id)
        if report is None or command not in {"publish", "unpublish", "regenerate"}:
            raise Http404
        change_url = reverse("admin:suggestions_campaignreport_change", args=[report.pk])
        try:
            if command == "publish":
                reports.campaign_report_publish(report=report, actor=request.user)
                messages.success(
                    request, gettext("Version %(version)s is now the public report.") % {"version": report.version}
                )
            elif command == "unpublish":
                reports.campaign_report_unpublish(report=report, actor=request.user)
                messages.success(request, gettext("The report was taken off the public page."))
            else:
                campaign_id, actor_id = report.campaign_id, request.user.pk
                transaction.on_commit(lambda: tasks.generate_campaign_report.delay(campaign_id, actor_id))
                messages.info(
                    request,
                    gettext(
                        "A new version is being generated with today's figures; it appears in the list within a "
                        "minute, unpublished, with these sections."
                    ),
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(change_url)
