"""A campaign's analysis and summary report, and the clerks' export (suggestions.report_urls).

Public, shared by every anonymous visitor (portal.pagecache):
* `analysis`: the hot topics and breakdowns as the analysis task stored them, once the analysis
  phase has begun, each chart with a table of the same figures;
* `report`: the published summary report without personal data.

Staff (signed in, staff, with the permission named):
* `report_staff`: any version of the report with its print stylesheet (view_campaignreport);
* `report_xlsx`: the same as a workbook (view_campaignreport);
* `export`: every suggestion of a campaign with its answers, CSV or XLSX (view_suggestion, for
  clerks who see all departments).

Nothing here computes an analysis or a report: the pages read what the tasks stored.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import exports
from portal.masking import mask_personal_data
from portal.pagecache import shared_with_anonymous
from portal.scoping import sees_all_departments
from suggestions import analysis_display, selectors
from suggestions import exports as suggestion_exports
from suggestions.models import Campaign, CampaignReport
from suggestions.services import reports

REPORT_PERMISSION = "suggestions.view_campaignreport"
EXPORT_PERMISSION = "suggestions.view_suggestion"


def _published_campaign(slug: str) -> Campaign:
    campaign = selectors.public_campaign(slug)
    if campaign is None:
        raise Http404
    return campaign


@shared_with_anonymous
@require_http_methods(["GET", "HEAD"])
def analysis(request, slug: str):
    """The public analysis: from the first day of the analysis phase, as last computed."""
    campaign = _published_campaign(slug)
    started = timezone.localdate() >= campaign.analysis_on
    stored = selectors.campaign_analysis(campaign)
    context = {"campaign": campaign, "started": started, "analysis": stored}
    if stored is not None:
        shown = analysis_display.analysis_display(stored)
        context |= {
            "shown": shown,
            "chart_data": shown.chart_data(),
            "valuable": analysis_display.valuable_published(stored),
        }
    return render(request, "suggestions/analysis.html", context)


def _report_context(report: CampaignReport, *, public: bool) -> dict:
    figures = report.figures
    published_ids = reports.public_suggestion_ids(figures) if public else None
    outcomes, lessons = report.outcomes, report.lessons
    if public:
        # The office writes these sections; a citizen it names who did not agree to be named is
        # masked like any number (the page is shared, so this runs once per page generation).
        names = selectors.campaign_unnamed_authors(report.campaign)
        outcomes, lessons = mask_personal_data(outcomes, names=names), mask_personal_data(lessons, names=names)
    return {
        "report": report,
        "campaign": report.campaign,
        "tables": reports.report_tables(figures, public=public, published_ids=published_ids),
        "outcomes": outcomes,
        "lessons": lessons,
        "computed_at": timezone.localtime(datetime.fromisoformat(figures["computed_at"])),
        "public": public,
    }


@shared_with_anonymous
@require_http_methods(["GET", "HEAD"])
def report(request, slug: str):
    """The published summary report, for everyone; 404 until a version is published."""
    campaign = _published_campaign(slug)
    published = selectors.campaign_published_report(campaign)
    if published is None:
        raise Http404
    return render(request, "suggestions/report.html", _report_context(published, public=True))


def _require_staff(request, permission: str) -> None:
    user = request.user
    if not (user.is_staff and user.has_perm(permission)):
        raise PermissionDenied


def _staff_report(request, slug: str, version: int) -> CampaignReport:
    _require_staff(request, REPORT_PERMISSION)
    return get_object_or_404(CampaignReport.objects.select_related("campaign"), campaign__slug=slug, version=version)


@login_required
@require_http_methods(["GET", "HEAD"])
def report_staff(request, slug: str, version: int):
    """One version of the report for the office, laid out for printing (every figure, the
    consented author names of excellent suggestions, the version's history link)."""
    found = _staff_report(request, slug, version)
    context = _report_context(found, public=False) | {
        "versions": list(CampaignReport.objects.filter(campaign=found.campaign).order_by("-version").only("version")),
    }
    return render(request, "suggestions/report_staff.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def report_xlsx(request, slug: str, version: int):
    found = _staff_report(request, slug, version)
    title = _("Campaign summary report (活动总结报告): %(campaign)s, version %(version)s") % {
        "campaign": found.campaign.title,
        "version": found.version,
    }
    return exports.xlsx_response(
        reports.report_rows(found, title=title),
        filename=f"minsheng-report-{found.campaign.slug}-v{found.version}.xlsx",
        title=_("Summary report"),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def export(request, slug: str, fmt: str):
    """Every suggestion of the campaign with its answers, for clerks: CSV streamed row by row,
    XLSX through a temporary file. No contact data (suggestions.exports)."""
    _require_staff(request, EXPORT_PERMISSION)
    if not sees_all_departments(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(Campaign, slug=slug)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = suggestion_exports.export_rows(campaign)
    filename = f"minsheng-suggestions-{campaign.slug}-{stamp}"
    if fmt == "csv":
        return exports.csv_response(rows, filename=f"{filename}.csv")
    if fmt == "xlsx":
        return exports.xlsx_response(rows, filename=f"{filename}.xlsx", title=_("Suggestions"))
    raise Http404
