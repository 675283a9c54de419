"""Berdaya settings: everything a site may change comes from environment variables (see README.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets classes be subscripted for type checking (QuerySet[User], ModelForm[User]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("BERDAYA_VAR_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "django-insecure-berdaya-development-only-do-not-use-in-production"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    # Production must never run with a key that is published in this file.
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    # The REST API (berdaya/api.py): listed so that its interactive docs use its own copy of Swagger UI, not a CDN.
    "ninja",
    "simple_history",
    # Before django_tasks_db: its `db_worker` command (a loop that survives a busy database) replaces the library's.
    "berdaya.worker",
    "django_tasks",
    "django_tasks_db",
    "berdaya",
    "berdaya.regions",
    "berdaya.accounts",
    "berdaya.registry",
    "berdaya.inbox",
    "berdaya.screening",
    "berdaya.targeting",
    "berdaya.groups",
    "berdaya.mentoring",
    "berdaya.training",
    "berdaya.business",
    "berdaya.monitoring",
    "berdaya.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy, and no-store on whatever a signed-in user is sent.
    "berdaya.lib.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "berdaya.lib.sessions.TouchSession",
    # After a change the menu counts the user's tasks afresh (it keeps the count a minute otherwise).
    "berdaya.worklist.CountAfreshAfterChanges",
    "berdaya.lib.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A query string with a NUL character is a 400 (PostgreSQL refuses NUL in text: a 500 otherwise).
    "berdaya.lib.middleware.RefuseNulBytesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside MessageMiddleware: after an action that told people, a message says whom (berdaya/inbox).
    "berdaya.inbox.middleware.ToldMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "berdaya.urls"
WSGI_APPLICATION = "berdaya.wsgi.application"

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
                "berdaya.navigation.navigation",
            ],
            # |rupiah, |number, |day, |day_time, |month in every template (berdaya/lib/formats.py).
            "builtins": ["berdaya.templatetags.formats"],
        },
    },
]

# The embedded default is a SQLite file under var/ in WAL mode, so that readers never wait for the writer.
SQLITE_PATH = VAR_DIR / "berdaya.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writing transaction takes the lock at BEGIN, so two writers queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "berdaya.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working day of inactivity and when the browser closes (shared office computers).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 60 * 60))
# A session is not written on every request (a page must answer while a long import holds SQLite's write lock):
# berdaya.lib.sessions.TouchSession re-saves it when its last save is older than SESSION_TOUCH_SECONDS, so the idle
# timeout holds to within that, and skips the touch rather than wait when the database is busy.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout: five wrong passwords for one username lock it for a while. By username, not IP: a whole
# Dinas office shares one public address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 30)))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP address too. We do not: a Dinas office, a kecamatan office and a village hall each
# reach us through one shared address, and five typos by anyone would lock out everyone there.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "berdaya.accounts.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Makassar")  # WITA, Kabupaten Paser's time
USE_TZ = True
# The office's formats in each language: 3 Des 2026, Rp 2.000.000 (berdaya/formats/).
FORMAT_MODULE_PATH = ["berdaya.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development (and tests) WhiteNoise serves straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        # Database-backed queue: the embedded default needs no broker. `berdaya db_worker` runs the tasks.
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# The task worker (berdaya/worker/loop.py): a worker on another host silent this long is taken for dead and its
# running task queued again, up to BERDAYA_TASK_MAX_ATTEMPTS tries in all (then failed). The Admin Dinas is shown
# tasks waiting or running longer than BERDAYA_TASK_STUCK_MINUTES, and warned when no worker was seen for
# BERDAYA_WORKER_SILENT_MINUTES.
# Where the screening engine runs inside Berdaya (the registry's duplicates, nominees against the aid history): empty for
# one process in the task worker; a Dask scheduler address (tcp://host:8786) for a cluster (docs/scaling.md).
BERDAYA_SCREENING_CLUSTER = os.environ.get("BERDAYA_SCREENING_CLUSTER", "")
# Smaller runs (a village's nominees against a regency's history, checked while the operator waits) stay in process:
# sending the columns to the workers would cost more than the cluster saves.
BERDAYA_SCREENING_CLUSTER_MIN_RECORDS = int(os.environ.get("BERDAYA_SCREENING_CLUSTER_MIN_RECORDS", 1_000_000))
BERDAYA_WORKER_LOST_MINUTES = int(os.environ.get("BERDAYA_WORKER_LOST_MINUTES", 10))
BERDAYA_TASK_MAX_ATTEMPTS = int(os.environ.get("BERDAYA_TASK_MAX_ATTEMPTS", 2))
BERDAYA_TASK_STUCK_MINUTES = int(os.environ.get("BERDAYA_TASK_STUCK_MINUTES", 30))
BERDAYA_WORKER_SILENT_MINUTES = int(os.environ.get("BERDAYA_WORKER_SILENT_MINUTES", 5))

# The menu's count of "My tasks" is kept here a minute (berdaya/worklist.py), not in the session: files under var/,
# shared by every web process of the host and never waiting for the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("BERDAYA_CACHE_DIR", str(VAR_DIR / "cache")),
        "OPTIONS": {"MAX_ENTRIES": 10000},
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "berdaya@localhost")

# The regency the UI centres on (Kemendagri code). Kabupaten Paser by default.
BERDAYA_HOME_REGION = os.environ.get("BERDAYA_HOME_REGION", "64.01")
BERDAYA_DEMO_PASSWORD = os.environ.get("BERDAYA_DEMO_PASSWORD", "berdaya-demo")
# This site's address as people reach it: the links in e-mails and WhatsApp messages start with it.
BERDAYA_SITE_URL = os.environ.get("BERDAYA_SITE_URL", "http://127.0.0.1:8000")
# Groups and mentoring: a group without a facilitator's visit for this many days needs attention; field photos
# larger than the limit are refused, the rest shrunk to at most this many pixels on their longer side.
BERDAYA_VISIT_OVERDUE_DAYS = int(os.environ.get("BERDAYA_VISIT_OVERDUE_DAYS", 30))
BERDAYA_MAX_PHOTO_BYTES = int(os.environ.get("BERDAYA_MAX_PHOTO_MB", 10)) * 1024 * 1024
BERDAYA_PHOTO_MAX_SIDE = int(os.environ.get("BERDAYA_PHOTO_MAX_SIDE", 1600))
# Business: a single cash-book entry above this many Rupiah is refused as a typing mistake (an extra zero or two).
BERDAYA_CASH_ENTRY_MAX = int(os.environ.get("BERDAYA_CASH_ENTRY_MAX", 1_000_000_000))
# Personal data (UU 27/2022): how many days the access log of personal data and the field photos of homes (verval)
# and of facilitators' visits are kept; `berdaya purge --apply` removes what is older. 0 keeps them for ever.
BERDAYA_ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("BERDAYA_ACCESS_LOG_RETENTION_DAYS", 1826))
BERDAYA_PHOTO_RETENTION_DAYS = int(os.environ.get("BERDAYA_PHOTO_RETENTION_DAYS", 1826))


def import_limits(prefix: str, *, mb: int, rows: int, cells: int, expanded_mb: int) -> dict[str, int]:
    """One kind of import's limits; each is overridden by BERDAYA_<prefix>_MAX_MB, _MAX_ROWS, _MAX_CELLS or
    _MAX_EXPANDED_MB."""

    def env(name: str, default: int) -> int:
        return int(os.environ.get(f"BERDAYA_{prefix}_{name}", default))

    return {
        "bytes": env("MAX_MB", mb) * 1024 * 1024,
        "rows": env("MAX_ROWS", rows),
        "cells": env("MAX_CELLS", cells),
        "expanded_bytes": env("MAX_EXPANDED_MB", expanded_mb) * 1024 * 1024,
    }


# Imports are checked and stored by the task worker, never in the request. A file is judged by what it expands to
# (berdaya/lib/uploads.py): its bytes; for an XLSX the bytes it unzips to, any part's compression ratio and its
# number of parts; then its rows and cells, empty ones too. Registry and history: a regency's register in one file
# (an XLSX holds at most 1,048,576 rows); a cash book: one group's years of entries.
BERDAYA_IMPORT_LIMITS = {
    "registry": import_limits("IMPORT", mb=200, rows=1_048_576, cells=20_000_000, expanded_mb=500),
    "cash_book": import_limits("CASH_IMPORT", mb=10, rows=20_000, cells=1_000_000, expanded_mb=50),
}
BERDAYA_XLSX_MAX_RATIO = int(os.environ.get("BERDAYA_XLSX_MAX_RATIO", 100))
BERDAYA_XLSX_MAX_MEMBERS = int(os.environ.get("BERDAYA_XLSX_MAX_MEMBERS", 200))
# Uploaded files are served only by views that check scope (berdaya/lib/files.py); nothing serves MEDIA_URL. Set to
# an nginx `internal` location over MEDIA_ROOT (e.g. "/protected-media/") to let nginx send them (X-Accel-Redirect).
BERDAYA_MEDIA_ACCEL_PREFIX = os.environ.get("BERDAYA_MEDIA_ACCEL_PREFIX", "")
# The REST API (docs/api.md): how long a personal access token may last at most, and how many calls a token may make
# per minute (more are answered 429 until the minute ends).
BERDAYA_API_TOKEN_MAX_DAYS = int(os.environ.get("BERDAYA_API_TOKEN_MAX_DAYS", 365))
BERDAYA_API_RATE_LIMIT = int(os.environ.get("BERDAYA_API_RATE_LIMIT", 600))

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
