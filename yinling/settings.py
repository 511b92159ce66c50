"""Yinling settings: the one place configuration lives.

Every value comes from an environment variable with a safe default (the
healthchecks pattern). Production needs DEBUG=0, SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_HASH_KEY,
AUDIT_CHAIN_KEY, ALLOWED_HOSTS and DATABASE_URL; see docs/operations.md.
"""

from __future__ import annotations

import base64
import datetime
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("YINLING_VAR_DIR", str(BASE_DIR / "var")))


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def _dev_secret(filename: str, make: str) -> str:
    """Read, or create once, a development-only secret under var/.

    Only used when DEBUG is on, so that `make demo` needs no configuration while
    production must set its secrets explicitly.
    """
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / filename
    if not path.exists():
        value = (
            base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
            if make == "fernet"
            else (secrets.token_urlsafe(50))
        )
        path.write_text(value)
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = envbool("DEBUG", "False")
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


# Commands that only read the code (they build files for the repository or the image) and never
# sign, encrypt or serve anything: they run without the production secrets, e.g. `makemigrations
# --check` in CI or `collectstatic` while building an image. Everything else refuses to start.
OFFLINE_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages", "collectstatic", "spectacular"})
OFFLINE = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in OFFLINE_COMMANDS


def _secret(env_name: str, filename: str, make: str) -> str:
    value = os.getenv(env_name, "")
    if value:
        return value
    if DEBUG or TESTING:
        return _dev_secret(filename, make)
    if OFFLINE:
        # A throwaway value, never stored: nothing these commands do uses it.
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    raise ImproperlyConfigured(
        f"{env_name} must be set when DEBUG is off (see docs/operations.md). "
        "For development run with DEBUG=1, which keeps generated secrets under var/."
    )


SECRET_KEY = _secret("SECRET_KEY", "secret-key.txt", "token")
# Comma-separated Fernet keys for sensitive fields; the first encrypts, all decrypt
# (rotation: put the new key first, run `manage.py rotate_field_key`, then drop the old one).
FIELD_ENCRYPTION_KEYS = [k.strip() for k in _secret("FIELD_ENCRYPTION_KEY", "field-key.txt", "fernet").split(",")]

# Key for the keyed hashes that let us look up ID numbers and phones without storing them.
# Never rotate it casually: `manage.py rotate_field_key --rehash` recomputes every hash.
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY", "hash-key.txt", "token")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "yinling.core",
    "yinling.orgs",
    "yinling.accounts",
    "yinling.audit",
    "yinling.jobs",
    "yinling.notifications",
    "yinling.registry",
    "yinling.timebank",
    "yinling.volunteering",
    "yinling.campus",
    "yinling.cases",
    "yinling.care",
    "yinling.rounds",
    "yinling.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yinling.core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yinling.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yinling.audit.middleware.AuditContextMiddleware",
    "yinling.accounts.middleware.IdleTimeoutMiddleware",
    "yinling.accounts.middleware.RequireTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "yinling.core.middleware.NoStoreMiddleware",
    "yinling.core.middleware.ProductNotFoundMiddleware",
    "yinling.core.middleware.ScopeGuardMiddleware",
]
# A scoped model read in a request without restrict()/unrestricted() raises (core/scoping.py).
SCOPE_GUARD = envbool("YINLING_SCOPE_GUARD", "1" if DEBUG or TESTING else "0")

ROOT_URLCONF = "yinling.urls"
WSGI_APPLICATION = "yinling.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yinling" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "yinling.core.context_processors.navigation",
                "yinling.notifications.context_processors.bell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yinling.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work side by side; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        # A 128 MB page cache (default 2 MB): large imports insert into a dozen indexes at random
        # places, and with the default cache each insert goes back to disk.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool("DB_JIT", "0"):
    # PostgreSQL's JIT compiles a query that looks expensive before running it: ~150 ms per cockpit panel
    # on a cold view at 1M people, to save less than that on aggregates an index already answers.
    # This application runs short queries and aggregates; DB_JIT=1 gives the server's default back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = os.getenv("REDIS_URL", "")
_XDIST_WORKER = os.getenv("PYTEST_XDIST_WORKER", "")  # "gw3" in a pytest-xdist worker
if REDIS_URL and TESTING and _XDIST_WORKER.startswith("gw"):
    # Each parallel test worker gets a Redis database of its own: tests start by clearing the cache, and
    # a clear is a FLUSHDB, which would wipe another worker's counters (rate limits, lockouts) mid-test.
    _parts = urlsplit(REDIS_URL)
    _db = (int(_parts.path.strip("/") or 0) + 1 + int(_XDIST_WORKER[2:])) % 16
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_db}"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "yinling",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The cockpit's panel figures are cached this long, per panel, org and scope (core/panels.py).
PANEL_CACHE_SECONDS = int(os.getenv("PANEL_CACHE_SECONDS", "300"))

