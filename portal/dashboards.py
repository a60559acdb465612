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
from decimal import ROUND_HALF_UP, Decimal

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
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from portal import deadlines, periods, subjects
from portal.areas import area_keys
from portal.calendar import calendar_missing_years
from portal.models import Clock, ClockQuerySet, Department
from portal.pagecache import public_content_changed
from portal.periods import Period, add_months, month_start, period_bounds  # noqa: F401  (re-exported: dashboards.period_bounds etc.)
from portal.policies import all_policies
from portal.scoping import sees_all_departments, user_head_department_ids

State = Clock.State
Kind = Clock.Kind
Area = Clock.Area

# Kinds whose meeting is an answer to the citizen (for "replied" and reply times).
REPLY_KINDS = (Kind.REPLY, Kind.RESPOND)
# Open clocks that count against a deadline (a paused clock is not counting down).
COUNTING_STATES = (State.RUNNING, State.OVERDUE)
# The one definition of each (portal.models.ClockQuerySet says why it is this one).
OVERDUE = ClockQuerySet.overdue_condition
DUE_SOON = ClockQuerySet.due_soon_condition

# --- red / amber / green for departments (explained in the board's legend) ----------------------
# Red: a tenth or more of the department's open work is overdue, or fewer than 80% of the
# deadlines it met this month were met on time. Amber: anything overdue at all, or fewer than 95%
# on time. Green otherwise.
RED_OVERDUE_SHARE = 0.10
RED_ON_TIME_RATE = 0.80
AMBER_ON_TIME_RATE = 0.95

BOARD_PAGE_SIZE = 50


# --- the figures, each defined once ----------------------------------------------------------------


@dataclass(frozen=True)
class FigureTerm:
    """A figure the dashboards show: its label, and what it counts, as the pages state it."""

    key: str
    label: str | Promise
    definition: str | Promise
    # A rate: the keys of the two figures it divides, which a page showing it shows too.
    ratio: tuple[str, str] | None = None


def _figure(key: str, label: str, definition: str | Promise, ratio: tuple[str, str] | None = None) -> FigureTerm:
    # Labels carry the context "figure": the same English word is a time elsewhere ("Received":
    # 收件时间 on a ticket, 收件数 here).
    return FigureTerm(key, pgettext_lazy("figure", label), definition, ratio)


FIGURES = {
    term.key: term
    for term in (
        _figure(
            "received",
            "Received",
            _(
                "Items received in the period. Each ticket, suggestion or application counts once, in the "
                "month it arrived (when its first deadline started), under the department it is with."
            ),
        ),
        _figure(
            "acknowledge_due",
            "Due for acknowledgement",
            _("Items received in the period that had to be acknowledged within 24 hours."),
        ),
        _figure(
            "acknowledged_in_time",
            "Acknowledged within 24 hours",
            _("Of those due for acknowledgement, the items acknowledged within 24 hours."),
        ),
        _figure(
            "acknowledged_rate",
            "Acknowledgement rate",
            _("Acknowledged within 24 hours ÷ due for acknowledgement."),
            ("acknowledged_in_time", "acknowledge_due"),
        ),
        _figure(
            "replied",
            "Replies made",
            _("Replies made in the period, whenever the item arrived; a re-examination's reply counts again."),
        ),
        _figure("replied_on_time", "Replies made on time", _("Of the replies made, those made by their deadline.")),
        _figure(
            "on_time_rate",
            "On-time reply rate",
            _("Replies made on time ÷ replies made."),
            ("replied_on_time", "replied"),
        ),
        _figure(
            "overdue",
            "Deadlines missed",
            _(
                "Deadlines (acknowledgement or reply) met late in the period, plus those still open past "
                "a due moment in the period."
            ),
        ),
        _figure(
            "average_reply_days",
            "Average days to reply",
            _("Calendar days from the start of the reply deadline to the reply, over the replies made."),
        ),
        _figure(
            "p90_reply_days",
            "90th percentile days to reply",
            _("Nine replies in ten took at most this many calendar days."),
        ),
        # The public page follows the items received in its months up to today (a cohort), so
        # that every rate is a share of a figure shown beside it and months add up to the total.
        _figure("answered", "Answered", _("Of the items received, those answered so far (the first reply counts).")),
        _figure("reply_rate", "Reply rate", _("Answered ÷ received."), ("answered", "received")),
        _figure(
            "answered_on_time",
            "Answered on time",
            _("Of the items answered, those whose first reply was made by its deadline."),
        ),
        _figure(
            "answered_on_time_rate",
            "Answered on time (%)",
            _("Answered on time ÷ answered."),
            ("answered_on_time", "answered"),
        ),
        _figure(
            "average_answer_days",
            "Average days to answer",
            _("Calendar days from the start of the reply deadline to the first reply, over the items answered."),
        ),
        # The overdue board.
        _figure(
            "open_items",
            "Open items",
            _("Items with a deadline still open. An item counts once, however many of its deadlines are open."),
        ),
        _figure("overdue_items", "Overdue items", _("Open items with at least one deadline past its due moment.")),
        _figure(
            "met_on_time_this_month",
            "Deadlines met on time this month",
            _("Of the deadlines met since the first of the month, those met by their due moment."),
        ),
        _figure("met_this_month", "Deadlines met this month", _("Deadlines met since the first of the month.")),
        _figure(
            "deadlines_overdue",
            "Deadlines overdue now",
            _(
                "Open deadlines past their due moment. A ticket has two deadlines (acknowledge, reply), "
                "so one ticket can count twice here."
            ),
        ),
    )
}


