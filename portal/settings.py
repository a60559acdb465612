"""Minsheng settings, read from the environment (12-factor).

With nothing set, the portal runs on its *embedded default*: SQLite, a file-system Celery
broker that needs no server, a file cache and e-mail printed to the console. Production sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL / REDIS_URL (Redis), SECRET_KEY, ALLOWED_HOSTS,
EMAIL_URL and HTTPS=true. README.md, "Configuration", lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Runtime state of the embedded default (SQLite file, broker folders, beat schedule, cache).
VAR_DIR = Path(env.str("MINSHENG_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only ever serves the embedded default; `check --deploy` rejects it.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-minsheng-embedded-default-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "csp",
    "axes",
    "portal",
    "petitions",
    "suggestions",
    "disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # `Cache-Control: private, no-store` on every response that is not explicitly public (a signed-in
    # visitor's page, one that sets a cookie or depends on the session): outside the page cache, so
    # it sees pages served from the cache too.
    "portal.pagecache.PrivateResponsesMiddleware",
    # A NUL in the address is a 400 before anything reads it (PostgreSQL refuses NUL in text).
    "portal.middleware.RejectNulMiddleware",
    # Serves public pages to anonymous visitors from the shared cache (portal.pagecache) before the
    # session, language and authentication middleware run; inside the security and CSP
    # middleware, so cached pages get their headers too.
    "portal.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.StaffSessionExpiryMiddleware",
    # Turns django-ratelimit's Ratelimited into RATELIMIT_VIEW's 429 page (else it is a plain 403).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes requires: turns a lockout into the AXES_LOCKOUT_TEMPLATE page.
    "axes.middleware.AxesMiddleware",
]
MESSAGE_COOKIE_NAME = "messages"
# Shared public pages are fresh on every announced change (portal.pagecache); this bounds how long
# one lives without a change (the memory the long tail takes; changes made behind the services).
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=3600)

# History is for reading (portal.history_admin): no revert button; changes go through services.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'minsheng.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite (the embedded default: web, worker and beat write one file). The busy timeout waits for
    # another process's write lock instead of failing at once; WAL lets readers and the writer work
    # side by side; IMMEDIATE takes the write lock as a transaction begins, because a transaction that
    # has read and then wants to write cannot wait for it and fails with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=env.int("SQLITE_BUSY_TIMEOUT", default=20),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
    )
    # The dashboards' covering indexes (INCLUDE, portal.Clock) are PostgreSQL's; SQLite builds them
    # on their key columns only, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# The work calendar is cached a year at a time and invalidated on edit, so every process
# (web, worker, beat) must share one cache: Redis in production, a file cache embedded.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=f"filecache://{VAR_DIR / 'cache'}",
    )
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.cache.RedisCache"  # one client per pool, not per call
# A namespace for every Redis key this deployment writes (cache and broker alike), so that several
# deployments, or several test runs, can share one Redis server without touching each other's keys.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="")
if REDIS_KEY_PREFIX:
    CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX
# Sessions and rate-limit counters live apart from the page cache, which a flood of distinct pages
# may fill and which evicts at its memory limit (docker-compose.yml): DURABLE_CACHE_URL, in
# production a Redis that never evicts. Unset, the page cache's server under its own namespace
# (a file cache: its own folder); clearing one never touches the other's keys (portal/cache.py).
_durable_url = env.str("DURABLE_CACHE_URL", default="")
CACHES["durable"] = env.cache_url_config(_durable_url) if _durable_url else dict(CACHES["default"])
if CACHES["durable"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["durable"]["BACKEND"] = "portal.cache.RedisCache"
elif not _durable_url and CACHES["durable"]["BACKEND"] != "portal.cache.RedisCache":
    CACHES["durable"]["LOCATION"] = f"{CACHES['default'].get('LOCATION', '')}-durable"
CACHES["durable"]["KEY_PREFIX"] = f"{REDIS_KEY_PREFIX}-durable" if REDIS_KEY_PREFIX else "durable"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Sessions are read from the shared cache (Redis) and written through to PostgreSQL, which keeps
# them if the cache is lost: a signed-in page costs no session query. Expiry by our own clock is
# enforced in portal.middleware, whatever the cache's own expiry says.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "durable"
# Staff work in the admin on shared office machines: their sessions end after a working day.
STAFF_SESSION_AGE = env.int("STAFF_SESSION_AGE", default=8 * 3600)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times written one way on every page and in the admin, in both languages.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Hashed, compressed file names (cached forever by browsers) once `collectstatic` has run, as
# it does in the Docker image and in `make run`; before that, plain names served from the
# source folders, so no entry point fails for want of a manifest.
_collected = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _collected and not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not _collected)
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="民声 Minsheng <noreply@minsheng.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where notices link to in e-mails (there is no request when a worker renders them).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Security (production sets HTTPS=true behind TLS) ---------------------------------------
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True  # the language switch is a form; no script reads the cookie
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4 format). No inline script or style anywhere, the admin
# included: Django 5.2's admin templates need none, and the one third-party template that had a
# style attribute is overridden (templates/simple_history/). tests/e2e/test_csp.py holds us to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws form controls with data: SVG images
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Login brute force (django-axes, rules in portal/security.py), on the public and the admin login
# alike, each for the cool-off: AXES_FAILURE_LIMIT failures lock a staff account from every
# address, and a citizen's account from that address only; AXES_ADDRESS_FAILURE_LIMIT failures
# from one address, over all usernames, pause every login from it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = "portal.security.lockout_parameters"
AXES_HANDLER = "portal.security.LoginLockoutHandler"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
AXES_RESET_ON_SUCCESS = True
# Successful logins are not logged with address and browser (personal data kept for no purpose;
# Django records last_login). Failed attempts are kept until reset or cool-off.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_USERNAME_CALLABLE = "portal.security.login_username"

# --- Celery ---------------------------------------------------------------------------------
_broker_default = env.str("REDIS_URL", default="") or "filesystem://"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_broker_default)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's default is "control" relative to the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Longer than any task's hard time limit, so an unacknowledged task is never handed to
    # a second worker while the first still runs it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if REDIS_KEY_PREFIX:
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{REDIS_KEY_PREFIX}:"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Celery would log whatever a task prints as WARNING records: the console e-mail backend's messages,
# personal data included. Printed output stays printed; what the worker logs is its own log lines.
CELERY_WORKER_REDIRECT_STDOUTS = False

# --- Deadlines (portal.clocks) --------------------------------------------------------------
# How often beat sweeps the running clocks; /healthz warns when the last sweep is older
# than twice this.
CLOCK_SWEEP_SECONDS = env.int("CLOCK_SWEEP_SECONDS", default=60)
# Policy overrides: {"petition.reply.ordinary": {"amount": 5}, ...}. See portal/policies.py.
CLOCK_POLICY_OVERRIDES = env.json("CLOCK_POLICY_OVERRIDES", default={})
# Due-soon reminder horizon for hour clocks (working-day clocks: one working day).
CLOCK_HOUR_REMINDER = timedelta(hours=env.int("CLOCK_HOUR_REMINDER_HOURS", default=4))
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# /healthz tells the public only "ok" or "unavailable"; the state of each service goes to callers on
# the machine itself (loopback, not through the proxy) and to monitoring sending
# `Authorization: Bearer <HEALTHZ_TOKEN>` (empty: no token accepted).
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# How often beat recomputes the public statistics page (/stats/) into the cache.
PUBLIC_STATS_REFRESH_SECONDS = env.int("PUBLIC_STATS_REFRESH_SECONDS", default=600)

# Portal's own periodic tasks. Each domain app declares its own (`beat_schedule` on its AppConfig,
# portal.registry); PortalConfig.ready merges them into the Celery app's schedule.
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "portal.sweep_deadlines",
        "schedule": float(CLOCK_SWEEP_SECONDS),
    },
    "drain-outbox": {
        "task": "portal.drain_outbox",
        "schedule": 60.0,
    },
    "refresh-public-stats": {
        "task": "portal.refresh_public_stats",
        "schedule": float(PUBLIC_STATS_REFRESH_SECONDS),
    },
}

# --- Rate limits (portal.ratelimits) -------------------------------------------------------
# "count/period" per client address and per account; over it, a 429 page (portal.views.rate_limited).
# Portal's own groups; each domain app declares its groups' defaults (`rate_limits` on its AppConfig,
# portal.registry). RATE_LIMITS='{"accounts.register": "20/h"}' in the environment overrides any group.
RATE_LIMITS = {
    "accounts.register": env.str("RATE_LIMIT_REGISTER", default="10/h"),
    # Each request may send an e-mail: without a limit, a way to flood someone's mailbox.
    "accounts.password_reset": env.str("RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    **env.json("RATE_LIMITS", default={}),
}
RATELIMIT_VIEW = "portal.views.rate_limited"
RATELIMIT_USE_CACHE = "durable"  # counters an evicting page cache must not drop
# Behind a reverse proxy, the client address arrives in a header the proxy sets (e.g. HTTP_X_REAL_IP).
# Rate limits and login lockouts both read it through portal.security.client_ip.
CLIENT_IP_META_KEY = env.str("CLIENT_IP_META_KEY", default="REMOTE_ADDR")
RATELIMIT_IP_META_KEY = "portal.security.client_ip"

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every login at INFO; lockouts (WARNING) are what matter in the logs,
        # and every login is in its AccessLog table anyway.
        "axes": {"level": "WARNING"},
    },
}

ADMIN_SITE_HEADER = _("民声 Minsheng · Staff workplace")