# --- Authentication and sign-in security ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Retirees sign in with the phone number of their registry record, or with their username.
    "yinling.registry.backends.PhoneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Staff only: retirees choose a passphrase instead (accounts/validators.py).
    {"NAME": "yinling.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "yinling.accounts.validators.UsernameInPasswordValidator"},
    # A retiree's phone and ID-number digits, from their registry record.
    {"NAME": "yinling.registry.passwords.PersonalNumbersValidator", "OPTIONS": {"min_run": 6}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60  # hours
# Lock the account, not the address: a county bureau's staff share one NAT address,
# and locking it would lock them all out. Address throttling belongs to the proxy.
AXES_LOCKOUT_PARAMETERS = ["username"]
# A phone number typed at sign-in counts against the retiree account it belongs to, in any format.
AXES_USERNAME_CALLABLE = "yinling.registry.accounts.axes_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no covering indexes: it builds the registry's INCLUDE indexes on their keys alone (as meant;
    # PostgreSQL uses the included columns). Without this every command on the demo prints the warning.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Number of trusted reverse proxies in front of the app (X-Forwarded-For hops to trust).
PROXY_COUNT = envint("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "yinling.audit.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "yinling.accounts.views.locked_out"

STAFF_IDLE_TIMEOUT = envint("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60)
# Retirees get longer (reading slowly, putting the phone down), never less than staff.
RETIREE_IDLE_TIMEOUT = max(STAFF_IDLE_TIMEOUT, envint("RETIREE_IDLE_TIMEOUT_SECONDS", 2 * 3600))
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API tokens (django-rest-knox, accounts/tokens.py): a working day for staff, longer for retirees on a phone.
API_TOKEN_TTL_HOURS = envint("API_TOKEN_TTL_HOURS", 10)
RETIREE_API_TOKEN_TTL_HOURS = envint("RETIREE_API_TOKEN_TTL_HOURS", 7 * 24)
# Live API tokens an account may hold at once; a new sign-in past it retires the oldest.
API_TOKENS_PER_USER = max(1, envint("API_TOKENS_PER_USER", 10))
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    # A token lives for its fixed term: a stolen one does not stay alive by being used.
    "AUTO_REFRESH": False,
}
OTP_TOTP_ISSUER = os.getenv("OTP_TOTP_ISSUER", "银龄 Yinling")

# --- HTTPS and headers (on whenever DEBUG is off) ---------------------------------------------
SECURE = not DEBUG and not TESTING and envbool("SECURE_COOKIES", "True")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and envbool("SECURE_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if envbool("BEHIND_PROXY", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: every page, scripts only from our own origin (plus a
# per-request nonce); no inline handlers, so templates keep JavaScript in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE (not the string "'nonce'", which browsers reject as an invalid source) adds
        # the request's nonce only on pages that use one.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "yinling" / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Vendored Bootstrap and htmx and our own CSS/JS live beside the apps, not inside one.
STATICFILES_DIRS = [BASE_DIR / "yinling" / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, expiring tokens (accounts/tokens.py), sent as before: "Authorization: Token <token>".
        "yinling.accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "yinling.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.getenv("TOKEN_THROTTLE", "20/min")},
    # Trust only as many X-Forwarded-For hops as there are proxies, or clients could dodge throttles.
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yinling API",
    "DESCRIPTION": (
        "银龄 — retired-cadre service and management platform. All data is scoped to the caller's org subtree."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field: signed-in callers only (an integrator has an account).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (no CDN; CSP allows only self).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind`; name each enum by its model so the schema is stable and warning-free.
    "ENUM_NAME_OVERRIDES": {
        "ActivityKindEnum": "yinling.volunteering.models.Activity.Kind",
        "RoundStatusEnum": "yinling.rounds.models.Round.Status",
        "RoundEntryStatusEnum": "yinling.rounds.models.EntryStatus",
        "RoundAnswerEnum": ["safe", "needs_help", "unreachable"],
        "VisitKindEnum": "yinling.care.models.VisitKind",
        "CaseStatusEnum": "yinling.cases.models.Case.Status",
    },
}

# --- Audit -------------------------------------------------------------------------------------
# At least 180 days by law (网络安全法 §21); a larger value keeps more, a smaller one is ignored.
AUDIT_MIN_RETENTION_DAYS = max(180, envint("AUDIT_MIN_RETENTION_DAYS", 180))
# Comma-separated secrets that key the audit hash chain (HMAC-SHA256) and sign its anchors; the first
# seals new records and signs new anchors, all of them verify. Kept outside the database, like the
# field keys: without it, someone who can write to the database cannot recompute the chain.
AUDIT_CHAIN_KEYS = [
    k.strip() for k in _secret("AUDIT_CHAIN_KEY", "audit-chain-key.txt", "token").split(",") if k.strip()
]
if not AUDIT_CHAIN_KEYS or any(len(k) < 32 for k in AUDIT_CHAIN_KEYS):
    # A short secret can be guessed offline from any record and its hash.
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY needs one or more secrets of at least 32 characters")
# The append-only file that `anchor_audit` adds a signed head of the chain to (ship it off the host);
# empty turns anchoring off, and then `purge_audit` refuses. Tests set their own file.
AUDIT_ANCHOR_FILE = os.getenv("AUDIT_ANCHOR_FILE", "" if TESTING else str(VAR_DIR / "audit-anchors.jsonl"))
# Also send each anchor to the local syslog (facility auth), for operators who forward syslog elsewhere.
AUDIT_ANCHOR_SYSLOG = envbool("AUDIT_ANCHOR_SYSLOG", "False")

# --- Background work ----------------------------------------------------------------------------
# Django's Tasks API (the django-tasks backport) with the database backend: the queue is a table in
# the project's own database, so SQLite serves the demo and PostgreSQL workers claim work with
# SKIP LOCKED; run `manage.py db_worker` on as many machines as needed (docs/operations.md).
# Tests run every task at once, in the test's own transaction; TASKS_BACKEND=database makes a test
# run use the real queue (the worker tests do that through override_settings).
TASKS_BACKEND = os.getenv("TASKS_BACKEND", "immediate" if TESTING else "database")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_BACKEND == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "notify"],
    }
}

# Background jobs' private files (uploads the runners read, result files): never under MEDIA_ROOT or
# STATIC_ROOT, downloaded only through jobs:file (scoped, audited). Deleted after JOB_FILE_TTL_HOURS by
# `manage.py purge_job_files`, which also marks running jobs without a heartbeat for
# JOB_STALE_SECONDS as failed (a worker killed mid-job).
JOB_FILES_DIR = Path(os.getenv("JOB_FILES_DIR", str(VAR_DIR / "jobfiles")))
JOB_FILE_TTL_HOURS = envint("JOB_FILE_TTL_HOURS", 24)
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 120)
# Above these sizes the page hands the work to a job instead of answering at once.
IMPORT_INLINE_MAX_BYTES = envint("IMPORT_INLINE_MAX_BYTES", 512 * 1024)
EXPORT_INLINE_MAX_ROWS = envint("EXPORT_INLINE_MAX_ROWS", 10_000)
# --- Notifications (docs/operations.md, "Notifications") -----------------------------------------
# SMS goes through the class SMS_SENDER names: the console (development), a JSON-lines file (the demo and
# tests) or a generic HTTP gateway (production: URL, basic-auth key and secret, template id, timeout).
SMS_SENDER = os.getenv(
    "SMS_SENDER",
    "yinling.notifications.senders." + ("ConsoleSender" if TESTING else "FileSender" if DEBUG else "HttpGatewaySender"),
)
SMS_FILE = os.getenv("SMS_FILE", str(VAR_DIR / "sms.jsonl"))
SMS_GATEWAY_URL = os.getenv("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.getenv("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_SECRET = os.getenv("SMS_GATEWAY_SECRET", "")
SMS_TEMPLATE_ID = os.getenv("SMS_TEMPLATE_ID", "")
SMS_GATEWAY_TIMEOUT = float(os.getenv("SMS_GATEWAY_TIMEOUT", "10"))
# E-mail to staff: Django's backends (SMTP in production, EMAIL_HOST etc. from the environment).
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "noreply@localhost")
# The site's address, put before a notification's path in SMS and e-mail ("" sends the path alone).
NOTIFY_SITE_URL = os.getenv("NOTIFY_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# Per person and channel, in any hour; beyond it a message stays in the inbox only ("rate limited").
NOTIFY_SMS_PER_HOUR = envint("NOTIFY_SMS_PER_HOUR", 10)
NOTIFY_EMAIL_PER_HOUR = envint("NOTIFY_EMAIL_PER_HOUR", 20)
# One SMS segment of Chinese text; the link comes after it.
NOTIFY_SMS_MAX_CHARS = envint("NOTIFY_SMS_MAX_CHARS", 70)
# A failed send is tried again NOTIFY_MAX_ATTEMPTS times in all, waiting NOTIFY_RETRY_SECONDS, then twice that.
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", 3)
NOTIFY_RETRY_SECONDS = envint("NOTIFY_RETRY_SECONDS", 60)
# `purge_notifications` deletes read notifications and delivery logs older than this.
NOTIFY_RETENTION_DAYS = envint("NOTIFY_RETENTION_DAYS", 180)

# --- Volunteering (志愿汇) check-in ----------------------------------------------------------------
# The organiser's 6-digit code changes every period and is accepted for one period more (grace).
VOLUNTEER_CODE_PERIOD_SECONDS = max(30, envint("VOLUNTEER_CODE_PERIOD_SECONDS", 180))
# Wrong codes one volunteer may enter for one activity within the window before check-in by code stops
# for them until the window passes (a 6-digit code must not be guessable by trying; the leader can still
# check them in). The count is in the cache, so it holds across app servers when REDIS_URL is set.
VOLUNTEER_CODE_MAX_MISSES = max(1, envint("VOLUNTEER_CODE_MAX_MISSES", 5))
VOLUNTEER_CODE_MISS_WINDOW_SECONDS = max(60, envint("VOLUNTEER_CODE_MISS_WINDOW_SECONDS", 600))

# The board's hours by month read a summary rebuilt by `run_periodic refresh_volunteer_hours` (every 10
# minutes); older than this, or never built, the panel sums the check-ins itself.
VOLUNTEER_HOURS_SUMMARY_MAX_AGE_MINUTES = max(1, envint("VOLUNTEER_HOURS_SUMMARY_MAX_AGE_MINUTES", 30))
# Credited hours in one local day above this raise a "long day" flag for the leader.
VOLUNTEER_MAX_DAY_HOURS = envint("VOLUNTEER_MAX_DAY_HOURS", 12)
# More distinct volunteers than this checking in to one activity from one device raise a flag.
VOLUNTEER_DEVICE_MAX_PEOPLE = envint("VOLUNTEER_DEVICE_MAX_PEOPLE", 3)

# --- Senior university (智慧校园) ------------------------------------------------------------------------
# A site is "within reach" of a retiree's home when the rough travel time (campus/nearby.py: walking, or a
# bus with a wait) is at most this many minutes: the classes-near-me page and the coverage panel use it.
CAMPUS_REACH_MINUTES = max(5, envint("CAMPUS_REACH_MINUTES", 30))
# A completion certificate needs at least this share of the class's held meetings attended (0.6 = 60 %).
CAMPUS_CERTIFICATE_MIN_ATTENDANCE = min(1.0, max(0.0, float(os.getenv("CAMPUS_CERTIFICATE_MIN_ATTENDANCE") or "0.6")))
# The teacher's self check-in code for a class meeting, and the wrong tries a student has per meeting
# (as the volunteers' codes above).
CAMPUS_CODE_PERIOD_SECONDS = max(30, envint("CAMPUS_CODE_PERIOD_SECONDS", 180))
CAMPUS_CODE_MAX_MISSES = max(1, envint("CAMPUS_CODE_MAX_MISSES", 5))
CAMPUS_CODE_MISS_WINDOW_SECONDS = max(60, envint("CAMPUS_CODE_MISS_WINDOW_SECONDS", 600))
# An uploaded online lesson video: MP4 or WebM, at most this many bytes (default 500 MB).
CAMPUS_LESSON_MAX_BYTES = max(1, envint("CAMPUS_LESSON_MAX_BYTES", 500 * 1024 * 1024))

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

if TESTING:
    # Hashing at full strength makes every test that signs in slow; production keeps PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
# A select left unchosen in a filter reads "全部" (all), not a row of dashes (core/filtering.py).
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

# Care (走访慰问): a visit is due within this many hours of an event (a hospital stay, a bereavement) for a
# high-risk person, and within the second figure for everyone else; the due list looks this many days ahead.
CARE_EVENT_VISIT_HOURS = max(1, envint("CARE_EVENT_VISIT_HOURS", 24))
CARE_EVENT_VISIT_HOURS_OTHERS = max(1, envint("CARE_EVENT_VISIT_HOURS_OTHERS", 168))
CARE_DUE_HORIZON_DAYS = max(0, envint("CARE_DUE_HORIZON_DAYS", 7))
