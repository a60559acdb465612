"""Benchmark the dashboards on PostgreSQL: the overdue board must not slow down as closed work piles up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench \
        python manage.py bench_dashboard --clocks 10000 1000000

For each total it empties the clock tables and inserts that many clocks with INSERT … SELECT
generate_series: 95% closed (met over the last two years, a tenth of them late), 5% open (started
in the last 40 days, so some overdue, some due soon), a realistic mix of policies (24-hour
acknowledgements, 7/15-working-day replies, suggestion responses, 20-day disclosure replies) over
20 departments, appended in order of arrival. It VACUUMs and ANALYZEs, then times (best of
--repeat) the board's selectors, the whole rendered /dashboard/ page through the test client as
an office clerk, the performance selectors and the public statistics computation, printing
milliseconds and query counts.
"""

import time

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import dashboards, deadlines, roles
from portal.models import Clock, Department, User

DEPARTMENTS = 20
CLERK = "bench_dashboard_clerk"


class Command(BaseCommand):
    help = "Time the dashboards over many clocks, most of them closed (PostgreSQL, a dedicated database)."

    def add_arguments(self, parser):
        parser.add_argument("--clocks", type=int, nargs="+", default=[10_000, 1_000_000])
        parser.add_argument("--open-every", type=int, default=20, help="one clock in N is open (20: 5%%)")
        parser.add_argument("--repeat", type=int, default=5, help="timings per measure (best is printed)")
        parser.add_argument("--yes", action="store_true", help="allow a database whose name lacks 'bench'")

    def handle(self, *args, clocks, open_every, repeat, yes, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboard measures PostgreSQL; set DATABASE_URL to a PostgreSQL database.")
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not yes:
            raise CommandError(
                f"bench_dashboard empties the clock tables of {name!r}; use a *bench* database or --yes."
            )
        clerk = self._people()
        self.stdout.write(f"database {name}, one clock in {open_every} open, best of {repeat}")
        for total in clocks:
            started = time.perf_counter()
            self._fill(total, open_every)
            open_count = Clock.objects.open().count()
            self.stdout.write(
                f"\n{total:,} clocks ({open_count:,} open) inserted in {time.perf_counter() - started:.1f} s"
            )
            self.stdout.write(f"{'measure':<34} {'ms':>9} {'queries':>8}")
            for label, measure in self._measures(clerk):
                best_ms, queries = self._time(measure, repeat)
                self.stdout.write(f"{label:<34} {best_ms:>9.1f} {queries:>8}")

    def _time(self, measure, repeat):
        measure, setup = measure if isinstance(measure, tuple) else (measure, None)
        best, count = None, 0
        for _ in range(repeat):
            if setup:
                setup()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                measure()
                elapsed = (time.perf_counter() - started) * 1000
            if best is None or elapsed < best:
                best, count = elapsed, len(captured)
        return best, count

    def _measures(self, clerk):
        scope = dashboards.DashboardScope(department_ids=None, can_urge=True)
        client = Client()
        client.force_login(clerk)
        now = timezone.now()
        start, end = dashboards.period_bounds(dashboards.Period.MONTH, deadlines.local_date(now))
        ids = list(Department.objects.filter(code__startswith="BENCHD").values_list("id", flat=True))
        trend_key = dashboards.trend_cache_key(None, start.date())

        def items_page():
            _page, clocks = dashboards.board_page(dashboards.board_items(scope=scope, now=now), 1)
            dashboards.board_rows(clocks, now=now)

        def page(path):
            def get():
                with override_settings(ALLOWED_HOSTS=["*"]):
                    response = client.get(path)
                assert response.status_code == 200, response.status_code

            return get

        return [
            ("board: headline figures", lambda: dashboards.board_headline(scope=scope, now=now)),
            ("board: departments", lambda: dashboards.board_departments(scope=scope, now=now)),
            ("board: list, first page", items_page),
            ("GET /dashboard/ (whole page)", page(reverse("dashboard"))),
            ("GET /dashboard/?sort=department", page(reverse("dashboard") + "?sort=department")),
            (
                "performance: this month",
                lambda: dashboards.performance_figures(department_ids=ids, start=start, end=end, now=now),
            ),
            (
                "performance: trend, 12 months",
                lambda: dashboards.performance_trend(department_ids=None, last_month=start.date()),
            ),
            (
                "GET /dashboard/performance/ (cold)",
                (page(reverse("dashboard_performance")), lambda: cache.delete(trend_key)),
            ),
            ("GET /dashboard/performance/ (warm)", page(reverse("dashboard_performance"))),
            ("stats: compute (the beat task)", lambda: dashboards.public_stats_compute(now=now)),
        ]

    def _people(self) -> User:
        for index in range(DEPARTMENTS):
            Department.objects.get_or_create(code=f"BENCHD{index}", defaults={"name": f"基准部门{index}"})
        clerk, _ = User.objects.get_or_create(username=CLERK, defaults={"is_staff": True})
        clerk.groups.add(Group.objects.get(name=roles.OFFICE_CLERK))
        return clerk

    def _fill(self, total: int, open_every: int):
        department_ids = list(Department.objects.filter(code__startswith="BENCHD").values_list("id", flat=True))
        content_type = ContentType.objects.get_for_model(Department)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE portal_notice, portal_outboundemail, portal_sweeprun, portal_historicalclock, portal_clock"
            )
            # One policy in five of each; open clocks started in the last 40 days, closed ones over two
            # years. Working days are approximated as 1.4 calendar days: the mix matters, not the dates.
            cursor.execute(
                """
                INSERT INTO portal_clock (content_type_id, object_id, department_id, area, kind, policy, unit,
                    amount, started_at, due_at, met_at, state, extension_days, extension_reason, paused_days,
                    provisional, created_at)
                SELECT %(ct)s, n, department_id, area, kind, policy, unit, amount, started_at, due_at,
                    CASE WHEN is_open THEN NULL ELSE met_at END,
                    CASE WHEN is_open AND due_at < %(now)s THEN 'overdue'
                         WHEN is_open THEN 'running'
                         WHEN met_at <= due_at THEN 'met_on_time' ELSE 'met_late' END,
                    0, '', 0, false, started_at
                FROM (
                    SELECT n, department_id, area, kind, policy, unit, amount, is_open, started_at, due_at,
                        LEAST(%(now)s, CASE WHEN n %% 10 = 1 THEN due_at + interval '2 days'
                                            ELSE started_at + (due_at - started_at) / 2 END) AS met_at
                    FROM (
                        SELECT n, department_id, area, kind, policy, unit, amount, is_open, started_at,
                            started_at + CASE WHEN unit = 'hours' THEN amount * interval '1 hour'
                                              ELSE amount * interval '33.6 hours' END AS due_at
                        FROM (
                            SELECT n, (%(departments)s::bigint[])[1 + n %% %(count)s] AS department_id,
                                (ARRAY['petition','petition','petition','suggestion','disclosure'])[1 + n %% 5] AS area,
                                (ARRAY['acknowledge','reply','reply','respond','reply'])[1 + n %% 5] AS kind,
                                (ARRAY['petition.acknowledge','petition.reply.ordinary','petition.reply.complex',
                                       'suggestion.respond.single','disclosure.reply'])[1 + n %% 5] AS policy,
                                CASE WHEN n %% 5 = 0 THEN 'hours' ELSE 'working_days' END AS unit,
                                (ARRAY[24, 7, 15, 7, 20])[1 + n %% 5] AS amount,
                                n %% %(open_every)s = 0 AS is_open,
                                %(now)s - CASE WHEN n %% %(open_every)s = 0
                                               THEN ((n::bigint * 7919) %% (40 * 86400)) * interval '1 second'
                                               ELSE ((n::bigint * 7919) %% (730 * 86400)) * interval '1 second' END
                                    AS started_at
                            FROM generate_series(1, %(total)s) AS n
                        ) base
                    ) with_due
                ) with_met
                ORDER BY started_at
                """,
                {
                    "ct": content_type.id,
                    "now": now,
                    "departments": department_ids,
                    "count": len(department_ids),
                    "open_every": open_every,
                    "total": total,
                },
            )
            # Rows are appended in the order work arrives, as in production; autovacuum would set the
            # visibility map that index-only scans rely on, so VACUUM now rather than wait for it.
            cursor.execute("VACUUM ANALYZE portal_clock")
