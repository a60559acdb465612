"""The ledger (问题台账) and the monthly reports (月报): internal pages for office clerks and
administrators (`petitions.view_ledger`; the reports also with `petitions.view_monthlyreport`).

Views: permission, GET form, selectors (petitions.ledger, petitions.reports), render or stream.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from petitions import ledger, reports
from petitions.models import Category, MonthlyReport, Petition
from portal import deadlines, exports, params
from portal.forms import PortalForm
from portal.models import Department
from portal.scoping import sees_all_departments, user_department_ids


class LedgerFilterForm(PortalForm):
    """The ledger's GET filters; an invalid value is ignored (never a server error)."""

    state = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("", gettext_lazy("All states")), *Petition.State.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Lead department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All kinds")), *Petition.Kind.choices], required=False
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("All channels")), *Petition.Channel.choices],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    received_from = params.DateField(
        label=gettext_lazy("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = params.DateField(
        label=gettext_lazy("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue_only = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        if not sees_all_departments(user):
            departments = departments.filter(id__in=user_department_ids(user))
        self.fields["department"].queryset = departments
        for name, field in self.fields.items():
            if name == "overdue_only":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"

    def filters(self) -> ledger.LedgerFilter:
        if not self.is_bound:
            return ledger.LedgerFilter()
        self.is_valid()
        # Keep the valid fields of a partly invalid form: one bad date does not drop the rest.
        data = self.cleaned_data
        department, category = data.get("department"), data.get("category")
        return ledger.LedgerFilter(
            state=data.get("state") or "",
            department=department.pk if department else None,
            kind=data.get("kind") or "",
            channel=data.get("channel") or "",
            category=category.pk if category else None,
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            overdue_only=bool(data.get("overdue_only")),
        )


def _require_ledger(request) -> None:
    if not ledger.may_view_ledger(request.user):
        raise PermissionDenied


def _require_reports(request) -> None:
    user = request.user
    if not (ledger.may_view_ledger(user) or user.has_perm("petitions.view_monthlyreport")):
        raise PermissionDenied


def _filtered(request, now):
    form = LedgerFilterForm(request.GET or None, user=request.user)
    return form, ledger.ledger_petitions(user=request.user, filters=form.filters(), now=now)


def _page_number(request) -> int:
    return params.parse_page(request.GET.get("page"))


@login_required
@require_GET
def ledger_view(request):
    _require_ledger(request)
    now = timezone.now()
    form, queryset = _filtered(request, now)
    page = _page_number(request)
    rows, has_next = ledger.ledger_page(queryset, page=page, now=now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/ledger.html",
        {
            "form": form,
            "rows": rows,
            "page_number": page,
            "has_next": has_next,
            "has_previous": page > 1,
            "filter_query": query.urlencode(),
            "now": now,
        },
    )


@login_required
@require_GET
def ledger_export(request, fmt: str):
    """The whole filtered ledger, streamed: CSV row by row, XLSX through a temporary file."""
    _require_ledger(request)
    now = timezone.now()
    _form, queryset = _filtered(request, now)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    rows = ledger.export_rows(queryset, now=now)
    if fmt == "csv":
        return exports.csv_response(rows, filename=f"minsheng-ledger-{stamp}.csv")
    if fmt == "xlsx":
        return exports.xlsx_response(rows, filename=f"minsheng-ledger-{stamp}.xlsx", title=_("Ledger"))
    raise Http404


# --- monthly reports ------------------------------------------------------------------------------


def _month(value: str) -> date:
    month = params.parse_month(value)
    if month is None:
        raise Http404
    return month


@login_required
@require_GET
def reports_view(request):
    _require_reports(request)
    now = timezone.now()
    return render(
        request,
        "petitions/reports.html",
        {
            "reports": reports.monthly_reports(),
            "current_month": reports.month_first(deadlines.local_date(now)),
        },
    )


@login_required
@require_GET
def report_view(request, month: str):
    """A stored report; a month without one (the current month, or one not yet generated) is
    computed live and labelled provisional. A future month does not exist."""
    _require_reports(request)
    first = _month(month)
    now = timezone.now()
    stored = MonthlyReport.objects.filter(month=first).first()
    if stored is not None:
        figures, provisional = stored.figures, False
    else:
        if first > reports.month_first(deadlines.local_date(now)):
            raise Http404
        figures, provisional = reports.monthly_report_figures(first, now), True
    columns = reports.report_columns(figures)
    rows = [_display_row(row, columns) for row in figures["rows"]]
    legacy = reports.is_legacy(figures)
    return render(
        request,
        "petitions/report.html",
        {
            "month": first,
            "report": stored,
            "provisional": provisional,
            "computed_at": timezone.localtime(datetime.fromisoformat(figures["computed_at"])),
            "columns": columns,
            "rows": rows,
            "total": _display_row(figures["total"], columns),
            # Stored before the report was the performance page's table: its own caption.
            "legacy": legacy,
            "terms": [] if legacy else reports.report_terms(),
        },
    )


def _display_row(row: dict, columns) -> dict:
    cells = []
    for key, _label in columns:
        value = reports.report_cell(row, key)
        if value is None:
            cells.append("—")
        elif key in reports.RATE_KEYS:
            cells.append(f"{value}%")
        else:
            cells.append(value)
    return {"department": reports.row_label(row), "cells": cells}


@login_required
@require_GET
def report_xlsx(request, month: str):
    """A stored report as an XLSX workbook."""
    _require_reports(request)
    first = _month(month)
    stored = MonthlyReport.objects.filter(month=first).first()
    if stored is None:
        raise Http404
    title = _("Monthly report of petition tickets (月报) %(month)s") % {"month": f"{first:%Y-%m}"}
    return exports.xlsx_response(
        reports.report_rows(stored.figures, title=title),
        filename=f"minsheng-report-{first:%Y-%m}.xlsx",
        title=stored.figures["month"],
    )
