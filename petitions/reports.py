"""The monthly report (月报) of petition tickets: figures per department, computed and stored once.

The report is the performance page's table (portal.dashboards.department_performance) for the
month and the petitions' area, every department shown, taken as the page computes it: the
figures it shares with the page (SHARED_KEYS, each defined once in portal.dashboards.FIGURES)
are the page's own values, and the petitions' ratings beside them (PETITION_KEYS) are what
petitions.selectors.performance_metrics provides the page. A fixed number of queries, whatever
the number of tickets. `monthly_report_generate` stores last month's figures in `MonthlyReport`
on the 1st of the next month (Celery beat, twin `manage.py generate_monthly_report`); a stored
report is never rewritten, so what was reported stays what was reported.

Stored figures carry their `format`. Reports stored before format 2 (none: format 1) computed
their own figures, with other definitions (received by lead department; overdue: tickets past a
deadline when computed; acceptance within 24 hours) and are shown with their own columns and
caption (`report_columns`), unchanged.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from petitions import policies
from petitions.models import MonthlyReport
from portal.dashboards import (
    FIGURES,
    PERFORMANCE_FIGURES,
    DashboardScope,
    PerformanceRow,
    as_percent,
    department_performance,
    half_up,
)
from portal.exceptions import DomainError
from portal.periods import Period, month_first, period_bounds, previous_month

# The format of the figures stored from now on (see the module's docstring).
FORMAT = 2
# The performance page's figures the report shows, in its order.
SHARED_KEYS = PERFORMANCE_FIGURES  # the page's figures, in its order
# The petitions' own figures beside them (petitions.selectors.performance_metrics).
PETITION_KEYS = ("rated", "satisfied", "satisfaction_rate")
# The counts of a row, which add up over the departments to the total.
COUNT_KEYS = (
    "received",
    "acknowledge_due",
    "acknowledged_in_time",
    "replied",
    "replied_on_time",
    "overdue",
    "rated",
    "satisfied",
)
DAYS_KEYS = frozenset({"average_reply_days", "p90_reply_days"})


def _figures(row: PerformanceRow) -> dict:
    """A performance row's figures as stored: the page's values, unrounded (a page rounds them
    as it shows them), and the petitions' ratings (none for work not yet assigned: 0)."""
    figures = {key: getattr(row, key) for key in SHARED_KEYS}
    for key in PETITION_KEYS:
        figures[key] = row.extra.get(key, 0 if key in COUNT_KEYS else None)
    return figures


def monthly_report_figures(month: date, now: datetime) -> dict:
    """The figures of `month` (any day of it) as of `now`: {"format", "month", "computed_at",
    "rows", "total"}; one row per department (active ones always, others when they have figures),
    in the order of their names, plus a "not yet assigned" row (department_id None) when work
    not yet assigned has figures; the total is the performance page's."""
    first = month_first(month)
    start, end = period_bounds(Period.MONTH, first)
    table = department_performance(
        scope=DashboardScope(department_ids=None, can_urge=False), start=start, end=end, now=now, area=policies.AREA
    )
    departments = sorted(
        (row for row in table.rows if row.department_id is not None), key=lambda row: (row.name, row.department_id)
    )
    rows = [{"department_id": row.department_id, "department": row.name, **_figures(row)} for row in departments]
    rows += [
        {"department_id": None, "department": "", **_figures(row)} for row in table.rows if row.department_id is None
    ]
    return {
        "format": FORMAT,
        "month": f"{first:%Y-%m}",
        "computed_at": now.isoformat(),
        "rows": rows,
        "total": {"department_id": None, "department": "", "total": True, **_figures(table.totals)},
    }


def monthly_report_generate(*, month: date | None = None, now: datetime | None = None) -> tuple[MonthlyReport, bool]:
    """Store the report of `month` (default: last month) unless it exists. Returns (report,
    created). A stored report is never rewritten; two runs at once store one (the unique month:
    the loser of the race gets the winner's report)."""
    now = now or timezone.now()
    first = month_first(month) if month else previous_month(now)
    _start, end = period_bounds(Period.MONTH, first)
    if end > now:
        raise DomainError(
            _("The report of %(month)s can be generated only after the month has ended.") % {"month": f"{first:%Y-%m}"}
        )
    existing = MonthlyReport.objects.filter(month=first).first()
    if existing is not None:
        return existing, False
    figures = monthly_report_figures(first, now)
    with transaction.atomic():
        report, created = MonthlyReport.objects.get_or_create(
            month=first, defaults={"figures": figures, "generated_at": now}
        )
    return report, created


