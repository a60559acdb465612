"""Dashboard selectors: the overdue board, department performance and the public statistics.

Reads only, built on the one `portal.Clock` table; every time-based selector takes `now` so
tests control time. Three pages use them (portal.dashboard_views):

* the overdue board (/dashboard/) for office clerks and heads of department: what is overdue or
  due soon now, per policy and per department, with a list to act on (urge, open in the admin);
* department performance (/dashboard/performance/) for assessment (考核评估): per department
  and period, from the clocks, plus area-specific figures (satisfaction, reopen, adoption) that
  domain apps provide through the `performance_metrics` plug-in protocol below;
* the public operations page (/stats/, 公布运行情况): aggregates only, computed by a periodic task
  into the cache (`public_stats`), never per request.

Cost: the board reads open clocks through the partial indexes on open states and clocks met
this month through the `met_at` index, so its queries do not grow with closed work; the
performance and statistics selectors read one period through the `started_at` and `met_at`
indexes (portal migration 0003).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from portal import deadlines, notifications
from portal.calendar import calendar_missing_years
from portal.clocks import admin_url, subject_reference
from portal.models import Clock, Department
from portal.pagecache import public_content_changed
from portal.policies import all_policies
from portal.scoping import user_head_department_ids

State = Clock.State
Kind = Clock.Kind
Area = Clock.Area

# Kinds whose meeting is an answer to the citizen (for "replied" and reply times).
REPLY_KINDS = (Kind.REPLY, Kind.RESPOND)
# Open clocks that count against a deadline (a paused clock is not counting down).
COUNTING_STATES = (State.RUNNING, State.OVERDUE)

# --- red / amber / green for departments (explained in the board's legend) ----------------------
# Red: a tenth or more of the department's open work is overdue, or fewer than 80% of the
# deadlines it met this month were met on time. Amber: anything overdue at all, or fewer than 95%
# on time. Green otherwise.
RED_OVERDUE_SHARE = 0.10
RED_ON_TIME_RATE = 0.80
AMBER_ON_TIME_RATE = 0.95

BOARD_PAGE_SIZE = 50


# --- who sees what -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Which departments a user's dashboards cover: `department_ids` None means all of them."""

    department_ids: tuple[int, ...] | None
    can_urge: bool

    @property
    def all_departments(self) -> bool:
        return self.department_ids is None

    def clocks(self):
        queryset = Clock.objects.all()
        if self.department_ids is not None:
            queryset = queryset.filter(department_id__in=self.department_ids)
        return queryset

    def departments(self):
        queryset = Department.objects.all()
        if self.department_ids is not None:
            return queryset.filter(id__in=self.department_ids)
        return queryset.filter(is_active=True)


def dashboard_scope(user) -> DashboardScope | None:
    """Office clerks and administrators (`portal.view_dashboard`): every department; heads of
    department (Membership.role "head"): their own departments; anyone else: None (forbidden)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    can_urge = user.has_perm("portal.urge_work")
    if user.has_perm("portal.view_dashboard"):
        return DashboardScope(department_ids=None, can_urge=can_urge)
    heads = user_head_department_ids(user)
    if heads:
        return DashboardScope(department_ids=tuple(sorted(heads)), can_urge=can_urge)
    return None


def may_view_dashboard(user) -> bool:
    return dashboard_scope(user) is not None


# --- time helpers --------------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=deadlines.LOCAL_TZ)


def month_start(moment: datetime) -> datetime:
    """Local midnight on the first of the month containing `moment` (Asia/Shanghai)."""
    return _local_midnight(deadlines.local_date(moment).replace(day=1))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def due_horizons(now: datetime) -> tuple[datetime, datetime]:
    """(end of today, end of the next working day), local: the board's "due today" and "due soon"."""
    today = deadlines.local_date(now)
    return deadlines.end_of_day(today), deadlines.due_after_working_days(now, 1)


@dataclass(frozen=True)
class Overdue:
    working_days: int
    hours: int


