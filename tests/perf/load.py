"""Load test: gunicorn + a Celery worker on the generated database, driven by locust, phase by phase.

    .venv/bin/pip install -r requirements-perf.txt
    .venv/bin/python manage.py generate_data --petitions 1000000   # into DATABASE_URL, once
    .venv/bin/python tests/perf/load.py                             # about seven minutes

Defaults: the database minsheng_load on the machine's PostgreSQL (read-mostly: submissions add
rows, marked LOAD-<run>-…), the machine's Redis with databases 0 (broker) and 1 (cache) that the
test suite does not use, gunicorn on 127.0.0.1:8100 (8 gthread workers × 2 threads: README.md,
"Load", says why), one Celery worker, and 20 locust users per phase on loopback only, each phase
bounded in time:

  warm-up    all users, 10 s, not reported
  ping       the bare JsonResponse view, no wait: the ceiling of this server on this machine
  public     anonymous readers of the public pages (home, the column with filters and search,
             published tickets by Zipf popularity, /stats/), no wait
  crawler    the same pages with every sampled ticket alike (uniform popularity), no wait
  tracking   anonymous ticket holders: tracking number + query code, then the tracking page
  citizen    signed-in citizens: submit (CSRF), their tickets, the column, notices, no wait
  clerk      staff: petitions changelist with filters, change pages, /dashboard/, no wait
  mixed      10 public readers : 2 ticket holders : 5 citizens : 2 clerks : 1 ping, each
             waiting ~1 s between pages

The capacity phases (no wait) give throughput and its ratio to /ping; the mixed phase gives the
latencies 20 people browsing at a human pace see. Afterwards every submission answered with the
receipt redirect is looked up in the database: there exactly once, with its two clocks. The
report goes to stdout and tests/perf/results/load-<date>-<worker class>[-<phases>].md.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
PASSWORD = "load-test-password-42"
CITIZENS = 20
PHASES = {
    # name: (user classes, seconds between a user's requests, reported, extra environment)
    "warm-up": (["PublicReader", "TicketHolder", "Citizen", "Clerk", "PingUser"], 0.5, False, {}),
    "ping": (["PingUser"], 0, True, {}),
    "public": (["PublicReader"], 0, True, {}),
    "crawler": (["PublicReader"], 0, True, {"LOAD_POPULARITY": "uniform"}),
    "tracking": (["TicketHolder"], 0, True, {}),
    "citizen": (["Citizen"], 0, True, {}),
    "clerk": (["Clerk"], 0, True, {}),
    "mixed": (["PublicReader:10", "TicketHolder:2", "Citizen:5", "Clerk:2", "PingUser:1"], 1.0, True, {}),
}
PROCESSES: list[subprocess.Popen] = []


def spawn(name: str, args: list[str], env: dict, logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    PROCESSES.append(process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


REMOVE_AT_EXIT: list[Path] = []


@atexit.register
def stop_all() -> None:
    for process in PROCESSES:
        stop(process)
    for folder in REMOVE_AT_EXIT:
        shutil.rmtree(folder, ignore_errors=True)


signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def prepare(run: str) -> dict:
    """Accounts for the load users and a sample of what they will ask for."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from petitions.generate import GENERATED_QUERY_CODE
    from petitions.models import Category, Petition
    from portal import roles
    from portal.models import Department, User

    def account(username: str, **fields) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults=fields)
        user.set_password(PASSWORD)
        user.save()
        return user

    citizens = Group.objects.get(name=roles.CITIZEN)
    for n in range(CITIZENS):
        account(f"load_citizen_{n}", email=f"load_citizen_{n}@load.invalid", first_name="负载").groups.add(citizens)
    clerk = account("load_clerk", is_staff=True, email="load_clerk@load.invalid", first_name="负载")
    clerk.groups.add(Group.objects.get(name=roles.OFFICE_CLERK))
    with connection.cursor() as cursor:
        # A few thousand random tickets without sorting a million rows: a block sample.
        # Only generated tickets: they share the query code LOADTEST; earlier runs' submissions do not.
        cursor.execute(
            "SELECT id, reference, published_at IS NOT NULL FROM petitions_petition TABLESAMPLE SYSTEM (1) "
            "WHERE title NOT LIKE 'LOAD-%%'"
        )
        sample = cursor.fetchall()[:20_000]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'petitions_petition'")
        estimate = cursor.fetchone()[0]
    today = timezone.localdate()
    months = []
    for back in range(12):
        index = today.year * 12 + today.month - 1 - back
        months.append(f"{index // 12}-{index % 12 + 1:02d}")
    data = {
        "run": run,
        "password": PASSWORD,
        "citizens": CITIZENS,
        "clerk": clerk.username,
        "query_code": GENERATED_QUERY_CODE,
        "ids": [row[0] for row in sample[:5000]],
        "references": [row[1] for row in sample[:5000]],
        "published": [row[1] for row in sample if row[2]][:5000],
        "departments": list(Department.objects.filter(is_active=True).values_list("id", flat=True)),
        "categories": list(Category.objects.filter(is_active=True).values_list("id", flat=True)),
        "kinds": list(Petition.Kind.values),
        "months": months,
        "petitions": estimate,
    }
    connection.close()
    return data


