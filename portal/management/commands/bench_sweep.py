"""Benchmark the deadline sweep on PostgreSQL: how its cost grows with clocks due vs clocks in all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench \
        python manage.py bench_sweep --clocks 10000 1000000 --due 1000

For each total it empties the clock tables, inserts that many running clocks (`--due` of them
already past due, the rest due weeks ahead) with INSERT … SELECT generate_series, ANALYZEs,
then times one sweep and prints the time, the queries and the rows it wrote.
"""

import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import roles
from portal.clocks import sweep_deadlines
from portal.models import Clock, Department, Membership, Notice, OutboundEmail, User

DEPARTMENTS = 20
STAFF_PER_DEPARTMENT = 3
CLERKS = 2


class Command(BaseCommand):
    help = "Time one deadline sweep over many running clocks (PostgreSQL, a dedicated database)."

    def add_arguments(self, parser):
        parser.add_argument("--clocks", type=int, nargs="+", default=[10_000, 1_000_000])
        parser.add_argument("--due", type=int, default=1000, help="clocks already past due")
        parser.add_argument("--repeat", type=int, default=3, help="sweeps per size (fresh data each)")
        parser.add_argument("--yes", action="store_true", help="allow a database whose name lacks 'bench'")

    def handle(self, *args, clocks, due, repeat, yes, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_sweep measures PostgreSQL; set DATABASE_URL to a PostgreSQL database.")
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not yes:
            raise CommandError(f"bench_sweep empties the clock tables of {name!r}; use a *bench* database or --yes.")
        self._people()
        self.stdout.write(f"database {name}, {due} clocks newly overdue per sweep, best of {repeat}")
        self.stdout.write(f"{'clocks':>10} {'sweep ms':>9} {'queries':>8} {'overdue':>8} {'notices':>8} {'e-mails':>8}")
        figures = {}
        for total in clocks:
            best = None
            for _ in range(repeat):
                self._fill(total, due)
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    result = sweep_deadlines()
                    elapsed = (time.perf_counter() - started) * 1000
                run = (
                    elapsed,
                    len(queries),
                    len(result.overdue),
                    Notice.objects.count(),
                    OutboundEmail.objects.count(),
                )
                best = run if best is None or run[0] < best[0] else best
            figures[total] = best
            self.stdout.write(f"{total:>10} {best[0]:>9.1f} {best[1]:>8} {best[2]:>8} {best[3]:>8} {best[4]:>8}")
        if len(figures) > 1:
            smallest, largest = min(figures), max(figures)
            ratio = figures[largest][0] / figures[smallest][0]
            self.stdout.write(f"sweep time at {largest} clocks / at {smallest} clocks: {ratio:.2f}×")

    def _people(self):
        for index in range(DEPARTMENTS):
            department, _ = Department.objects.get_or_create(code=f"BENCH{index}", defaults={"name": f"基准局{index}"})
            for member in range(STAFF_PER_DEPARTMENT):
                user, _ = User.objects.get_or_create(
                    username=f"bench_staff_{index}_{member}", defaults={"email": f"s{index}_{member}@bench.invalid"}
                )
                Membership.objects.get_or_create(user=user, department=department)
        from django.contrib.auth.models import Group

        clerks = Group.objects.get(name=roles.OFFICE_CLERK)
        for index in range(CLERKS):
            user, _ = User.objects.get_or_create(
                username=f"bench_clerk_{index}", defaults={"email": f"c{index}@bench.invalid"}
            )
            user.groups.add(clerks)

    def _fill(self, total: int, due: int):
        department_ids = list(Department.objects.filter(code__startswith="BENCH").values_list("id", flat=True))
        content_type = ContentType.objects.get_for_model(Department)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE portal_notice, portal_outboundemail, portal_sweeprun, portal_historicalclock, portal_clock"
            )
            # Clocks 1..due are past due by up to a day; the rest are due 20 to 40 days ahead.
            cursor.execute(
                """
                INSERT INTO portal_clock (content_type_id, object_id, department_id, area, kind, policy, unit,
                    amount, started_at, due_at, state, extension_days, extension_reason, paused_days,
                    provisional, created_at)
                SELECT %s, n, (%s::bigint[])[1 + n %% %s], 'petition', 'reply', 'petition.reply.ordinary',
                    'working_days', 7, %s - interval '10 days',
                    CASE WHEN n <= %s THEN %s - (n || ' seconds')::interval
                         ELSE %s + interval '20 days' + (n %% 1728000 || ' seconds')::interval END,
                    'running', 0, '', 0, false, %s
                FROM generate_series(1, %s) AS n
                """,
                [content_type.id, department_ids, len(department_ids), now, due, now, now, now, total],
            )
            cursor.execute("ANALYZE portal_clock")
        assert Clock.objects.filter(due_at__lt=now).count() == due