def overdue_by(due_at: datetime, now: datetime, calendar: deadlines.WorkCalendar | None = None) -> Overdue | None:
    """How long past due: working days after the due day up to today, and elapsed hours."""
    if due_at >= now:
        return None
    return Overdue(
        working_days=deadlines.working_days_between(due_at, now, calendar),
        hours=int((now - due_at).total_seconds() // 3600),
    )


# --- the overdue board: headline figures ---------------------------------------------------------


@dataclass
class Figures:
    overdue: int = 0
    due_today: int = 0
    due_soon: int = 0
    met_late: int = 0

    def add(self, other: Figures) -> None:
        self.overdue += other.overdue
        self.due_today += other.due_today
        self.due_soon += other.due_soon
        self.met_late += other.met_late


@dataclass
class PolicyFigures:
    policy: str
    label: str | Promise
    area: str
    kind: str
    figures: Figures


@dataclass
class Headline:
    totals: Figures
    by_area: dict[str, Figures]
    by_policy: list[PolicyFigures]


def board_headline(*, scope: DashboardScope, now: datetime) -> Headline:
    """Overdue now, due today, due within one working day, met late this month; by area and policy.

    Two queries, each an index-only scan on PostgreSQL: open clocks due up to the next working
    day's end (the partial covering index on open clocks' due moments), and clocks met late since
    the first of the month (the covering `met_at` index). Neither reads closed work of the past.
    """
    end_of_today, horizon = due_horizons(now)
    since = month_start(now)
    grouping = ("area", "kind", "policy")
    found: dict[tuple[str, str, str], Figures] = defaultdict(Figures)
    for row in (
        scope.clocks()
        .filter(state__in=COUNTING_STATES, due_at__lte=horizon)
        .values(*grouping)
        .annotate(
            overdue=Count("due_at", filter=Q(due_at__lt=now)),
            due_today=Count("due_at", filter=Q(state=State.RUNNING, due_at__gte=now, due_at__lte=end_of_today)),
            due_soon=Count("due_at", filter=Q(state=State.RUNNING, due_at__gte=now)),
        )
        .order_by()
    ):
        figures = found[tuple(row[key] for key in grouping)]
        figures.overdue, figures.due_today, figures.due_soon = row["overdue"], row["due_today"], row["due_soon"]
    for row in (
        scope.clocks()
        .filter(met_at__gte=since, state=State.MET_LATE)
        .values(*grouping)
        .annotate(met_late=Count("*"))
        .order_by()
    ):
        found[tuple(row[key] for key in grouping)].met_late = row["met_late"]
    policies = all_policies()
    totals, by_area, by_policy = Figures(), {area: Figures() for area in Area.values}, []
    for (area, kind, code), figures in found.items():
        policy = policies.get(code)
        by_policy.append(PolicyFigures(code, policy.label if policy else code, area, kind, figures))
        totals.add(figures)
        by_area.setdefault(area, Figures()).add(figures)
    order = list(policies)
    by_policy.sort(key=lambda p: (order.index(p.policy) if p.policy in order else len(order), p.policy))
    return Headline(totals=totals, by_area=by_area, by_policy=by_policy)


# --- the overdue board: the list to act on -------------------------------------------------------

SORTS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "department": ("department__name", "due_at", "id"),
    "kind": ("kind", "due_at", "id"),
    "urged": (F("last_urged_at").asc(nulls_first=True), "due_at", "id"),
}


def board_items(
    *,
    scope: DashboardScope,
    now: datetime,
    department_id: int | None = None,
    area: str = "",
    kind: str = "",
    status: str = "",
    sort: str = "due",
):
    """Overdue and due-soon clocks (due by the end of the next working day), as a QuerySet.

    `status` "overdue" or "due_soon" narrows it; `sort` is a key of SORTS (most overdue first
    by default). Served by the partial index on open clocks' due moments.
    """
    _, horizon = due_horizons(now)
    queryset = scope.clocks().filter(state__in=COUNTING_STATES, due_at__lte=horizon)
    if status == "overdue":
        queryset = queryset.filter(due_at__lt=now)
    elif status == "due_soon":
        queryset = queryset.filter(due_at__gte=now)
    if department_id:
        queryset = queryset.filter(department_id=department_id)
    if area:
        queryset = queryset.filter(area=area)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.select_related("department").order_by(*SORTS.get(sort, SORTS["due"]))


