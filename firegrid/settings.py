"""The settings module. Everything that differs between machines comes from the environment; the API's
settings and the FIREGRID_* domain knobs live in firegrid/conf/ and are imported here.

Defaults run with nothing installed: SQLite in the data folder, a secret key generated once into it.
With DEBUG off, start-up refuses to go on without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from firegrid.conf import api
from firegrid.conf.domain import (  # noqa: F401 — Django reads them from this module
    FIREGRID_DAILY_REPORT_TIME,
    FIREGRID_DOCUMENT_SERIALS,
    FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM,
    FIREGRID_ISSUER,
    FIREGRID_ISSUER_PHONE,
    FIREGRID_LEDGER_INLINE,
    FIREGRID_LEDGER_INLINE_ROWS,
    FIREGRID_LEDGER_MAX_MB,
    FIREGRID_LEDGER_MAX_RATIO,
    FIREGRID_LEDGER_MAX_UNPACKED_MB,
    FIREGRID_LEGAL_BASIS,
    FIREGRID_PATROL_MAX_SPEED_KMH,
    FIREGRID_PHOTO_REUSE_DAYS,
    FIREGRID_PHOTO_REUSE_DISTANCE,
    FIREGRID_RENDER_ON_ISSUE,
    FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS,
    FIREGRID_SELF_INSPECTION_REMIND_DAYS,
    FIREGRID_SELF_INSPECTION_SAMPLE_RATE,
    FIREGRID_SELF_INSPECTION_WATCH_MONTHS,
    FIREGRID_SITE_URL,
    FIREGRID_TENANT_REPORT_DAYS,
)
from firegrid.conf.env import env_bool, env_int, env_list

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent


DATA_DIR = Path(os.environ.get("FIREGRID_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
# Development and test defaults (generated secret key, local hosts) without DEBUG's other effects.
DEV_DEFAULTS = DEBUG or env_bool("FIREGRID_DEV", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEV_DEFAULTS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Firegrid will not start without it: "
            "set SECRET_KEY in the environment (or DEBUG=true for development)."
        )
    # Development only: generated once and kept in the data folder so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEV_DEFAULTS else []
)
if not DEV_DEFAULTS and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off Firegrid will not start without it: "
        "set ALLOWED_HOSTS to a comma-separated list of host names."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",  # sign-in lockout (firegrid.core.lockout)
    "django_otp",  # the optional second factor (firegrid.core.otp)
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "firegrid.core",
    "firegrid.areas",
    "firegrid.registry",
    "firegrid.inspections",
    "firegrid.jobs",
    "firegrid.campaigns",
    "firegrid.risk",
    "firegrid.rectification",
    "firegrid.portal",
    "firegrid.outreach",
    "firegrid.longterm",
    "firegrid.patrols",
    "firegrid.monitoring",
    "firegrid.incidents",
    "firegrid.points",
    "firegrid.dashboards",
    "firegrid.tasks",
    "firegrid.reports",
    "firegrid.pages",
    "firegrid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below); static files, served by
    # WhiteNoise just above, need none.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "firegrid.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave its second-factor code (firegrid.core.otp).
    "django_otp.middleware.OTPMiddleware",
    "firegrid.core.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "firegrid.core.middleware.RequestIdMiddleware",
    # Before the forced password change: a session without its second-factor code may not change the password.
    "firegrid.core.middleware.OTPRequiredMiddleware",
    "firegrid.core.middleware.PasswordChangeRequiredMiddleware",
    # A signed-in landlord's pages are the portal's: staff URLs lead there (firegrid.portal.middleware).
    "firegrid.portal.middleware.LandlordPortalMiddleware",
    # Last, as django-axes asks: turns a locked sign-in into the lockout answer (firegrid.core.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "firegrid.urls"
WSGI_APPLICATION = "firegrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "firegrid.pages.context_processors.firegrid",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'firegrid.sqlite3'}"),
        # Reusing connections matters: a new PostgreSQL connection costs ~5 ms (see docs/architecture.md).
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spent ~600 ms compiling a ~300 ms scoped count at 2 M premises (bench/README.md).
    DATABASES["default"]["OPTIONS"] = {"options": "-c jit=off"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while a long demo load or import writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "areas.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "login"

# The lockout backend first: it refuses a locked sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "firegrid.core.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password rules (firegrid.core.passwords; docs/architecture.md "Security"). Each refusal names what it found.
AUTH_PASSWORD_VALIDATORS = [
    {
        # wanggy12 for the user wanggy: similar to the username, name or mobile.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "mobile", "email")},
    },
    {"NAME": "firegrid.core.passwords.PersonalDataValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("FIREGRID_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        # The system's own words (the demo password is firegrid2019) and Chinese favourites that Django's
        # common-password list (English-sourced) misses.
        "NAME": "firegrid.core.passwords.ForbiddenWordsValidator",
        "OPTIONS": {"words": ["firegrid", "xiaofang", "qujiang", "消防网格", "woaini", "5201314", "1314520"]},
    },
]

# Sign-in lockout (django-axes, firegrid.core.lockout): per username on an address, and per address.
FIREGRID_LOGIN_FAILURE_LIMIT = env_int("FIREGRID_LOGIN_FAILURE_LIMIT", 5)
FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("FIREGRID_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
FIREGRID_LOGIN_COOLOFF_MINUTES = env_int("FIREGRID_LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = FIREGRID_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "firegrid.core.lockout.LockoutHandler"
AXES_COOLOFF_TIME = timedelta(minutes=FIREGRID_LOGIN_COOLOFF_MINUTES)
# The lock lifts a cool-off after the failure that set it; tries while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "firegrid.core.lockout.lockout_response"
# Sign-ins are logged in core.LoginRecord (登录日志); axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # its start-up line would print before every management command's output

# Second factor (两步验证, django-otp TOTP; firegrid.core.otp): offered to the district roles; mandatory for the
# roles listed here (comma-separated Role values, e.g. district_commander,system_admin). Empty: optional.
FIREGRID_OTP_REQUIRED_ROLES = env_list("FIREGRID_OTP_REQUIRED_ROLES", [])
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "消防网格"
# Django admin shows neither a device's secret key nor its QR code once the device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# WhiteNoise serves the static files in every mode, so a page never comes up without its CSS and JS:
# in production from STATIC_ROOT, filled by `collectstatic` (make run does it; see "Deploying" in
# docs/architecture.md); under DEBUG or FIREGRID_DEV straight from the app folders (the finders), looked
# up per request (autorefresh): no collectstatic needed, edits show at once, and no start-up scan of every
# file (a test client builds its middleware anew). Firegrid.W002 warns when neither place has the files.
WHITENOISE_USE_FINDERS = DEV_DEFAULTS
WHITENOISE_AUTOREFRESH = DEV_DEFAULTS

SESSION_COOKIE_HTTPONLY = True
# A session ends after FIREGRID_SESSION_HOURS without a request: SessionRefreshMiddleware moves the
# expiry on at most every FIREGRID_SESSION_REFRESH_MINUTES (not a write on every request).
FIREGRID_SESSION_HOURS = env_int("FIREGRID_SESSION_HOURS", 8)
FIREGRID_SESSION_REFRESH_MINUTES = env_int("FIREGRID_SESSION_REFRESH_MINUTES", 5)
SESSION_COOKIE_AGE = FIREGRID_SESSION_HOURS * 3600
# An API token expires this long after it was issued (firegrid.core.api.authentication); sign-out and a password
# change end it earlier.
FIREGRID_API_TOKEN_HOURS = env_int("FIREGRID_API_TOKEN_HOURS", 24)
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- HTTPS (docs/architecture.md "Settings"): on in production, off for development and tests, which run
# on plain http://127.0.0.1. `manage.py check --deploy` is clean with the production defaults (tested).
FIREGRID_HTTPS = env_bool("FIREGRID_HTTPS", default=not DEV_DEFAULTS)
SESSION_COOKIE_SECURE = FIREGRID_HTTPS
CSRF_COOKIE_SECURE = FIREGRID_HTTPS
# The interface language cookie is read by the server only (the switcher is a form).
LANGUAGE_COOKIE_SECURE = FIREGRID_HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("FIREGRID_SSL_REDIRECT", default=FIREGRID_HTTPS)
# A year, subdomains included; browsers then refuse plain http for the host (FIREGRID_HSTS_SECONDS=0: off).
SECURE_HSTS_SECONDS = env_int("FIREGRID_HSTS_SECONDS", 365 * 24 * 3600 if FIREGRID_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FIREGRID_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a request to browser makers to hard-code the domain (hstspreload.org) and cannot be taken
# back quickly; a district's host decides that, so it stays off unless asked for.
SECURE_HSTS_PRELOAD = env_bool("FIREGRID_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "SECURE_HSTS_PRELOAD is not True": see above
# Behind a reverse proxy that ends TLS, the header it sets to say the request came over HTTPS, e.g.
# X-Forwarded-Proto (the proxy must overwrite it on every request, or a client could claim HTTPS).
if _proxy_ssl_header := os.environ.get("FIREGRID_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

# Error pages and error e-mails never show the environment or connection addresses (firegrid.core.debug).
DEFAULT_EXCEPTION_REPORTER_FILTER = "firegrid.core.debug.FiregridExceptionReporterFilter"

# Request bodies. A form's or an API call's body, files not counted, may hold FIREGRID_MAX_BODY_KB; more
# is refused (web: 400; API: 413 with a message). Uploaded files past 2.5 MB are streamed to a temporary
# file; each kind of upload has its limit, checked with its type by firegrid.core.uploads: photos
# FIREGRID_PHOTO_MAX_MB, attachments FIREGRID_ATTACHMENT_MAX_MB, ledgers FIREGRID_LEDGER_MAX_MB (below).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("FIREGRID_MAX_BODY_KB", 2560) * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2560 * 1024
# A photo as a phone takes it (12-50 MP: 3-15 MB); it is stored resized, as a JPEG of a few hundred KB.
FIREGRID_PHOTO_MAX_MB = env_int("FIREGRID_PHOTO_MAX_MB", 15)
# An enforcement step's scans, a task reply's file: PDF, images, Word, Excel.
FIREGRID_ATTACHMENT_MAX_MB = env_int("FIREGRID_ATTACHMENT_MAX_MB", 20)
# Uploads hold personal data: readable by the server's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

REST_FRAMEWORK = api.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api.SPECTACULAR_SETTINGS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs seven "Step n" lines per PDF at INFO; a batch of notices would flood the log.
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes logs three INFO lines per sign-in; failures and lockouts are WARNING and stay.
        "axes": {"level": "WARNING"},
    },
}

# Page sizes: large is normal, so every list paginates.
FIREGRID_PAGE_SIZE = env_int("FIREGRID_PAGE_SIZE", 50)

# The campaign map's tile server, e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png; empty = no tiles
# (intranets are often offline): the map then shows the points on a plain background.
FIREGRID_MAP_TILES = os.environ.get("FIREGRID_MAP_TILES", "")
FIREGRID_MAP_ATTRIBUTION = os.environ.get("FIREGRID_MAP_ATTRIBUTION", "")


def _tile_origin(template: str) -> list[str]:
    """https://{s}.tiles.example.cn/{z}/{x}/{y}.png -> ["https://*.tiles.example.cn"]: what img-src allows."""
    if not template:
        return []
    scheme, _, rest = template.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return [f"{scheme}://{host}"]


