"""Test settings: the production stack, real PostgreSQL and Redis.

Defaults point at the servers every development and CI machine runs; the environment may
override them. tests/conftest.py fails the run, naming what is missing, if either is down.
"""

import os
import secrets

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minsheng")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/15")

# Several runs may share this machine's PostgreSQL and Redis (two people, or CI beside a session).
# Each run gets its own name, set once in the controlling process and inherited by pytest-xdist's
# workers and by the Celery processes the tests start; each xdist worker adds its own id. The test
# database is test_minsheng_<run>[_gw<N>] (pytest-django adds the suffix), every Redis key (cache
# and broker) starts with minsheng-test-<run>-<worker>:, and runtime files live in var/test/<run>/.
TEST_RUN = os.environ.setdefault("MINSHENG_TEST_RUN", secrets.token_hex(4))
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["REDIS_KEY_PREFIX"] = f"minsheng-test-{TEST_RUN}-{TEST_WORKER}"
TEST_VAR_ROOT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test", TEST_RUN)
os.environ["MINSHENG_VAR_DIR"] = os.path.join(TEST_VAR_ROOT, TEST_WORKER)

from portal.settings import *  # noqa: E402, F403

DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_minsheng_{TEST_RUN}"  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# A test-only app declaring the deadline policies of an area not built yet (tests/portal/policy_apps.py).
INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "tests.portal.policy_apps.DisclosurePoliciesConfig",
    # A throwaway domain app plugged in by declaration alone (tests/portal/test_throwaway_app.py).
    "tests.throwaway.apps.ThrowawayConfig",
]