def board_page(items, number) -> tuple[Page, list[Clock]]:
    """One page of `board_items`: ids first (an index-only scan of the open clocks, whatever the
    sort), then just those clocks with their departments; three queries with the count."""
    page = Paginator(items.values_list("id", flat=True), BOARD_PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    by_id = {clock.pk: clock for clock in Clock.objects.filter(id__in=ids).select_related("department")}
    return page, [by_id[clock_id] for clock_id in ids if clock_id in by_id]


@dataclass
class BoardItem:
    clock: Clock
    reference: str
    title: str
    url: str
    overdue: Overdue | None

    @property
    def is_overdue(self) -> bool:
        return self.overdue is not None


def board_rows(clocks: Iterable[Clock], *, now: datetime) -> list[BoardItem]:
    """One page of the list, with subjects fetched in one query per subject type."""
    clocks = list(clocks)
    subjects = notifications.attach_subjects(clocks)
    calendar = deadlines.default_calendar()
    rows = []
    for clock in clocks:
        subject = subjects.get((clock.content_type_id, clock.object_id))
        rows.append(
            BoardItem(
                clock=clock,
                reference=subject_reference(subject) if subject is not None else str(clock.object_id),
                title=str(getattr(subject, "title", "") or subject or ""),
                url=admin_url(clock.content_type_id, clock.object_id),
                overdue=overdue_by(clock.due_at, now, calendar),
            )
        )
    return rows


# --- the overdue board: departments ------------------------------------------------------------

RED, AMBER, GREEN = "red", "amber", "green"


@dataclass
class DepartmentStatus:
    department_id: int | None
    name: str
    open: int = 0
    overdue: int = 0
    met: int = 0
    met_on_time: int = 0
    average_reply: timedelta | None = None

    @property
    def on_time_rate(self) -> float | None:
        return self.met_on_time / self.met if self.met else None

    @property
    def average_reply_days(self) -> float | None:
        return self.average_reply.total_seconds() / 86400 if self.average_reply is not None else None

    @property
    def rating(self) -> str:
        """red / amber / green by the module's thresholds (RED_OVERDUE_SHARE, ...)."""
        rate = self.on_time_rate
        if (self.open and self.overdue / self.open >= RED_OVERDUE_SHARE) or (
            rate is not None and rate < RED_ON_TIME_RATE
        ):
            return RED
        if self.overdue or (rate is not None and rate < AMBER_ON_TIME_RATE):
            return AMBER
        return GREEN


def board_departments(*, scope: DashboardScope, now: datetime) -> list[DepartmentStatus]:
    """Per department: open items, overdue now, on-time rate and average reply time this month.

    Three queries: the departments; open clocks (the partial covering index); clocks met this
    month (the covering `met_at` index). Work not yet assigned to a department is a row of its
    own for users who see everything.
    """
    since = month_start(now)
    open_figures = {
        row["department_id"]: row
        for row in scope.clocks()
        .filter(state__in=Clock.OPEN_STATES)
        .values("department_id")
        .annotate(open=Count("*"), overdue=Count("due_at", filter=Q(state__in=COUNTING_STATES, due_at__lt=now)))
        .order_by()
    }
    met_figures = {
        row["department_id"]: row
        for row in scope.clocks()
        .filter(met_at__gte=since, met_at__lte=now)
        .values("department_id")
        .annotate(
            met=Count("*"),
            met_on_time=Count("met_at", filter=Q(state=State.MET_ON_TIME)),
            average_reply=Avg(_duration(), filter=Q(kind__in=REPLY_KINDS)),
        )
        .order_by()
    }
    result = [DepartmentStatus(department.pk, department.name) for department in scope.departments()]
    if scope.all_departments and (None in open_figures or None in met_figures):
        result.append(DepartmentStatus(None, str(_("Not yet assigned"))))
    for status in result:
        if row := open_figures.get(status.department_id):
            status.open, status.overdue = row["open"], row["overdue"]
        if row := met_figures.get(status.department_id):
            status.met, status.met_on_time, status.average_reply = row["met"], row["met_on_time"], row["average_reply"]
    return result


# The board's figures (headline and department table) aggregate this month's met clocks, the
# board's heaviest reads (190 of 310 ms at a million tickets): each scope keeps them this long in
# the shared cache, no older than the deadline sweep's own resolution (clocks turn overdue once a
# sweep runs). The list of open work below them is always read live.
def board_figures_seconds() -> int:
    return settings.CLOCK_SWEEP_SECONDS


@dataclass
class BoardFigures:
    headline: Headline
    departments: list[DepartmentStatus]
    computed_at: datetime


def board_figures_key(scope: DashboardScope) -> str:
    ids = "all" if scope.department_ids is None else ",".join(map(str, scope.department_ids))
    return f"portal:board-figures:v1:{translation.get_language()}:{ids}"


def board_figures_cached(*, scope: DashboardScope, now: datetime) -> BoardFigures:
    """`board_headline` and `board_departments` as of at most `board_figures_seconds()` ago."""
    key = board_figures_key(scope)
    figures = cache.get(key)
    if figures is None:
        figures = BoardFigures(
            headline=board_headline(scope=scope, now=now),
            departments=board_departments(scope=scope, now=now),
            computed_at=now,
        )
        cache.set(key, figures, board_figures_seconds())
    return figures


def _duration():
    return ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField())