def figure_terms(*keys: str) -> list[FigureTerm]:
    """The definitions a page shows under its figures, in the order given."""
    return [FIGURES[key] for key in keys]


def half_up(value, places: int = 1) -> Decimal | None:
    """`value` rounded half away from zero to `places` decimals (46.15 → 46.2, never truncated).

    Goes through the float's shortest decimal form (str), so 0.1235 is 0.1235, not the binary
    0.12349999…, and a percentage ending in 5 rounds up as people expect.
    """
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def as_percent(fraction) -> Decimal | None:
    """A fraction 0..1 as a percentage with one decimal, rounded half up (2/3 → 66.7)."""
    if fraction is None or fraction == "":
        return None
    return half_up(Decimal(str(fraction)) * 100)


# --- which areas are built -------------------------------------------------------------------------

AREA_TITLES = {
    Area.PETITION: _("网络问政 Petitions and inquiries"),
    Area.SUGGESTION: _("公众建言 Public suggestions"),
    Area.DISCLOSURE: _("依申请公开 Disclosure applications"),
}
AREA_TOTAL_LABELS = {
    Area.PETITION: _("All petition tickets"),
    Area.SUGGESTION: _("All suggestions"),
    Area.DISCLOSURE: _("All disclosure applications"),
}


def installed_areas() -> list[str]:
    """The clock areas of the areas installed apps declare (portal.areas), in the areas' order.
    Pages show a section or a total only for these, so an area whose app is not built yet
    promises nothing."""
    return [key for key in area_keys() if key in Area.values]


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
    """Who opens the dashboards (board, urge, performance, export), and over which departments.

    The permission `portal.view_dashboard` is required: without it, None (forbidden), whatever
    the memberships. With it, office clerks and administrators (`portal.view_all_departments`) see
    every department; anyone else the departments they head (Membership.role "head"), and None
    if they head none. A membership only narrows the scope; it never opens a dashboard."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm("portal.view_dashboard")):
        return None
    can_urge = user.has_perm("portal.urge_work")
    if sees_all_departments(user):
        return DashboardScope(department_ids=None, can_urge=can_urge)
    heads = user_head_department_ids(user)
    if heads:
        return DashboardScope(department_ids=tuple(sorted(heads)), can_urge=can_urge)
    return None


def may_view_dashboard(user) -> bool:
    return dashboard_scope(user) is not None


# --- time helpers --------------------------------------------------------------------------------


def due_horizons(now: datetime) -> tuple[datetime, datetime]:
    """(end of today, the latest moment a clock can be due soon): the range the board scans.

    What "due soon" and "overdue" mean is ClockQuerySet's (portal.models), nowhere else."""
    today = deadlines.local_date(now)
    end_of_today = deadlines.end_of_day(today)
    return end_of_today, max(end_of_today, ClockQuerySet.due_soon_limit(now))


