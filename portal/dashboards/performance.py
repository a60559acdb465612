"""Department performance (/dashboard/performance/): the clock figures per period, the trend."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from portal import deadlines, periods
from portal.dashboards.board import _duration
from portal.dashboards.figures import OVERDUE, State, acknowledgement_kinds, as_percent, half_up, reply_kinds
from portal.dashboards.metrics import Metric, provided_metrics
from portal.dashboards.scope import DashboardScope
from portal.models import Clock, Department

# --- department performance ----------------------------------------------------------------------


# The clock figures ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks: what PostgreSQL's percentile_cont computes."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _in_days(seconds: float | None) -> float | None:
    return seconds / 86400 if seconds is not None else None


class _EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class _PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(fraction) WITHIN GROUP (ORDER BY …)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def reply_times(queryset, group_by: str) -> dict[object, tuple[float | None, float | None, int]]:
    """{group: (average days, 90th-percentile days, replies)} over the clocks in `queryset`.

    PostgreSQL computes both in the database (percentile_cont); other databases (SQLite, the
    embedded default) fetch the durations and compute the same interpolation in Python.
    """
    if connection.vendor == "postgresql":
        seconds = _EpochSeconds(F("met_at") - F("started_at"))
        rows = (
            queryset.values(group_by)
            .annotate(average=Avg(seconds), p90=_PercentileCont(seconds, 0.9), replies=Count("*"))
            .order_by()
        )
        return {row[group_by]: (_in_days(row["average"]), _in_days(row["p90"]), row["replies"]) for row in rows}
    by_group: dict[object, list[float]] = defaultdict(list)
    for key, started_at, met_at in queryset.values_list(group_by, "started_at", "met_at").order_by():
        by_group[key].append((met_at - started_at).total_seconds() / 86400)
    return {key: (sum(days) / len(days), percentile(days, 0.9), len(days)) for key, days in by_group.items()}


@dataclass
class PerformanceRow:
    """One department's figures for a period (or the totals, department_id None)."""

    department_id: int | None
    name: str
    received: int = 0
    acknowledge_due: int = 0
    acknowledged_in_time: int = 0
    replies_started: int = 0
    replies_started_met: int = 0
    replied: int = 0
    replied_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    average_reply_days: float | None = None
    p90_reply_days: float | None = None
    extra: dict[str, float | int | None] = field(default_factory=dict)
    rank: int | None = None

    @property
    def overdue(self) -> int:
        """Deadlines missed: met late in the period, plus still open past a due moment in it."""
        return self.met_late + self.open_overdue

    @property
    def acknowledged_rate(self) -> float | None:
        return self.acknowledged_in_time / self.acknowledge_due if self.acknowledge_due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.replied_on_time / self.replied if self.replied else None

    @property
    def reply_rate(self) -> float | None:
        return self.replies_started_met / self.replies_started if self.replies_started else None


def _clock_filter(department_ids, area: str | None):
    """Clocks of these departments (None: every clock, assigned or not), of one area or all."""
    condition = Q() if department_ids is None else Q(department_id__in=department_ids)
    if area:
        condition &= Q(area=area)
    return condition


def _same_subject():
    return Clock.objects.filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))


def item_kinds() -> list[str]:
    """The clock kinds that make an item: work owed to the citizen, to acknowledge or to answer
    (the apps' acknowledgement_kinds and reply_kinds). A clock of another kind (a suggestion's
    moderation decision, a measure's milestone) is on the board and among the deadlines missed,
    but it is no item received: a suggestion is received by a department when it is forwarded."""
    return [*acknowledgement_kinds(), *reply_kinds()]


def first_clocks(queryset):
    """Of `queryset`, each subject's first item clock (`item_kinds`): the one that started when
    the item was received.

    An item counts as received once, at its first clock's start, under that clock's department:
    a later clock (a re-examination's reply) is not a new item. Ties (a ticket's acknowledgement
    and reply start together) go to the lower id. One probe of the subject index per clock.
    """
    kinds = item_kinds()
    earlier = _same_subject().filter(
        Q(started_at__lt=OuterRef("started_at")) | Q(started_at=OuterRef("started_at"), id__lt=OuterRef("id")),
        kind__in=kinds,
    )
    return queryset.filter(~Exists(earlier), kind__in=kinds)