# --- department performance ----------------------------------------------------------------------


class Period:
    MONTH, QUARTER, YEAR = "month", "quarter", "year"
    CHOICES = ((MONTH, _("Month")), (QUARTER, _("Quarter")), (YEAR, _("Year")))


def period_bounds(kind: str, month: date) -> tuple[datetime, datetime]:
    """[start, end) local midnights of the month, quarter or year containing `month`."""
    if kind == Period.YEAR:
        first = date(month.year, 1, 1)
        return _local_midnight(first), _local_midnight(date(month.year + 1, 1, 1))
    if kind == Period.QUARTER:
        first = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        return _local_midnight(first), _local_midnight(add_months(first, 3))
    first = month.replace(day=1)
    return _local_midnight(first), _local_midnight(add_months(first, 1))


# The plug-in protocol -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One area-specific figure a domain app adds to the performance table.

    `format`: "rate" (a fraction 0..1, shown as a percentage), "count" or "days".
    """

    key: str
    label: str | Promise
    format: str = "rate"


@dataclass
class ProvidedMetrics:
    """What a `performance_metrics` provider returns.

    `metrics`: the figures it provides, in display order (key, translatable label, format).
    `values`: {department_id: {metric key: value}}; a value is None when there is nothing to
    measure (no ratings yet). The key None, if present, holds the figure for all the given
    departments together (rates cannot be summed); without it the total shows "—".
    """

    metrics: list[Metric]
    values: dict[int | None, dict[str, float | int | None]] = field(default_factory=dict)


def performance_providers() -> list[Callable[..., ProvidedMetrics]]:
    """The area-specific performance figures, discovered from the installed apps.

    Protocol (the same way as `demo_loader`, portal/demo.py): an app's AppConfig names a function,

        class PetitionsConfig(AppConfig):
            performance_metrics = "petitions.selectors.performance_metrics"

    called as `function(department_ids, start, end)`: `department_ids` a list of Department ids,
    `start` and `end` aware datetimes bounding the period [start, end). It returns a
    `ProvidedMetrics` (the metrics with their labels, and {department_id: {key: value}}). It must
    only read, cost a fixed number of queries whatever the number of departments, and return no
    personal data: the public statistics page shows its figures too. Keys are shared: two apps must
    not provide the same key (the later app in INSTALLED_APPS wins). Well-known keys the pages
    look for: "satisfaction_rate", "reopen_rate" (petitions), "adoption_rate", "adopted"
    (suggestions), "published" (disclosure).
    """
    providers = []
    for app_config in apps.get_app_configs():
        path = getattr(app_config, "performance_metrics", None)
        if path:
            providers.append(import_string(path))
    return providers


def provided_metrics(department_ids: list[int], start: datetime, end: datetime) -> ProvidedMetrics:
    """Every provider's figures for the period, merged into one ProvidedMetrics."""
    merged = ProvidedMetrics(metrics=[])
    seen: dict[str, int] = {}
    for provider in performance_providers():
        result = provider(list(department_ids), start, end)
        for metric in result.metrics:
            if metric.key in seen:
                merged.metrics[seen[metric.key]] = metric
            else:
                seen[metric.key] = len(merged.metrics)
                merged.metrics.append(metric)
        for department_id, values in result.values.items():
            merged.values.setdefault(department_id, {}).update(values)
    return merged


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
    condition = Q(department_id__in=department_ids)
    if area:
        condition &= Q(area=area)
    return condition


