"""The one settings module. Everything that differs between machines comes from the environment.

Defaults run with nothing installed: SQLite in the data folder, a secret key generated once into it.
With DEBUG off, start-up refuses to go on without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


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

REST_FRAMEWORK = {
    # Token first: an anonymous API call then answers 401 with `WWW-Authenticate: Token` (not 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "firegrid.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "firegrid.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "firegrid.core.api.errors.exception_handler",
    # JSON nested too deeply is a 400, not a RecursionError (firegrid.core.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "firegrid.core.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Firegrid API",
    "DESCRIPTION": "消防网格 — rental-housing fire-safety campaign platform. All lists are limited to the "
    "caller's scope; out-of-scope objects answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes government data: only signed-in users may read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names clash across models (kind, use) get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "PremisesKindEnum": "firegrid.registry.choices.PremisesKind",
        # Ledger import API: the kind of ledger beside the premises kind.
        "LedgerKindEnum": "firegrid.registry.ledger.choices.ImportKind",
        "DepartmentKindEnum": "firegrid.areas.choices.DepartmentKind",
        "UnitKindEnum": "firegrid.areas.choices.UnitKind",
        "BuildingUseEnum": "firegrid.registry.choices.BuildingUse",
        "RoomUseEnum": "firegrid.registry.choices.RoomUse",
        "PersonalFieldEnum": "firegrid.core.api.serializers.PERSONAL_FIELD_CHOICES",
        # Inspections API: status, kind and role clash with the registry's and the user's. Premises and
        # users keep the names their enums had before (StatusEnum, RoleEnum): existing clients see no change.
        "StatusEnum": "firegrid.registry.choices.PremisesStatus",
        "RoleEnum": "firegrid.areas.choices.Role",
        "TemplateStatusEnum": "firegrid.inspections.choices.TemplateStatus",
        "InspectionStatusEnum": "firegrid.inspections.choices.InspectionStatus",
        "HazardStatusEnum": "firegrid.inspections.choices.HazardStatus",
        "InspectionKindEnum": "firegrid.inspections.choices.InspectionKind",
        "PhotoRoleEnum": "firegrid.inspections.choices.PhotoRole",
        # Risk API: a grade appears as grade, old_grade and new_grade.
        "RiskGradeEnum": "firegrid.risk.choices.RiskGrade",
        # Work queue API: an item's kind (its reason) beside the inspection kind it starts.
        "QueueKindEnum": "firegrid.longterm.choices.QueueKind",
        # Self-inspection API: a landlord's yes/no beside the inspection answer's result, which keeps the
        # name it had before (ResultEnum).
        "ResultEnum": "firegrid.inspections.choices.AnswerResult",
        "SelfCheckResultEnum": "firegrid.longterm.choices.SelfCheckResult",
        "SelfInspectionStatusEnum": "firegrid.longterm.choices.SelfInspectionStatus",
        # Rectification API: kind and status clash with the inspections' and the registry's; a plan's
        # state and moves appear under several field names (state, from_state, to_state, name, move).
        "PlanStateEnum": "firegrid.rectification.choices.PlanState",
        "MoveNameEnum": "firegrid.rectification.choices.MoveName",
        "PlanMoveEnum": "firegrid.rectification.api.serializers.API_MOVES",
        "LadderMoveEnum": "firegrid.rectification.api.serializers.LADDER_MOVES",
        "DocumentKindEnum": "firegrid.rectification.choices.DocumentKind",
        "DocumentStatusEnum": "firegrid.rectification.choices.DocumentStatus",
        "EnforcementKindEnum": "firegrid.rectification.choices.EnforcementKind",
        "OutreachKindEnum": "firegrid.outreach.models.OutreachKind",
        "TaskKindEnum": "firegrid.tasks.choices.TaskKind",
        "TaskStatusEnum": "firegrid.tasks.choices.TaskStatus",
        "ReplyKindEnum": "firegrid.tasks.choices.ReplyKind",
        # Daily reports: a snapshot's status clashes with every other status.
        "SnapshotStatusEnum": "firegrid.reports.models.SnapshotStatus",
        # Campaigns: a campaign's status, writable since the API creates and edits campaigns.
        "CampaignStatusEnum": "firegrid.campaigns.choices.CampaignStatus",
        # Patrols (巡查): kinds and states of teams, patrols, scans, findings and fabrication flags.
        "PatrolTeamKindEnum": "firegrid.patrols.choices.TeamKind",
        "PatrolKindEnum": "firegrid.patrols.choices.PatrolKind",
        "PatrolStatusEnum": "firegrid.patrols.choices.PatrolStatus",
        "ScanSourceEnum": "firegrid.patrols.choices.ScanSource",
        "FindingKindEnum": "firegrid.patrols.choices.FindingKind",
        "FindingStatusEnum": "firegrid.patrols.choices.FindingStatus",
        "FlagKindEnum": "firegrid.patrols.choices.FlagKind",
        "FlagStatusEnum": "firegrid.patrols.choices.FlagStatus",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The docs page's Swagger UI served from our own static files: intranets are offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

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

# --- ledger import (台账导入; docs/architecture.md "Ledger import") ---
# Largest upload (MB). An .xlsx is also refused before parsing when its zip directory says it unpacks
# to more than FIREGRID_LEDGER_MAX_UNPACKED_MB (an ordinary sheet packs 5–13:1), or when a large part
# of it packs better than FIREGRID_LEDGER_MAX_RATIO:1 (a zip bomb).
FIREGRID_LEDGER_MAX_MB = env_int("FIREGRID_LEDGER_MAX_MB", 20)
FIREGRID_LEDGER_MAX_UNPACKED_MB = env_int("FIREGRID_LEDGER_MAX_UNPACKED_MB", 15 * FIREGRID_LEDGER_MAX_MB)
FIREGRID_LEDGER_MAX_RATIO = env_int("FIREGRID_LEDGER_MAX_RATIO", 100)
# Files up to this many rows are checked and committed inside the request; larger ones as a job.
FIREGRID_LEDGER_INLINE_ROWS = env_int("FIREGRID_LEDGER_INLINE_ROWS", 1000)
# Every file inside the request (tests).
FIREGRID_LEDGER_INLINE = env_bool("FIREGRID_LEDGER_INLINE", default=False)

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
# Landlord self-inspection (房东自查): the share of each period's self-inspections drawn for a verification
# visit (per risk grade, rounded up), the months between self-inspections, and how long a premises whose
# self-inspection was contradicted has every self-inspection drawn.
FIREGRID_SELF_INSPECTION_SAMPLE_RATE = float(os.environ.get("FIREGRID_SELF_INSPECTION_SAMPLE_RATE") or 0.10)
if not 0 <= FIREGRID_SELF_INSPECTION_SAMPLE_RATE <= 1:
    raise ImproperlyConfigured("FIREGRID_SELF_INSPECTION_SAMPLE_RATE must be between 0 and 1 (e.g. 0.10)")
FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS = env_int("FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS", 1)
if FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS not in (1, 2, 3, 4, 6, 12):
    raise ImproperlyConfigured(
        "FIREGRID_SELF_INSPECTION_INTERVAL_MONTHS must divide a year: 1, 2, 3, 4, 6 or 12"
    )
FIREGRID_SELF_INSPECTION_WATCH_MONTHS = env_int("FIREGRID_SELF_INSPECTION_WATCH_MONTHS", 6)
# Landlords still owing a self-inspection are reminded this many days before the period ends.
FIREGRID_SELF_INSPECTION_REMIND_DAYS = env_int("FIREGRID_SELF_INSPECTION_REMIND_DAYS", 5)
if FIREGRID_SELF_INSPECTION_REMIND_DAYS < 0:
    raise ImproperlyConfigured("FIREGRID_SELF_INSPECTION_REMIND_DAYS must be 0 or more (0: on the last day)")
# The daily report (日报) is generated every day at this time (HH:MM, Asia/Shanghai): the cron line of the
# job reports.daily_snapshot is made from it when the job registry loads.
FIREGRID_DAILY_REPORT_TIME = os.environ.get("FIREGRID_DAILY_REPORT_TIME", "17:00")
if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", FIREGRID_DAILY_REPORT_TIME):
    raise ImproperlyConfigured(
        f"FIREGRID_DAILY_REPORT_TIME must be HH:MM (e.g. 17:00), not {FIREGRID_DAILY_REPORT_TIME!r}"
    )
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

# --- rectification documents ---
# The site's public address: QR codes on printed documents lead landlords to their plan here.
FIREGRID_SITE_URL = os.environ.get("FIREGRID_SITE_URL", "http://127.0.0.1:8000")
FIREGRID_ISSUER = os.environ.get("FIREGRID_ISSUER", "衢州市衢江区消防安全专项整治工作指挥部")
FIREGRID_ISSUER_PHONE = os.environ.get("FIREGRID_ISSUER_PHONE", "")
# Serial prefixes per document kind: 衢江消整〔2019〕第0001号.
FIREGRID_DOCUMENT_SERIALS = {
    "notice": os.environ.get("FIREGRID_SERIAL_NOTICE", "衢江消整"),
    "order": os.environ.get("FIREGRID_SERIAL_ORDER", "衢江消责"),
    "pledge": os.environ.get("FIREGRID_SERIAL_PLEDGE", "衢江消诺"),
    "acceptance": os.environ.get("FIREGRID_SERIAL_ACCEPTANCE", "衢江消验"),
    # 单位—房东承诺书 (firegrid.campaigns.pledges)
    "unit_pledge": os.environ.get("FIREGRID_SERIAL_UNIT_PLEDGE", "衢江消认"),
    # 文明家庭 / 文明商户 certificates (firegrid.points.evaluation), numbered per evaluated year
    "certificate": os.environ.get("FIREGRID_SERIAL_CERTIFICATE", "衢江文明"),
}
FIREGRID_LEGAL_BASIS = {
    "notice": [
        "《中华人民共和国消防法》第十六条、第十八条",
        "《浙江省消防条例》第二十六条",
        "《浙江省出租房屋消防安全管理办法》",
    ],
    "order": [
        "《中华人民共和国消防法》第十六条、第六十条",
        "《消防监督检查规定》（公安部令第120号）第十九条",
    ],
    "pledge": ["《中华人民共和国消防法》第十六条", "《浙江省消防条例》第二十六条"],
    "acceptance": ["《中华人民共和国消防法》第十六条"],
}
# Render a document's PDF as soon as it is issued (after the commit); otherwise on first download.
FIREGRID_RENDER_ON_ISSUE = env_bool("FIREGRID_RENDER_ON_ISSUE", default=True)

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
# A tenant move-in the landlord reports more than this many days after it happened (or that a grid worker
# finds at a visit) is reported late (流管通): the rule that will cost landlord points.
FIREGRID_TENANT_REPORT_DAYS = env_int("FIREGRID_TENANT_REPORT_DAYS", 3)
# Fabrication checks of patrols and inspections (疑似造假提示, firegrid.patrols.checks): hints for a
# supervisor, never penalties. A photo whose perceptual hash is within this many bits of a photo of another
# inspection or finding in the same grid in the last FIREGRID_PHOTO_REUSE_DAYS is "the same photo used
# twice"; two scans by one person farther apart than FIREGRID_PATROL_MAX_SPEED_KMH allows (40 km/h: an
# e-bike in town) are impossible; an inspection submitted in less than this many seconds per answered item
# was not answered at the door.
FIREGRID_PHOTO_REUSE_DISTANCE = env_int("FIREGRID_PHOTO_REUSE_DISTANCE", 4)
FIREGRID_PHOTO_REUSE_DAYS = env_int("FIREGRID_PHOTO_REUSE_DAYS", 180)
FIREGRID_PATROL_MAX_SPEED_KMH = env_int("FIREGRID_PATROL_MAX_SPEED_KMH", 40)
FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM = env_int("FIREGRID_INSPECTION_MIN_SECONDS_PER_ITEM", 3)

if env_bool("FIREGRID_FAST_HASHER", default=False):
    # Tests only: PBKDF2 at full strength costs ~0.3 s per user created.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