class CpuMeter:
    """Cores used by each part of the stack during a phase, polled while it runs (a process that
    ends between two polls loses at most its last second). "postgres" is every PostgreSQL process
    on the machine; "other" is everything else running here (other people's work included)."""

    GROUPS = ("gunicorn", "postgres", "celery", "redis", "locust")

    def __init__(self):
        self.started = time.monotonic()
        self.started_wall = time.time()
        self.machine = psutil.cpu_times()
        self.seen: dict[int, list] = {}  # pid → [group, first cpu seconds, last cpu seconds]
        self.tick()

    @staticmethod
    def _group(process) -> str | None:
        command = " ".join(process.info["cmdline"] or []) or (process.info["name"] or "")
        for group in CpuMeter.GROUPS:
            if group in command or group in (process.info["name"] or ""):
                return group
        return None

    def tick(self) -> None:
        for process in psutil.process_iter(["name", "cmdline", "cpu_times", "create_time"]):
            times = process.info["cpu_times"]
            group = self._group(process) if times else None
            if group is None:
                continue
            used = times.user + times.system
            if process.pid not in self.seen:
                new = (process.info["create_time"] or 0) >= self.started_wall
                self.seen[process.pid] = [group, 0.0 if new else used, used]
            self.seen[process.pid][2] = used

    def result(self) -> dict[str, float]:
        self.tick()
        elapsed = time.monotonic() - self.started
        cores = dict.fromkeys(self.GROUPS, 0.0)
        for group, first, last in self.seen.values():
            cores[group] += (last - first) / elapsed
        machine = psutil.cpu_times()
        busy = sum(getattr(machine, f) - getattr(self.machine, f) for f in ("user", "system", "nice", "irq", "softirq"))
        cores["other"] = max(0.0, busy / elapsed - sum(cores.values()))
        return cores