def performance_figures(
    *, department_ids: list[int], start: datetime, end: datetime, now: datetime, area: str | None = None
) -> dict[int, PerformanceRow]:
    """The clock figures per department for [start, end). Three or four queries, any number of
    departments (received and acknowledgements by start, replies by meeting, overdue open work).

    received: distinct items with a clock started in the period; acknowledged in time: 24-hour
    acknowledgements started in the period and met on time; reply rate: reply clocks started in
    the period that are met by now; replied / on time / days to reply: replies made in the period
    (calendar days from the reply clock's start); overdue: met late in the period, plus still open
    past a due moment in the period.
    """
    base = Clock.objects.filter(_clock_filter(department_ids, area))
    rows: dict[int, PerformanceRow] = {}

    def row(department_id) -> PerformanceRow:
        return rows.setdefault(department_id, PerformanceRow(department_id, ""))

    started = base.filter(started_at__gte=start, started_at__lt=end)
    for item in (
        started.values("department_id", "content_type_id")
        .annotate(
            received=Count("object_id", distinct=True),
            acknowledge_due=Count("started_at", filter=Q(kind=Kind.ACKNOWLEDGE)),
            acknowledged_in_time=Count("started_at", filter=Q(kind=Kind.ACKNOWLEDGE, state=State.MET_ON_TIME)),
            replies_started=Count("started_at", filter=Q(kind__in=REPLY_KINDS)),
            replies_started_met=Count("started_at", filter=Q(kind__in=REPLY_KINDS, met_at__isnull=False)),
        )
        .order_by()
    ):
        target = row(item["department_id"])
        for name in ("received", "acknowledge_due", "acknowledged_in_time", "replies_started", "replies_started_met"):
            setattr(target, name, getattr(target, name) + item[name])

    met = base.filter(met_at__gte=start, met_at__lt=end)
    for item in (
        met.values("department_id")
        .annotate(
            replied=Count("met_at", filter=Q(kind__in=REPLY_KINDS)),
            replied_on_time=Count("met_at", filter=Q(kind__in=REPLY_KINDS, state=State.MET_ON_TIME)),
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
    for department_id, (average, p90, _count) in reply_times(met.filter(kind__in=REPLY_KINDS), "department_id").items():
        row(department_id).average_reply_days, row(department_id).p90_reply_days = average, p90

    for item in (
        base.filter(state__in=COUNTING_STATES, due_at__gte=start, due_at__lt=min(end, now))
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
    *, scope: DashboardScope, start: datetime, end: datetime, now: datetime
) -> PerformanceReport:
    """The performance table: every department in scope, ranked, with totals and provided metrics."""
    departments = list(scope.departments().values_list("id", "name"))
    ids = [department_id for department_id, _name in departments]
    figures = performance_figures(department_ids=ids, start=start, end=end, now=now)
    provided = provided_metrics(ids, start, end)
    rows = []
    totals = PerformanceRow(None, str(_("All departments")))
    all_days: list[tuple[float, int]] = []
    for department_id, name in departments:
        row = figures.get(department_id) or PerformanceRow(department_id, name)
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
    totals.p90_reply_days = _overall_p90(ids, start, end)
    totals.extra = provided.values.get(None, {})
    _rank(rows)
    return PerformanceReport(start=start, end=end, rows=rows, totals=totals, metrics=provided.metrics)


def _overall_p90(department_ids, start, end) -> float | None:
    if not department_ids:
        return None
    queryset = Clock.objects.filter(
        department_id__in=department_ids, kind__in=REPLY_KINDS, met_at__gte=start, met_at__lt=end
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
    on time, average days to reply. Three queries whatever the span."""
    first = add_months(last_month.replace(day=1), -(months - 1))
    start, end = _local_midnight(first), _local_midnight(add_months(last_month.replace(day=1), 1))
    points = {add_months(first, offset): TrendPoint(add_months(first, offset)) for offset in range(months)}
    base = Clock.objects.all()
    if department_ids is not None:
        base = base.filter(department_id__in=department_ids)
    if area:
        base = base.filter(area=area)
    tz = deadlines.LOCAL_TZ
    for item in (
        base.filter(started_at__gte=start, started_at__lt=end)
        .annotate(month=TruncMonth("started_at", tzinfo=tz))
        .values("month", "content_type_id")
        .annotate(received=Count("object_id", distinct=True))
        .order_by()
    ):
        points[item["month"].date()].received += item["received"]
    replies = base.filter(kind__in=REPLY_KINDS, met_at__gte=start, met_at__lt=end).annotate(
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
    return f"portal:trend:v1:{digest}"


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


def chart_data(trend: list[TrendPoint]) -> dict:
    """The trend as plain JSON for static/js/dashboard.js (labels and series; no markup)."""
    return {
        "labels": [f"{point.month:%Y-%m}" for point in trend],
        "received": [point.received for point in trend],
        "replied": [point.replied for point in trend],
        "on_time_rate": [
            round(point.on_time_rate * 100, 1) if point.on_time_rate is not None else None for point in trend
        ],
        "average_reply_days": [
            round(point.average_reply_days, 1) if point.average_reply_days is not None else None for point in trend
        ],
    }


# --- the public operations page -----------------------------------------------------------------

PUBLIC_STATS_KEY = "portal:public-stats:v1"
# The beat task refreshes every PUBLIC_STATS_REFRESH_SECONDS; its result outlives several runs,
# so a missed run or two changes nothing for visitors.
PUBLIC_STATS_SECONDS = 6 * 3600
# Computed on a miss (the worker has not run yet): kept briefly, so a spike computes it once.
PUBLIC_STATS_MISS_SECONDS = 120
PUBLIC_STATS_MONTHS = 12
# Only one request computes on a miss; the lock expires on its own if that request dies.
PUBLIC_STATS_LOCK = "portal:public-stats:computing"
PUBLIC_STATS_LOCK_SECONDS = 120
PUBLIC_STATS_WAIT_SECONDS = 5


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _days(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def public_stats_compute(*, now: datetime) -> dict:
    """Everything /stats/ shows, as plain JSON-able data: aggregates only, no personal data.

    By month (the last PUBLIC_STATS_MONTHS months) and by department (over the same months), for
    petitions, suggestions and disclosure applications, plus the providers' figures.
    """
    last_month = deadlines.local_date(now).replace(day=1)
    first = add_months(last_month, -(PUBLIC_STATS_MONTHS - 1))
    start, end = _local_midnight(first), _local_midnight(add_months(last_month, 1))
    departments = list(Department.objects.filter(is_active=True).values_list("id", "name"))
    ids = [department_id for department_id, _name in departments]
    areas = {}
    for area in Area.values:
        trend = performance_trend(department_ids=None, last_month=last_month, months=PUBLIC_STATS_MONTHS, area=area)
        figures = performance_figures(department_ids=ids, start=start, end=end, now=now, area=area)
        totals = PerformanceRow(None, "")
        for row in figures.values():
            for attribute in ("received", "replies_started", "replies_started_met", "replied", "replied_on_time"):
                setattr(totals, attribute, getattr(totals, attribute) + getattr(row, attribute))
        areas[area] = {
            "months": [
                {
                    "month": f"{point.month:%Y-%m}",
                    "received": point.received,
                    "replied": point.replied,
                    "on_time_rate": _rate(point.replied_on_time, point.replied),
                    "average_reply_days": _days(point.average_reply_days),
                }
                for point in trend
            ],
            "departments": [
                {
                    "name": name,
                    "received": figures[department_id].received if department_id in figures else 0,
                    "replied": figures[department_id].replied if department_id in figures else 0,
                    "reply_rate": figures[department_id].reply_rate if department_id in figures else None,
                    "on_time_rate": figures[department_id].on_time_rate if department_id in figures else None,
                    "average_reply_days": _days(figures[department_id].average_reply_days)
                    if department_id in figures
                    else None,
                }
                for department_id, name in departments
            ],
            "received": totals.received,
            "replied": totals.replied,
            "reply_rate": totals.reply_rate,
            "on_time_rate": totals.on_time_rate,
        }
    provided = provided_metrics(ids, start, end)
    monthly_provided = []
    for offset in range(PUBLIC_STATS_MONTHS):
        month = add_months(first, offset)
        in_month = provided_metrics(ids, _local_midnight(month), _local_midnight(add_months(month, 1)))
        monthly_provided.append({"month": f"{month:%Y-%m}", "values": in_month.values.get(None, {})})
    names = dict(departments)
    return {
        "computed_at": timezone.localtime(now).isoformat(),
        "first_month": f"{first:%Y-%m}",
        "last_month": f"{last_month:%Y-%m}",
        "areas": areas,
        "provided": {
            # Labels in every language: the page is rendered in the visitor's, not the worker's.
            "metrics": [
                {"key": m.key, "labels": _in_every_language(m.label), "format": m.format} for m in provided.metrics
            ],
            "total": provided.values.get(None, {}),
            "months": monthly_provided,
            "departments": [
                {"name": names[department_id], "values": provided.values.get(department_id, {})}
                for department_id in ids
            ],
        },
    }


def public_stats_refresh(*, now: datetime | None = None) -> dict:
    """Compute the public statistics and store them in the shared cache (the beat task's work)."""
    stats = public_stats_compute(now=now or timezone.now())
    cache.set(PUBLIC_STATS_KEY, stats, PUBLIC_STATS_SECONDS)
    public_content_changed()  # /stats/ is a shared page: the new figures show at once
    return stats


def public_stats(*, now: datetime | None = None, wait: float | None = None) -> dict | None:
    """The public statistics from the cache. On a miss one request computes them (and keeps them
    PUBLIC_STATS_MISS_SECONDS); the others wait up to `wait` seconds for it, then get None (the
    page says to come back shortly), so a spike never runs the heavy queries more than once."""
    stats = cache.get(PUBLIC_STATS_KEY)
    if stats is not None:
        return stats
    if cache.add(PUBLIC_STATS_LOCK, True, PUBLIC_STATS_LOCK_SECONDS):
        try:
            stats = public_stats_compute(now=now or timezone.now())
            cache.add(PUBLIC_STATS_KEY, stats, PUBLIC_STATS_MISS_SECONDS)
        finally:
            cache.delete(PUBLIC_STATS_LOCK)
        return stats
    deadline = time.monotonic() + (PUBLIC_STATS_WAIT_SECONDS if wait is None else wait)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        stats = cache.get(PUBLIC_STATS_KEY)
        if stats is not None:
            return stats
    return None


def _in_every_language(label) -> dict[str, str]:
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(label)
    return labels


# --- the board's warnings ------------------------------------------------------------------------


def board_warnings(*, now: datetime) -> list[int]:
    """Years (current, next) with no work-calendar entries: their deadlines are provisional."""
    return calendar_missing_years(now=now)
