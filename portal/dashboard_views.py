"""The dashboards' views: permission, form, selectors (portal.dashboards), render.

/dashboard/ and /dashboard/performance/ are for office clerks and administrators (all
departments) and heads of department (their own); /stats/ is public and served from the cache.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from portal import clocks, dashboards, deadlines, exports, params, registry
from portal.dashboard_forms import BoardFilterForm, PeriodForm, UrgeForm
from portal.dashboards import DashboardScope, Period
from portal.models import Clock
from portal.pagecache import shared_with_anonymous


def _scope(request) -> DashboardScope:
    scope = dashboards.dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


FILTER_PARAMETERS = ("department", "area", "kind", "status", "sort", "page")


@login_required
@require_GET
def dashboard(request):
    scope = _scope(request)
    now = timezone.now()
    filters = BoardFilterForm(request.GET or None, scope=scope)
    items = dashboards.board_items(scope=scope, now=now, **(filters.filters() if request.GET else {}))
    page, page_clocks = dashboards.board_page(items, params.parse_page(request.GET.get("page")))
    rows = dashboards.board_rows(page_clocks, now=now)
    _end_of_today, horizon = dashboards.due_horizons(now)
    figures = dashboards.board_figures_cached(scope=scope, now=now)
    return render(
        request,
        "portal/dashboard.html",
        {
            "scope": scope,
            "now": now,
            "horizon": horizon,
            "headline": figures.headline,
            "figures_at": figures.computed_at,
            "areas": [(area, dashboards.area_total_label(area)) for area in dashboards.installed_areas()],
            "area_labels": registry.clock_areas(),
            "departments": figures.departments,
            "figure": dashboards.FIGURES,
            "terms": dashboards.figure_terms(
                "deadlines_overdue", "open_items", "overdue_items", "met_this_month", "met_on_time_this_month"
            ),
            "filters": filters,
            "page": page,
            "rows": rows,
            "urge_form": UrgeForm() if scope.can_urge else None,
            "query": request.GET.urlencode(),
            "missing_years": dashboards.board_warnings(now=now),
            "thresholds": {
                "red_overdue": round(dashboards.RED_OVERDUE_SHARE * 100),
                "red_on_time": round(dashboards.RED_ON_TIME_RATE * 100),
                "amber_on_time": round(dashboards.AMBER_ON_TIME_RATE * 100),
            },
        },
    )


def _back_to_board(query: str | None):
    # Only the board's own filters go back into the address: nothing else from the form is echoed.
    kept = QueryDict(params.parse_text(query, max_length=2000))
    filters = [(key, value) for key in FILTER_PARAMETERS for value in kept.getlist(key)]
    return redirect(reverse("dashboard") + (f"?{urlencode(filters)}" if filters else ""))


@login_required
@require_POST
def dashboard_urge(request):
    """Urge (催办) the ticked items' departments in one go; needs `portal.urge_work`."""
    scope = _scope(request)
    if not scope.can_urge:
        raise PermissionDenied
    ids = params.parse_ids(request.POST.getlist("clocks"))
    # Only open work in the user's scope can be urged, whatever ids were posted.
    allowed = list(scope.clocks().filter(id__in=ids, state__in=Clock.OPEN_STATES).order_by("pk"))
    form = UrgeForm(request.POST)
    if not allowed or not form.is_valid():
        messages.error(request, _("Tick at least one open item to urge."))
        return _back_to_board(request.POST.get("query"))
    # Through each item's own service (portal.subjects), so its timeline records the urge.
    outcome = clocks.clocks_urge_by_subject(clocks=allowed, note=form.cleaned_data["note"], actor=request.user)
    if outcome.urged or not outcome.refused:
        messages.success(
            request,
            ngettext(
                "Urged %(count)s item: its department has been notified.",
                "Urged %(count)s items: their departments have been notified.",
                outcome.urged,
            )
            % {"count": outcome.urged},
        )
    if outcome.refused:
        messages.error(
            request,
            ngettext(
                "%(count)s item was not urged: %(reasons)s",
                "%(count)s items were not urged: %(reasons)s",
                len(outcome.refused),
            )
            % {"count": len(outcome.refused), "reasons": outcome.refusals()},
        )
    return _back_to_board(request.POST.get("query"))


def _performance(request):
    scope = _scope(request)
    now = timezone.now()
    today = deadlines.local_date(now)
    form = PeriodForm(request.GET or None, initial={"period": Period.MONTH, "month": today.replace(day=1)})
    kind, month, start, end = form.bounds(today)
    report = dashboards.department_performance(scope=scope, start=start, end=end, now=now)
    return scope, now, form, kind, month, report


