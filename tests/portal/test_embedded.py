"""The embedded default (SQLite + file-system broker) runs the same sweep through its own
Celery worker and beat, with nothing else configured."""

import os
import sqlite3
import subprocess
import sys

import pytest

from tests.processes import ROOT, celery_process, wait_until

pytestmark = pytest.mark.worker

SETUP = """
from datetime import timedelta
from django.utils import timezone
from portal import clocks
from portal.models import Department
department = Department.objects.create(name="交通运输局", code="JTYSJ")
clocks.clock_start(subject=department, policy="petition.acknowledge",
                   started_at=timezone.now() - timedelta(hours=30), department=department)
"""


def embedded_env(var_dir) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith("PYTEST")
    }
    env.update(MINSHENG_VAR_DIR=str(var_dir), CLOCK_SWEEP_SECONDS="2", PYTHONPATH=str(ROOT))
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )


def test_embedded_worker_and_beat_sweep_on_sqlite(tmp_path):
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v0")
    manage(env, "shell", "-c", SETUP)
    database = tmp_path / "var" / "minsheng.sqlite3"

    def clock_state():
        with sqlite3.connect(database) as conn:
            return conn.execute("SELECT state FROM portal_clock").fetchone()[0]

    def sweeps():
        with sqlite3.connect(database) as conn:
            return conn.execute("SELECT count(*) FROM portal_sweeprun").fetchone()[0]

    assert clock_state() == "running"
    with (
        celery_process("worker", "-l", "info", "--concurrency", "1", env=env, log_path=tmp_path / "worker.log"),
        celery_process("beat", "-l", "info", env=env, log_path=tmp_path / "beat.log"),
    ):
        wait_until(lambda: clock_state() == "overdue", timeout=60, describe=f"the sweep; logs in {tmp_path}")
        wait_until(lambda: sweeps() >= 2, timeout=30, describe="a second beat-driven sweep")
    assert "portal.sweep_deadlines" in (tmp_path / "beat.log").read_text()


ENQUEUE = """
from django.db import transaction
from portal.notifications import email_enqueue
with transaction.atomic():
    email_enqueue(to="wang.xiaomin@example.com", template="emails/petition_receipt",
                  context={"reference": "WZ-20250101-0001", "title": "路灯不亮"})
"""


def test_embedded_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v0")
    probe = manage(
        env,
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    print(cursor.execute('PRAGMA journal_mode').fetchone()[0],"
        " cursor.execute('PRAGMA synchronous').fetchone()[0], connection.transaction_mode)",
    )
    # synchronous=NORMAL is 1; IMMEDIATE: a transaction takes the write lock as it begins.
    assert probe.stdout.split()[-3:] == ["wal", "1", "IMMEDIATE"]
    with sqlite3.connect(tmp_path / "var" / "minsheng.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file itself


def test_embedded_outbox_drain_waits_out_a_locked_database_quietly(tmp_path):
    """Another process holds SQLite's write lock past the busy timeout: the drain logs one INFO line
    per attempt, no traceback, and sends the e-mail once the lock is gone. The e-mail itself is not
    logged (Celery would log the console backend's output as WARNING records, address and all)."""
    env = embedded_env(tmp_path / "var") | {"SQLITE_BUSY_TIMEOUT": "1"}
    manage(env, "migrate", "-v0")
    database = tmp_path / "var" / "minsheng.sqlite3"
    manage(env, "shell", "-c", ENQUEUE)  # on commit, a drain is queued in the file-system broker

    def sent():
        with sqlite3.connect(database) as conn:
            return conn.execute("SELECT sent_at IS NOT NULL FROM portal_outboundemail").fetchone()[0]

    log_path = tmp_path / "worker.log"
    lock = sqlite3.connect(database, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        with celery_process("worker", "-l", "info", "--concurrency", "1", env=env, log_path=log_path):
            wait_until(lambda: "database is locked" in log_path.read_text(), timeout=60, describe="a locked drain")
            lock.execute("ROLLBACK")
            wait_until(sent, timeout=60, describe=f"the retried drain; log in {log_path}")
    finally:
        lock.close()
    log = log_path.read_text()
    assert "Traceback" not in log
    locked = [line for line in log.splitlines() if "database is locked" in line]
    assert locked and all(" INFO " in line or "INFO/" in line for line in locked), locked
    logged = [line for line in log.splitlines() if line.startswith("[") or " INFO " in line or "WARNING" in line]
    assert not [line for line in logged if "wang.xiaomin@example.com" in line], "an address in a log line"
    # Before: "WARNING/ForkPoolWorker-1] Content-Type: text/plain; ...", one record per printed line.
    assert not [line for line in logged if "WARNING" in line and ("Content-Type" in line or "-" * 40 in line)]
    assert any("e-mail" in line and "sent (emails/petition_receipt)" in line for line in logged)
