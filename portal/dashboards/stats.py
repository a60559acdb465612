"""The public operations page (/stats/): aggregates only, computed by a periodic task into the cache."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from portal import deadlines, periods
from portal.dashboards.board import _duration
from portal.dashboards.figures import State, installed_areas, reply_kinds
from portal.dashboards.metrics import provided_metrics
from portal.dashboards.performance import _clock_filter, _same_subject, first_clocks
from portal.models import Clock, Department
from portal.pagecache import public_content_changed
from portal.periods import Period

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
    first_reply = _same_subject().filter(kind__in=reply_kinds()).order_by("started_at", "id")
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