def monthly_reports():
    """The stored reports, newest first (without their figures)."""
    return MonthlyReport.objects.defer("figures").order_by("-month")


def row_label(row: dict) -> str:
    """The row's department as shown; the total and "not yet assigned" rows are labelled in the
    reader's language (the stored figures keep no translated text)."""
    if row.get("total"):
        return _("All departments")
    if row.get("department_id") is None:
        return _("Not yet assigned")
    return row["department"]


def is_legacy(figures: dict) -> bool:
    """Stored before the report was the performance page's table (format 1)."""
    return figures.get("format", 1) < FORMAT


def report_columns(figures: dict | None = None) -> list[tuple[str, str]]:
    """(key, label) of a report's columns, for the page and the workbook: the current ones, or
    those of the stored `figures`' format."""
    if figures is not None and is_legacy(figures):
        return _legacy_columns()
    return [
        # The performance page's labels (msgctxt "figure": counts as counts, 收件数 not 收件时间).
        *[(key, str(FIGURES[key].label)) for key in SHARED_KEYS],
        ("rated", _("Rated")),
        ("satisfied", _("Satisfied (满意及基本满意)")),
        ("satisfaction_rate", _("Satisfaction (%)")),
    ]


def _legacy_columns() -> list[tuple[str, str]]:
    return [
        ("received", pgettext("figure", "Received")),
        ("acknowledge_due", pgettext("figure", "Due for acknowledgement")),
        ("accepted_in_24h", _("Accepted within 24 hours")),
        ("accepted_in_24h_rate", _("Accepted within 24 hours (%)")),
        ("replied", pgettext("figure", "Replies made")),
        ("replied_on_time", _("Replied on time")),
        ("on_time_rate", _("Replied on time (%)")),
        ("overdue", _("Overdue")),
        ("average_reply_days", _("Average days to reply")),
        ("rated", _("Rated")),
        ("satisfied", _("Satisfied (满意及基本满意)")),
        ("satisfaction_rate", _("Satisfaction (%)")),
    ]


def report_terms() -> list:
    """What the figures the report shares with the performance page count, as that page says it."""
    return [FIGURES[key] for key in SHARED_KEYS]


# Each rate and the two counts it divides, all columns of the report (of either format).
RATE_PARTS = {
    "acknowledged_rate": FIGURES["acknowledged_rate"].ratio,
    "on_time_rate": ("replied_on_time", "replied"),
    "satisfaction_rate": ("satisfied", "rated"),
    "accepted_in_24h_rate": ("accepted_in_24h", "acknowledge_due"),  # format 1
}
RATE_KEYS = frozenset(RATE_PARTS)


def report_cell(row: dict, key: str):
    """A cell as shown: rates as percentages with one decimal, rounded half up from the counts
    (a stored rate may be rounded already: rounding it again could be off by 0.1), days with one
    decimal rounded half up, as the performance page shows them; None as None."""
    value = row.get(key)
    if key in RATE_PARTS:
        numerator, denominator = (row.get(part) for part in RATE_PARTS[key])
        if numerator is not None and denominator:
            value = numerator / denominator
        percent = as_percent(value)
        return float(percent) if percent is not None else None
    if key in DAYS_KEYS:
        days = half_up(value)
        return float(days) if days is not None else None
    return value


def report_rows(figures: dict, *, title: str) -> list[list]:
    """The report as spreadsheet rows (portal.exports writes them): title, header, one row per
    department, the total, and when the figures were computed."""
    columns = report_columns(figures)
    computed = datetime.fromisoformat(figures["computed_at"])
    return [
        [title],
        [],
        [_("Department"), *[str(label) for _key, label in columns]],
        *[
            [row_label(row), *[report_cell(row, key) for key, _label in columns]]
            for row in [*figures["rows"], figures["total"]]
        ],
        [],
        [_("Figures as of"), timezone.localtime(computed).strftime("%Y-%m-%d %H:%M")],
    ]
