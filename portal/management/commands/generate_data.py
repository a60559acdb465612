"""Fill PostgreSQL with realistic generated records for load tests and benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_load python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_load \
        python manage.py generate_data --petitions 1000000

One option per registered generator (portal.generate: an app's `data_generators`), so
suggestions and disclosure applications add `--suggestions N`, `--applications N` by declaring
theirs. Records are added, never replaced: run it again to add more.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from portal.generate import prepare_context, registered_generators


class Command(BaseCommand):
    help = "Add generated records (COPY, PostgreSQL only) for load tests: --petitions N, …"

    def add_arguments(self, parser):
        for name in registered_generators():
            parser.add_argument(f"--{name}", type=int, default=0, metavar="N", help=f"how many {name} to add")
        parser.add_argument("--seed", type=int, default=20261122, help="random seed (same seed, same data)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    def handle(self, *args, seed, no_progress, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_data writes with COPY; set DATABASE_URL to a PostgreSQL database.")
        wanted = {name: options.get(name) or 0 for name in registered_generators()}
        if not any(wanted.values()):
            raise CommandError("Say how many records to add, e.g. --petitions 1000000.")
        context = prepare_context(seed=seed, progress=not no_progress)
        for name, generator in registered_generators().items():
            if not wanted[name]:
                continue
            started = time.perf_counter()
            with transaction.atomic():
                written = generator(count=wanted[name], context=context)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{name}: {written} added in {elapsed:.1f} s ({written / elapsed:,.0f} per second)")
        # What autovacuum would do soon after a bulk load: statistics for the planner and the
        # visibility map that lets the dashboards' covering indexes answer without the table.
        # (Inside a caller's transaction, as in the tests, VACUUM cannot run; the generators ANALYZE.)
        if not connection.in_atomic_block:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.stdout.write(f"VACUUM (ANALYZE) in {time.perf_counter() - started:.1f} s")
