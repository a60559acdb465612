"""Start real Celery processes for integration tests, and wait for what they do."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))


def test_database_url() -> str:
    """The URL of the database the test run created (test_…), for other processes."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CACHE_URL=os.environ.get("CACHE_URL", "rediscache://127.0.0.1:6379/15"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@contextmanager
def celery_process(*args, env, log_path):
    """Run `celery -A portal <args>` in its own process group; stop it at the end."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [CELERY, "-A", "portal", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)


def wait_until(predicate, timeout=45.0, interval=0.2, describe="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {describe}")


@contextmanager
def celery_worker(tmp_path, *pool_args):
    """A real Celery worker on the test database and Redis, sending e-mail into files under
    `tmp_path/mail`; yields {"process", "mail_dir", "log"}. `pool_args` choose the pool
    (default: prefork with two processes, so overlapping tasks really overlap)."""
    from portal.celery import app as celery_app

    celery_app.control.purge()
    mail_dir = tmp_path / "mail"
    log = tmp_path / "worker.log"
    # django-environ reads "filemail:///x" as the relative path x: an absolute one needs four slashes.
    env = worker_env(EMAIL_URL=f"filemail:///{mail_dir}", MINSHENG_VAR_DIR=str(tmp_path / "var"))
    pool = pool_args or ("--pool", "prefork", "--concurrency", "2")
    quiet = ("--without-gossip", "--without-mingle", "--without-heartbeat")
    with celery_process("worker", *pool, "-l", "info", *quiet, env=env, log_path=log) as process:
        yield {"process": process, "mail_dir": mail_dir, "log": log}