@dataclass(frozen=True)
class Overdue:
    """How long past due: working days after the due day up to today, and the time elapsed."""

    working_days: int
    elapsed: timedelta

    @property
    def hours(self) -> int:
        return int(self.elapsed.total_seconds() // 3600)

    @property
    def minutes(self) -> int:
        return int(self.elapsed.total_seconds() // 60)

    def __str__(self) -> str:
        return describe_overdue(self)


def overdue_by(due_at: datetime, now: datetime, calendar: deadlines.WorkCalendar | None = None) -> Overdue | None:
    """How long past due: working days after the due day up to today, and elapsed time."""
    if due_at >= now:
        return None
    return Overdue(working_days=deadlines.working_days_between(due_at, now, calendar), elapsed=now - due_at)


def describe_overdue(overdue: Overdue) -> str:
    """The one wording of "how long overdue": minutes under an hour, hours within the first working
    day, then working days with the hours beside them ("3 working days (61 hours)")."""
    if overdue.minutes < 1:
        return str(_("less than a minute"))
    if overdue.hours < 1:
        return ngettext("%(count)s minute", "%(count)s minutes", overdue.minutes) % {"count": overdue.minutes}
    hours = ngettext("%(count)s hour", "%(count)s hours", overdue.hours) % {"count": overdue.hours}
    if overdue.working_days < 1:
        return hours
    days = ngettext("%(count)s working day", "%(count)s working days", overdue.working_days) % {
        "count": overdue.working_days
    }
    return _("%(days)s (%(hours)s)") % {"days": days, "hours": hours}


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
            overdue=Count("due_at", filter=OVERDUE(now)),
            due_today=Count("due_at", filter=Q(state=State.RUNNING, due_at__gte=now, due_at__lte=end_of_today)),
            due_soon=Count("due_at", filter=DUE_SOON(now)),
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
    """Overdue and due-soon clocks (as ClockQuerySet defines them), as a QuerySet.

    `status` "overdue" or "due_soon" narrows it; `sort` is a key of SORTS (most overdue first
    by default). Served by the partial index on open clocks' due moments.
    """
    _, horizon = due_horizons(now)
    queryset = scope.clocks().filter(state__in=COUNTING_STATES, due_at__lte=horizon)
    if status == "overdue":
        queryset = queryset.filter(OVERDUE(now))
    elif status == "due_soon":
        queryset = queryset.filter(DUE_SOON(now))
    else:
        queryset = queryset.filter(OVERDUE(now) | DUE_SOON(now))
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
    """One page of the list, its subjects shown by their adapters (portal.subjects), fetched in
    one query per subject type."""
    clocks = list(clocks)
    shown = subjects.describe_all(clocks)
    calendar = deadlines.default_calendar()
    return [
        BoardItem(
            clock=clock,
            reference=shown[clock.pk].reference,
            title=shown[clock.pk].title,
            url=shown[clock.pk].admin_url,
            overdue=overdue_by(clock.due_at, now, calendar),
        )
        for clock in clocks
    ]


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
    """Per department: open items, items overdue now, on-time rate and average reply time this month.

    Items, not deadlines: a ticket waiting for both its acknowledgement and its reply is one open
    item (distinct subjects of the open clocks). Three queries: the departments; open clocks (the
    partial covering index on open clocks, plus each clock's subject); clocks met this month (the
    covering `met_at` index). Work not yet assigned to a department is a row of its own for users
    who see everything.
    """
    since = month_start(now)
    open_figures: dict[int | None, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0})
    for row in (
        scope.clocks()
        .filter(state__in=Clock.OPEN_STATES)
        .values("department_id", "content_type_id")
        .annotate(
            open=Count("object_id", distinct=True),
            overdue=Count("object_id", distinct=True, filter=OVERDUE(now)),
        )
        .order_by()
    ):
        figures = open_figures[row["department_id"]]
        figures["open"] += row["open"]
        figures["overdue"] += row["overdue"]
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
        if status.department_id in open_figures:
            row = open_figures[status.department_id]
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
    return f"portal:board-figures:v2:{translation.get_language()}:{ids}"


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


# The plug-in protocol -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One area-specific figure a domain app adds to the performance table.

    `format`: "rate" (a fraction 0..1, shown as a percentage), "count" or "days". `definition`:
    what it counts, shown under the table with the portal's own figures; a rate says which two
    of the provider's counts it divides, and the provider supplies those counts as metrics too,
    so that the pages show every rate beside its numerator and denominator.
    """

    key: str
    label: str | Promise
    format: str = "rate"
    definition: str | Promise = ""
    # A rate: the keys of the provider's two counts it divides (numerator, denominator).
    ratio: tuple[str, str] | None = None


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
    """Clocks of these departments (None: every clock, assigned or not), of one area or all."""
    condition = Q() if department_ids is None else Q(department_id__in=department_ids)
    if area:
        condition &= Q(area=area)
    return condition


def _same_subject():
    return Clock.objects.filter(content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))


def first_clocks(queryset):
    """Of `queryset`, each subject's first clock: the one that started when the item was received.

    An item counts as received once, at its first clock's start, under that clock's department:
    a later clock (a re-examination's reply, a response after moderation) is not a new item. Ties
    (a ticket's acknowledgement and reply start together) go to the lower id. One probe of the
    subject index per clock.
    """
    earlier = _same_subject().filter(
        Q(started_at__lt=OuterRef("started_at")) | Q(started_at=OuterRef("started_at"), id__lt=OuterRef("id"))
    )
    return queryset.filter(~Exists(earlier))


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

    started = base.filter(started_at__gte=start, started_at__lt=end)
    for item in first_clocks(started).values("department_id").annotate(received=Count("*")).order_by():
        row(item["department_id"]).received = item["received"]
    for item in (
        started.values("department_id")
        .annotate(
            acknowledge_due=Count("started_at", filter=Q(kind=Kind.ACKNOWLEDGE)),
            acknowledged_in_time=Count("started_at", filter=Q(kind=Kind.ACKNOWLEDGE, state=State.MET_ON_TIME)),
            replies_started=Count("started_at", filter=Q(kind__in=REPLY_KINDS)),
            replies_started_met=Count("started_at", filter=Q(kind__in=REPLY_KINDS, met_at__isnull=False)),
        )
        .order_by()
    ):
        target = row(item["department_id"])
        for name in ("acknowledge_due", "acknowledged_in_time", "replies_started", "replies_started_met"):
            setattr(target, name, item[name])

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
    """The performance table: every department in scope, ranked, with totals and provided metrics.

    The totals are the sum of the rows shown. For those who see every department the rows are the
    active departments, any other department with work in the period, and the work not yet
    assigned (unranked, last), so the totals cover every item, as the trend beside them does.
    """
    departments = list(scope.departments().values_list("id", "name"))
    figures = performance_figures(
        department_ids=None if scope.all_departments else [department_id for department_id, _name in departments],
        start=start,
        end=end,
        now=now,
    )
    known = {department_id for department_id, _name in departments}
    others = [department_id for department_id in figures if department_id is not None and department_id not in known]
    if others:
        departments += list(Department.objects.filter(id__in=others).order_by("name").values_list("id", "name"))
    ids = [department_id for department_id, _name in departments]
    provided = provided_metrics(ids, start, end)
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
    totals.p90_reply_days = _overall_p90(None if scope.all_departments else ids, start, end)
    totals.extra = provided.values.get(None, {})
    _rank(rows)
    if unassigned is not None:
        rows.append(unassigned)  # not a department: unranked, after the ranking
    return PerformanceReport(start=start, end=end, rows=rows, totals=totals, metrics=provided.metrics)


def _overall_p90(department_ids, start, end) -> float | None:
    if department_ids is not None and not department_ids:
        return None
    queryset = Clock.objects.filter(
        _clock_filter(department_ids, None), kind__in=REPLY_KINDS, met_at__gte=start, met_at__lt=end
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


# --- the public operations page -----------------------------------------------------------------

PUBLIC_STATS_KEY = "portal:public-stats:v2"
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
# What /stats/ shows for each area, in this order (FIGURES defines each).
PUBLIC_STATS_FIGURES = (
    "received",
    "answered",
    "reply_rate",
    "answered_on_time",
    "answered_on_time_rate",
    "average_answer_days",
)


@dataclass
class Cohort:
    """The items received in a month (or over several), followed up to now: how many, how many
    answered, how many of those on time, and the days their first replies took. Counts and the
    summed time add up across months and departments; rates are taken from the sums."""

    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answer_time: timedelta = field(default_factory=timedelta)

    def add(self, other: Cohort) -> None:
        self.received += other.received
        self.answered += other.answered
        self.answered_on_time += other.answered_on_time
        self.answer_time += other.answer_time

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "reply_rate": self.answered / self.received if self.received else None,
            "answered_on_time_rate": self.answered_on_time / self.answered if self.answered else None,
            "average_answer_days": self.answer_time.total_seconds() / 86400 / self.answered if self.answered else None,
        }


def received_cohorts(
    *, start: datetime, end: datetime, area: str | None = None
) -> dict[tuple[date, int | None], Cohort]:
    """{(local month, department id or None): Cohort} of the items received in [start, end).

    One query: each item's first clock started in the range (`first_clocks`), with its first
    reply-kind clock's state and duration looked up by subject (two index probes per item).
    """
    first_reply = _same_subject().filter(kind__in=REPLY_KINDS).order_by("started_at", "id")
    rows = (
        first_clocks(Clock.objects.filter(_clock_filter(None, area), started_at__gte=start, started_at__lt=end))
        .alias(
            reply_state=Subquery(first_reply.values("state")[:1]),
            reply_time=Subquery(
                first_reply.annotate(time=_duration()).values("time")[:1], output_field=DurationField()
            ),
        )
        .annotate(month=TruncMonth("started_at", tzinfo=deadlines.LOCAL_TZ))
        .values("month", "department_id")
        .annotate(
            received=Count("*"),
            answered=Count("id", filter=Q(reply_state__in=(State.MET_ON_TIME, State.MET_LATE))),
            answered_on_time=Count("id", filter=Q(reply_state=State.MET_ON_TIME)),
            answer_time=Sum("reply_time"),
        )
        .order_by()
    )
    return {
        (deadlines.local_date(row["month"]), row["department_id"]): Cohort(
            received=row["received"],
            answered=row["answered"],
            answered_on_time=row["answered_on_time"],
            answer_time=row["answer_time"] or timedelta(),
        )
        for row in rows
    }


def public_stats_compute(*, now: datetime) -> dict:
    """Everything /stats/ shows, as plain JSON-able data: aggregates only, no personal data.

    For each installed area (`installed_areas`): the items received in each of the last
    PUBLIC_STATS_MONTHS months and what became of them (`Cohort`), by month and by department;
    the months and the departments each add up to the totals. Plus the providers' figures.
    """
    last_month = deadlines.local_date(now).replace(day=1)
    start, end = periods.months_bounds(last_month, PUBLIC_STATS_MONTHS)
    months = periods.months_ending(last_month, PUBLIC_STATS_MONTHS)
    departments = list(Department.objects.filter(is_active=True).values_list("id", "name"))
    ids = [department_id for department_id, _name in departments]
    names = dict(departments)
    areas = {}
    for area in installed_areas():
        cohorts = received_cohorts(start=start, end=end, area=area)
        missing = {key[1] for key in cohorts if key[1] is not None and key[1] not in names}
        names.update(Department.objects.filter(id__in=missing).values_list("id", "name"))
        by_month = {month: Cohort() for month in months}
        by_department = {department_id: Cohort() for department_id in ids}
        totals = Cohort()
        for (month, department_id), cohort in cohorts.items():
            by_month[month].add(cohort)
            by_department.setdefault(department_id, Cohort()).add(cohort)
            totals.add(cohort)
        shown = [*ids, *sorted(set(by_department) - set(ids) - {None}, key=lambda i: names[i])]
        if None in by_department:
            shown.append(None)  # work not yet assigned: a row of its own, so the rows add up
        areas[area] = {
            **totals.as_dict(),
            "months": [{"month": f"{month:%Y-%m}", **by_month[month].as_dict()} for month in months],
            "departments": [
                {"name": names.get(department_id, ""), "unassigned": department_id is None}
                | by_department[department_id].as_dict()
                for department_id in shown
            ],
        }
    provided = provided_metrics(ids, start, end)
    monthly_provided = []
    for month in months:
        in_month = provided_metrics(ids, *periods.period_bounds(Period.MONTH, month))
        monthly_provided.append({"month": f"{month:%Y-%m}", "values": in_month.values.get(None, {})})
    return {
        "computed_at": timezone.localtime(now).isoformat(),
        "first_month": f"{months[0]:%Y-%m}",
        "last_month": f"{last_month:%Y-%m}",
        "area_order": list(areas),
        "areas": areas,
        "provided": {
            # Labels in every language: the page is rendered in the visitor's, not the worker's.
            "metrics": [
                {
                    "key": m.key,
                    "labels": _in_every_language(m.label),
                    "definitions": _in_every_language(m.definition) if m.definition else {},
                    "format": m.format,
                }
                for m in provided.metrics
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