@login_required
@require_GET
def performance(request):
    scope, _now, form, kind, month, report = _performance(request)
    trend = dashboards.performance_trend_cached(
        department_ids=None if scope.all_departments else list(scope.department_ids),
        last_month=deadlines.local_date(report.end - timedelta(microseconds=1)).replace(day=1),
    )
    return render(
        request,
        "portal/dashboard_performance.html",
        {
            "scope": scope,
            "form": form,
            "period_kind": kind,
            "period_label": _period_label(kind, month),
            "report": report,
            "trend": trend,
            "chart_data": dashboards.chart_data(trend),
            "figure": dashboards.FIGURES,
            "terms": [*dashboards.figure_terms(*PERFORMANCE_FIGURES), *_metric_terms(report.metrics)],
            "query": request.GET.urlencode(),
        },
    )


def _period_label(kind: str, month) -> str:
    if kind == Period.YEAR:
        return str(month.year)
    if kind == Period.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": (month.month - 1) // 3 + 1, "year": month.year}
    return f"{month:%Y-%m}"


@login_required
@require_GET
def performance_export(request):
    """The performance table as an XLSX workbook (portal.exports)."""
    _scope_unused, now, _form, kind, month, report = _performance(request)
    rows = [
        [_("Department performance"), _period_label(kind, month)],
        [],
        [str(label) for label in performance_columns(report)],
        *[performance_values(row, report) for row in [*report.rows, report.totals]],
        [],
        [_("Exported at"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M")],
    ]
    filename = f"minsheng-performance-{kind}-{deadlines.local_date(report.start):%Y-%m}.xlsx"
    return exports.xlsx_response(rows, filename=filename, title=_("Performance"))


# The performance page's figures in its table's order (defined once, in portal.dashboards.figures).
PERFORMANCE_FIGURES = dashboards.PERFORMANCE_FIGURES


def _metric_terms(metrics) -> list:
    """The provided metrics that say what they count, as terms for the page's definition list."""
    return [
        dashboards.FigureTerm(metric.key, metric.label, metric.definition) for metric in metrics if metric.definition
    ]


def performance_columns(report) -> list:
    return [
        _("Rank"),
        _("Department"),
        *[dashboards.FIGURES[key].label for key in PERFORMANCE_FIGURES],
        *[metric.label for metric in report.metrics],
    ]


def _percent(value):
    rounded = dashboards.as_percent(value)
    return float(rounded) if rounded is not None else None


def _round(value):
    rounded = dashboards.half_up(value)
    return float(rounded) if rounded is not None else None


def performance_values(row, report) -> list:
    extra = []
    for metric in report.metrics:
        value = row.extra.get(metric.key)
        extra.append(_percent(value) if metric.format == "rate" else value)
    return [
        row.rank,
        row.name,
        row.received,
        row.acknowledge_due,
        row.acknowledged_in_time,
        _percent(row.acknowledged_rate),
        row.replied,
        row.replied_on_time,
        _percent(row.on_time_rate),
        row.overdue,
        _round(row.average_reply_days),
        _round(row.p90_reply_days),
        *extra,
    ]


@shared_with_anonymous
@require_GET
def stats(request):
    """公布运行情况: the platform's operation in figures, for everyone; served from the cache."""
    data = dashboards.public_stats()
    if data is None:  # being computed by another request right now
        response = render(request, "portal/stats_pending.html", status=503)
        response["Retry-After"] = "30"
        return response
    provided = data["provided"]
    language = translation.get_language()
    for metric in provided["metrics"]:
        labels = metric["labels"]
        metric["label"] = labels.get(language) or next(iter(labels.values()), metric["key"])
        definitions = metric.get("definitions") or {}
        metric["definition"] = definitions.get(language) or next(iter(definitions.values()), "")
    # One section per area an installed app declares (dashboards.installed_areas), in the order
    # computed: an area not built yet shows nothing rather than a row of zeros.
    sections = [
        {"area": area, "title": dashboards.area_title(area), "figures": data["areas"][area]}
        for area in data["area_order"]
    ]
    first = sections[0]["figures"] if sections else {"months": []}
    provided_terms = [
        dashboards.FigureTerm(metric["key"], metric["label"], metric["definition"])
        for metric in provided["metrics"]
        if metric["definition"]
    ]
    return render(
        request,
        "portal/stats.html",
        {
            "stats": data,
            "computed_at": parse_datetime(data["computed_at"]),
            "sections": sections,
            "provided": provided,
            "figure": dashboards.FIGURES,
            "terms": [*dashboards.figure_terms(*dashboards.PUBLIC_STATS_FIGURES), *provided_terms],
            "chart_data": {
                "labels": [month["month"] for month in first["months"]],
                "received": [month["received"] for month in first["months"]],
                "replied": [month["answered"] for month in first["months"]],
            },
        },
    )
