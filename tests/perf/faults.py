"""Fault drills for the deadline sweep, the e-mail outbox, the broker and the database.

    .venv/bin/python tests/perf/faults.py            # all six scenarios, about five minutes
    .venv/bin/python tests/perf/faults.py --only 1 4 # some of them
    .venv/bin/python tests/perf/faults.py --keep     # keep the temporary folder (logs) afterwards

It never touches the machine's own PostgreSQL (5432) or Redis (6379), which CI shares: it starts a
private PostgreSQL (initdb into a temporary folder, port 55432) and a private Redis (port 56379,
append-only file, fsync every second), migrates, runs the scenarios against real Celery workers,
beats and gunicorn, and stops and deletes all of it at the end, on failure too. Each scenario
prints PASS or FAIL with what it observed; the summary goes to tests/perf/results/faults-<date>.md.

1. kill -9 the worker's child in the middle of a sweep   → redelivered, done once, notices once
2. kill -9 the worker's child in the middle of an e-mail → every e-mail sent; duplicates counted
3. kill -9 Redis with 1,000 tasks queued, restart it     → tasks surviving in the append-only file
4. restart PostgreSQL under web traffic                  → clean errors, then recovery in place
5. beat down for a day                                   → the first sweep catches everything up
6. two beats at once                                     → no notice twice
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import datetime as dt
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"

PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "55432"))
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "56379"))
SMTP_PORT = int(os.environ.get("FAULTS_SMTP_PORT", "56025"))
WEB_PORT = int(os.environ.get("FAULTS_WEB_PORT", "58001"))
DB_NAME = "minsheng_faults"
for port in (5432, 6379):
    assert port not in (PG_PORT, REDIS_PORT), "the drills never use the machine's own services"

WORK = Path(tempfile.mkdtemp(prefix="minsheng-faults-"))
WORK.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach its folders
PG_DATA, PG_SOCKETS, REDIS_DIR, LOGS = WORK / "pg", WORK / "pgsock", WORK / "redis", WORK / "logs"
for folder in (REDIS_DIR, LOGS):
    folder.mkdir()

os.environ.update(
    DJANGO_SETTINGS_MODULE="portal.settings",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}",
    CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
    CACHE_URL=f"rediscache://127.0.0.1:{REDIS_PORT}/1",
    EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
    MINSHENG_VAR_DIR=str(WORK / "var"),
    STATIC_ROOT=str(WORK / "static"),
    CONN_MAX_AGE="60",
    DEBUG="false",
    LOG_LEVEL="INFO",
    PYTHONPATH=str(ROOT),
)
for name in ("REDIS_URL", "PYTEST_CURRENT_TEST"):
    os.environ.pop(name, None)


# --- processes we start, and cleaning up after them ------------------------------------------

PROCESSES: list[subprocess.Popen] = []
KEEP = False


def spawn(name: str, args: list[str], **env) -> subprocess.Popen:
    log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        args, cwd=ROOT, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log_path = LOGS / f"{name}.log"
    PROCESSES.append(process)
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    if process in PROCESSES:
        PROCESSES.remove(process)


def as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"no /usr/lib/postgresql/*/bin/{name}: install PostgreSQL's server package")
    return found[-1]


def pg_ctl(*args: str, check=True) -> float:
    """Seconds it took. The server's output goes to its log file: a pipe here would be held
    open by the postmaster, and waiting for it would never end."""
    started = time.monotonic()
    command = [pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(LOGS / "postgresql.log"), *args]
    subprocess.run(as_postgres(command), check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


PG_OPTIONS = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {PG_SOCKETS} -c max_connections=200"


def pg_start() -> float:
    return pg_ctl("-w", "-o", PG_OPTIONS, "start")


REDIS_ARGS = [
    "redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(REDIS_DIR),
    "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
]  # fmt: skip


def redis_start() -> subprocess.Popen:
    process = spawn("redis", REDIS_ARGS)
    wait_until(lambda: redis_client().ping(), 20, "the private Redis to answer")
    return process


def redis_client():
    import redis

    return redis.Redis(host="127.0.0.1", port=REDIS_PORT, socket_timeout=2)


def cleanup() -> None:
    for process in list(PROCESSES):
        stop(process, signal.SIGKILL, 5)
    if PG_DATA.exists():
        pg_ctl("-m", "immediate", "-w", "stop", check=False)
    if KEEP:
        print(f"kept {WORK}")
    else:
        shutil.rmtree(WORK, ignore_errors=True)


atexit.register(cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def wait_until(predicate, timeout: float, describe: str, interval: float = 0.1) -> float:
    """Seconds it took; raises TimeoutError naming what never happened."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if predicate():
                return time.monotonic() - started
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {describe}")


