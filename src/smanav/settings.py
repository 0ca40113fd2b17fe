"""The one settings module. Everything that differs between a laptop and a registry comes from the
environment through the small typed helpers below; secrets are never committed."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from smanav.database import sqlite_options

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("SMANAV_DEBUG", False)

# The secret key signs sessions, password-reset links and CSRF tokens: whoever knows it can forge them.
# Outside debug it must come from SMANAV_SECRET_KEY, and the process refuses to start without a usable
# one (never a fallback). In debug, `make run` generates a key per checkout in var/secret_key.
SECRET_KEY_ENV = "SMANAV_SECRET_KEY"
SECRET_KEY_MIN_LENGTH = 50  # Django's own deployment check asks for as much
DEVELOPMENT_KEY_FILE = REPO_DIR / "var" / "secret_key"
# The fallback that earlier versions used when nothing was configured; it is public, so never valid.
PUBLISHED_DEVELOPMENT_KEY = "insecure-test-key-only-for-local-runs"


def secret_key_problem(key: str, *, development_key: str = "") -> str | None:
    """Why `key` cannot sign anything outside debug, or None if it can."""
    if not key:
        return "is not set"
    if key == PUBLISHED_DEVELOPMENT_KEY or key.startswith("django-insecure-"):
        return "is a published development key"
    if development_key and key == development_key:
        return "is this checkout's development key (var/secret_key)"
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < 5:
        return f"is too short (at least {SECRET_KEY_MIN_LENGTH} random characters)"
    return None


def _development_key() -> str:
    return DEVELOPMENT_KEY_FILE.read_text().strip() if DEVELOPMENT_KEY_FILE.exists() else ""


def _secret_key(debug: bool) -> str:
    configured = os.environ.get(SECRET_KEY_ENV, "").strip()
    if debug:
        # A key nobody else knows even when var/secret_key is missing; sessions then end with the process.
        return configured or _development_key() or secrets.token_urlsafe(SECRET_KEY_MIN_LENGTH)
    problem = secret_key_problem(configured, development_key=_development_key())
    if problem is not None:
        # One line, no traceback: this is the operator's configuration, not a bug.
        print(
            f"smanav will not start: {SECRET_KEY_ENV} {problem}. Set it to a long random value, e.g. "
            f"the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
            f"(on a development machine, SMANAV_DEBUG=1 uses var/secret_key instead).",
            file=sys.stderr,
        )
        raise SystemExit(1)
    return configured


SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("SMANAV_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # Before django.contrib.auth, so that its `createsuperuser` (which asks for an administrator grant)
    # replaces Django's.
    "smanav.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Two-factor recovery codes for staff: ten single-use codes (accounts.recovery).
    "django_otp.plugins.otp_static",
    "axes",
    # Before django_tasks_db, so that its `db_worker` (with a lease on the jobs it runs) replaces theirs.
    "smanav.jobs",
    "django_tasks",
    "django_tasks_db",
    "smanav.web",
    "smanav.audit",
    "smanav.jsonapi",
    "smanav.patients",
    "smanav.family",
    "smanav.careplans",
    "smanav.geo",
    "smanav.directory",
    "smanav.trials",
    "smanav.library",
    "smanav.registry",
    "smanav.community",
    "smanav.backups",
    "smanav.outbox",
]

# smanav's own user model (ADR 0011); every foreign key to an account names AUTH_USER_MODEL.
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A database that stays locked answers 503 with Retry-After (a read is tried once more), never 500.
    "smanav.database.BusyDatabaseMiddleware",
    # Outermost after security: no-store on every answer that may hold health data, Permissions-Policy.
    "smanav.web.headers.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the language and the user are known: the reader's country (units, distances, paper size).
    "smanav.user_locale.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Once the user, their second factor and messages are known: ends sessions idle or open too long.
    "smanav.accounts.session_limits.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smanav.urls"
WSGI_APPLICATION = "smanav.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                # What a person typed before their session ended, back on the form (accounts.kept_forms).
                "smanav.accounts.kept_forms.kept_form",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{REPO_DIR / 'var' / 'smanav.sqlite3'}",
        conn_max_age=int(env_str("SMANAV_DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request uses it, so that after the database restarts
        # (or drops idle connections) the first request gets a new connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite that holds with several writers (ADR 0016): readers never wait for a writer (WAL), a write
    # transaction takes the lock when it begins (so two of them queue instead of one failing half-way),
    # and a writer waits its turn for up to this many seconds before the page says the database is busy.
    DATABASES["default"]["OPTIONS"] = sqlite_options(
        busy_timeout_seconds=float(env_str("SMANAV_SQLITE_BUSY_TIMEOUT", "15"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (django-tasks): queued as rows in the database and run by `manage.py db_worker`
# (docs/deployment.md). The default must queue for real: the Immediate backend would run a refresh of a
# whole clinic inside the web request that asked for it.
# A worker notes that it is alive every SMANAV_WORKER_HEARTBEAT_SECONDS; one not heard from for
# SMANAV_WORKER_LEASE_SECONDS is taken for dead and its job queued again, up to SMANAV_JOB_MAX_ATTEMPTS
# runs in all (smanav.jobs, ADR 0023). The lease must be several heartbeats long.
SMANAV_WORKER_HEARTBEAT_SECONDS = float(env_str("SMANAV_WORKER_HEARTBEAT_SECONDS", "10"))
SMANAV_WORKER_LEASE_SECONDS = float(env_str("SMANAV_WORKER_LEASE_SECONDS", "60"))
SMANAV_JOB_MAX_ATTEMPTS = int(env_str("SMANAV_JOB_MAX_ATTEMPTS", "3"))
if SMANAV_WORKER_LEASE_SECONDS < 3 * SMANAV_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("SMANAV_WORKER_LEASE_SECONDS must be at least three heartbeats long")

TASKS = {
    "default": {
        "BACKEND": env_str("SMANAV_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout per account and per address (smanav/accounts/lockout.py): failures are recorded under the
# account and address together, and counted per account (any address) and per address (any account).
AXES_HANDLER = "smanav.accounts.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(env_str("SMANAV_LOGIN_FAILURE_LIMIT", "5"))
SMANAV_ADDRESS_FAILURE_LIMIT = int(env_str("SMANAV_ADDRESS_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
# Staff and administrator accounts are granted by one administrator and confirmed by another. A
# one-clinic install with a single administrator sets SMANAV_SINGLE_ADMIN=1 so that administrator may
# confirm their own requests; every such confirmation is marked in the audit trail (docs/security.md).
SMANAV_SINGLE_ADMIN = env_bool("SMANAV_SINGLE_ADMIN", False)
# The anonymous API (evaluate, triage, services search, trial matching): requests of one kind per caller
# address and window (smanav/jsonapi/throttling.py), counted in the database shared by every app server.
SMANAV_API_RATE = env_str("SMANAV_API_RATE", "60/minute")
# How many reverse proxies of our own stand in front of the app servers: the caller's address is then
# read from the X-Forwarded-For they append to (0: REMOTE_ADDR, the direct peer). Lockout reads it too.
SMANAV_PROXY_COUNT = int(env_str("SMANAV_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = SMANAV_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if SMANAV_PROXY_COUNT else ("REMOTE_ADDR",)
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "patients:dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
# English ships first. The regional variants share its text but write dates and numbers the local way
# (Django's format files), chosen from the browser's Accept-Language by LocaleMiddleware. A language
# without translated text is not listed: the page's `lang` would then misinform screen readers.
LANGUAGES = [
    ("en", "English"),
    ("en-gb", "English (United Kingdom)"),
    ("en-au", "English (Australia)"),
    ("en-ca", "English (Canada)"),
    ("en-ie", "English (Ireland)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SMANAV_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where `collectstatic` gathers the static files for the web server (nginx) to serve from disk.
STATIC_ROOT = Path(env_str("SMANAV_STATIC_ROOT", str(REPO_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# The library's articles: Markdown files with front matter (docs/library.md). An article that no medical
# reviewer has signed off yet is shown, marked "awaiting medical review", unless this is turned off.
SMANAV_LIBRARY_DIR = Path(env_str("SMANAV_LIBRARY_DIR", str(REPO_DIR / "content" / "articles")))
SMANAV_LIBRARY_SHOW_UNREVIEWED = env_bool("SMANAV_LIBRARY_SHOW_UNREVIEWED", True)

EMAIL_BACKEND = env_str("SMANAV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("SMANAV_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("SMANAV_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("SMANAV_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("SMANAV_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SMANAV_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SMANAV_FROM_EMAIL", "smanav <no-reply@localhost>")
# The outbox (docs/keeping-informed.md): messages sent per batch, and attempts before a message is failed.
SMANAV_OUTBOX_BATCH = int(env_str("SMANAV_OUTBOX_BATCH", "100"))
SMANAV_OUTBOX_MAX_ATTEMPTS = int(env_str("SMANAV_OUTBOX_MAX_ATTEMPTS", "6"))
# The site's address as people reach it, for links in emails sent by background jobs (reminders), which
# have no request to take it from.
SMANAV_SITE_URL = env_str("SMANAV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Community moderation (docs/community.md, ADR 0020). A new member's posts and replies wait for a
# moderator until this many of them were approved; a member becomes trusted (links and pictures without
# the lower limits) after this many published posts and replies and this many days since joining.
SMANAV_COMMUNITY_REVIEW_FIRST = int(env_str("SMANAV_COMMUNITY_REVIEW_FIRST", "3"))
SMANAV_COMMUNITY_TRUST_AFTER_POSTS = int(env_str("SMANAV_COMMUNITY_TRUST_AFTER_POSTS", "10"))
SMANAV_COMMUNITY_TRUST_AFTER_DAYS = int(env_str("SMANAV_COMMUNITY_TRUST_AFTER_DAYS", "14"))
# Flooding, counted in the database per member: posts and replies an hour, pictures a day (untrusted).
SMANAV_COMMUNITY_POSTS_PER_HOUR = int(env_str("SMANAV_COMMUNITY_POSTS_PER_HOUR", "5"))
SMANAV_COMMUNITY_COMMENTS_PER_HOUR = int(env_str("SMANAV_COMMUNITY_COMMENTS_PER_HOUR", "30"))
SMANAV_COMMUNITY_PICTURES_PER_DAY = int(env_str("SMANAV_COMMUNITY_PICTURES_PER_DAY", "3"))
# Links allowed in one post or reply, by trust level (new, member, trusted).
SMANAV_COMMUNITY_LINKS_NEW = int(env_str("SMANAV_COMMUNITY_LINKS_NEW", "1"))
SMANAV_COMMUNITY_LINKS_MEMBER = int(env_str("SMANAV_COMMUNITY_LINKS_MEMBER", "3"))
SMANAV_COMMUNITY_LINKS_TRUSTED = int(env_str("SMANAV_COMMUNITY_LINKS_TRUSTED", "10"))
# Reports from this many members hide a post or reply until a moderator decides.
SMANAV_COMMUNITY_FLAGS_TO_HIDE = int(env_str("SMANAV_COMMUNITY_FLAGS_TO_HIDE", "3"))

# Registry consent (docs/registry.md, ADR 0017): from what age a person gives their own consent, per
# region ("REGION:AGE,...", "*" for every other region), and how often participants review their data.
SMANAV_CONSENT_AGE_BY_REGION = env_str("SMANAV_CONSENT_AGE_BY_REGION", "*:18,UK:16")
SMANAV_CONSENT_REVIEW_MONTHS = int(env_str("SMANAV_CONSENT_REVIEW_MONTHS", "6"))
# Research exports: the key of the per-project pseudonyms (a secret: without it, and outside debug, no
# export is written), and how dates leave: "shift" (every date of a person moved by the same number of
# days, at most SMANAV_RESEARCH_SHIFT_DAYS either way), "month" (YYYY-MM) or "year" (YYYY).
SMANAV_PSEUDONYM_KEY = env_str("SMANAV_PSEUDONYM_KEY", "")
SMANAV_RESEARCH_DATES = env_str("SMANAV_RESEARCH_DATES", "shift")
SMANAV_RESEARCH_SHIFT_DAYS = int(env_str("SMANAV_RESEARCH_SHIFT_DAYS", "182"))
# The registry's dashboards show no count below this (registry/small_cells.py).
SMANAV_SMALL_CELL_THRESHOLD = int(env_str("SMANAV_SMALL_CELL_THRESHOLD", "5"))

# Session limits by role (smanav/accounts/session_limits.py): accounts with powers over other people's
# records (staff, administrators) end after 30 minutes idle or 10 hours (a clinic day); families after
# a day idle or 14 days.
SMANAV_STAFF_SESSION_IDLE_SECONDS = int(env_str("SMANAV_STAFF_SESSION_IDLE_MINUTES", "30")) * 60
SMANAV_STAFF_SESSION_MAX_SECONDS = int(env_str("SMANAV_STAFF_SESSION_MAX_HOURS", "10")) * 3600
SMANAV_FAMILY_SESSION_IDLE_SECONDS = int(env_str("SMANAV_FAMILY_SESSION_IDLE_HOURS", "24")) * 3600
SMANAV_FAMILY_SESSION_MAX_SECONDS = int(env_str("SMANAV_FAMILY_SESSION_MAX_DAYS", "14")) * 86400
SESSION_COOKIE_AGE = SMANAV_FAMILY_SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
# HTTPS: outside debug, cookies are sent over HTTPS only, plain HTTP is redirected to HTTPS and browsers
# are told to use nothing else for a year (HSTS). Each can be turned off for a test installation on
# loopback without TLS; behind our own reverse proxy (SMANAV_PROXY_COUNT), its X-Forwarded-Proto says
# whether the client used HTTPS.
SESSION_COOKIE_SECURE = env_bool("SMANAV_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SMANAV_HTTPS_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env_str("SMANAV_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SMANAV_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
if SMANAV_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: only our own scripts, styles and images; no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SMANAV_LOG_LEVEL", "WARNING")},
}