# Content-Security-Policy (django-csp 4): scripts, styles and everything else from this site only. The
# templates have no inline script and no style attribute or <style> element; keep it so. Views that need
# more say so with django-csp's csp_update, in their urls.py (the API docs page, the campaign dashboard).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: and blob: for images made in the page (Swagger UI's and Leaflet's icons), and the map tiles.
        "img-src": [SELF, "data:", "blob:", *_tile_origin(FIREGRID_MAP_TILES)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# --- background and scheduled jobs (firegrid.jobs; docs/architecture.md "Jobs") ---
# Without REDIS_URL jobs run in threads of the web process (embedded); with it, on Celery workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
FIREGRID_JOBS_BACKEND = os.environ.get("FIREGRID_JOBS_BACKEND") or ("celery" if REDIS_URL else "embedded")
if FIREGRID_JOBS_BACKEND not in {"embedded", "celery"}:
    raise ImproperlyConfigured(
        f"FIREGRID_JOBS_BACKEND must be embedded or celery, not {FIREGRID_JOBS_BACKEND!r}"
    )
# Run every job inside the call that enqueues it (tests).
FIREGRID_JOBS_INLINE = env_bool("FIREGRID_JOBS_INLINE", default=False)
# auto: the embedded scheduler runs under runserver; embedded: in every web process too; off: never.
FIREGRID_SCHEDULER = os.environ.get("FIREGRID_SCHEDULER", "auto")
if FIREGRID_SCHEDULER not in {"auto", "embedded", "off"}:
    raise ImproperlyConfigured(
        f"FIREGRID_SCHEDULER must be auto, embedded or off, not {FIREGRID_SCHEDULER!r}"
    )
# A run without a heartbeat this long is taken for dead and may be claimed again.
FIREGRID_JOBS_STALE_MINUTES = env_int("FIREGRID_JOBS_STALE_MINUTES", 10)
FIREGRID_JOBS_HEARTBEAT_SECONDS = env_int("FIREGRID_JOBS_HEARTBEAT_SECONDS", 30)
# Modules defining jobs besides each app's jobs.py.
FIREGRID_JOBS_MODULES = env_list("FIREGRID_JOBS_MODULES", [])
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL) or None
if FIREGRID_JOBS_BACKEND == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("FIREGRID_JOBS_BACKEND=celery needs REDIS_URL (redis://host:6379/0).")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # a run's outcome is its JobRun row
# A task is acknowledged after it ran: a worker that dies mid-run gets its task delivered again, and the
# run's claim (stale heartbeat) decides whether it runs again — a duplicate delivery runs nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- landlord portal: sign-in with a one-time code sent by SMS ---
# Dotted path of a firegrid.core.sms.BaseSmsBackend. Development prints codes to the console;
# production has no default (a warning at start-up, a clear message on the sign-in page).
FIREGRID_SMS_BACKEND = os.environ.get("FIREGRID_SMS_BACKEND") or (
    "firegrid.core.sms.ConsoleBackend" if DEV_DEFAULTS else ""
)
FIREGRID_SMS_FILE_PATH = os.environ.get("FIREGRID_SMS_FILE_PATH", str(DATA_DIR / "sms.log"))
# How long a sign-in code stays valid (seconds).
FIREGRID_PORTAL_CODE_TTL = env_int("FIREGRID_PORTAL_CODE_TTL", 300)
# Rate limits on sign-in codes (each SMS costs money and can be used to pester someone): a mobile waits
# this long between codes, and gets at most so many an hour; one address asks for at most so many an hour.
FIREGRID_PORTAL_RESEND_SECONDS = env_int("FIREGRID_PORTAL_RESEND_SECONDS", 60)
FIREGRID_PORTAL_CODES_PER_HOUR = env_int("FIREGRID_PORTAL_CODES_PER_HOUR", 5)
FIREGRID_PORTAL_CODES_PER_IP_HOUR = env_int("FIREGRID_PORTAL_CODES_PER_IP_HOUR", 20)
# This many wrong codes lock the mobile's sign-in for FIREGRID_PORTAL_LOCK_MINUTES.
FIREGRID_PORTAL_MAX_FAILURES = env_int("FIREGRID_PORTAL_MAX_FAILURES", 5)
FIREGRID_PORTAL_LOCK_MINUTES = env_int("FIREGRID_PORTAL_LOCK_MINUTES", 30)
if env_bool("FIREGRID_FAST_HASHER", default=False):
    # Tests only: PBKDF2 at full strength costs ~0.3 s per user created.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