def performance_figures(
    *, department_ids: list[int] | None, start: datetime, end: datetime, now: datetime, area: str | None = None
) -> dict[int | None, PerformanceRow]:
    """The clock figures per department for [start, end) (FIGURES defines each). Four or five
    queries, any number of departments: received (first clocks started in the period),
    acknowledgements by start, replies by meeting, overdue open work. `department_ids` None: every
    clock, with work not yet assigned under the key None.

    received: items whose first clock started in the period; acknowledged in time: 24-hour
    acknowledgements started in the period and met on time; reply rate: reply clocks started in
    the period that are met by now; replied / on time / days to reply: replies made in the period
    (calendar days from the reply clock's start); overdue: met late in the period, plus still open
    past a due moment in the period.
    """
    base = Clock.objects.filter(_clock_filter(department_ids, area))
    rows: dict[int | None, PerformanceRow] = {}

    def row(department_id) -> PerformanceRow:
        return rows.setdefault(department_id, PerformanceRow(department_id, ""))

    acknowledgements, replies = acknowledgement_kinds(), reply_kinds()
    started = base.filter(started_at__gte=start, started_at__lt=end)
    for item in first_clocks(started).values("department_id").annotate(received=Count("*")).order_by():
        row(item["department_id"]).received = item["received"]
    for item in (
        started.values("department_id")
        .annotate(
            acknowledge_due=Count("started_at", filter=Q(kind__in=acknowledgements)),
            acknowledged_in_time=Count("started_at", filter=Q(kind__in=acknowledgements, state=State.MET_ON_TIME)),
            replies_started=Count("started_at", filter=Q(kind__in=replies)),
            replies_started_met=Count("started_at", filter=Q(kind__in=replies, met_at__isnull=False)),
        )
        .order_by()
    ):
        target = row(item["department_id"])
        for name in ("acknowledge_due", "acknowledged_in_time", "replies_started", "replies_started_met"):
            setattr(target, name, item[name])

    met = base.met_in(start, end)
    for item in (
        met.values("department_id")
        .annotate(
            replied=Count("met_at", filter=Q(kind__in=replies)),
            replied_on_time=Count("met_at", filter=Q(kind__in=replies, state=State.MET_ON_TIME)),
            met_late=Count("met_at", filter=Q(state=State.MET_LATE)),
        )
        .order_by()
    ):
        target = row(item["department_id"])
        target.replied, target.replied_on_time, target.met_late = (
            item["replied"],
            item["replied_on_time"],
            item["met_late"],
        )
    for department_id, (average, p90, _count) in reply_times(met.filter(kind__in=replies), "department_id").items():
        row(department_id).average_reply_days, row(department_id).p90_reply_days = average, p90

    for item in (
        base.filter(OVERDUE(now), due_at__gte=start, due_at__lt=end)
        .values("department_id")
        .annotate(n=Count("*"))
        .order_by()
    ):
        row(item["department_id"]).open_overdue = item["n"]
    return rows


@dataclass
class PerformanceReport:
    start: datetime
    end: datetime
    rows: list[PerformanceRow]
    totals: PerformanceRow
    metrics: list[Metric]


def _rank(rows: list[PerformanceRow]) -> None:
    def key(row: PerformanceRow):
        on_time = row.on_time_rate if row.on_time_rate is not None else -1
        acknowledged = row.acknowledged_rate if row.acknowledged_rate is not None else -1
        return (-on_time, -acknowledged, row.overdue, row.name)

    rows.sort(key=key)
    for position, row in enumerate(rows, start=1):
        row.rank = position


def department_performance(
    *, scope: DashboardScope, start: datetime, end: datetime, now: datetime, area: str | None = None
) -> PerformanceReport:
    """The performance table: every department in scope, ranked, with totals and provided metrics.

    The totals are the sum of the rows shown. For those who see every department the rows are the
    active departments, any other department with work in the period, and the work not yet
    assigned (unranked, last), so the totals cover every item, as the trend beside them does.
    `area` narrows it to one area's clocks and to the metrics its app provides (a domain app's
    own report, such as the petitions' monthly report, is this table for its area).
    """
    departments = list(scope.departments().values_list("id", "name"))
    figures = performance_figures(
        department_ids=None if scope.all_departments else [department_id for department_id, _name in departments],
        start=start,
        end=end,
        now=now,
        area=area,
    )
    known = {department_id for department_id, _name in departments}
    others = [department_id for department_id in figures if department_id is not None and department_id not in known]
    if others:
        departments += list(Department.objects.filter(id__in=others).order_by("name").values_list("id", "name"))
    ids = [department_id for department_id, _name in departments]
    provided = provided_metrics(ids, start, end, area=area)
    rows = []
    totals = PerformanceRow(None, str(_("All departments")))
    all_days: list[tuple[float, int]] = []
    unassigned = figures.get(None)
    if unassigned is not None:
        unassigned.name = str(_("Not yet assigned"))
    for department_id, name in [*departments, *([(None, "")] if unassigned else [])]:
        row = figures.get(department_id) or PerformanceRow(department_id, name)
        if department_id is not None:
            row.name = name
            row.extra = provided.values.get(department_id, {})
            rows.append(row)
        for attribute in (
            "received",
            "acknowledge_due",
            "acknowledged_in_time",
            "replies_started",
            "replies_started_met",
            "replied",
            "replied_on_time",
            "met_late",
            "open_overdue",
        ):
            setattr(totals, attribute, getattr(totals, attribute) + getattr(row, attribute))
        if row.average_reply_days is not None:
            all_days.append((row.average_reply_days, row.replied))
    replies = sum(count for _days, count in all_days)
    totals.average_reply_days = sum(days * count for days, count in all_days) / replies if replies else None
    totals.p90_reply_days = _overall_p90(None if scope.all_departments else ids, start, end, area)
    totals.extra = provided.values.get(None, {})
    _rank(rows)
    if unassigned is not None:
        rows.append(unassigned)  # not a department: unranked, after the ranking
    return PerformanceReport(start=start, end=end, rows=rows, totals=totals, metrics=provided.metrics)


