"""The monthly report (月报) of petition tickets: figures per department, computed and stored once.

`monthly_report_figures` computes a month's figures with a fixed number of GROUP BY queries
(one over the month's clocks, one over the month's tickets, one for department names), whatever
the number of tickets. `monthly_report_generate` stores last month's figures in `MonthlyReport`
on the 1st of the next month (Celery beat, twin `manage.py generate_monthly_report`); a stored
report is never rewritten, so what was reported stays what was reported.

What each figure means (the report page's caption says the same):

* received: tickets received in the month, by their lead department ("not yet assigned" row for
  tickets no department has been given yet);
* due for acknowledgement / accepted within 24 hours: acknowledgement (受理回应) deadlines started
  in the month, and those met on time, by the department responsible; the rate divides the two,
  as the performance page's acknowledgement rate does;
* replied / replied on time: reply deadlines met in the month (a reply, a refusal to accept, or a
  re-examination's reply), on time or late, by the department that replied;
* overdue: tickets with an open deadline past due at the moment the figures were computed;
* average days to reply: calendar days from the start of the reply deadline (receipt, or the
  reopening for a re-examination) to the reply, over the replies of the month;
* satisfaction: (satisfied + basically satisfied) / rated, over the ratings given in the month.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from petitions import policies
from petitions.models import MonthlyReport, Petition
from portal.dashboards import as_percent
from portal.exceptions import DomainError
from portal.models import Clock, ClockQuerySet, Department
from portal.periods import Period, month_first, period_bounds, previous_month

State = Clock.State

# The counts of a row, in the order the pages and the workbook show them.
COUNT_KEYS = (
    "received",
    "acknowledge_due",
    "accepted_in_24h",
    "replied",
    "replied_on_time",
    "overdue",
    "rated",
    "satisfied",
)


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _finish(row: dict, reply_seconds: float) -> dict:
    """Add the derived figures (rates, average days) to a row of counts."""
    # As the performance page's acknowledgement rate (portal.dashboards FIGURES): of the
    # acknowledgements due in the month, those met in time; not ÷ tickets received, which count
    # under the lead department while the acknowledgement counts under the clock's.
    row["accepted_in_24h_rate"] = _rate(row["accepted_in_24h"], row["acknowledge_due"])
    row["on_time_rate"] = _rate(row["replied_on_time"], row["replied"])
    row["average_reply_days"] = round(reply_seconds / row["replied"] / 86400, 1) if row["replied"] else None
    row["satisfaction_rate"] = _rate(row["satisfied"], row["rated"])
    row["reply_seconds"] = round(reply_seconds)
    return row


def monthly_report_figures(month: date, now: datetime) -> dict:
    """The figures of `month` (any day of it) as of `now`: {"month", "computed_at", "rows",
    "total"}; one row per department (active ones always, others when they have figures), plus
    a "not yet assigned" row (department_id None) when unassigned tickets have figures."""
    first = month_first(month)
    start, end = period_bounds(Period.MONTH, first)
    in_month = {"started_at__gte": start, "started_at__lt": end}
    met_in_month = ClockQuerySet.met_in_condition(start, end)
    petition_type = ContentType.objects.get_for_model(Petition)
    overdue_now = ClockQuerySet.overdue_condition(now)

    # Query 1: the month's deadlines, grouped by the responsible department.
    clock_rows = (
        Clock.objects.filter(content_type=petition_type)
        .filter(Q(kind=policies.ACKNOWLEDGE, **in_month) | (Q(kind=policies.REPLY) & met_in_month) | overdue_now)
        .values("department_id")
        .annotate(
            acknowledge_due=Count("id", filter=Q(kind=policies.ACKNOWLEDGE, **in_month)),
            accepted_in_24h=Count("id", filter=Q(kind=policies.ACKNOWLEDGE, state=State.MET_ON_TIME, **in_month)),
            replied=Count("id", filter=(Q(kind=policies.REPLY) & met_in_month)),
            replied_on_time=Count("id", filter=(Q(kind=policies.REPLY, state=State.MET_ON_TIME) & met_in_month)),
            reply_time=Sum(
                ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField()),
                filter=(Q(kind=policies.REPLY) & met_in_month),
            ),
            overdue=Count(
                "object_id",
                distinct=True,
                filter=overdue_now,
            ),
        )
        .order_by()
    )
    # Query 2: the month's tickets and ratings, grouped by the lead department.
    petition_rows = (
        Petition.objects.filter(
            Q(received_at__gte=start, received_at__lt=end) | Q(rated_at__gte=start, rated_at__lt=end)
        )
        .values("lead_department_id")
        .annotate(
            received=Count("id", filter=Q(received_at__gte=start, received_at__lt=end)),
            rated=Count("id", filter=Q(rated_at__gte=start, rated_at__lt=end) & ~Q(rating="")),
            satisfied=Count(
                "id",
                filter=Q(
                    rated_at__gte=start,
                    rated_at__lt=end,
                    rating__in=[Petition.Rating.SATISFIED, Petition.Rating.BASICALLY],
                ),
            ),
        )
        .order_by()
    )

    counts: dict[int | None, dict] = {}
    seconds: dict[int | None, float] = {}

    def row_for(department_id):
        return counts.setdefault(department_id, dict.fromkeys(COUNT_KEYS, 0))

    for item in clock_rows:
        row = row_for(item["department_id"])
        for key in ("acknowledge_due", "accepted_in_24h", "replied", "replied_on_time", "overdue"):
            row[key] += item[key]
        if item["reply_time"]:
            seconds[item["department_id"]] = seconds.get(item["department_id"], 0) + item["reply_time"].total_seconds()
    for item in petition_rows:
        row = row_for(item["lead_department_id"])
        for key in ("received", "rated", "satisfied"):
            row[key] += item[key]

    # Query 3: names (frozen into the stored report: a later rename does not change it).
    departments = Department.objects.filter(Q(is_active=True) | Q(id__in=[pk for pk in counts if pk])).order_by(
        "name", "pk"
    )
    rows = []
    for department in departments:
        row = counts.get(department.pk) or dict.fromkeys(COUNT_KEYS, 0)
        rows.append(
            _finish(
                {"department_id": department.pk, "department": department.name, **row}, seconds.get(department.pk, 0)
            )
        )
    if None in counts and any(counts[None].values()):
        rows.append(_finish({"department_id": None, "department": "", **counts[None]}, seconds.get(None, 0)))

    total = dict.fromkeys(COUNT_KEYS, 0)
    for row in rows:
        for key in COUNT_KEYS:
            total[key] += row[key]
    total_row = _finish(
        {"department_id": None, "department": "", "total": True, **total},
        sum(row["reply_seconds"] for row in rows),
    )
    return {
        "month": f"{first:%Y-%m}",
        "computed_at": now.isoformat(),
        "rows": rows,
        "total": total_row,
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


def report_columns() -> list[tuple[str, str]]:
    """(key, label) of a report's columns, for the page and the workbook."""
    return [
        # Counts labelled as counts (msgctxt "figure": 收件数, not the time 收件时间/受理时间).
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


# Each rate and the two counts it divides, all columns of the report.
RATE_PARTS = {
    "accepted_in_24h_rate": ("accepted_in_24h", "acknowledge_due"),
    "on_time_rate": ("replied_on_time", "replied"),
    "satisfaction_rate": ("satisfied", "rated"),
}
RATE_KEYS = frozenset(RATE_PARTS)


def report_cell(row: dict, key: str):
    """A cell as shown: rates as percentages with one decimal, rounded half up from the counts
    (a stored rate is already rounded: rounding it again could be off by 0.1), None as None."""
    value = row.get(key)
    if key in RATE_PARTS:
        numerator, denominator = (row.get(part) for part in RATE_PARTS[key])
        if numerator is not None and denominator:
            value = numerator / denominator
        percent = as_percent(value)
        return float(percent) if percent is not None else None
    return value


def report_rows(figures: dict, *, title: str) -> list[list]:
    """The report as spreadsheet rows (portal.exports writes them): title, header, one row per
    department, the total, and when the figures were computed."""
    columns = report_columns()
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