# --- the SMTP sink: slow on demand, records every message it accepts ---------------------------


class Sink:
    def __init__(self):
        self.delay = 0.0
        self.received: list[str] = []  # one recipient per accepted message
        self.in_flight = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.in_flight += 1
        try:
            # Like a real MTA, the message is committed once its data has arrived, before the client
            # reads our 250: a client that dies in between has sent it, without knowing (RFC 1047).
            with self.lock:
                self.received.extend(envelope.rcpt_tos)
            if self.delay:
                await asyncio.sleep(self.delay)
            return "250 Message accepted for delivery"
        finally:
            with self.lock:
                self.in_flight -= 1

    def reset(self, delay=0.0):
        with self.lock:
            self.delay, self.received = delay, []


SINK = Sink()


# --- the database, seen from this script -------------------------------------------------------


def sql(query: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def one(query: str, params=()):
    return sql(query, params)[0][0]


def reconnect() -> None:
    from django.db import connection

    connection.close()


def reset_data() -> None:
    reconnect()
    sql("TRUNCATE portal_notice, portal_outboundemail, portal_sweeprun, portal_historicalclock, portal_clock")
    redis_client().flushall()
    SINK.reset()


def people() -> None:
    """20 departments of 3 staff and 2 office clerks, as bench_sweep makes them."""
    from portal.management.commands.bench_sweep import Command as BenchSweep

    BenchSweep()._people()


# Notices per clock: the department's 3 staff are told, and overdue work escalates to the 2 clerks.
OVERDUE_NOTICES, DUE_SOON_NOTICES = 5, 3


def insert_clocks(count: int, first_offset: float, step: float, unit: str = "working_days", first: int = 1) -> None:
    """`count` running clocks, clock n due at now + first_offset + n × step seconds; their subjects
    are departments `first`… (most do not exist: the sweep copes, as bench_sweep shows)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from portal.models import Department

    departments = list(Department.objects.filter(code__startswith="BENCH").values_list("id", flat=True))
    content_type = ContentType.objects.get_for_model(Department)
    now = timezone.now()
    sql(
        """
        INSERT INTO portal_clock (content_type_id, object_id, department_id, area, kind, policy, unit,
            amount, started_at, due_at, state, extension_days, extension_reason, paused_days,
            provisional, created_at)
        SELECT %s, %s + n, (%s::bigint[])[1 + n %% %s], 'petition', 'reply', 'petition.reply.ordinary',
            %s, 7, %s - interval '10 days', %s + make_interval(secs => %s + n * %s),
            'running', 0, '', 0, false, %s
        FROM generate_series(0, %s - 1) AS n
        """,
        [content_type.id, first, departments, len(departments), unit, now, now, first_offset, step, now, count],
    )
    sql("ANALYZE portal_clock")


def notice_facts() -> dict:
    return {
        "notices": one("SELECT count(*) FROM portal_notice"),
        "duplicate notices": one(
            """SELECT count(*) FROM (SELECT 1 FROM portal_notice GROUP BY recipient_id, clock_id, kind, clock_due_at
               HAVING count(*) > 1) d"""
        ),
        "clocks overdue": one("SELECT count(*) FROM portal_clock WHERE state = 'overdue'"),
        "clocks running": one("SELECT count(*) FROM portal_clock WHERE state = 'running'"),
        # Every digest lists its clocks in items (50 at most) plus a count of the rest.
        "clocks listed in e-mails": one(
            """SELECT coalesce(sum(jsonb_array_length(context->'items') + (context->>'more')::int), 0)
               FROM portal_outboundemail WHERE context ? 'items'"""
        ),
        "e-mails": one("SELECT count(*) FROM portal_outboundemail"),
        "e-mails unsent": one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"),
    }


# --- Celery -------------------------------------------------------------------------------------


def celery(name: str, *args: str, **env) -> subprocess.Popen:
    return spawn(name, [str(BIN / "celery"), "-A", "portal", *args], **env)


def worker(name: str, concurrency: int = 1, **env) -> subprocess.Popen:
    process = celery(
        name, "worker", "--pool", "prefork", "--concurrency", str(concurrency), "-l", "info", "-n", f"{name}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", **env,
    )  # fmt: skip
    wait_until(lambda: "ready." in log_text(process), 60, f"worker {name} to be ready")
    return process


def beat(name: str, **env) -> subprocess.Popen:
    return celery(name, "beat", "-l", "info", "-s", str(WORK / f"{name}-schedule"), **env)


def send(task: str) -> str:
    from portal.celery import app

    return app.send_task(task).id


def log_text(process: subprocess.Popen) -> str:
    return process.log_path.read_text(errors="replace")


def queue_length() -> int:
    return redis_client().llen("celery")


def succeeded(process: subprocess.Popen, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^]]+\] succeeded", log_text(process)))


# --- reporting --------------------------------------------------------------------------------


@dataclass
class Outcome:
    number: int
    title: str
    passed: bool = True
    facts: list[str] = field(default_factory=list)

    def fact(self, text: str) -> None:
        self.facts.append(text)
        print(f"    {text}", flush=True)

    def check(self, condition: bool, text: str) -> None:
        self.passed &= bool(condition)
        self.fact(("ok   " if condition else "FAIL ") + text)


# --- the scenarios ----------------------------------------------------------------------------


def scenario_1_kill_mid_sweep(outcome: Outcome, clocks: int, kill_after: float) -> None:
    reset_data()
    people()
    insert_clocks(clocks, first_offset=-86_400, step=86_400 / clocks / 2)  # all past due
    outcome.fact(f"{clocks:,} running clocks past due; worker: prefork, concurrency 1")
    process = worker("worker-s1")
    task_id = send("portal.sweep_deadlines")

    def sweep_backend():
        rows = sql(
            """SELECT pid, client_port, extract(epoch FROM now() - xact_start), left(query, 60)
               FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND xact_start IS NOT NULL""",
            [DB_NAME],
        )
        return rows[0] if rows and rows[0][2] >= kill_after else None

    wait_until(sweep_backend, 120, f"the sweep's transaction to be {kill_after} s old", interval=0.05)
    backend_pid, client_port, age, query = sweep_backend()
    children = psutil.Process(process.pid).children(recursive=True)
    child = next(
        (c for c in children for conn in c.net_connections("tcp") if conn.laddr and conn.laddr.port == client_port),
        children[0],
    )
    os.kill(child.pid, signal.SIGKILL)
    outcome.fact(f"killed worker child {child.pid} {age:.1f} s into the sweep's transaction (running: {query!r}…)")
    wait_until(lambda: not sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid]), 30, "the backend")
    outcome.fact(
        f"after the kill: {one('SELECT count(*) FROM portal_sweeprun')} sweeps recorded, "
        f"{one('SELECT count(*) FROM portal_notice')} notices (the transaction rolled back)"
    )
    took = wait_until(
        lambda: one("SELECT count(*) FROM portal_sweeprun") >= 1 and one("SELECT count(*) FROM portal_outboundemail")
        and not one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"),
        300, "the redelivered sweep and its e-mails", interval=0.5,
    )  # fmt: skip
    time.sleep(2)
    log = log_text(process)
    outcome.fact(f"the redelivered sweep and its e-mails were done {took:.1f} s after the kill")
    outcome.check(
        "SIGKILL" in log and "WorkerLostError" in log, "the worker saw its child die (WorkerLostError, SIGKILL)"
    )
    received = log.count(f"portal.sweep_deadlines[{task_id}] received")
    outcome.check(
        received == 2 and f"portal.sweep_deadlines[{task_id}] succeeded" in log,
        f"task {task_id[:8]} received {received}× (redelivered) and succeeded once",
    )
    runs = sql("SELECT overdue_count FROM portal_sweeprun")
    outcome.check(runs == [(clocks,)], f"one sweep recorded, marking {runs[0][0] if runs else 0:,} clocks")
    facts = notice_facts()
    outcome.check(
        facts["clocks overdue"] == clocks and not facts["clocks running"],
        f"{facts['clocks overdue']:,} clocks overdue, {facts['clocks running']} still running",
    )
    outcome.check(
        facts["notices"] == OVERDUE_NOTICES * clocks and not facts["duplicate notices"],
        f"{facts['notices']:,} notices = {OVERDUE_NOTICES} × clocks, {facts['duplicate notices']} duplicated",
    )
    history = one("SELECT count(*) FROM portal_historicalclock")
    outcome.check(history == clocks, f"{history:,} history rows (one per clock: the killed run left none)")
    outcome.check(
        facts["clocks listed in e-mails"] == OVERDUE_NOTICES * clocks and not facts["e-mails unsent"],
        f"{facts['e-mails']} digest e-mails list {facts['clocks listed in e-mails']:,} clock entries, all sent; "
        f"the sink received {len(SINK.received)}",
    )
    stop(process)


def scenario_2_kill_mid_send(outcome: Outcome, emails: int, delay: float) -> None:
    from django.utils import timezone

    from portal.models import OutboundEmail
    from portal.notifications import SEND_LEASE

    reset_data()
    SINK.reset(delay=delay)
    now = timezone.now()
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                to=f"mail-{n}@sink.invalid", template="emails/clock_urged", language="zh-hans",
                context={"items": [], "more": 0, "note": f"drill {n}"}, next_attempt_at=now,
            )
            for n in range(emails)
        ]
    )  # fmt: skip
    outcome.fact(f"{emails} e-mails in the outbox; the SMTP sink takes {delay * 1000:.0f} ms per message")
    process = worker("worker-s2")
    send("portal.drain_outbox")
    # Kill in the worst place: the sink holds a message it has not yet answered.
    from portal.notifications import DRAIN_BATCH

    middle = min(emails - 1, DRAIN_BATCH * 3 // 2)  # halfway through the second batch
    wait_until(lambda: len(SINK.received) >= middle and SINK.in_flight == 1, 300, "a message mid-batch", 0.005)
    before = len(SINK.received)
    child = psutil.Process(process.pid).children(recursive=True)[0]
    os.kill(child.pid, signal.SIGKILL)
    leased = {
        row[0] for row in sql("SELECT id FROM portal_outboundemail WHERE sent_at IS NULL AND next_attempt_at > now()")
    }
    outcome.fact(
        f"killed worker child {child.pid} while the sink held message {before} committed but not yet answered "
        f"with 250; {len(leased)} e-mails of the killed drain's batch were leased and unsent"
    )

    def only_leased_left():
        unsent = {row[0] for row in sql("SELECT id FROM portal_outboundemail WHERE sent_at IS NULL")}
        return unsent <= leased and SINK.in_flight == 0

    took = wait_until(only_leased_left, 300, "the redelivered drain to send every e-mail not leased", 0.2)
    stranded = one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL")
    log = log_text(process)
    outcome.check(
        "WorkerLostError" in log, "the worker saw its child die and requeued the drain (reject_on_worker_lost)"
    )
    outcome.fact(
        f"{took:.1f} s after the kill the redelivered drain had sent everything else; "
        f"{stranded} e-mails of the killed batch stay leased until their lease ends "
        f"({SEND_LEASE.total_seconds() / 60:.0f} min); the drill moves that moment to now instead of waiting"
    )
    reconnect()
    sql("UPDATE portal_outboundemail SET next_attempt_at = now() WHERE sent_at IS NULL")
    send("portal.drain_outbox")
    wait_until(lambda: not one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"), 300, "all sent", 0.5)
    time.sleep(1)
    with SINK.lock:
        received = list(SINK.received)
    counts: dict[str, int] = {}
    for address in received:
        counts[address] = counts.get(address, 0) + 1
    duplicates = {address: n for address, n in counts.items() if n > 1}
    outcome.check(not one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"), f"all {emails} rows sent")
    outcome.check(len(counts) == emails, f"the sink received {len(counts)} distinct e-mails of {emails}")
    outcome.check(
        sum(duplicates.values()) - len(duplicates) <= 1,
        f"the sink received {len(received)} messages: {len(received) - len(counts)} duplicate(s) "
        f"{sorted(duplicates)} (at most the one in flight is allowed)",
    )
    attempts = sql("SELECT attempts, count(*) FROM portal_outboundemail GROUP BY 1 ORDER BY 1")
    outcome.fact(f"attempts recorded per row: {dict(attempts)}")
    stop(process)
    SINK.reset()


def scenario_3_kill_redis(outcome: Outcome, tasks: int, redis_process) -> subprocess.Popen:
    reset_data()
    people()
    for n in range(tasks):
        send("portal.sweep_deadlines" if n % 2 == 0 else "portal.drain_outbox")
    queued = queue_length()
    redis_process.kill()
    redis_process.wait()
    PROCESSES.remove(redis_process)
    outcome.fact(
        f"queued {tasks} tasks ({tasks // 2} sweeps, {tasks - tasks // 2} drains), LLEN {queued}, "
        "then kill -9 Redis at once"
    )
    aof = sum(f.stat().st_size for f in REDIS_DIR.rglob("*.aof"))
    redis_process = redis_start()
    survived = queue_length()
    outcome.fact(f"Redis restarted from its append-only file ({aof:,} bytes): {survived} of {tasks} tasks in the queue")
    outcome.check(survived == tasks, f"{tasks - survived} tasks lost")
    outcome.fact(
        "kill -9 loses nothing Redis had already written(2): the kernel holds it; appendfsync everysec "
        "risks up to ~1 s of writes only on an operating-system crash or power cut, which this drill cannot cause"
    )
    process = worker("worker-s3", concurrency=2)
    took = wait_until(
        lambda: queue_length() == 0
        and succeeded(process, "portal.sweep_deadlines") + succeeded(process, "portal.drain_outbox") >= survived,
        300, "the backlog", 0.5,
    )  # fmt: skip
    sweeps, drains = succeeded(process, "portal.sweep_deadlines"), succeeded(process, "portal.drain_outbox")
    runs = one("SELECT count(*) FROM portal_sweeprun")
    outcome.check(
        sweeps + drains == survived and runs == sweeps,
        f"the worker ran {sweeps} sweeps and {drains} drains in {took:.0f} s; {runs} sweep runs recorded",
    )
    stop(process)
    return redis_process


def scenario_4_restart_postgres(outcome: Outcome) -> None:
    reset_data()
    people()
    web = spawn(
        "gunicorn",
        [str(BIN / "gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{WEB_PORT}", "-w", "2", "--timeout", "30"],
    )
    base = f"http://127.0.0.1:{WEB_PORT}"
    wait_until(lambda: urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200, 60, "gunicorn")
    process = worker("worker-s4")
    workers_before = sorted(c.pid for c in psutil.Process(web.pid).children())
    log: list[tuple[float, str, str]] = []  # (when, path, what)
    running = threading.Event()
    running.set()

    def client(path_of):
        n = 0
        while running.is_set():
            n += 1
            path = path_of(n)
            began = time.monotonic()  # a request belongs to the moment it was sent
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:
                    what = str(response.status)
            except urllib.error.HTTPError as error:
                body = error.read().decode(errors="replace")
                if "Traceback" in body or "Exception Value" in body:
                    what = f"{error.code} traceback"
                elif error.code == 503 and '"database": "unreachable"' in body:
                    what = "503 healthz"
                elif error.code == 500 and "error-page-standalone" in body:
                    what = "500 page"
                else:
                    what = f"{error.code} other"
            except Exception as error:  # refused, reset, timed out: gunicorn itself failed
                what = f"no answer ({type(error).__name__})"
            log.append((began, path, what))
            time.sleep(0.02)

    threads = [
        threading.Thread(target=client, args=(lambda n: "/healthz",), daemon=True),
        threading.Thread(target=client, args=(lambda n: f"/petitions/?q=fault{n}",), daemon=True),
    ]
    for thread in threads:
        thread.start()

    def window(start, end):
        seen: dict[str, int] = {}
        for when, path, what in log:
            if start <= when < end:
                key = f"{path.split('?')[0]} {what}"
                seen[key] = seen.get(key, 0) + 1
        return seen

    time.sleep(3)
    t0 = time.monotonic()
    restart = pg_ctl("-m", "fast", "-w", "-o", PG_OPTIONS, "restart")
    t1 = time.monotonic()
    time.sleep(5)
    t2 = time.monotonic()
    outcome.fact(f"pg_ctl restart -m fast took {restart:.1f} s; requests during it: {window(t0, t1)}")
    after_restart = window(t1, t2)
    outcome.fact(f"first 5 s after it: {after_restart}")
    down = pg_ctl("-m", "fast", "-w", "stop")
    t3 = time.monotonic()
    time.sleep(4)
    pg_start()
    t4 = time.monotonic()
    time.sleep(5)
    t5 = time.monotonic()
    running.clear()
    for thread in threads:
        thread.join(15)
    outage = window(t3 - down, t4)
    outcome.fact(f"PostgreSQL stopped for {t4 - t3:.1f} s; requests meanwhile: {outage}")
    recovered = window(t4 + 1, t5)
    outcome.fact(f"from 1 s after it was back: {recovered}")
    everything = window(0, t5 + 1)
    outcome.check(
        not any("traceback" in key or "other" in key or "no answer" in key for key in everything),
        "every failed request got our 500 page or healthz's 503 (no traceback, no dropped connection)",
    )
    outcome.check(
        any("500 page" in key or "503 healthz" in key for key in outage), "the outage was seen (clean errors)"
    )
    outcome.check(
        recovered and all(key.endswith(" 200") for key in recovered),
        "after the outage every request succeeded, the web process never restarted",
    )
    workers_after = sorted(c.pid for c in psutil.Process(web.pid).children())
    outcome.check(workers_after == workers_before, f"gunicorn workers {workers_before} still the same processes")
    reconnect()
    before = one("SELECT count(*) FROM portal_sweeprun")
    send("portal.sweep_deadlines")
    took = wait_until(lambda: one("SELECT count(*) FROM portal_sweeprun") > before, 60, "a sweep by the worker")
    outcome.check(True, f"the worker (not restarted) ran a sweep {took:.1f} s after it was queued")
    errors = log_text(process).count("OperationalError")
    outcome.fact(f"worker log: {errors} OperationalError lines")
    stop(process)
    stop(web)


def scenario_5_beat_down_a_day(outcome: Outcome, clocks: int) -> None:
    reset_data()
    people()
    insert_clocks(clocks, first_offset=-86_400, step=86_400 / clocks)  # one due every minute, yesterday on
    insert_clocks(200, first_offset=20 * 86_400, step=60, first=clocks + 1)  # not due for weeks
    outcome.fact(f"beat down for 24 h: {clocks:,} clocks fell due over that day, never swept; 200 due in weeks")
    process = worker("worker-s5", concurrency=2, CLOCK_SWEEP_SECONDS="5")
    scheduler = beat("beat-s5", CLOCK_SWEEP_SECONDS="5")
    took = wait_until(lambda: one("SELECT count(*) FROM portal_sweeprun") >= 1, 60, "the first sweep", 0.2)
    first = sql("SELECT overdue_count, finished_at - started_at FROM portal_sweeprun ORDER BY started_at LIMIT 1")[0]
    outcome.check(
        first[0] == clocks,
        f"the first sweep, {took:.1f} s after beat started, marked {first[0]:,} clocks "
        f"in {first[1].total_seconds() * 1000:.0f} ms",
    )
    wait_until(lambda: one("SELECT count(*) FROM portal_sweeprun") >= 3, 60, "two more sweeps", 0.2)
    later = sql("SELECT sum(overdue_count) FROM portal_sweeprun")
    wait_until(lambda: not one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"), 120, "e-mails", 0.5)
    stop(scheduler)
    stop(process)
    facts = notice_facts()
    outcome.check(later[0][0] == clocks, f"later sweeps marked nothing more ({later[0][0] - clocks} extra)")
    outcome.check(
        facts["clocks overdue"] == clocks and facts["clocks running"] == 200,
        f"{facts['clocks overdue']:,} overdue, {facts['clocks running']} still running (the future ones)",
    )
    outcome.check(
        facts["notices"] == OVERDUE_NOTICES * clocks and not facts["duplicate notices"]
        and facts["clocks listed in e-mails"] == facts["notices"],
        f"{facts['notices']:,} notices (= {OVERDUE_NOTICES} × clocks, {facts['duplicate notices']} duplicated); "
        f"{facts['e-mails']} digests list {facts['clocks listed in e-mails']:,} entries, all sent",
    )  # fmt: skip


def scenario_6_two_beats(outcome: Outcome, clocks: int, seconds: int, burst: int = 3000) -> None:
    reset_data()
    people()
    insert_clocks(clocks, first_offset=10, step=(seconds - 20) / clocks)
    # A burst falling due at one moment makes sweeps slow enough for the two beats' sweeps to overlap.
    insert_clocks(burst, first_offset=seconds / 2, step=0, first=clocks + 1)
    outcome.fact(
        f"{clocks} clocks falling due one by one over {seconds - 20} s and {burst} more at once after "
        f"{seconds / 2:.0f} s; two beats, sweep every 1 s each; worker concurrency 2"
    )
    clocks += burst
    process = worker("worker-s6", concurrency=2, CLOCK_SWEEP_SECONDS="1")
    beats = [beat(f"beat-s6-{n}", CLOCK_SWEEP_SECONDS="1") for n in (1, 2)]
    time.sleep(seconds)
    for scheduler in beats:
        stop(scheduler)
    wait_until(lambda: queue_length() == 0, 60, "the queue to empty", 0.5)
    wait_until(lambda: not one("SELECT count(*) FROM portal_outboundemail WHERE sent_at IS NULL"), 120, "e-mails", 0.5)
    time.sleep(2)
    stop(process)
    beat_logs = [log_text(b).count("Sending due task sweep-deadlines") for b in beats]
    runs, claiming = (
        one("SELECT count(*) FROM portal_sweeprun"),
        one("SELECT count(*) FROM portal_sweeprun WHERE overdue_count + reminded_count > 0"),
    )
    overlapping = one(
        """SELECT count(*) FROM portal_sweeprun a JOIN portal_sweeprun b ON a.id < b.id
           AND a.started_at < b.finished_at AND b.started_at < a.finished_at"""
    )
    outcome.fact(
        f"beats sent {beat_logs} sweeps; {runs} sweeps ran, {claiming} claimed something, "
        f"{overlapping} pairs of sweeps overlapped in time"
    )
    outcome.check(all(beat_logs), "both beats were sending")
    facts = notice_facts()
    expected = (OVERDUE_NOTICES + DUE_SOON_NOTICES) * clocks
    outcome.check(
        facts["clocks overdue"] == clocks and facts["notices"] == expected and not facts["duplicate notices"],
        f"{facts['clocks overdue']} overdue; {facts['notices']:,} notices = "
        f"({DUE_SOON_NOTICES} due soon + {OVERDUE_NOTICES} overdue) × clocks; {facts['duplicate notices']} duplicated",
    )
    outcome.check(
        facts["clocks listed in e-mails"] == expected,
        f"{facts['e-mails']} digests list {facts['clocks listed in e-mails']:,} entries (no clock twice)",
    )


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    global KEEP
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=int, nargs="+", choices=range(1, 7), default=list(range(1, 7)))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    parser.add_argument("--sweep-clocks", type=int, default=30_000, help="scenario 1: clocks due in the sweep")
    parser.add_argument("--kill-after", type=float, default=4.0, help="scenario 1: seconds into the sweep")
    parser.add_argument("--emails", type=int, default=300, help="scenario 2: e-mails in the outbox")
    parser.add_argument("--smtp-delay", type=float, default=0.05, help="scenario 2: seconds per message")
    parser.add_argument("--tasks", type=int, default=1000, help="scenario 3: tasks queued")
    args = parser.parse_args()
    KEEP = args.keep
    print(f"working folder {WORK}", flush=True)

    for owned in (PG_DATA, PG_SOCKETS, LOGS / "postgresql.log"):
        owned.mkdir(mode=0o700) if owned.suffix != ".log" else owned.touch()
        if os.geteuid() == 0:
            shutil.chown(owned, "postgres")
    initdb = [pg_bin("initdb"), "-D", str(PG_DATA), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
    done = subprocess.run(as_postgres(initdb), capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"initdb failed: {done.stderr}")
    pg_start()
    subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", DB_NAME], check=True)
    redis_process = redis_start()
    from aiosmtpd.controller import Controller

    smtp = Controller(SINK, hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    atexit.register(smtp.stop)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    print(f"private PostgreSQL on {PG_PORT}, Redis on {REDIS_PORT}, SMTP sink on {SMTP_PORT}: migrated\n", flush=True)

    titles = {
        1: "kill -9 the worker child mid-sweep",
        2: "kill -9 the worker child mid-send",
        3: "kill -9 Redis with a backlog",
        4: "restart PostgreSQL under web traffic",
        5: "beat down for a day",
        6: "two beats at once",
    }
    outcomes = []
    for number in args.only:
        outcome = Outcome(number, titles[number])
        print(f"{number}. {outcome.title}", flush=True)
        started = time.monotonic()
        try:
            if number == 1:
                scenario_1_kill_mid_sweep(outcome, args.sweep_clocks, args.kill_after)
            elif number == 2:
                scenario_2_kill_mid_send(outcome, args.emails, args.smtp_delay)
            elif number == 3:
                redis_process = scenario_3_kill_redis(outcome, args.tasks, redis_process)
            elif number == 4:
                scenario_4_restart_postgres(outcome)
            elif number == 5:
                scenario_5_beat_down_a_day(outcome, 1440)
            elif number == 6:
                scenario_6_two_beats(outcome, 300, 60)
        except Exception as error:  # a drill that breaks is a failed drill; go on with the next
            outcome.check(False, f"{type(error).__name__}: {error}")
        finally:
            for process in list(PROCESSES):
                if process is not redis_process:
                    stop(process)
        outcome.fact(f"({time.monotonic() - started:.0f} s)")
        print(f"  {'PASS' if outcome.passed else 'FAIL'} {number}. {outcome.title}\n", flush=True)
        outcomes.append(outcome)

    table = ["| # | scenario | result | observed |", "|---|---|---|---|"]
    for outcome in outcomes:
        facts = "<br>".join(" ".join(fact.split()).replace("|", "\\|") for fact in outcome.facts)
        table.append(f"| {outcome.number} | {outcome.title} | {'PASS' if outcome.passed else 'FAIL'} | {facts} |")
    summary = "\n".join(table)
    print(summary)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC)
    partial = "" if len(outcomes) == len(titles) else "-only-" + "-".join(str(o.number) for o in outcomes)
    path = RESULTS / f"faults-{stamp:%Y-%m-%d}{partial}.md"
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    path.write_text(
        f"# Fault drills, {stamp:%Y-%m-%d %H:%M} UTC\n\n`{' '.join(['tests/perf/faults.py', *sys.argv[1:]])}` on "
        f"{os.cpu_count()} cores, PostgreSQL {one('SHOW server_version')}, "
        f"Redis {redis_version.removeprefix('v=')}\n\n"
        f"{summary}\n"
    )
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