def _overall_p90(department_ids, start, end, area: str | None = None) -> float | None:
    if department_ids is not None and not department_ids:
        return None
    queryset = Clock.objects.filter(
        _clock_filter(department_ids, area), kind__in=reply_kinds(), met_at__gte=start, met_at__lt=end
    ).annotate(everything=Value(1, output_field=IntegerField()))
    times = reply_times(queryset, "everything")
    return next(iter(times.values()))[1] if times else None


@dataclass
class TrendPoint:
    month: date
    received: int = 0
    replied: int = 0
    replied_on_time: int = 0
    average_reply_days: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        return self.replied_on_time / self.replied if self.replied else None


def performance_trend(
    *, department_ids: list[int] | None, last_month: date, months: int = 12, area: str | None = None
) -> list[TrendPoint]:
    """Month by month, the `months` months ending with `last_month`: items received, replies made,
    on time, average days to reply (as FIGURES defines them, so a period's months add up to the
    performance table's totals). Two queries whatever the span."""
    start, end = periods.months_bounds(last_month, months)
    points = {month: TrendPoint(month) for month in periods.months_ending(last_month, months)}
    base = Clock.objects.all()
    if department_ids is not None:
        base = base.filter(department_id__in=department_ids)
    if area:
        base = base.filter(area=area)
    tz = deadlines.LOCAL_TZ
    for item in (
        first_clocks(base.filter(started_at__gte=start, started_at__lt=end))
        .annotate(month=TruncMonth("started_at", tzinfo=tz))
        .values("month")
        .annotate(received=Count("*"))
        .order_by()
    ):
        points[item["month"].date()].received += item["received"]
    replies = base.filter(kind__in=reply_kinds(), met_at__gte=start, met_at__lt=end).annotate(
        month=TruncMonth("met_at", tzinfo=tz)
    )
    for item in (
        replies.values("month")
        .annotate(
            replied=Count("*"), on_time=Count("met_at", filter=Q(state=State.MET_ON_TIME)), average=Avg(_duration())
        )
        .order_by()
    ):
        point = points[item["month"].date()]
        point.replied, point.replied_on_time = item["replied"], item["on_time"]
        point.average_reply_days = item["average"].total_seconds() / 86400 if item["average"] is not None else None
    return list(points.values())


# The trend reads a year of clocks; its past months barely change, so the performance page keeps
# it this long in the shared cache (the current period's table is always computed afresh).
TREND_CACHE_SECONDS = 600


def trend_cache_key(department_ids, last_month: date, months: int = 12, area: str | None = None) -> str:
    scope = "all" if department_ids is None else ",".join(str(i) for i in sorted(department_ids))
    digest = hashlib.sha256(f"{scope}|{last_month:%Y-%m}|{months}|{area or ''}".encode()).hexdigest()[:32]
    return f"portal:trend:v2:{digest}"


def performance_trend_cached(
    *, department_ids: list[int] | None, last_month: date, months: int = 12, area: str | None = None
) -> list[TrendPoint]:
    """`performance_trend`, kept TREND_CACHE_SECONDS in the shared cache."""
    key = trend_cache_key(department_ids, last_month, months, area)
    trend = cache.get(key)
    if trend is None:
        trend = performance_trend(department_ids=department_ids, last_month=last_month, months=months, area=area)
        cache.set(key, trend, TREND_CACHE_SECONDS)
    return trend


def _json_number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def chart_data(trend: list[TrendPoint]) -> dict:
    """The trend as plain JSON for static/js/dashboard.js (labels and series; no markup), rounded
    as the tables beside the charts round (half up, one decimal)."""
    return {
        "labels": [f"{point.month:%Y-%m}" for point in trend],
        "received": [point.received for point in trend],
        "replied": [point.replied for point in trend],
        "on_time_rate": [_json_number(as_percent(point.on_time_rate)) for point in trend],
        "average_reply_days": [_json_number(half_up(point.average_reply_days)) for point in trend],
    }
