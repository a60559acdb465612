"""The overdue board (/dashboard/): headline figures, the list to act on, the departments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
)
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import deadlines, registry, subjects
from portal.calendar import calendar_missing_years
from portal.dashboards.figures import COUNTING_STATES, DUE_SOON, OVERDUE, State, reply_kinds
from portal.dashboards.scope import DashboardScope
from portal.models import Clock, ClockQuerySet
from portal.periods import month_start
from portal.policies import all_policies

# --- red / amber / green for departments (explained in the board's legend) ----------------------
# Red: a tenth or more of the department's open work is overdue, or fewer than 80% of the
# deadlines it met this month were met on time. Amber: anything overdue at all, or fewer than 95%
# on time. Green otherwise.
RED_OVERDUE_SHARE = 0.10
RED_ON_TIME_RATE = 0.80
AMBER_ON_TIME_RATE = 0.95

BOARD_PAGE_SIZE = 50


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
    totals, by_area, by_policy = Figures(), {area: Figures() for area in registry.clock_areas()}, []
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
            average_reply=Avg(_duration(), filter=Q(kind__in=reply_kinds())),
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


# --- the board's warnings ------------------------------------------------------------------------


def board_warnings(*, now: datetime) -> list[int]:
    """Years (current, next) with no work-calendar entries: their deadlines are provisional."""
    return calendar_missing_years(now=now)
