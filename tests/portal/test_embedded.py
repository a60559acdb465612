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