def run_phase(name: str, args, env: dict, work: Path) -> tuple[list[dict], dict[str, float]]:
    classes, wait, _, extra = PHASES[name]
    seconds = 10 if name == "warm-up" else args.seconds
    prefix = work / name
    picked = [spec.split(":")[0] for spec in classes]
    weights = {spec.split(":")[0]: spec.split(":")[1] for spec in classes if ":" in spec}
    phase_env = (
        env
        | {
            "LOAD_WAIT": str(wait),
            "LOAD_MARKERS": str(work / f"markers-{name}.json"),
            "LOAD_WEIGHTS": json.dumps(weights),
        }
        | extra
    )
    meter = CpuMeter()
    locust = subprocess.Popen(
        [
            str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--host", args.host,
            "-u", str(args.users), "-r", str(args.users), "-t", f"{seconds}s", "--stop-timeout", "10",
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", *picked,
        ],
        cwd=ROOT, env=phase_env, stdout=open(work / f"locust-{name}.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    PROCESSES.append(locust)
    while locust.poll() is None:
        time.sleep(1)
        meter.tick()
    cpu = meter.result()
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return rows, cpu


def verify_submissions(run: str, markers: list[str]) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from petitions.models import Petition
    from portal.models import Clock

    petitions = list(Petition.objects.filter(title__startswith=f"LOAD-{run}-").values_list("id", "title"))
    by_title: dict[str, list[int]] = {}
    for pk, title in petitions:
        by_title.setdefault(title, []).append(pk)
    content_type = ContentType.objects.get_for_model(Petition)
    clocks: dict[int, int] = {}
    for pk in Clock.objects.filter(content_type=content_type, object_id__in=[p for p, _ in petitions]).values_list(
        "object_id", flat=True
    ):
        clocks[pk] = clocks.get(pk, 0) + 1
    connection.close()
    return {
        "accepted (302 to the receipt)": len(markers),
        "distinct accepted titles": len(set(markers)),
        "found in the database": sum(1 for title in set(markers) if title in by_title),
        "found more than once": sum(1 for title in set(markers) if len(by_title.get(title, [])) > 1),
        "in the database but not accepted": sum(1 for title in by_title if title not in set(markers)),
        "without both clocks (acknowledge + reply)": sum(1 for pk, _ in petitions if clocks.get(pk, 0) != 2),
    }


def percentile(row: dict, column: str) -> str:
    value = row.get(column, "N/A")
    return value if value in ("N/A", "") else f"{float(value):.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/minsheng_load")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--cache-url", default="rediscache://127.0.0.1:6379/1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60, help="per phase")
    parser.add_argument("--workers", type=int, default=8, help="gunicorn workers")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread, sync)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--phases", nargs="+", default=list(PHASES), choices=list(PHASES))
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs, locust CSV files)")
    args = parser.parse_args()
    args.host = f"http://127.0.0.1:{args.port}"
    for url in (args.database_url, args.broker_url, args.cache_url):
        host = url.split("@")[-1].split("//")[-1].split(":")[0].split("/")[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            sys.exit(f"the load test only runs against this machine (loopback): {url}")

    run = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="minsheng-load-"))
    if not args.keep:
        REMOVE_AT_EXIT.append(work)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "REDIS_URL"))} | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "CACHE_URL": args.cache_url,
        "EMAIL_URL": "dummymail://",
        "MINSHENG_VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        "RATE_LIMITS": '{"petitions.track": "100000/h", "petitions.submit": "100000/h"}',
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "LOAD_RUN": run,
        "LOAD_DATA": str(work / "data.json"),
    }
    os.environ.update(env)
    print(f"run {run}, working folder {work}", flush=True)
    data = prepare(run)
    (work / "data.json").write_text(json.dumps(data, ensure_ascii=False))
    print(
        f"database ~{data['petitions']:,} petitions; sampled {len(data['references'])} references, "
        f"{len(data['published'])} published",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    import redis

    cache_url = args.cache_url.replace("rediscache://", "redis://")
    redis.Redis.from_url(cache_url).flushdb()  # a cold cache, and no rate-limit counts from before
    # What beat does every ten minutes: /stats/ is never computed per request.
    subprocess.run([sys.executable, "manage.py", "refresh_public_stats"], cwd=ROOT, env=env, check=True)
    gunicorn = [
        str(BIN / "gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
        "--worker-class", args.worker_class, "--threads", str(args.threads), "--timeout", "60",
    ]  # fmt: skip
    spawn("gunicorn", gunicorn, env, work)
    spawn(
        "celery",
        [str(BIN / "celery"), "-A", "portal", "worker", "--concurrency", "1", "-l", "warning", "-n", f"load-{run}@%h"],
        env,
        work,
    )
    started = time.monotonic()
    while True:
        try:
            if urllib.request.urlopen(f"{args.host}/healthz", timeout=2).status == 200:
                break
        except Exception:
            if time.monotonic() - started > 60:
                sys.exit(f"gunicorn did not answer /healthz; see {work}/gunicorn.log")
            time.sleep(0.5)

    results: dict[str, tuple[list[dict], dict]] = {}
    for name in args.phases:
        print(f"phase {name} …", flush=True)
        results[name] = run_phase(name, args, env, work)
        aggregated = next(row for row in results[name][0] if row["Name"] == "Aggregated")
        print(
            f"  {float(aggregated['Requests/s']):.1f} req/s, p95 {percentile(aggregated, '95%')} ms, "
            f"{aggregated['Failure Count']} failures",
            flush=True,
        )

    markers: list[str] = []
    for name in args.phases:
        path = work / f"markers-{name}.json"
        if path.exists():
            markers += json.loads(path.read_text())
    check = verify_submissions(run, markers)

    report = render_report(args, run, data, results, check)
    print("\n" + report)
    (HERE / "results").mkdir(exist_ok=True)
    some = "" if args.phases == list(PHASES) else "-" + "-".join(args.phases)
    shape = f"{args.worker_class}-{args.workers}x{args.threads}"
    out = HERE / "results" / f"load-{dt.datetime.now(dt.UTC):%Y-%m-%d}-{shape}{some}.md"
    out.write_text(report)
    print(f"written to {out.relative_to(ROOT)}" + (f"; logs in {work}" if args.keep else ""))
    return 0


def render_report(args, run: str, data: dict, results: dict, check: dict) -> str:
    ping_rate = None
    if "ping" in results:
        ping_rate = float(next(r for r in results["ping"][0] if r["Name"] == "Aggregated")["Requests/s"])
    lines = [
        f"# Load test {run} (UTC)",
        "",
        f"`tests/perf/load.py {' '.join(sys.argv[1:])}`: {os.cpu_count()} cores, gunicorn {args.workers} × "
        f"{args.worker_class}{f' × {args.threads} threads' if args.threads > 1 else ''}, {args.users} users, "
        f"{args.seconds} s per phase, ~{data['petitions']:,} petitions in the database.",
        "",
        "| phase | page | requests | failures | req/s | vs /ping | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (rows, _) in results.items():
        if not PHASES[name][2]:
            continue
        for row in rows:
            rate = float(row["Requests/s"])
            ratio = f"{rate / ping_rate:.2f}×" if ping_rate and row["Name"] == "Aggregated" else ""
            label = "**all**" if row["Name"] == "Aggregated" else f"`{row['Type']} {row['Name']}`".replace("|", "\\|")
            lines.append(
                f"| {name} | {label} | {row['Request Count']} | {row['Failure Count']} | {rate:.1f} | {ratio} | "
                f"{percentile(row, '50%')} | {percentile(row, '95%')} | {percentile(row, '99%')} |"
            )
    lines += ["", "CPU used during each phase (cores; the machine has 2):", ""]
    groups = (*CpuMeter.GROUPS, "other")
    lines += ["| phase | " + " | ".join(groups) + " |", "|---|" + "---:|" * len(groups)]
    for name, (_, cpu) in results.items():
        if PHASES[name][2]:
            lines.append(f"| {name} | " + " | ".join(f"{cpu[group]:.2f}" for group in groups) + " |")
    lines += ["", "Submissions checked in the database afterwards:", ""]
    lines += [f"- {key}: {value}" for key, value in check.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
