import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_configure(config):
    """The suite runs against real PostgreSQL and Redis; say clearly which one is missing."""
    database = settings.DATABASES["default"]
    missing = []
    is_postgres = database["ENGINE"] == "django.db.backends.postgresql"
    address = f"postgres://{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"
    if is_postgres and not _reachable(address, 5432):
        missing.append(f"PostgreSQL at {database.get('HOST')}:{database.get('PORT') or 5432}")
    if not _reachable(settings.CELERY_BROKER_URL, 6379):
        missing.append(f"Redis at {settings.CELERY_BROKER_URL}")
    if missing:
        pytest.exit(
            "The test suite needs real services that are not reachable: "
            + ", ".join(missing)
            + ". Start them (see README.md, 'Test it') or set DATABASE_URL / CELERY_BROKER_URL.",
            returncode=3,
        )


def pytest_sessionfinish(session, exitstatus):
    """The controlling process removes this run's Redis keys and runtime folder (pytest-django has
    already dropped its test databases), so runs side by side leave nothing of each other behind."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller cleans up once
        return
    import redis

    from tests import settings as test_settings

    pattern = f"minsheng-test-{test_settings.TEST_RUN}-*"
    urls = {settings.CELERY_BROKER_URL, *(config.get("LOCATION", "") for config in settings.CACHES.values())}
    for url in urls:
        if not url.startswith("redis"):
            continue
        try:
            client = redis.Redis.from_url(url, socket_timeout=5)
            keys = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(keys), 1000):
                client.unlink(*keys[start : start + 1000])
        except redis.RedisError:
            pass  # the run already reported an unreachable Redis
    shutil.rmtree(test_settings.TEST_VAR_ROOT, ignore_errors=True)
    _drop_leftover_databases(f"test_minsheng_{test_settings.TEST_RUN}")


def _drop_leftover_databases(name: str) -> None:
    """pytest-django drops each test database, but not one a straggling connection still holds (a
    worker process or a live server thread ending late): drop this run's, and only this run's."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or "127.0.0.1",
        "port": database.get("PORT") or 5432,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as connection:
            pattern = name.replace("_", r"\_") + "%"
            names = [
                row[0] for row in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
            ]
            for leftover in names:
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [leftover]
                )
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(leftover)))
    except psycopg.Error:
        pass  # nothing to clean, or PostgreSQL already gone: the run has reported what matters


@pytest.fixture(autouse=True)
def _clean_cache():
    """The work calendar is cached in Redis, sessions and rate-limit counters in the durable cache;
    each test starts from the database's truth. clear() removes only this run's and worker's keys
    (REDIS_KEY_PREFIX, portal.cache)."""
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
